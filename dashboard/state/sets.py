"""The embedding sets a browser may pick (the built-in, the sample-log models, its stored sets)
and the active one."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from embedlab.core import Embeddings
from embedlab.core.errors import EmbedlabError
from embedlab.core.workspace import CLI_OWNER, MissingSetError, SetRecord

from . import keys
from .browser import browser_id, is_owner
from .caches import BUILTIN, builtin, sample_model, shared_hnsw, stored_set, workspace
from .url import int_param, set_params

SAMPLE_METHODS = ("item2vec", "als")
KIND_LABELS = {"upload": "uploaded", "trained": "trained", "log": "log"}


def is_shared(choice: str) -> bool:
    """Whether ``choice`` is a set every session shares (the built-in, a sample-log model)."""
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


def choices(records: list[SetRecord] | None = None) -> list[str]:
    """Sets this browser may pick: the built-in, the sample-log models, its stored sets
    (``records``, :func:`stored_sets` read once by a page that needs them twice; read here when
    not given)."""
    records = stored_sets() if records is None else records
    return (
        [BUILTIN]
        + [f"sample:{m}" for m in SAMPLE_METHODS]
        + [r.id for r in records if r.kind != "log"]
    )


def pair_to_compare(records: list[SetRecord] | None = None) -> tuple[str, str]:
    """The sets the Compare page opens on: the active set and the newest other set trained on
    the same data (the same ``data_hash``), else the newest other set of this browser; the two
    sample-log models when the active set is not one of this browser's stored sets.
    ``records``: :func:`stored_sets`, when the page has read them already."""
    active = active_choice()
    records = stored_sets() if records is None else records
    own = sorted((r for r in records if r.kind != "log"), key=lambda r: r.created)
    mine = next((r for r in own if r.id == active), None)
    others = [r for r in own if r.id != active]
    if mine is None or not others:
        return f"sample:{SAMPLE_METHODS[0]}", f"sample:{SAMPLE_METHODS[1]}"
    data = mine.provenance.get("data_hash")
    same = [r for r in others if data and r.provenance.get("data_hash") == data]
    return active, (same or others)[-1].id


def describe(choice: str) -> str:
    """A human label for a set choice (plain text: escape it before Markdown)."""
    if choice == BUILTIN:
        return "GloVe 6B 50d (built in)"
    if choice.startswith("sample:"):
        return set_name(choice)
    try:
        rec = workspace().record(choice)
    except MissingSetError:
        return f"missing set {choice}"
    origin = "saved from the CLI" if rec.owner == CLI_OWNER else KIND_LABELS.get(rec.kind, rec.kind)
    return f"{rec.name} ({origin})"


def set_name(choice: str) -> str:
    """A set's name as an export's caption names it: "GloVe 6B 50d", "sample log · als", or the
    name a stored set was given (plain text)."""
    if choice == BUILTIN:
        return "GloVe 6B 50d"
    if choice.startswith("sample:"):
        return f"sample log · {choice.partition(':')[2]}"
    try:
        return workspace().record(choice).name
    except MissingSetError:
        return f"missing set {choice}"


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
    return stored_set(choice)


def active_choice() -> str:
    """The browser's active set: initialised once from the URL's ``ds``, then kept in the session
    across pages (the sidebar's page links drop the URL's parameters) and written back to the
    URL."""
    if not keys.ACTIVE_SET.held():
        linked = st.query_params.get("ds")
        keys.ACTIVE_SET.set(linked or last_used())
        if linked:
            _remember(linked)
    return keys.ACTIVE_SET.get()


def last_used() -> str:
    """The set this browser used last (kept per browser id in the workspace), when it can still
    be opened; else the built-in."""
    try:
        choice = workspace().last_used(browser_id())
    except EmbedlabError:
        choice = None
    if not choice or choice not in choices():
        return BUILTIN
    return choice


def _remember(choice: str) -> None:
    try:
        workspace().remember_used(browser_id(), choice)
    except EmbedlabError:  # an odd link: it is not remembered, the page says what is wrong
        pass


def set_active(choice: str) -> None:
    """Make ``choice`` the active set (and say so in the URL); remembered for this browser, so a
    page it opens without a set opens this one."""
    keys.ACTIVE_SET.set(choice)
    _remember(choice)
    publish_active()


def publish_active() -> None:
    """Write the active set into the URL (the built-in needs no parameter)."""
    choice = active_choice()
    set_params(
        ds=None if choice == BUILTIN else choice, n=builtin_limit() if choice == BUILTIN else None
    )


def builtin_limit() -> int | None:
    """How many of GloVe's most frequent words the built-in set keeps (None: all)."""
    if not keys.BUILTIN_LIMIT.held():
        keys.BUILTIN_LIMIT.set(int_param("n", 0) or None)
    return keys.BUILTIN_LIMIT.get()


def set_builtin_limit(n: int | None) -> None:
    keys.BUILTIN_LIMIT.set(n or None)


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


def hnsw(choice: str, emb: Embeddings, metric: str):
    """The HNSW index of ``emb``: shared (read-only) for shared sets, per session otherwise."""
    if is_shared(choice):
        limit = builtin_limit() if choice == BUILTIN else None
        return shared_hnsw(choice, limit, metric, load(choice, limit))
    from embedlab.core.search import cached_hnsw

    cache = keys.HNSW.memo()
    key = (choice, id(emb), metric)
    if key not in cache:
        with st.spinner("Building the HNSW index…"):
            cache[key] = cached_hnsw(emb, metric)
    return cache[key]
