"""The Data page's panels for files as they come: how a log or a metadata file is read (separator,
encoding, first row, column names), how a metadata file is mapped (item id, title, label), and
what reading gave (the report).  Widgets → core → render; nothing here reads a file itself."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.core.limits import reading_slot
from embedlab.core.logs import open_detected, read_metadata
from embedlab.core.logs.clean import flags_text, metadata_lines, metadata_warning
from embedlab.core.logs.dialect import ENCODINGS
from embedlab.core.logs.options import MetadataOptions
from embedlab.core.logs.read import detached
from embedlab.core.logs.rules import MAX_RAGGED, RAGGED_FLOOR
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import show_error

OTHER = "other"
SEPARATORS = {
    "auto": "auto (sniffed)",
    ",": "comma ,",
    "\t": "tab",
    ";": "semicolon ;",
    "|": "pipe |",
    "::": ":: (MovieLens-1M)",
    " ": "space",
    OTHER: "other…",
}
FIRST_ROW = {"auto": "auto (tested)", "yes": "names the columns", "no": "is data"}
NONE = "(none)"
LABELS = {
    "format": "'Log format'",
    "separator": "'Separator'",
    "encoding": "'Encoding'",
    "header": "'First row'",
    "columns": "'Column names'",
    "max_ragged": "'Rows with extra fields allowed'",
    "user_col": "the 'user' column",
    "item_col": "the 'item' column",
    "time_col": "the 'time' column",
    "weight_col": "the 'weight' column",
    "session_col": "the 'session' column",
    "min_item_count": "'Drop items with fewer events than'",
    "min_weight": "'Keep weights ≥'",
    "metadata_cols": "'Item metadata from this log's columns'",
    "metadata": "the metadata file",
}
LABELS |= {f"metadata_{k}": f"the metadata file's {LABELS[k]}" for k in ("separator", "encoding")}
LABELS |= {f"metadata_{k}": f"the metadata file's {LABELS[k]}" for k in ("header", "columns")}
LABELS |= {f"metadata_{r}_col": f"the metadata file's '{r.title()}' column" for r in ("title",)}
LABELS |= {"metadata_item_col": "the metadata file's 'Item id' column"}
LABELS |= {"metadata_label_col": "the metadata file's 'Label' column"}
LABELS |= {"metadata_flag_names": "'Names of the 0/1 columns'"}
"""What each option is called on this page (an error points at it, never at a CLI flag)."""


def failed(exc: EmbedlabError) -> None:
    """An error shown with the boxes on this page that change it."""
    show_error(exc, LABELS)


def reading_controls(owner: str) -> dict:
    """Separator, encoding, first row and column names for a file (``owner``: "log" or
    "meta"); returns them as reading options (``core.logs.options``)."""
    cols = st.columns([2, 2, 2, 4])
    sep = cols[0].selectbox(
        "Separator",
        list(SEPARATORS),
        format_func=SEPARATORS.get,
        key=f"data.{owner}_separator",
        help="auto tries :: tab , ; | (then space : ^ ~) on the first rows",
    )
    if sep == OTHER:
        sep = cols[0].text_input("Separator characters", key=f"data.{owner}_separator_other")
        sep = sep or "auto"
    encoding = cols[1].selectbox(
        "Encoding",
        ENCODINGS,
        key=f"data.{owner}_encoding",
        help="auto: UTF-8 when every byte is; else cp1252 (Windows), else latin-1",
    )
    header = cols[2].selectbox(
        "First row",
        list(FIRST_ROW),
        format_func=FIRST_ROW.get,
        key=f"data.{owner}_header",
        help="auto tests it against the rows below: numbers or ids like theirs mean data",
    )
    names = cols[3].text_input(
        "Column names, in order (a file without a header)",
        key=f"data.{owner}_columns",
        placeholder="user,item,rating,time" if owner == "log" else "id,title,released",
    )
    return {"separator": sep, "encoding": encoding, "header": header, "columns": names}


def ragged_share() -> float:
    """The share of rows with extra fields that may be skipped (counted) before a log fails."""
    percent = st.number_input(
        "Rows with extra fields allowed (%)",
        0.0,
        100.0,
        MAX_RAGGED * 100,
        step=0.5,
        key="data.log_max_ragged",
        help=f"rows with more fields than the columns are skipped and counted; past this share "
        f"(and past {RAGGED_FLOOR} rows) the file is refused: the separator is likely wrong",
    )
    return percent / 100


PREVIEW_CELLS = 200_000
"""Fields a session keeps of an uploaded log's first rows: 20 rows of a 10,000-column file, not
the reader's whole first chunk (the reader bounds that chunk by bytes and fields; this bounds what
stays in the session)."""


def preview_rows(first: pd.DataFrame) -> pd.DataFrame:
    """The first rows of ``first`` that fit :data:`PREVIEW_CELLS` (at least 20), copied into
    buffers of their own (a session keeps them: not the whole chunk they were read with)."""
    rows = max(20, PREVIEW_CELLS // max(first.shape[1], 1))
    return detached(first.iloc[:rows])


def log_preview(upload, path: Path, fmt: str, reading: dict):
    """The log's first rows as it will be read, and how (or None after a shown error): parsed
    once per upload and options, not on every widget change."""
    cache = keys.DATA_PREVIEW.memo()
    key = (upload.file_id, fmt, json.dumps(reading, sort_keys=True))
    if key not in cache:
        try:
            with reading_slot():  # the server's budget: one log parsed at a time
                log = open_detected(path, fmt, **reading)
        except EmbedlabError as exc:
            failed(exc)
            return None
        frame = preview_rows(log.first)
        frame.attrs.update(baskets=log.baskets, header=log.frame().attrs["header"])
        cache.clear()  # one uploaded log in memory at a time
        cache[key] = (frame, log.reading())
    return cache[key]


def said_how(reading: dict) -> None:
    """How the file was read, in one caption."""
    if reading.get("described"):
        st.caption("Read as " + md(reading["described"]))


def metadata_panel(upload, path: Path, item_ids) -> dict | None:
    """Read the metadata file as it comes, let the user confirm or choose its item-id, title and
    label columns, preview the mapped table; returns the ``metadata_*`` options (None after a
    shown error)."""
    st.markdown(f"**Item metadata: {md(upload.name)}**")
    reading = reading_controls("meta")
    flags = st.toggle(
        "Read a run of 0/1 columns (one-hot genres) as one label",
        value=True,
        key="data.meta_flags",
        help="e.g. MovieLens' 19 genre flags become one 'Comedy|Drama' label",
    )
    guess = _metadata(upload, path, MetadataOptions(**reading, flags=flags), item_ids)
    if guess is None:
        return None
    said_how(guess.reading)
    chosen = _mapping(guess)
    names = _flag_names(guess.flags) if flags and guess.flags else ""
    try:
        options = MetadataOptions(**reading, flags=flags, flag_names=names, **chosen)
    except EmbedlabError as exc:
        failed(exc)
        return None
    mapped = _metadata(upload, path, options, item_ids)
    if mapped is None:
        return None
    if mapped.flags:
        st.caption(md(flags_text(mapped.flags)))
    st.dataframe(mapped.table.head(10), width="stretch")
    return {f"metadata_{k}": v for k, v in options.to_dict().items()}


def _flag_names(flags: dict) -> str:
    """A box for the names of the 0/1 columns (a file without a header calls them column6 …)."""
    return st.text_area(
        f"Names of the 0/1 columns ({len(flags['columns'])}, in file order; optional)",
        key="data.meta_flag_names",
        placeholder="e.g. Action, Comedy, Drama … or paste a list such as MovieLens' u.genre",
        help="Comma-separated, or one per line: the first field of each line is the name "
        "('Comedy|5' reads as Comedy). Empty: the columns' own names.",
        height=80,
    )


def _mapping(meta) -> dict:
    """One select box per role, preset to what was found."""
    columns = list(meta.source_columns)
    shown = keys.digest(meta.file, *columns)  # new columns: new pickers, fresh guesses
    cols = st.columns(3)
    item = cols[0].selectbox(
        "Item id",
        columns,
        index=columns.index(meta.item_column),
        key=keys.family("data.meta_item", shown),
    )
    picked = {"item_col": item}
    for col, role in zip(cols[1:], ("title", "label")):
        options = [NONE] + [c for c in columns if c != item]
        found = meta.mapped.get(role)
        value = col.selectbox(
            role.title(),
            options,
            index=options.index(found) if found in options else 0,
            key=keys.family(f"data.meta_{role}", shown),
        )
        picked[f"{role}_col"] = "" if value == NONE else value
    return picked


def _metadata(upload, path: Path, options: MetadataOptions, item_ids):
    """``read_metadata`` once per upload and options (a session cache), or None after an error."""
    cache = keys.DATA_METADATA.memo()
    key = (upload.file_id, json.dumps(options.to_dict(), sort_keys=True))
    if key not in cache:
        try:
            meta = read_metadata(path, options=options, item_ids=item_ids)
        except EmbedlabError as exc:
            failed(exc)
            return None
        if len(cache) > 8:
            cache.clear()
        cache[key] = meta
    return cache[key]


def report(rep) -> None:
    """A log's report: how it was read, rows read = kept + dropped + filtered by reason, the
    metadata join; "No row was dropped" only when none was."""
    dropped, filtered = sum(rep.dropped.values()), sum(rep.filtered.values())
    st.markdown(
        f"**{rep.rows_kept:,}** of {rep.rows_read:,} rows kept · {rep.users:,} users · "
        f"{rep.items:,} items · {rep.sessions:,} sessions"
    )
    said_how(rep.reading)
    rows = [
        {"what": "dropped", "reason": r, "rows": n, "first lines": _lines(rep.sample_rows, r)}
        for r, n in rep.dropped.items()
    ]
    rows += [
        {"what": "filtered", "reason": r, "rows": n, "first lines": ""}
        for r, n in rep.filtered.items()
    ]
    if rows:
        st.caption(
            f"{rep.rows_read:,} rows read = {rep.rows_kept:,} kept + {dropped:,} dropped "
            f"+ {filtered:,} filtered"
        )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption("No row was dropped.")
    columns = ", ".join(f"{k} = {v}" for k, v in rep.columns.items() if v)
    st.caption("Columns: " + md(columns))
    for warning in getattr(rep, "warnings", []):  # suspicious data, named (core.logs.suspect)
        st.warning(md(warning[:1].upper() + warning[1:]))
    for line in metadata_lines(rep.metadata):
        text = line.strip().replace(rep.metadata.get("file", ""), _name(rep.metadata))
        if not text.startswith("warning: "):
            st.caption(md(text[:1].upper() + text[1:]))
    unmatched = metadata_warning(rep.metadata)
    if unmatched:  # a join that matched nothing: not a grey line
        st.warning(md(unmatched[:1].upper() + unmatched[1:]))


def _lines(samples: dict, reason: str) -> str:
    return ", ".join(map(str, samples.get(reason, [])))


def _name(meta: dict) -> str:
    return Path(meta.get("file", "")).name
