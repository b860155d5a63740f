"""Export the active set in projector TSV (zip), word2vec text or Parquet; built on click."""

import io as _io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from embedlab.core import Embeddings, io


def _bytes(emb: Embeddings, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        name = {
            "projector": "vectors.tsv",
            "word2vec": "vectors.txt",
            "parquet": "vectors.parquet",
        }[fmt]
        written = io.save(emb, Path(tmp) / name, fmt)
        if fmt != "projector":
            return written[0].read_bytes()
        buf = _io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.write(path, path.name)
        return buf.getvalue()


def export_buttons(emb: Embeddings) -> None:
    with st.expander("Export this set"):
        for fmt, fname, mime in (
            ("projector", "embedlab-projector.zip", "application/zip"),
            ("word2vec", "embedlab-vectors.txt", "text/plain"),
            ("parquet", "embedlab-vectors.parquet", "application/octet-stream"),
        ):
            st.download_button(
                fmt,
                data=lambda fmt=fmt: _bytes(emb, fmt),
                file_name=fname,
                mime=mime,
                key=f"sidebar.export.{fmt}",
                on_click="ignore",
            )
