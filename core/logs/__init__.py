"""Interaction logs in, clean integer-coded interactions out: read → map columns → validate →
sessionise → filter.  Every dropped row is counted by reason in ``Interactions.report``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import EmbedlabError, ParameterError
from .clean import (
    Interactions,
    LogReport,
    apply_min_counts,
    check_trainable,
    resessionise,
)
from .columns import ColumnMap, guess_columns
from .ingest import clean, clean_log
from .metadata import ItemMetadata, guess_item_column, metadata_from_log, read_metadata
from .options import (
    LOG_OPTIONS,
    METADATA_OPTIONS,
    SESSION_GAP,
    LogOptions,
    MetadataOptions,
    log_options,
    metadata_options,
    parse_duration,
)
from .read import LOG_FORMATS, LogChunks, open_log, read_log
from .sequences import sessions

__all__ = [
    "prepare",
    "read_log",
    "guess_columns",
    "ColumnMap",
    "Interactions",
    "LogReport",
    "sessions",
    "parse_duration",
    "LogOptions",
    "LOG_OPTIONS",
    "MetadataOptions",
    "METADATA_OPTIONS",
    "SESSION_GAP",
    "LOG_FORMATS",
    "attach_metadata",
    "looks_like_baskets",
    "open_detected",
    "ItemMetadata",
    "read_metadata",
    "guess_item_column",
]


def prepare(
    path: str | Path,
    *,
    metadata: str | Path | None = None,
    metadata_cols: Sequence[str] | None = None,
    frame: pd.DataFrame | None = None,
    **options,
) -> Interactions:
    """Read a log and return clean, integer-coded, sessionised interactions.

    read → map columns → validate (every dropped row counted by reason) → sessionise → filter →
    join item metadata.  The file is read in chunks and only the usable events are kept (ids as
    integer codes), so memory follows the events, not the file: see ``core.logs.ingest``.

    Parameters
    ----------
    path : str or Path
        Delimited text (read as ``core.logs.dialect`` decides), Parquet, JSON Lines, or one
        basket per line (detected when no column name is known).
    metadata : str or Path, optional
        Item metadata file joined on item id (see ``core.logs.metadata``).
    metadata_cols : sequence of str, optional
        Columns of the log itself to keep as item metadata (each item's first row), e.g. a
        product description beside the product id; not with ``metadata``.
    frame : DataFrame, optional
        Already-read rows (``read_log``'s frame); ``path`` then only names the source.
    **options
        How to read and clean the log: ``format``, ``encoding`` … ``min_weight``
        (:class:`LogOptions` lists them, with their defaults: the one list every face uses); how
        to read and map the metadata file: ``metadata_item_col`` … ``metadata_flags``
        (:class:`MetadataOptions`, each field prefixed ``metadata_``).

    Returns
    -------
    Interactions
        Frozen; ``report`` says how the file was read, what was dropped, filtered and joined.

    Raises
    ------
    FormatError, UnsafeFileError
        The file is missing, unreadable, not a log, or a pickle.
    DataError
        No user/item column, too many rows wider than the columns, nothing trainable left (see
        ``rules.check_counts``), or more usable events than ``EMBEDLAB_MAX_EVENTS``.
    ParameterError
        An unknown option or encoding, a malformed ``session_gap``, separator or column list.

    Examples
    --------
    >>> inter = prepare("sample_data/interactions.csv", metadata="sample_data/items.csv")
    >>> inter.n_users, inter.n_items, inter.report.columns["item"]
    (3000, 1000, 'item_id')
    """
    meta_given = {k: options.pop(k) for k in list(options) if k in METADATA_OPTIONS}
    opts, meta_opts = log_options(**options), metadata_options(**meta_given)
    inter = _sessions_and_counts(_cleaned(path, opts, frame), opts)
    check_trainable(inter)
    inter = _with_metadata(inter, path, opts, metadata, meta_opts, metadata_cols)
    return inter.summarised()


def _sessions_and_counts(inter: Interactions, opts: LogOptions) -> Interactions:
    """Sessions split at the gap (unless a session column is mapped), then rare items and users
    dropped."""
    session_col = bool(inter.report.columns["session"])
    inter = resessionise(inter, parse_duration(opts.session_gap), session_col)
    return apply_min_counts(inter, opts.min_item_count, opts.min_user_count)


def _with_metadata(inter, path, opts, metadata, meta_opts, metadata_cols) -> Interactions:
    """The metadata file joined, or the log's own columns taken, or ``inter`` as it is."""
    if metadata is not None and metadata_cols:
        raise ParameterError(
            "item metadata comes from a file or from the log's own columns, not both",
            hint="drop the metadata file or the log's metadata columns",
            options=("metadata", "metadata_cols"),
        )
    if metadata is not None:
        return attach_metadata(inter, metadata, options=meta_opts)
    if metadata_cols:
        meta = metadata_from_log(
            path,
            inter.report.columns["item"],
            metadata_cols,
            inter.items,
            "baskets" if inter.baskets else opts.format,
            **opts.reading(),
        )
        return meta.attach(inter)
    return inter


def _cleaned(path, opts: LogOptions, frame: pd.DataFrame | None) -> Interactions:
    """A given frame cleaned whole, or the file read and cleaned chunk by chunk."""
    roles, min_weight = opts.roles(), opts.min_weight
    if frame is not None:
        cols = columns_of(frame, path, **roles)
        return clean(frame, cols, str(path), min_weight=min_weight, max_ragged=opts.max_ragged)
    expect = tuple(v for v in roles.values() if v)
    log = open_detected(path, opts.format, roles["user"], roles["item"], expect, **opts.reading())
    cols = columns_of(log.frame(), path, **roles)
    return clean_log(log, cols, str(path), min_weight=min_weight, max_ragged=opts.max_ragged)


def open_detected(
    path: str | Path,
    format: str = "auto",
    user_col: str | None = None,
    item_col: str | None = None,
    expect: tuple[str, ...] = (),
    **reading,
) -> LogChunks:
    """``path`` opened for chunked reading the way :func:`prepare` reads it: with format "auto"
    and neither a user nor an item column named, a file that looks like one basket per line
    (:func:`looks_like_baskets`, on its first rows as split) is read as baskets.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
    user_col, item_col : str, optional
        Columns the caller names; naming either keeps the file a table.
    expect : tuple of str
        Column names the caller looks for (a first row holding one is a header).
    **reading
        ``encoding``, ``separator``, ``header``, ``columns`` (``core.logs.read.open_log``).

    Returns
    -------
    LogChunks
        ``baskets`` says how it was read; ``first`` holds the first rows (a preview);
        ``reading()`` how the file was read.

    Raises
    ------
    FormatError, UnsafeFileError, DataError, ParameterError
        As :func:`core.logs.read.open_log`.

    Examples
    --------
    >>> open_detected("sample_data/baskets.csv").baskets
    True
    >>> open_detected("sample_data/interactions.csv").baskets
    False
    """
    log = open_log(path, format, expect=expect, **reading)
    plain = format == "auto" and not (user_col or item_col or reading.get("columns"))
    if plain and log.sample and looks_like_baskets(_as_table(log.sample)):
        log = open_log(path, "baskets", **reading)
    return log


def _as_table(rows: list[list[str]]) -> pd.DataFrame:
    """The first rows as a table whose first row names the columns, as wide as it (a basket file
    read as a table, the way the baskets rule looks at it)."""
    width = len(rows[0])
    padded = [(row + [""] * (width - len(row)))[:width] for row in rows]
    return pd.DataFrame(padded[1:], columns=padded[0])


def columns_of(df: pd.DataFrame, path: str | Path, **override: str | None) -> ColumnMap:
    """``guess_columns`` whose error names the log file (and, for a file without a header, says
    to name its columns)."""
    try:
        return guess_columns(df, **override)
    except EmbedlabError as exc:
        hint, options = exc.hint, exc.options
        if df.attrs.get("header") is False and "column" not in exc.message[:7]:
            names = ", ".join(map(str, df.columns))
            hint = (
                f"the file has no header (its first row is data), so its columns are named "
                f"{names}: name them in order, e.g. user,item,rating,time, or say which is the "
                f"{'user' if 'user' in exc.message else 'item'} column"
            )
            options = ("columns", *options)
        raise type(exc)(
            exc.message,
            path=exc.path or path,
            line=exc.line,
            column=exc.column,
            hint=hint,
            options=options,
        ) from None


def looks_like_baskets(df: pd.DataFrame) -> bool:
    """No column name we know, and rows padded with empty fields: one basket per line."""
    from .columns import GUESSES, _norm

    known = {g for names in GUESSES.values() for g in names}
    if any(_norm(c) in known for c in df.columns):
        return False
    empty = (df.astype(str).apply(lambda c: c.str.strip()) == "").to_numpy()
    return df.shape[1] >= 3 and empty.any(axis=1).mean() > 0.5


def attach_metadata(
    inter: Interactions,
    path: str | Path,
    item_col: str | None = None,
    options: MetadataOptions | None = None,
) -> Interactions:
    """``inter`` with an item metadata file (titles, genres like ``Adventure|Comedy``) joined on
    item id.

    Parameters
    ----------
    inter : Interactions
    path : str or Path
        One row per item; the join's rules are those of ``core.logs.metadata``.
    item_col : str, optional
        The file's item-id column (guessed when omitted); overrides ``options.item_col``.
    options : MetadataOptions, optional
        How the file is read and mapped (encoding, separator, header, names, title and label
        columns, 0/1 flag columns).

    Returns
    -------
    Interactions
        A new log; its report's ``metadata`` says how the file was read and mapped and counts
        items with and without a row, metadata ids not in the log and duplicate rows.

    Raises
    ------
    FormatError
        The file is missing or unreadable.
    DataError
        No column looks like an item id, or a named column is not in the file.
    """
    opts = options or MetadataOptions()
    if item_col:
        opts = dataclasses.replace(opts, item_col=item_col)
    return read_metadata(path, options=opts, item_ids=inter.items).attach(inter)
