"""Training folders the Recommend page serves from, shared read-only between sessions.

The folders are those directly under the runs root, ``$EMBEDLAB_RUNS``, else ``runs/`` in the
workspace folder: ``embedlab train --out <root>/NAME`` puts one there.  A folder is named by its
folder name only (never a path from the browser), and loaded once per change of its files.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from embedlab.core.errors import DataError, EmbedlabError, ParameterError

from .caches import workspace_root

RUNS_ENV = "EMBEDLAB_RUNS"


def runs_root() -> Path:
    """``$EMBEDLAB_RUNS``, else ``<workspace>/runs``."""
    given = os.environ.get(RUNS_ENV)
    return Path(given).expanduser() if given else workspace_root() / "runs"


def run_names() -> list[str]:
    """The training folders under the runs root (those with a ``report.json``), by name."""
    root = runs_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "report.json").is_file())


def run(name: str):
    """The :class:`core.recommend.Run` of folder ``name`` (one of :func:`run_names`)."""
    if name not in run_names():
        raise ParameterError(f"no training folder '{name}' in the runs folder")
    path = runs_root() / name
    stamp = tuple(f.stat().st_mtime_ns for f in sorted(path.iterdir()) if f.is_file())
    try:
        return _run(str(path), stamp)
    except EmbedlabError as exc:  # said without the server's paths
        raise DataError(
            f"training folder '{name}': {exc.message}",
            hint="train it again into the runs folder: folders trained now keep what "
            "recommending needs",
        ) from None


@st.cache_resource(max_entries=8, show_spinner="Reading the training folder…")
def _run(path: str, stamp: tuple):  # noqa: ARG001 - the files' times are the cache key
    from embedlab.core.runs import load_run

    return load_run(path)


def index(loaded):
    """The HNSW index of ``loaded``'s item vectors for its queries' metric (built once)."""
    from embedlab.core.serving import metric_of

    return _index(str(loaded.path), metric_of(loaded), loaded.items.provenance.data_hash, loaded)


@st.cache_resource(max_entries=8, show_spinner="Building the HNSW index…")
def _index(path: str, metric: str, digest: str, _loaded):  # noqa: ARG001 - the cache key
    from embedlab.core.serving import serving_index

    return serving_index(_loaded)
