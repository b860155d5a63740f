"""Uploads kept on disk, not in the server's memory.

Streamlit keeps every uploaded file's bytes in memory for as long as its browser session lives
(and ``server.disconnectedSessionTTL`` after the tab closes): a visitor uploading 200 MB files
over and over grows the server by 200 MB each.  :func:`uploader` stores the file in the workspace
the first time a run sees it (by content, once), then empties Streamlit's record of it (same id,
no bytes); later runs find the stored copy by the id the widget still reports, so the pages read
the file from disk and the server holds its bytes only while storing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import DeletedFile, UploadedFile, UploadedFileRec

from embedlab.dashboard import state
from embedlab.dashboard.state import keys


@dataclass(frozen=True)
class Upload:
    """An uploaded file as stored in the workspace.

    Attributes
    ----------
    name : str
        The file name the browser sent (user text: escape it before showing it).
    file_id : str
        Streamlit's id of this upload (a new one for each upload, even of the same file).
    path : Path
        Where the bytes are kept.
    size : int
        Bytes.
    """

    name: str
    file_id: str
    path: Path
    size: int


def uploader(label: str, key: str, **kwargs) -> Upload | None:
    """``st.file_uploader`` whose file is moved to disk as soon as a run sees it.

    Parameters
    ----------
    label, key : str
        As for ``st.file_uploader`` (the key is required: the widget must keep its identity).
    **kwargs
        Passed on (``help``, ``type`` ...; one file only).

    Returns
    -------
    Upload or None
        The stored file, or None while the widget holds none (or holds one this session no
        longer knows: then a note asks for the file again).
    """
    got = st.file_uploader(label, key=key, **kwargs)
    if got is None:
        return None
    kept = keys.DATA_UPLOADS.memo()  # file id -> Upload, for this session
    if isinstance(got, DeletedFile):
        if got.file_id not in kept:
            st.info("This upload is no longer held by the server: remove it and upload it again.")
        return kept.get(got.file_id)
    if got.file_id not in kept:
        with got.getbuffer() as view:
            path = state.store_upload(view, got.name)
        kept[got.file_id] = Upload(got.name, got.file_id, path, got.size)
    if got.size:
        _release(got, keys.widget_value(key))
    return kept[got.file_id]


def _release(got, held) -> None:
    """Replace an upload's bytes in Streamlit's in-memory file manager by nothing, keeping its id
    (the widget goes on reporting the file, and the browser showing it), and empty the file
    objects this run holds: the one returned and the widget's value in the session's state
    (Streamlit may deserialise the widget twice in a run; either would keep the bytes alive
    until the session's next run or its end)."""
    ctx = get_script_run_ctx()
    mgr = ctx.uploaded_file_mgr if ctx is not None else None
    if isinstance(mgr, MemoryUploadedFileManager):
        mgr.add_file(ctx.session_id, UploadedFileRec(got.file_id, got.name, got.type, b""))
    for copy in (got, held):
        if isinstance(copy, UploadedFile):
            copy.truncate(0)
