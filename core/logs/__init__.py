"""Interaction logs in, clean integer-coded interactions out: read → map columns → validate →
sessionise → filter.  Every dropped row is counted by reason in ``Interactions.report``."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import DataError, ParameterError
from .clean import (DEFAULT_GAP, Interactions, LogReport, apply_min_counts, check_trainable, clean,
                    resessionise)
from .columns import ColumnMap, guess_columns
from .read import LOG_FORMATS, read_log
from .sequences import sessions

__all__ = ["prepare", "read_log", "guess_columns", "ColumnMap", "Interactions", "LogReport", "sessions",
           "parse_duration", "LOG_FORMATS", "attach_metadata", "looks_like_baskets", "guess_columns_for_items"]


def parse_duration(text: str | float | int) -> float:
    """``30m``, ``2h``, ``90s``, ``1d`` or a number of seconds → seconds."""
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text).lower())
    if not m:
        raise ParameterError(f"duration '{text}' must look like 30m, 2h, 90s or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def prepare(path: str | Path, format: str = "auto", user_col: str | None = None, item_col: str | None = None,
            time_col: str | None = None, weight_col: str | None = None, session_col: str | None = None,
            session_gap: str | float = DEFAULT_GAP, min_item_count: int = 1, min_user_count: int = 1,
            min_weight: float | None = None, metadata: str | Path | None = None,
            metadata_item_col: str | None = None, frame: pd.DataFrame | None = None) -> Interactions:
    """The whole ingestion pipeline; ``frame`` skips reading (the dashboard passes a preview)."""
    df = read_log(path, format) if frame is None else frame
    if format == "auto" and frame is None and not (user_col or item_col) and looks_like_baskets(df):
        df = read_log(path, "baskets")
    cols = guess_columns(df, user=user_col, item=item_col, time=time_col, weight=weight_col,
                         session=session_col)
    inter = clean(df, cols, str(path), min_weight=min_weight)
    resessionise(inter, parse_duration(session_gap), bool(cols.session))
    inter = apply_min_counts(inter, min_item_count, min_user_count)
    check_trainable(inter)
    if metadata is not None:
        attach_metadata(inter, metadata, metadata_item_col)
    _summarise(inter)
    return inter


def looks_like_baskets(df: pd.DataFrame) -> bool:
    """No column name we know, and rows padded with empty fields: one basket per line."""
    from .columns import GUESSES, _norm
    known = {g for names in GUESSES.values() for g in names}
    if any(_norm(c) in known for c in df.columns):
        return False
    empty = (df.astype(str).apply(lambda c: c.str.strip()) == "").to_numpy()
    return df.shape[1] >= 3 and empty.any(axis=1).mean() > 0.5


def _summarise(inter: Interactions) -> None:
    r = inter.report
    r.rows_kept, r.users, r.items = len(inter), inter.n_users, inter.n_items
    r.sessions = int(inter.session.max() + 1) if len(inter) else 0


def attach_metadata(inter: Interactions, path: str | Path, item_col: str | None = None) -> None:
    """Join an item metadata file (titles, genres like ``Adventure|Comedy``) on the item id."""
    meta = read_log(path)
    col = item_col or guess_columns_for_items(meta)
    meta = meta.assign(**{col: meta[col].astype(str).str.strip()})
    dups = meta[col].duplicated()
    meta = meta[~dups].set_index(col)
    aligned = meta.reindex(pd.Index(inter.items.astype(str)))
    missing = int(aligned.isna().all(axis=1).sum())
    inter.item_metadata = aligned.reset_index(drop=True).fillna("")
    inter.report.metadata = {"file": str(path), "item_column": col, "columns": list(meta.columns),
                             "items_without_metadata": missing, "duplicate_metadata_rows_dropped": int(dups.sum())}


def guess_columns_for_items(meta: pd.DataFrame) -> str:
    from .columns import GUESSES, _norm
    by_norm = {_norm(c): c for c in meta.columns}
    for g in GUESSES["item"]:
        if g in by_norm and g != "title":
            return by_norm[g]
    raise DataError("cannot tell which metadata column is the item id",
                    hint=f"columns are {list(meta.columns)}; pass --metadata-item-col NAME")
