"""What the Recommend page serves from, shared read-only between sessions: training folders,
the sets this browser trained on the Train page, and the sample-log models.

The folders are those directly under the runs root, ``$EMBEDLAB_RUNS``, else ``runs/`` in the
workspace folder: ``embedlab train --out <root>/NAME`` puts one there.  A folder is named by its
folder name only (never a path from the browser), and loaded once per change of its files.  A
stored set is named by its id and served with the log it was trained on
(:func:`core.work.servable`, :func:`core.work.stored_run`); a sample model by ``sample:METHOD``.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from embedlab.core.errors import DataError, EmbedlabError, ParameterError

from .caches import sample_log, sample_model, workspace, workspace_root
from .logs import SAMPLE, load_log
from .sets import SAMPLE_METHODS, stored_sets

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


def offered() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(choice → label of each source the page offers: the runs folders, this browser's stored
    sets that can recommend, the sample-log models; (set name, why) for each other set of this
    browser's).  Labels and reasons are plain text: escape them before Markdown."""
    found = {name: f"{name} (training folder)" for name in run_names()}
    refused = []
    for s in _servables():
        if s.reason:
            refused.append((s.name, s.reason))
        else:
            found[s.set] = f"{s.name} (trained on log {s.log_name})"
    found |= {f"sample:{m}": f"sample log · {m} (built in)" for m in SAMPLE_METHODS}
    return found, refused


def _servables():
    """:func:`core.work.servable` of every stored set this browser sees, newest first."""
    from embedlab.core.work import servable

    recs = stored_sets()
    logs = {r.id for r in recs if r.kind == "log"}
    sets = sorted((r for r in recs if r.kind != "log"), key=lambda r: r.created, reverse=True)
    return [servable(workspace(), r.id, logs) for r in sets]


def log_of(loaded) -> str:
    """The name of the log ``loaded`` was trained on (a file name, never a server path)."""
    source = str((loaded.report.get("log") or {}).get("source") or "")
    return Path(source).name if source else "its log"


def run(name: str):
    """The :class:`core.runs.Run` of ``name``: a training folder (one of :func:`run_names`), a
    stored set :func:`offered` offers, or ``sample:METHOD``.

    Raises
    ------
    ParameterError
        Nothing of that name is offered.
    DataError
        It cannot be read, or its log cannot be prepared again.
    """
    if name in run_names():
        return _folder(name)
    if name.startswith("sample:") and name.partition(":")[2] in SAMPLE_METHODS:
        return _sample_run(name.partition(":")[2])
    for s in _servables():
        if s.set == name and not s.reason:
            log = sample_log() if s.log == SAMPLE else load_log(s.log)
            return _set_run(str(workspace().root), name, s.log, log)
    raise ParameterError("no training folder or set of that name can recommend here")


def _folder(name: str):
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


@st.cache_resource(max_entries=8, show_spinner="Reading the set and its log…")
def _set_run(root: str, set_id: str, log_id: str, _log):  # noqa: ARG001 - the cache key
    from embedlab.core.work import stored_run

    return stored_run(workspace(), set_id, _log)


@st.cache_resource(max_entries=2, show_spinner="Training on the sample log…")
def _sample_run(method: str):
    from embedlab.core.runs import trained_run

    return trained_run(sample_model(method), sample_log(), f"sample log · {method}")


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
