"""The log types (LogReport, Interactions) and what is done to a cleaned log: sorting and sessions,
minimum counts, the trainability check.  Reading and validating rows is ``ingest``'s."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import guessed_text
from .options import SESSION_GAP, parse_duration
from .rules import check_counts, reason

SAMPLE_ROWS = 5


@dataclass
class LogReport:
    """What happened to the log: nothing is dropped without being counted here.

    A report is filled in while one log is read and cleaned; a log derived from another (filtered,
    shrunk, split) gets its own copy through ``copy``, so no two logs share one report.
    """

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
    reading: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # suspicious data, one line each
    guessed: dict = field(default_factory=dict)  # roles guessed from a headerless file's content

    def drop(self, reason: str, mask: np.ndarray, rows: np.ndarray) -> None:
        n = int(mask.sum())
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n
            self.sample_rows.setdefault(reason, [int(r) for r in rows[mask][:SAMPLE_ROWS]])

    def copy(self, **changes) -> LogReport:
        """A deep copy with ``changes`` applied (the report of a derived log)."""
        return replace(copy.deepcopy(self), **changes)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}

    def lines(self) -> list[str]:
        """The report in words, one line per fact (the CLI prints them)."""
        out = [
            f"{self.source}: read {self.rows_read:,} rows, kept {self.rows_kept:,} "
            f"({self.users:,} users, {self.items:,} items, {self.sessions:,} sessions)"
        ]
        if self.reading.get("described"):
            out.append(f"  read as {self.reading['described']}")
        if self.guessed:
            out.append(f"  columns {guessed_text(self.guessed)} (name them to override)")
        for text, n in self.dropped.items():
            out.append(
                f"  dropped {n:,} rows: {text} "
                f"(e.g. rows {', '.join(map(str, self.sample_rows[text]))})"
            )
        for text, n in self.filtered.items():
            out.append(f"  filtered {n:,} rows: {text}")
        if not self.dropped and not self.filtered:
            out.append("  no row was dropped")
        out += [f"  warning: {w}" for w in self.warnings]
        return out + metadata_lines(self.metadata)


def metadata_lines(meta: dict) -> list[str]:
    """The metadata join in words: the file, how it was read and mapped, the join's counts."""
    if not meta:
        return []
    head = f"  metadata {meta['file']}: item id = {meta['item_column']}"
    for role in ("title", "label"):
        if meta.get(f"{role}_column"):
            head += f", {role} = {meta[f'{role}_column']}"
    out = [head]
    if meta.get("flags"):
        out.append(f"    {flags_text(meta['flags'])}")
    if meta.get("reading", {}).get("described"):
        out.append(f"    read as {meta['reading']['described']}")
    if "items_with_metadata" in meta:
        out.append(
            f"    {meta['items_with_metadata']:,} items with metadata, "
            f"{meta['items_without_metadata']:,} without; "
            f"{meta['unmatched_metadata_ids']:,} metadata ids not in the log"
        )
    warning = metadata_warning(meta)
    if warning:
        out.append(f"    warning: {warning}")
    return out


def metadata_warning(meta: dict) -> str:
    """What is wrong with a metadata join that matched no item of the log ("" when it matched).

    Examples
    --------
    >>> meta = {"file": "movies.csv", "item_column": "movieId", "items_with_metadata": 0}
    >>> metadata_warning(meta)[:50]
    'the metadata file movies.csv matched no item of th'
    >>> metadata_warning({**meta, "items_with_metadata": 3})
    ''
    """
    if not meta or meta.get("items_with_metadata", 1) != 0:
        return ""
    return (
        f"the metadata file {Path(meta.get('file', '')).name} matched no item of the log (none of "
        f"its {meta.get('unmatched_metadata_ids', 0):,} ids in column '{meta.get('item_column')}' "
        "is an item id of the log): check its item-id column or remove the file"
    )


