"""Validate a raw log into integer-coded interactions, counting every dropped row by reason."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from .columns import ColumnMap

SAMPLE_ROWS = 5


@dataclass
class LogReport:
    """What happened to the log: nothing is dropped without being counted here."""

    source: str
    rows_read: int
    rows_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    sample_rows: dict[str, list[int]] = field(default_factory=dict)
    filtered: dict[str, int] = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    users: int = 0
    items: int = 0
    sessions: int = 0
    time_unit: str | None = None
    metadata: dict = field(default_factory=dict)

    def drop(self, reason: str, mask: np.ndarray, rows: np.ndarray) -> None:
        n = int(mask.sum())
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n
            self.sample_rows.setdefault(reason, [int(r) for r in rows[mask][:SAMPLE_ROWS]])

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}

    def lines(self) -> list[str]:
        out = [f"{self.source}: read {self.rows_read:,} rows, kept {self.rows_kept:,} "
               f"({self.users:,} users, {self.items:,} items, {self.sessions:,} sessions)"]
        for reason, n in self.dropped.items():
            out.append(f"  dropped {n:,} rows: {reason} (e.g. rows {', '.join(map(str, self.sample_rows[reason]))})")
        for reason, n in self.filtered.items():
            out.append(f"  filtered {n:,} rows: {reason}")
        return out


@dataclass
class Interactions:
    """One row per event, sorted by user then time; ids are codes into ``users`` / ``items``."""

    user: np.ndarray
    item: np.ndarray
    session: np.ndarray
    time: np.ndarray | None
    weight: np.ndarray | None
    users: np.ndarray
    items: np.ndarray
    rows: np.ndarray
    report: LogReport
    baskets: bool = False
    item_metadata: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.item)

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def item_counts(self) -> np.ndarray:
        return np.bincount(self.item, minlength=self.n_items)

    def keep_rows(self, mask: np.ndarray) -> "Interactions":
        """Keep rows in ``mask`` without re-coding: ids still index the full catalog (for splits)."""
        from dataclasses import replace
        return replace(self, user=self.user[mask], item=self.item[mask], session=self.session[mask],
                       time=None if self.time is None else self.time[mask],
                       weight=None if self.weight is None else self.weight[mask], rows=self.rows[mask])

    def select(self, mask: np.ndarray) -> "Interactions":
        """Keep rows in ``mask`` and re-code users/items densely (order of first code kept)."""
        ucodes, user = np.unique(self.user[mask], return_inverse=True)
        icodes, item = np.unique(self.item[mask], return_inverse=True)
        _, session = np.unique(self.session[mask], return_inverse=True)
        meta = None if self.item_metadata is None else self.item_metadata.iloc[icodes].reset_index(drop=True)
        return Interactions(user.astype(np.int32), item.astype(np.int32), session.astype(np.int64),
                            None if self.time is None else self.time[mask],
                            None if self.weight is None else self.weight[mask],
                            self.users[ucodes], self.items[icodes], self.rows[mask], self.report,
                            self.baskets, meta)


class Ids:
    """Ids as integer codes (−1 = missing or blank) over stripped string values.

    Factorising first and stripping only the distinct values avoids copying millions of strings;
    ``" a"`` and ``"a"`` still become one id.
    """

    def __init__(self, values: pd.Series):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        names = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip()
        canon, self.names = pd.factorize(names)
        canon = canon.astype(np.int32)
        canon[(names == "").to_numpy()] = -1
        self.codes = canon[np.maximum(codes, 0)]  # int32: half the memory of pandas' codes
        self.codes[codes < 0] = -1

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0

    def dense(self, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(distinct names, int32 codes) of the kept rows, in order of first appearance."""
        codes, used = pd.factorize(self.codes[keep])
        return np.asarray(self.names, dtype=object)[used], codes.astype(np.int32)


def _not_scalar(column: str, source) -> DataError:
    return DataError(f"column '{column}' holds lists or objects, not single values", path=source, column=column,
                     hint="ids, times and weights must be plain text or numbers; map another column "
                          "(--user-col, --item-col, --time-col, --weight-col)")


def column_ids(df: pd.DataFrame, column: str, source) -> Ids:
    """``Ids`` of one column; a column of lists or objects (JSON, Parquet) is a typed error."""
    try:
        return Ids(df[column])
    except TypeError:  # unhashable cells: lists, dicts, arrays
        raise _not_scalar(column, source) from None


def scalar_column(df: pd.DataFrame, column: str, source) -> pd.Series:
    """The column, refused when a cell is a list, dict or array (checked on object columns only)."""
    values = df[column]
    if values.dtype == object and values.map(lambda v: isinstance(v, (list, dict, tuple, np.ndarray))).any():
        raise _not_scalar(column, source)
    return values


