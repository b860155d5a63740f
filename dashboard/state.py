"""Every session key and URL parameter of the dashboard, behind accessors.

Three kinds of state, each in one place:

- **Shared, read-only objects** (the built-in GloVe, models trained on the committed sample log,
  HNSW indexes of shared sets) live in ``st.cache_resource`` and are never mutated.
- **The browser's work** (the active set, the sets it made or opened) lives in the session and,
  for sets, in the workspace on disk (``core.workspace``), so it survives reloads and restarts.
- **The view** lives in the URL (``st.query_params``), so a link reproduces it.

Widgets are keyed.  A :class:`Control` initialises its widget's value ONCE, from the URL when the
URL names it (a link), else from the value the browser left on an earlier visit to the page,
else from the default; from then on the widget owns the value and every change is written back
to the URL.  (A widget without a key that takes its default from the URL is rebuilt on each
rerun, so every second change snaps back.)
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from embedlab.core import Embeddings, io
from embedlab.core.sample_files import sample_file
from embedlab.core.workspace import (
    CLI_OWNER,
    MissingSetError,
    SetRecord,
    Workspace,
    is_id,
    new_browser_id,
)

BUILTIN = "glove-6b-50d"
SAMPLE = "sample"  # the committed sample log, in log pickers
SAMPLE_METHODS = ("item2vec", "als")
SAMPLE_LOG = sample_file("interactions.csv")  # package data: found in a checkout and in a wheel
SAMPLE_ITEMS = sample_file("items.csv")

_ACTIVE = "active_set"  # the browser's active set (survives page switches)
_LOGS = "validated_logs"  # validated logs: name -> Interactions
_KEEP = "kept:"  # prefix: a control's value kept while its page is not shown
COOKIE = "embedlab_browser"


# -- shared, read-only objects -------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading GloVe 6B 50d…", max_entries=4)
def builtin(limit: int | None = None) -> Embeddings:
    full = io.load(BUILTIN)
    _ = full.unit  # normalise once, shared by every session
    return full.head(limit) if limit else full


@st.cache_resource(show_spinner="Reading the sample log…")
def sample_log():
    from embedlab.core.logs import prepare

    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


@st.cache_resource(show_spinner="Training on the sample log…")
def sample_model(method: str):
    from embedlab.core.train import train

    return train(sample_log(), method, seed=0)


@st.cache_resource(
    show_spinner="Building the HNSW index (once per set; then cached on disk)…", max_entries=4
)
def _shared_hnsw(choice: str, limit: int | None, metric: str):
    from embedlab.core.search import cached_hnsw

    return cached_hnsw(load(choice, limit), metric)


def hnsw(choice: str, emb: Embeddings, metric: str):
    """The HNSW index of ``emb``: shared (read-only) for shared sets, per session otherwise."""
    if is_shared(choice):
        return _shared_hnsw(choice, builtin_limit() if choice == BUILTIN else None, metric)
    from embedlab.core.search import cached_hnsw

    cache = st.session_state.setdefault("hnsw", {})
    key = (choice, id(emb), metric)
    if key not in cache:
        with st.spinner("Building the HNSW index…"):
            cache[key] = cached_hnsw(emb, metric)
    return cache[key]


# -- the workspace and this browser ----------------------------------------------------------------
@st.cache_resource
def workspace() -> Workspace:
    """The server's workspace (``embedlab dashboard --workspace DIR``; default: the user's data
    folder), opened once per server.  Half-written files and unclaimed uploads older than an hour
    (left by a server that stopped) are removed then."""
    root = os.environ.get("EMBEDLAB_WORKSPACE") or Workspace.default_root()
    ws = Workspace(
        root, max_bytes=int(float(os.environ.get("EMBEDLAB_WORKSPACE_MB", 2048)) * 1024**2)
    )
    ws.clean_tmp(older_than=3600)
    ws.prune_uploads(older_than=3600)
    return ws


def browser_id() -> str:
    """This browser's id, kept in a cookie so the browser finds its sets after a reload or a server
    restart; a browser without the cookie gets a new id (and the cookie, see
    keep_browser_cookie)."""
    if "browser_id" not in st.session_state:
        known = st.context.cookies.get(COOKIE, "")
        known = (
            known if isinstance(known, str) else ""
        )  # (AppTest has no browser, hence no cookies)
        st.session_state["browser_id"] = known if is_id(known) else new_browser_id()
        st.session_state["upload_ledger"] = UploadLedger(workspace())
    return st.session_state["browser_id"]


def keep_browser_cookie() -> None:
    """Write the browser-id cookie (a year; this site only).  Drawn on every run at the same place
    (the end of the sidebar), so the page's elements never shift and widgets such as tabs keep
    their state."""
    st.html(
        f"<script>document.cookie = '{COOKIE}={browser_id()}; path=/; "
        "max-age=31536000; SameSite=Strict';"
        "</script>",
        unsafe_allow_javascript=True,
    )


def is_owner() -> bool:
    """A browser on the server's own machine counts as the owner: it sees sets saved from the
    CLI."""
    ip = st.context.ip_address
    return not isinstance(ip, str) or ip in (
        "127.0.0.1",
        "::1",
    )  # (AppTest: no connection, the owner)


class UploadLedger:
    """Uploads this session stored.  Those no log record claims are removed when the session
    ends (its state is dropped); the server-start sweep catches any that a crash left."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.paths: set[Path] = set()
        weakref.finalize(self, ws.discard_uploads, self.paths)

    def store(self, data: bytes, name: str) -> Path:
        path = self.ws.store_upload(data, name)
        self.paths.add(path)
        return path


