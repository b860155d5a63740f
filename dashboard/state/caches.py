"""Shared, read-only objects: one per server process, the same object for every session.

Nothing here is ever mutated after it is built (``st.cache_resource`` hands the same object to
every session).  What depends on the workspace is cached **per workspace root**, and the root is
read from the environment each time it is used (``EMBEDLAB_WORKSPACE``, set by ``embedlab
dashboard --workspace DIR``; else the user's data folder), so a process that changes the variable
(a test) opens the new workspace instead of keeping the first one.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from embedlab.core import Embeddings, io
from embedlab.core.sample_files import sample_file
from embedlab.core.workspace import Workspace

BUILTIN = "glove-6b-50d"
SAMPLE_LOG = sample_file("interactions.csv")  # package data: found in a checkout and in a wheel
SAMPLE_ITEMS = sample_file("items.csv")
STALE_SECONDS = 3600  # half-written files and unclaimed uploads older than this are removed


def workspace_root() -> Path:
    """The workspace folder now: ``$EMBEDLAB_WORKSPACE``, else :meth:`Workspace.default_root`
    (``$XDG_DATA_HOME/embedlab`` or ``~/.local/share/embedlab``)."""
    return Path(os.environ.get("EMBEDLAB_WORKSPACE") or Workspace.default_root()).expanduser()


def workspace_cap() -> int:
    """The workspace's size cap in bytes now: ``$EMBEDLAB_WORKSPACE_MB`` (default 2048 MB)."""
    return int(float(os.environ.get("EMBEDLAB_WORKSPACE_MB", 2048)) * 1024**2)


def workspace() -> Workspace:
    """The server's workspace at the root and cap the environment names at this call; each root
    is opened (and swept) once per process."""
    return _opened(str(workspace_root()), workspace_cap())


@st.cache_resource(max_entries=8)
def _opened(root: str, max_bytes: int) -> Workspace:
    """Open ``root``; half-written files and unclaimed uploads older than an hour (left by a
    server that stopped) are removed now."""
    ws = Workspace(root, max_bytes=max_bytes)
    ws.clean_tmp(older_than=STALE_SECONDS)
    ws.prune_uploads(older_than=STALE_SECONDS)
    return ws


def stored_set(set_id: str) -> Embeddings:
    """A stored set of the current workspace, shared by every session (stored sets never change:
    memory-mapped, read-only rows).

    Raises
    ------
    MissingSetError
        No set ``set_id`` in the workspace.
    """
    ws = workspace()
    return _stored_set(str(ws.root), set_id, ws)


@st.cache_resource(max_entries=16)
def _stored_set(root: str, set_id: str, _ws: Workspace) -> Embeddings:  # noqa: ARG001 - the key
    return _ws.load_set(set_id)


def stored_log(log_id: str):
    """The Interactions of a stored log of the current workspace, validated again from its upload
    with the options it was stored with (shared by every session).

    Raises
    ------
    MissingSetError
        No log ``log_id`` in the workspace.
    """
    ws = workspace()
    return _stored_log(str(ws.root), log_id, ws)


@st.cache_resource(max_entries=4, show_spinner="Validating the stored log again…")
def _stored_log(root: str, log_id: str, _ws: Workspace):  # noqa: ARG001 - the cache key
    from embedlab.core.logs import prepare

    rec = _ws.record(log_id)
    options = {k: v for k, v in rec.options.items() if k != "file"}
    if options.get("metadata"):
        options["metadata"] = _ws.upload_path(options["metadata"])
    return prepare(_ws.log_path(rec), **options)


@st.cache_resource(show_spinner="Loading GloVe 6B 50d…", max_entries=4)
def builtin(limit: int | None = None) -> Embeddings:
    """The built-in GloVe 6B 50d (its ``limit`` most frequent words), normalised once."""
    full = io.load(BUILTIN)
    _ = full.unit  # normalise once, shared by every session
    return full.head(limit) if limit else full


@st.cache_resource(show_spinner="Reading the sample log…")
def sample_log():
    """The committed sample log (``sample_data/``) with its item metadata."""
    from embedlab.core.logs import prepare

    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


@st.cache_resource(show_spinner="Training on the sample log…")
def sample_model(method: str):
    """``method`` trained on the sample log (seed 0)."""
    from embedlab.core.train import train

    return train(sample_log(), method, seed=0)


@st.cache_resource(
    show_spinner="Building the HNSW index (once per set; then cached on disk)…", max_entries=4
)
def shared_hnsw(choice: str, limit: int | None, metric: str, _emb: Embeddings):  # noqa: ARG001
    """The HNSW index of a shared set (the built-in, a sample model), keyed by its choice."""
    from embedlab.core.search import cached_hnsw

    return cached_hnsw(_emb, metric)
