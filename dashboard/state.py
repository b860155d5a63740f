"""Which embedding set is active, where it lives, and the URL that reproduces the view.

Shared, read-only objects (the built-in GloVe, models trained on the committed sample log) live
in ``st.cache_resource``; a user's uploads and trained models live in ``st.session_state`` and are
never visible to another session.  The view's parameters live in ``st.query_params``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from core import Embeddings, io
from core.errors import EmbedlabError

from .text import md

BUILTIN = "glove-6b-50d"
SAMPLE_METHODS = ("item2vec", "als")
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SAMPLE_LOG = ROOT / "sample_data" / "interactions.csv"
SAMPLE_ITEMS = ROOT / "sample_data" / "items.csv"


@st.cache_resource(show_spinner="Loading GloVe 6B 50d…", max_entries=4)
def builtin(limit: int | None = None) -> Embeddings:
    full = io.load(BUILTIN)
    full.unit  # normalise once, shared by every session
    return full.head(limit) if limit else full


@st.cache_resource(show_spinner="Reading the sample log…")
def sample_log():
    from core.logs import prepare
    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


@st.cache_resource(show_spinner="Training on the sample log…")
def sample_model(method: str):
    from core.train import train
    return train(sample_log(), method, seed=0)


@st.cache_resource(show_spinner="Building the HNSW index (GloVe: about 30 s, once; then cached on disk)…",
                   max_entries=4)
def _shared_hnsw(choice: str, limit: int | None, metric: str):
    from core.search import cached_hnsw
    return cached_hnsw(load(choice, limit), metric)


def hnsw(choice: str, emb: Embeddings, metric: str):
    """HNSW indexes of shared sets are shared (read-only); a session's own sets keep theirs."""
    if not choice.startswith("session:"):
        return _shared_hnsw(choice, int_param("n", 0) or None if choice == BUILTIN else None, metric)
    from core.search import cached_hnsw
    cache = st.session_state.setdefault("hnsw", {})
    key = (choice, id(emb), metric)
    if key not in cache:
        with st.spinner("Building the HNSW index…"):
            cache[key] = cached_hnsw(emb, metric)
    return cache[key]


def session_sets() -> dict[str, Embeddings]:
    return st.session_state.setdefault("sets", {})


def add_session_set(name: str, emb: Embeddings) -> str:
    session_sets()[name] = emb
    return name


def choices() -> list[str]:
    return [BUILTIN] + [f"sample:{m}" for m in SAMPLE_METHODS] + [f"session:{n}" for n in session_sets()]


def describe(choice: str) -> str:
    if choice == BUILTIN:
        return "GloVe 6B 50d (built in)"
    kind, _, name = choice.partition(":")
    return f"sample log · {name}" if kind == "sample" else f"{name} (this session)"


def param(name: str, default: str = "") -> str:
    return st.query_params.get(name, default)


def int_param(name: str, default: int) -> int:
    try:
        return int(st.query_params.get(name, default))
    except ValueError:
        return default


def choice_index(options, name: str) -> int:
    """Index of the URL's value among ``options`` (the first when absent or unknown)."""
    value = st.query_params.get(name)
    return list(options).index(value) if value in options else 0


def set_params(**values) -> None:
    """Write the view into the URL; empty values are removed so links stay short."""
    for key, value in values.items():
        if value in (None, "", False):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = str(value)


def load(choice: str, limit: int | None = None) -> Embeddings:
    if choice == BUILTIN:
        return builtin(limit)
    kind, _, name = choice.partition(":")
    if kind == "sample" and name in SAMPLE_METHODS:
        return sample_model(name).items
    if kind == "session" and name in session_sets():
        return session_sets()[name]
    raise EmbedlabError(f"embedding set '{choice}' is not available in this session",
                        hint="uploads and trained models live only in the session that made them; "
                             "open the Data page to load them again")


def active() -> tuple[str, Embeddings]:
    """The set named by ?ds= (default: the built-in GloVe), falling back with a notice."""
    choice = param("ds", BUILTIN)
    limit = int_param("n", 0) or None
    try:
        return choice, load(choice, limit if choice == BUILTIN else None)
    except EmbedlabError as exc:
        st.warning(md(str(exc)))
        set_params(ds=None)
        return BUILTIN, builtin(limit)


def view_url(page: str) -> str:
    base = st.context.url.split("?")[0].rsplit("/", 1)[0] if st.context.url else ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}/{page}" + (f"?{query}" if query else "")