@dataclass(frozen=True)
class Interactions:
    """One row per event, sorted by user then time; ids are codes into ``users`` / ``items``.

    Immutable: the arrays are read-only and a derived log (``select``, ``keep_rows``,
    ``with_sessions``, ``with_metadata``) is a new object with its own ``LogReport``, so one
    cached log can be shared by every dashboard session.

    Attributes
    ----------
    user, item : ndarray of int32
        Codes into ``users`` and ``items``.
    session : ndarray of int64
        Session number of each event (consecutive events of one user share one).
    time, weight : ndarray of float, optional
        Seconds since the epoch; event weight (rating, quantity).
    users, items : ndarray of object
        The ids, in code order.
    rows : ndarray
        The file row of each event, for messages.
    report : LogReport
    baskets : bool
        True when each session is an unordered basket.
    item_metadata : DataFrame, optional
        One row per item code (titles, genres).
    """

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

    def __post_init__(self) -> None:
        for name in ("user", "item", "session", "time", "weight", "users", "items", "rows"):
            arr = getattr(self, name)
            if isinstance(arr, np.ndarray) and arr.flags.writeable:
                arr = arr.view()  # a read-only view: the caller's own array stays writable
                arr.flags.writeable = False
                object.__setattr__(self, name, arr)

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

    def summarised(self, **changes) -> Interactions:
        """This log with a report whose counts describe it (``changes`` go into the report too)."""
        report = self.report.copy(
            rows_kept=len(self),
            users=self.n_users,
            items=self.n_items,
            sessions=int(self.session.max() + 1) if len(self) else 0,
            **changes,
        )
        return replace(self, report=report)

    def keep_rows(self, mask: np.ndarray) -> Interactions:
        """Keep rows in ``mask`` without re-coding: ids still index the full catalog (for splits).

        The report is a copy whose ``rows_kept`` counts the kept rows; ``users``/``items`` stay
        the catalog's.
        """
        return replace(
            self,
            user=self.user[mask],
            item=self.item[mask],
            session=self.session[mask],
            time=None if self.time is None else self.time[mask],
            weight=None if self.weight is None else self.weight[mask],
            rows=self.rows[mask],
            report=self.report.copy(rows_kept=int(np.count_nonzero(mask))),
        )

    def select(self, mask: np.ndarray, filtered: dict[str, int] | None = None) -> Interactions:
        """Keep rows in ``mask`` and re-code users/items densely (order of first code kept).

        Parameters
        ----------
        mask : ndarray of bool
        filtered : dict, optional
            Reasons and counts to add to the new log's ``report.filtered``.

        Returns
        -------
        Interactions
            A new log with its own report (counts recomputed).
        """
        ucodes, user = np.unique(self.user[mask], return_inverse=True)
        icodes, item = np.unique(self.item[mask], return_inverse=True)
        _, session = np.unique(self.session[mask], return_inverse=True)
        meta = (
            None
            if self.item_metadata is None
            else self.item_metadata.iloc[icodes].reset_index(drop=True)
        )
        out = Interactions(
            user.astype(np.int32),
            item.astype(np.int32),
            session.astype(np.int64),
            None if self.time is None else self.time[mask],
            None if self.weight is None else self.weight[mask],
            self.users[ucodes],
            self.items[icodes],
            self.rows[mask],
            self.report,
            self.baskets,
            meta,
        )
        return out.summarised(filtered={**self.report.filtered, **(filtered or {})})

    def with_sessions(self, session: np.ndarray) -> Interactions:
        """The same events split into other sessions (counts in the report follow)."""
        return replace(self, session=session).summarised()

    def with_metadata(self, metadata: pd.DataFrame, info: dict) -> Interactions:
        """The same events with ``metadata`` (one row per item code) and ``info`` in the report."""
        return replace(self, item_metadata=metadata, report=self.report.copy(metadata=info))


def encode(
    events: dict, users: np.ndarray, items: np.ndarray, report: LogReport, baskets: bool
) -> Interactions:
    """Events sorted by user then time (file order among ties), sessions split at the default gap.

    ``events`` maps ``user``, ``item`` (int32 codes into ``users``/``items``), ``row`` and, when
    the log has them, ``time``, ``weight`` and ``session`` to arrays; it is emptied as each array
    is sorted, so only one array is ever held twice.
    """
    ucode, time = events["user"], events.get("time")
    # a stable sort by user, then time, keeps file order among ties
    order = np.lexsort([time, ucode]) if time is not None else np.argsort(ucode, kind="stable")
    del ucode, time
    out = {}
    for name in ("user", "item", "row", "time", "weight", "session"):
        values = events.pop(name, None)
        out[name] = None if values is None else values[order]
        del values
    del order
    session = _session_ids(out["user"], out["time"], out.pop("session"))
    return Interactions(
        out["user"],
        out["item"],
        session,
        out["time"],
        out["weight"],
        users,
        items,
        out["row"],
        report,
        baskets=baskets,
    )


DEFAULT_GAP = parse_duration(SESSION_GAP)  # seconds: what a new log is first split at


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


def resessionise(inter: Interactions, gap_seconds: float, session_col: bool) -> Interactions:
    """The log with sessions re-split by another gap (a session column, when mapped, takes
    precedence)."""
    if not session_col and inter.time is not None:
        return inter.with_sessions(_session_ids(inter.user, inter.time, None, gap_seconds))
    return inter


def apply_min_counts(inter: Interactions, min_item: int = 1, min_user: int = 1) -> Interactions:
    """Drop rare items, then users with too few events.

    Returns
    -------
    Interactions
        ``inter`` itself when nothing is dropped, else a new log whose report counts both filters.
    """
    mask = np.ones(len(inter), dtype=bool)
    filtered = {}
    if min_item > 1:
        low = inter.item_counts()[inter.item] < min_item
        if low.any():
            filtered[reason("rare_items", minimum=min_item)] = int(low.sum())
        mask &= ~low
    if min_user > 1:
        per_user = np.bincount(inter.user[mask], minlength=inter.n_users)
        low = (per_user[inter.user] < min_user) & mask
        if low.any():
            filtered[reason("rare_users", minimum=min_user)] = int(low.sum())
        mask &= ~low
    return inter if mask.all() else inter.select(mask, filtered)


def check_trainable(inter: Interactions) -> None:
    """Raise ``DataError`` when nothing can be learned from ``inter`` (see
    ``rules.check_counts``)."""
    most = int(np.bincount(inter.user).max()) if len(inter) else 0
    check_counts(len(inter), inter.n_items, most, inter.report.source)


def flags_text(flags: dict) -> str:
    """How a metadata file's 0/1 columns were read, in one line.

    Parameters
    ----------
    flags : dict
        ``ItemMetadata.flags``: ``columns``, ``label`` and (when named) ``names``.

    Returns
    -------
    str

    Examples
    --------
    >>> flags_text({"columns": ["c6", "c7", "c8"], "label": "genres", "names": ["A", "B", "C"]})
    "3 0/1 columns (c6 … c8) read as one label column 'genres', named A … C"
    """
    cols, names = flags["columns"], flags.get("names") or flags["columns"]
    text = f"{len(cols)} 0/1 columns ({cols[0]} … {cols[-1]}) read as one label column "
    text += f"'{flags['label']}'"
    return text + (f", named {names[0]} … {names[-1]}" if list(names) != list(cols) else "")