def store_upload(data: bytes, name: str) -> Path:
    """Keep an uploaded file in the workspace (by content) for this session."""
    browser_id()
    return st.session_state["upload_ledger"].store(data, name)


# -- embedding sets --------------------------------------------------------------------------------
KIND_LABELS = {"upload": "uploaded", "trained": "trained", "log": "log"}


def is_shared(choice: str) -> bool:
    return choice == BUILTIN or choice.startswith("sample:")


def add_set(name: str, emb: Embeddings, kind: str = "trained", source: str | None = None) -> str:
    """Store ``emb`` in the workspace as this browser's; returns its choice (the URL's ``ds``).
    ``source`` replaces the provenance's source (an upload's stored path is the server's business,
    its file name is the user's).

    Raises
    ------
    WorkspaceFullError
        The workspace is at its size cap.
    """
    if source is not None:
        emb = emb.with_provenance(replace(emb.provenance, source=source))
    return workspace().save_set(emb, name, owner=browser_id(), kind=kind).id


def stored_sets() -> list[SetRecord]:
    """Records of the stored sets and logs this browser may see."""
    return workspace().visible(browser_id(), is_owner())


def choices() -> list[str]:
    """Sets this browser may pick: the built-in, the sample-log models, its stored sets."""
    return (
        [BUILTIN]
        + [f"sample:{m}" for m in SAMPLE_METHODS]
        + [r.id for r in stored_sets() if r.kind != "log"]
    )


def describe(choice: str) -> str:
    """A human label for a set choice (plain text: escape it before Markdown)."""
    if choice == BUILTIN:
        return "GloVe 6B 50d (built in)"
    if choice.startswith("sample:"):
        return f"sample log · {choice.partition(':')[2]}"
    try:
        rec = workspace().record(choice)
    except MissingSetError:
        return f"missing set {choice}"
    origin = "saved from the CLI" if rec.owner == CLI_OWNER else KIND_LABELS.get(rec.kind, rec.kind)
    return f"{rec.name} ({origin})"