def to_numbers(values: pd.Series) -> np.ndarray:
    """Floats, NaN where a cell is not a number.  Clean columns take a fast Arrow cast; only a
    column with bad cells pays for pandas' cell-by-cell coercion."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        arr = pa.array(values.to_numpy(dtype=object, na_value=None) if values.dtype == object else values.array,
                       type=pa.string())
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def parse_time(values: pd.Series) -> tuple[np.ndarray, str]:
    """Seconds since the epoch (NaN where unparsable).  Numbers are epoch seconds, or
    milliseconds when they are too large to be seconds; anything else is parsed as a date."""
    num = to_numbers(values)
    if np.isfinite(num).mean() > 0.5:
        med = float(np.nanmedian(num))
        unit = "ms" if med > 1e11 else "s"
        return num / (1000.0 if unit == "ms" else 1.0), f"epoch {unit}"
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    secs = (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)
    return secs, "date strings"


def clean(df: pd.DataFrame, cols: ColumnMap, source: str, min_weight: float | None = None) -> Interactions:
    """Validate rows, drop and count what cannot be used, and code ids as integers."""
    report = LogReport(source=source, rows_read=len(df), columns=cols.to_dict())
    rows = df.index.to_numpy()
    keep = np.ones(len(df), dtype=bool)
    ids = {}
    for role in ("user", "item"):
        ids[role] = column_ids(df, getattr(cols, role), source)
        bad = ids[role].missing & keep
        report.drop(f"missing {role} id", bad, rows)
        keep &= ~bad
    time = weight = None
    if cols.time:
        time, report.time_unit = parse_time(scalar_column(df, cols.time, source))
        bad = ~np.isfinite(time) & keep
        report.drop(f"unparsable timestamp in '{cols.time}'", bad, rows)
        keep &= ~bad
    if cols.weight:
        weight = to_numbers(scalar_column(df, cols.weight, source))
        bad = ~np.isfinite(weight) & keep
        report.drop(f"unparsable weight in '{cols.weight}'", bad, rows)
        keep &= ~bad
        if min_weight is not None:
            low = (weight < min_weight) & keep
            n = int(low.sum())
            if n:
                report.filtered[f"{cols.weight} below {min_weight:g}"] = n
            keep &= ~low
    if not keep.any():
        reasons = "; ".join(f"{n:,} {r}" for r, n in {**report.dropped, **report.filtered}.items())
        raise DataError(f"no usable rows in the log ({reasons or 'it has no data rows'})", path=source,
                        hint="check the column mapping (--user-col, --item-col, --time-col)")
    users, ucode = ids["user"].dense(keep)
    items, icode = ids["item"].dense(keep)
    session = None if not cols.session else column_ids(df, cols.session, source).codes[keep]
    return _encode(users, ucode, items, icode, session, report, rows[keep],
                   None if time is None else time[keep],
                   None if weight is None else weight[keep].astype(np.float32), bool(df.attrs.get("baskets")))


def _encode(users, ucode, items, icode, session, report, rows, time, weight, baskets) -> Interactions:
    # a stable sort by user, then time, keeps file order among ties
    order = np.lexsort([time, ucode]) if time is not None else np.argsort(ucode, kind="stable")
    ucode, icode, rows = ucode[order], icode[order], rows[order]
    time = None if time is None else time[order]
    weight = None if weight is None else weight[order]
    sess_raw = None if session is None else session[order]
    inter = Interactions(ucode, icode, np.zeros(len(order), np.int64), time, weight, users, items, rows,
                         report, baskets=baskets)
    inter.session = _session_ids(ucode, time, sess_raw)
    return inter


DEFAULT_GAP = 30 * 60


def _session_ids(user, time, session, gap: float = DEFAULT_GAP) -> np.ndarray:
    """A new session starts with a new user, a new session-column value, or a time gap."""
    new = np.ones(len(user), dtype=bool)
    if len(user) > 1:
        new[1:] = user[1:] != user[:-1]
        if session is not None:
            new[1:] |= session[1:] != session[:-1]
        elif time is not None:
            new[1:] |= np.diff(time) > gap
    return np.cumsum(new) - 1


def resessionise(inter: Interactions, gap_seconds: float, session_col: bool) -> None:
    """Re-split sessions with another gap (a session column, when mapped, takes precedence)."""
    if not session_col and inter.time is not None:
        inter.session = _session_ids(inter.user, inter.time, None, gap_seconds)


def apply_min_counts(inter: Interactions, min_item: int = 1, min_user: int = 1) -> Interactions:
    """Drop rare items, then users with too few events; counted in the report."""
    report = inter.report
    mask = np.ones(len(inter), dtype=bool)
    if min_item > 1:
        low = inter.item_counts()[inter.item] < min_item
        if low.any():
            report.filtered[f"items with fewer than {min_item} events"] = int(low.sum())
        mask &= ~low
    if min_user > 1:
        per_user = np.bincount(inter.user[mask], minlength=inter.n_users)
        low = (per_user[inter.user] < min_user) & mask
        if low.any():
            report.filtered[f"users with fewer than {min_user} events"] = int(low.sum())
        mask &= ~low
    return inter if mask.all() else inter.select(mask)


def check_trainable(inter: Interactions) -> None:
    src = inter.report.source
    if len(inter) == 0:
        raise DataError("no rows left after filtering", path=src, hint="lower --min-count or the rating threshold")
    if inter.n_items < 2:
        raise DataError(f"the log has {inter.n_items} distinct item(s); embeddings need at least 2", path=src)
    if np.bincount(inter.user).max() < 2:
        raise DataError("no user (or basket) has two or more events, so nothing co-occurs", path=src,
                        hint="check the user column: each user needs a history of at least two items")
