"""Clean a log chunk by chunk: what is kept of each chunk is integer codes, times and weights, so
memory follows the events kept, not the rows read (a flood of comment, blank or garbage lines
costs a constant amount).  One DataFrame is cleaned the same way, as a log of one chunk.

The rules are those of a whole-file read, applied in the same order (missing user, missing item,
unparsable time, unparsable weight, low weight), every dropped row counted by reason with the
first file rows as examples.  Whether a time column holds epoch numbers or date strings is
decided once, from the first :data:`DECIDE_ROWS` rows that have a user and an item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..limits import max_events, max_ids
from .clean import SAMPLE_ROWS, Interactions, LogReport, encode
from .columns import ColumnMap
from .rules import MAX_RAGGED, check_ragged, reason
from .suspect import MS_FROM, Suspicions

DECIDE_ROWS = 100_000


class IdTable:
    """Ids as int32 codes over stripped text values (``" a"`` and ``"a"`` are one id; ``3.0`` from
    a column with gaps and ``3`` are one id); missing and blank values are −1.

    Only the ids of rows that are kept enter the table (a flood of garbage ids costs nothing), and
    only the distinct ids of a chunk are touched in Python.  Codes grow with each insertion and
    need not be dense: :meth:`dense` renumbers them in order of first appearance.
    """

    def __init__(self):
        self.index: dict[str, int] = {}
        self.next = 0

    @staticmethod
    def local(values: pd.Series, column: str, source) -> tuple[np.ndarray, pd.Series]:
        """(codes into the chunk's distinct ids, −1 where missing or blank; those ids as text)."""
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:  # unhashable cells: lists, dicts, arrays
            raise _not_scalar(column, source) from None
        names = _id_text(uniques)
        blank = (names == "").to_numpy()
        if blank.any():
            codes = np.where(blank[np.maximum(codes, 0)], -1, codes)
        return codes, names

    def codes(self, local: np.ndarray, names: pd.Series) -> np.ndarray:
        """Table codes of ``local`` chunk codes (−1 stays −1), inserting the ids not seen yet."""
        present = np.zeros(len(names) + 1, dtype=bool)
        present[local] = True  # -1 marks the extra last slot
        used = np.flatnonzero(present[:-1])
        table = np.full(len(names) + 1, -1, dtype=np.int32)
        new = names.iloc[used].tolist()
        table[used] = np.fromiter(
            map(self.index.setdefault, new, range(self.next, self.next + len(new))),
            dtype=np.int64,
            count=len(new),
        )
        self.next += len(
            new
        )  # at most one per kept row, so the event limit keeps it far below 2**31
        return table[local]

    def __len__(self) -> int:
        return len(self.index)

    def dense(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(distinct names, int32 codes) of ``codes``, renumbered in order of first appearance."""
        dense, used = pd.factorize(codes)
        names = np.empty(self.next, dtype=object)
        names[np.fromiter(self.index.values(), dtype=np.int64, count=len(self.index))] = list(
            self.index
        )
        return names[used], dense.astype(np.int32)


def id_texts(values: pd.Series, column: str, source) -> pd.Series:
    """Each cell of an id column as the text the log's ids use (stripped; ``3.0`` from a column with
    gaps is ``3``; missing or blank is ``""``), so a join on ids matches what :class:`IdTable`
    coded.

    Examples
    --------
    >>> id_texts(pd.Series([3.0, None, 12.0]), "item", "log.jsonl").tolist()
    ['3', '', '12']
    >>> id_texts(pd.Series([" a", "", "b "]), "item", "log.csv").tolist()
    ['a', '', 'b']
    """
    codes, names = IdTable.local(values, column, source)
    text = np.append(names.to_numpy(dtype=object), "")  # code -1 takes the extra last slot
    return pd.Series(text[codes], index=values.index, dtype=object)


def _id_text(uniques) -> pd.Series:
    values = np.asarray(uniques, dtype=object)
    names = pd.Series(values, dtype=object).astype(str).str.strip()
    whole = _whole_floats(values)
    if whole.any():
        names[whole] = [str(int(v)) for v in values[whole]]
    return names


def _whole_floats(values: np.ndarray) -> np.ndarray:
    if not len(values) or isinstance(values[0], str):
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (isinstance(v, float) and v.is_integer() for v in values), dtype=bool, count=len(values)
    )


def _not_scalar(column: str, source) -> DataError:
    return DataError(
        f"column '{column}' holds lists or objects, not single values",
        path=source,
        column=column,
        hint="ids, times and weights must be plain text or numbers; map another column",
        options=("user_col", "item_col", "time_col", "weight_col"),
    )


def scalar_column(df: pd.DataFrame, column: str, source) -> pd.Series:
    """The column, refused when a cell is a list, dict or array (checked on object columns only)."""
    values = df[column]
    if (
        values.dtype == object
        and values.map(lambda v: isinstance(v, (list, dict, tuple, np.ndarray))).any()
    ):
        raise _not_scalar(column, source)
    return values


def to_numbers(values: pd.Series, decimal: str = ".") -> np.ndarray:
    """Floats, NaN where a cell is not a number (``decimal=","`` reads ``4,5`` as 4.5).  Clean
    columns take a fast Arrow cast; only a column with bad cells pays for pandas' cell-by-cell
    coercion.

    Examples
    --------
    >>> to_numbers(pd.Series(["4,5", "3"]), decimal=",").tolist()
    [4.5, 3.0]
    """
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    if decimal == ",":
        values = values.astype(str).str.replace(",", ".", regex=False)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(
            values.to_numpy(dtype=object, na_value=None)
            if values.dtype == object
            else values.array,
            type=pa.string(),
        )
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def time_rule(values: pd.Series, decimal: str = ".") -> str:
    """How a time column reads: ``"epoch s"``, ``"epoch ms"`` (numbers too large to be seconds)
    when most cells are numbers, else ``"date strings"``."""
    num = to_numbers(values, decimal)
    if len(num) and np.isfinite(num).mean() > 0.5:
        return "epoch ms" if float(np.nanmedian(num)) > MS_FROM else "epoch s"
    return "date strings"


def to_seconds(values: pd.Series, rule: str, decimal: str = ".") -> np.ndarray:
    """Seconds since the epoch by ``rule`` (see :func:`time_rule`); NaN where a cell does not
    parse."""
    if rule.startswith("epoch"):
        return to_numbers(values, decimal) / (1000.0 if rule == "epoch ms" else 1.0)
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    return (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)


class EventBuilder:
    """Collects the usable events of a log, one chunk at a time (see the module docstring)."""

    FIELDS = ("row", "user", "item", "session", "time", "weight")

    def __init__(
        self,
        cols: ColumnMap,
        source: str,
        min_weight: float | None = None,
        decimal: str = ".",
        max_ragged: float = MAX_RAGGED,
    ):
        self.cols, self.source, self.min_weight = cols, source, min_weight
        self.decimal, self.max_ragged = decimal, max_ragged
        self.ids = {role: IdTable() for role in ("user", "item", "session")}
        self.rows_read, self.events, self.limit, self.most_ids = 0, 0, max_events(), max_ids()
        self.dropped: dict[str, int] = {}
        self.samples: dict[str, list[int]] = {}
        self.filtered: dict[str, int] = {}
        self.parts: dict[str, list[np.ndarray]] = {f: [] for f in self.FIELDS}
        self.rule = None if cols.time else ""
        self.pending: list[dict] = []
        self.suspect = Suspicions()

    def add(self, df: pd.DataFrame) -> None:
        """Clean one chunk (its index holds row keys: file lines or row numbers)."""
        cols, rows = self.cols, df.index.to_numpy()
        self.rows_read += len(df)
        keep = np.ones(len(df), dtype=bool)
        local = {}
        for role in ("user", "item"):
            local[role] = IdTable.local(df[getattr(cols, role)], getattr(cols, role), self.source)
            bad = (local[role][0] < 0) & keep
            self._drop(reason(f"missing_{role}"), bad, rows)
            if role == "item" and bad.any():  # a line of another separator reads as one field
                self.suspect.separators(df[cols.user][bad])
            keep &= ~bad
        for role in ("user", "item"):
            self.suspect.ids(role, local[role][0], local[role][1], keep)
        if cols.session:
            local["session"] = IdTable.local(df[cols.session], cols.session, self.source)
        part = {
            role: self.ids[role].codes(codes[keep], names) for role, (codes, names) in local.items()
        }
        if sum(map(len, self.ids.values())) > self.most_ids:
            sizes = ", ".join(
                f"{len(table):,} {role}s" for role, table in self.ids.items() if len(table)
            )
            raise DataError(
                f"the log has more than {self.most_ids:,} distinct ids ({sizes} so far; the limit)",
                path=self.source,
                line=None,
                hint="raise EMBEDLAB_MAX_IDS if the memory allows (about 170 bytes per id), "
                "or check which columns are the user, item and session",
                options=("user_col", "item_col", "session_col"),
            )
        for role in ("time", "weight"):
            if getattr(cols, role):
                part[role] = scalar_column(df, getattr(cols, role), self.source)[keep]
        part["row"] = rows[keep]
        if self.rule is None:
            self.pending.append(part)
            if sum(len(p["row"]) for p in self.pending) >= DECIDE_ROWS:
                self._decide()
        else:
            self._keep(part)

    def _decide(self) -> None:
        times = [p["time"] for p in self.pending]
        self.rule = (
            time_rule(pd.concat(times) if len(times) > 1 else times[0], self.decimal)
            if times
            else "epoch s"
        )
        pending, self.pending = self.pending, []
        for part in pending:
            self._keep(part)

    def _keep(self, part: dict) -> None:
        """Drop rows with a bad time or weight (or below ``min_weight``), store the rest."""
        cols, rows = self.cols, part["row"]
        keep = np.ones(len(rows), dtype=bool)
        if cols.time:
            part["time"] = to_seconds(part["time"], self.rule, self.decimal)
            bad = ~np.isfinite(part["time"])
            self._drop(reason("bad_time", column=cols.time), bad, rows)
            keep &= ~bad
            if self.rule.startswith("epoch"):
                scale = 1000.0 if self.rule == "epoch ms" else 1.0
                self.suspect.times(part["time"] * scale, keep)
        if cols.weight:
            weight = to_numbers(part["weight"], self.decimal)
            bad = ~np.isfinite(weight) & keep
            self._drop(reason("bad_weight", column=cols.weight), bad, rows)
            keep &= ~bad
            if self.min_weight is not None:
                low = (weight < self.min_weight) & keep
                if low.any():
                    key = reason("low_weight", column=cols.weight, minimum=self.min_weight)
                    self.filtered[key] = self.filtered.get(key, 0) + int(low.sum())
                keep &= ~low
            self.suspect.weights(weight, keep)
            with np.errstate(over="ignore"):  # beyond float32: infinity (named in the warnings)
                part["weight"] = weight.astype(np.float32)
        self.events += int(keep.sum())
        if self.events > self.limit:
            raise DataError(
                f"the log has more than {self.limit:,} usable events (the limit)",
                path=self.source,
                hint="raise EMBEDLAB_MAX_EVENTS if the memory allows (about 40 bytes per event), "
                "or sample the log",
            )
        for name, values in part.items():
            self.parts[name].append(values[keep])

    def _drop(self, why: str, mask: np.ndarray, rows: np.ndarray) -> None:
        n = int(mask.sum())
        if n:
            self.dropped[why] = self.dropped.get(why, 0) + n
            have = self.samples.setdefault(why, [])
            have.extend(int(r) for r in rows[mask][: SAMPLE_ROWS - len(have)])

    def build(self, lines=None, baskets: bool = False, skipped=None, reading=None) -> Interactions:
        """The Interactions of every chunk added; ``lines`` turns row keys into file lines;
        ``skipped`` holds the rows the reader skipped, by reason: (count, first file lines);
        ``reading`` says how the file was read (for the report)."""
        if self.rule is None:
            self._decide()
        skipped = skipped or {}
        report = LogReport(
            source=self.source,
            rows_read=self.rows_read + sum(n for n, _ in skipped.values()),
            columns=self.cols.to_dict(),
            guessed=dict(self.cols.guessed),
            dropped={**{why: n for why, (n, _) in skipped.items()}, **self._ordered()},
            filtered=dict(self.filtered),
            time_unit=self.rule if self.cols.time else None,
            reading=dict(reading or {}),
        )
        for why, (n, first) in skipped.items():
            check_ragged(n, report.rows_read, why, first, self.source, self.max_ragged)
        if not self.events:
            reasons = "; ".join(
                f"{n:,} {r}" for r, n in {**report.dropped, **report.filtered}.items()
            )
            raise DataError(
                f"no usable rows in the log ({reasons or 'it has no data rows'})",
                path=self.source,
                hint="check which columns are the user, item and time",
                options=("user_col", "item_col", "time_col"),
            )
        report.warnings = self.suspect.lines(
            report.columns, report.time_unit, report.reading.get("separator")
        )
        rows = self._numbered_rows(report, lines or (lambda keys: keys))
        report.sample_rows.update({why: list(first) for why, (_, first) in skipped.items()})
        report.sample_rows = {why: report.sample_rows[why] for why in report.dropped}
        events = {"row": rows}
        users, events["user"] = self.ids["user"].dense(self._take("user"))
        items, events["item"] = self.ids["item"].dense(self._take("item"))
        for name in ("session", "time", "weight"):
            if getattr(self.cols, name):
                events[name] = self._take(name)
        return encode(events, users, items, report, baskets)

    def _numbered_rows(self, report: LogReport, lines) -> np.ndarray:
        """The file line of every kept event; the examples of each drop reason go in ``report``."""
        mine = [why for why in report.dropped if why in self.samples]
        samples = [np.asarray(self.samples[why], dtype=np.int64) for why in mine]
        keys = np.concatenate(samples + self.parts.pop("row"))
        numbered = lines(keys)
        del keys
        at = 0
        for why, sample in zip(mine, samples):
            report.sample_rows[why] = [int(r) for r in numbered[at : at + len(sample)]]
            at += len(sample)
        return numbered[at:]

    def _ordered(self) -> dict[str, int]:
        order = [reason("missing_user"), reason("missing_item")]
        order += [reason("bad_time", column=self.cols.time)] if self.cols.time else []
        order += [reason("bad_weight", column=self.cols.weight)] if self.cols.weight else []
        return {why: self.dropped[why] for why in order if why in self.dropped}

    def _take(self, name: str) -> np.ndarray:
        parts = self.parts.pop(name)
        return np.concatenate(parts) if len(parts) != 1 else parts[0]


def clean(
    df: pd.DataFrame,
    cols: ColumnMap,
    source: str,
    min_weight: float | None = None,
    max_ragged: float = MAX_RAGGED,
) -> Interactions:
    """Validate rows, drop and count what cannot be used, and code ids as integers.

    Parameters
    ----------
    df : DataFrame
        The raw log; its index holds the file line of each row.
    cols : ColumnMap
    source : str
        The log's name, for the report and messages.
    min_weight : float, optional
    max_ragged : float, default 0.01
        The share of rows the reader may have skipped as too wide (``df.attrs["skipped"]``, as
        ``core.logs.read.read_log`` sets it).

    Returns
    -------
    Interactions
        Sorted by user then time, sessions split at the default gap.

    Raises
    ------
    DataError
        No usable row is left (the message counts each reason), a column holds lists or objects,
        too many rows were too wide, or the log has more usable events than
        ``EMBEDLAB_MAX_EVENTS``.

    Examples
    --------
    >>> df = pd.DataFrame({"user": ["u", "u", ""], "item": ["a", "b", "c"]}, index=[2, 3, 4])
    >>> clean(df, ColumnMap("user", "item"), "log.csv").report.dropped
    {'missing user id': 1}
    """
    builder = EventBuilder(cols, source, min_weight, df.attrs.get("decimal", "."), max_ragged)
    builder.add(df)
    return builder.build(
        baskets=bool(df.attrs.get("baskets")),
        skipped=df.attrs.get("skipped"),
        reading=df.attrs.get("reading"),
    )


def clean_log(
    log,
    cols: ColumnMap,
    source: str,
    min_weight: float | None = None,
    max_ragged: float = MAX_RAGGED,
) -> Interactions:
    """:func:`clean` over a log read in chunks (``core.logs.read.LogChunks``), never holding it
    whole.

    Parameters
    ----------
    log : LogChunks
    cols : ColumnMap
    source : str
        The log's name, for the report and messages.
    min_weight : float, optional
    max_ragged : float, default 0.01
        The share of rows too wide for the columns the reader may skip (counted).

    Returns
    -------
    Interactions

    Raises
    ------
    DataError
        As :func:`clean`.
    FormatError
        A chunk is unreadable (the reader names the file and line).

    Examples
    --------
    >>> from embedlab.core.logs.read import open_log
    >>> len(clean_log(open_log("sample_data/interactions.csv"), ColumnMap("user_id", "item_id"),
    ...               "log"))
    87612
    """
    decimal = log.dialect.decimal if log.dialect else "."
    builder = EventBuilder(cols, source, min_weight, decimal, max_ragged)
    used = [c for c in cols.to_dict().values() if c]  # a wide log is parsed for these only
    for chunk in log.chunks(columns=used):
        builder.add(chunk)
    return builder.build(log.lines, log.baskets, log.skipped(), log.reading())
