"""Interaction logs in, clean integer-coded interactions out: read → map columns → validate →
sessionise → filter.  Every dropped row is counted by reason in ``Interactions.report``."""

from __future__ import annotations

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
from .options import LOG_OPTIONS, SESSION_GAP, LogOptions, log_options, parse_duration
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
    metadata_item_col: str | None = None,
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
        CSV/TSV/Parquet/JSON Lines, or one basket per line (detected when no column name is known).
    metadata, metadata_item_col : str, optional
        Item metadata file joined on item id (see ``core.logs.metadata``) and its id column.
    metadata_cols : sequence of str, optional
        Columns of the log itself to keep as item metadata (each item's first row), e.g. a
        product description beside the product id; not with ``metadata``.
    frame : DataFrame, optional
        Already-read rows (the dashboard's preview); ``path`` then only names the source.
    **options
        How to read and clean the log: ``format``, ``user_col`` … ``session_gap``,
        ``min_item_count``, ``min_user_count``, ``min_weight`` (:class:`LogOptions` lists them,
        with their defaults: the one list every face uses).

    Returns
    -------
    Interactions
        Frozen; ``report`` says what was read, dropped, filtered and joined.

    Raises
    ------
    FormatError
        The file is missing, unreadable or not a log.
    UnsafeFileError
        The file is a pickle.
    DataError
        No user/item column, nothing trainable left (see ``rules.check_counts``), or more usable
        events than ``EMBEDLAB_MAX_EVENTS``; names the file.
    ParameterError
        An unknown option or a malformed ``session_gap``.

    Examples
    --------
    >>> inter = prepare("sample_data/interactions.csv", metadata="sample_data/items.csv")
    >>> inter.n_users, inter.n_items, inter.report.columns["item"]
    (3000, 1000, 'item_id')
    """
    opts = log_options(**options)
    inter = _sessions_and_counts(_cleaned(path, opts, frame), opts)
    check_trainable(inter)
    inter = _with_metadata(inter, path, opts.format, metadata, metadata_item_col, metadata_cols)
    return inter.summarised()


def _sessions_and_counts(inter: Interactions, opts: LogOptions) -> Interactions:
    """Sessions split at the gap (unless a session column is mapped), then rare items and users
    dropped."""
    session_col = bool(inter.report.columns["session"])
    inter = resessionise(inter, parse_duration(opts.session_gap), session_col)
    return apply_min_counts(inter, opts.min_item_count, opts.min_user_count)


def _with_metadata(inter, path, format, metadata, metadata_item_col, metadata_cols) -> Interactions:
    """The metadata file joined, or the log's own columns taken, or ``inter`` as it is."""
    if metadata is not None and metadata_cols:
        raise ParameterError(
            "item metadata comes from a file or from the log's own columns, not both",
            hint="drop --metadata or --metadata-cols",
        )
    if metadata is not None:
        return attach_metadata(inter, metadata, metadata_item_col)
    if metadata_cols:
        meta = metadata_from_log(
            path,
            inter.report.columns["item"],
            metadata_cols,
            inter.items,
            "baskets" if inter.baskets else format,
        )
        return meta.attach(inter)
    return inter


def _cleaned(path, opts: LogOptions, frame: pd.DataFrame | None) -> Interactions:
    """A given frame cleaned whole, or the file read and cleaned chunk by chunk."""
    roles, min_weight = opts.roles(), opts.min_weight
    if frame is not None:
        return clean(frame, columns_of(frame, path, **roles), str(path), min_weight=min_weight)
    log = open_detected(path, opts.format, roles["user"], roles["item"])
    return clean_log(log, columns_of(log.frame(), path, **roles), str(path), min_weight=min_weight)


def open_detected(
    path: str | Path,
    format: str = "auto",
    user_col: str | None = None,
    item_col: str | None = None,
) -> LogChunks:
    """``path`` opened for chunked reading the way :func:`prepare` reads it: with format "auto"
    and neither a user nor an item column named, a file that looks like one basket per line
    (:func:`looks_like_baskets`) is read as baskets.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
    user_col, item_col : str, optional
        Columns the caller names; naming either keeps the file a table.

    Returns
    -------
    LogChunks
        ``baskets`` says how it was read; ``first`` holds the first rows (a preview).

    Raises
    ------
    FormatError, UnsafeFileError, DataError
        As :func:`core.logs.read.open_log`.

    Examples
    --------
    >>> open_detected("sample_data/baskets.csv").baskets
    True
    >>> open_detected("sample_data/interactions.csv").baskets
    False
    """
    log = open_log(path, format)
    if format == "auto" and not (user_col or item_col) and looks_like_baskets(log.first):
        log = open_log(path, "baskets")
    return log


def columns_of(df: pd.DataFrame, path: str | Path, **override: str | None) -> ColumnMap:
    """``guess_columns`` whose error names the log file."""
    try:
        return guess_columns(df, **override)
    except EmbedlabError as exc:
        if exc.path is not None:
            raise
        raise type(exc)(
            exc.message, path=path, line=exc.line, column=exc.column, hint=exc.hint
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
    inter: Interactions, path: str | Path, item_col: str | None = None
) -> Interactions:
    """``inter`` with an item metadata file (titles, genres like ``Adventure|Comedy``) joined on
    item id.

    Parameters
    ----------
    inter : Interactions
    path : str or Path
        One row per item; the join's rules are those of ``core.logs.metadata``.
    item_col : str, optional
        The file's item-id column (guessed when omitted).

    Returns
    -------
    Interactions
        A new log; its report's ``metadata`` counts items without a row and duplicate rows.

    Raises
    ------
    FormatError
        The file is missing or unreadable.
    DataError
        No column looks like an item id.
    """
    return read_metadata(path, item_col).attach(inter)