def load(choice: str, limit: int | None = None) -> Embeddings:
    """The set named by ``choice``; a stored set opened by link is remembered for this browser.

    Raises
    ------
    MissingSetError
        No such set on this server: deleted, or the link comes from another server.
    """
    if choice == BUILTIN:
        return builtin(limit)
    kind, _, name = choice.partition(":")
    if kind == "sample" and name in SAMPLE_METHODS:
        return sample_model(name).items
    rec = workspace().record(choice)
    if rec.owner not in (browser_id(), CLI_OWNER):
        workspace().remember_opened(browser_id(), choice)
    return _stored_set(choice)


@st.cache_resource(max_entries=16)
def _stored_set(set_id: str) -> Embeddings:
    """Stored sets never change (memory-mapped, read-only rows), so sessions share them."""
    return workspace().load_set(set_id)


def active_choice() -> str:
    """The browser's active set: initialised once from the URL's ``ds``, then kept in the session
    across pages (the sidebar's page links drop the URL's parameters) and written back to the
    URL."""
    if _ACTIVE not in st.session_state:
        st.session_state[_ACTIVE] = st.query_params.get("ds", BUILTIN)
    return st.session_state[_ACTIVE]


def set_active(choice: str) -> None:
    st.session_state[_ACTIVE] = choice
    publish_active()


def publish_active() -> None:
    """Write the active set into the URL (the built-in needs no parameter)."""
    choice = active_choice()
    set_params(
        ds=None if choice == BUILTIN else choice, n=builtin_limit() if choice == BUILTIN else None
    )


def builtin_limit() -> int | None:
    """How many of GloVe's most frequent words the built-in set keeps (None: all)."""
    if "builtin_limit" not in st.session_state:
        st.session_state["builtin_limit"] = int_param("n", 0) or None
    return st.session_state["builtin_limit"]


def set_builtin_limit(n: int | None) -> None:
    st.session_state["builtin_limit"] = n or None


def active() -> tuple[str, Embeddings]:
    """(choice, Embeddings) of the active set.

    Raises
    ------
    MissingSetError
        The active set (e.g. from a link) is not on this server: the page says so instead of
        silently showing another set.
    """
    choice = active_choice()
    return choice, load(choice, builtin_limit() if choice == BUILTIN else None)


# -- validated logs --------------------------------------------------------------------------------
def logs() -> dict[str, str]:
    """Logs this browser validated (stored in the workspace): label -> record id."""
    recs = [r for r in stored_sets() if r.kind == "log"]
    names = [r.name for r in recs]
    return {
        (r.name if names.count(r.name) == 1 else f"{r.name} ({r.created[:19]})"): r.id for r in recs
    }


def add_log(name: str, upload: Path, options: dict, inter) -> str:
    """Store a validated log (its upload and the options that validate it again); returns its id."""
    rec = workspace().save_log(name, upload, options, owner=browser_id())
    st.session_state.setdefault(_LOGS, {})[rec.id] = inter
    st.session_state["latest_log"] = rec.id
    for page_key in ("train.log", "catalog.log"):  # those pages open on the new log
        st.session_state.pop(_KEEP + page_key, None)
    return rec.id


def load_log(log_id: str):
    """The Interactions of a stored log: this session's copy, else validated again from the
    upload."""
    mine = st.session_state.get(_LOGS, {})
    return mine[log_id] if log_id in mine else _stored_log(log_id)


@st.cache_resource(max_entries=4, show_spinner="Validating the stored log again…")
def _stored_log(log_id: str):
    from embedlab.core.logs import prepare

    ws = workspace()
    rec = ws.record(log_id)
    options = {k: v for k, v in rec.options.items() if k != "file"}
    if options.get("metadata"):
        options["metadata"] = ws.upload_path(options["metadata"])
    return prepare(ws.log_path(rec), **options)


def latest_log() -> str | None:
    """Id of the log validated last in this session, else the newest this browser stored (the
    Train and Catalog pages default to it, so a reload still opens on the user's own log)."""
    if st.session_state.get("latest_log"):
        return st.session_state["latest_log"]
    recs = [r for r in stored_sets() if r.kind == "log"]
    return max(recs, key=lambda r: r.created).id if recs else None


# -- controls: keyed widgets initialised once from the URL -----------------------------------------
@dataclass(frozen=True)
class Control:
    """One widget's session key, its URL parameter and its default.

    ``init()`` returns the key to pass to the widget (``st.slider(..., key=ctl.init())``) and
    never a ``value=``: the session holds the value.  The URL is read only when the key is not
    in the session yet; the current value is written to the URL on every run (defaults omitted).

    Parameters
    ----------
    key : str
        Session key, namespaced by page (``"neighbours.k"``).
    param : str or None
        URL parameter (``"k"``); None keeps the value out of the URL.
    default : str, int, float, bool or list of str
        The type of the default decides how the URL's string is parsed.
    """

    key: str
    param: str | None
    default: Any

    def init(
        self,
        options: Sequence | None = None,
        valid: Callable[[Any], bool] | None = None,
        default: Any = None,
    ) -> str:
        """Initialise the value once; returns the widget key.

        ``options``: a value outside them falls back to the default.  ``valid``: a value it
        rejects that was kept from another set (after a set switch) falls back to the default;
        a rejected value the user typed stays, so the page can say what is wrong with it.
        ``default``: overrides the declared default (e.g. a key of the active set).
        """
        ss = st.session_state
        fallback = self.default if default is None else default
        if self.key not in ss:
            from_url = self.param is not None and self.param in st.query_params
            value = (
                self._parse(st.query_params[self.param])
                if from_url
                else ss.get(_KEEP + self.key, fallback)
            )
            ss[self.key] = value
            ss[_KEEP + "set:" + self.key] = (
                active_choice() if from_url else ss.get(_KEEP + "set:" + self.key)
            )
        if options is not None:
            if self.default.__class__ is list:
                ss[self.key] = [v for v in ss[self.key] if v in options]
            elif ss[self.key] not in options:
                ss[self.key] = fallback if fallback in options else options[0]
        if valid is not None and ss.get(_KEEP + "set:" + self.key) != active_choice():
            if not valid(ss[self.key]):
                ss[self.key] = fallback
            ss[_KEEP + "set:" + self.key] = active_choice()
        ss[_KEEP + self.key] = ss[self.key]
        self.publish()
        return self.key

    @property
    def value(self) -> Any:
        return st.session_state.get(self.key, self.default)

    def set(self, value: Any) -> None:
        """Change the value from code (a callback or before the widget is drawn)."""
        st.session_state[self.key] = value
        st.session_state[_KEEP + self.key] = value

    def publish(self) -> None:
        if self.param is None:
            return
        value = st.session_state.get(self.key, self.default)
        set_params(**{self.param: None if value == self.default else self._format(value)})

    def _parse(self, text: str) -> Any:
        kind = self.default.__class__
        try:
            if kind is bool:
                return text in ("1", "true", "True")
            if kind is list:
                return [v for v in text.split(",") if v]
            return kind(text)
        except ValueError:
            return self.default

    @staticmethod
    def _format(value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))
        return f"{value:g}" if isinstance(value, float) else str(value)


# -- the URL ---------------------------------------------------------------------------------------
def param(name: str, default: str = "") -> str:
    return st.query_params.get(name, default)


def int_param(name: str, default: int) -> int:
    try:
        return int(st.query_params.get(name, default))
    except ValueError:
        return default


def set_params(**values) -> None:
    """Write the view into the URL; empty values are removed so links stay short."""
    for key, value in values.items():
        if value in (None, "", False):
            st.query_params.pop(key, None)
        else:  # written even when unchanged: after a page switch the browser's URL may lack it
            st.query_params[key] = str(value)


def view_url(page: str) -> str:
    """The link that reproduces the current view of ``page``."""
    base = st.context.url.split("?")[0].rsplit("/", 1)[0] if st.context.url else ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}/{page}" + (f"?{query}" if query else "")
