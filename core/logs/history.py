"""Each user's history kept beside trained vectors (``history.parquet`` in a training folder), so
a folder can recommend after training without the log.

A copy rather than a pointer to the log and its hash: the log may move, change or be deleted
after training, and reading it again needs the same reading options, filters and sessions; the
copy is what the vectors were trained on, and small (ids stored once each as Parquet
dictionaries, one integer code per event: MovieLens 100K's 100,000 events take about 0.5 MB).
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .clean import Interactions, LogReport

HISTORY_FILE = "history.parquet"
_META = b"embedlab.history"


def write_history(inter: Interactions, path: str | Path) -> Path:
    """Write ``inter``'s events (user, item, time, session, weight) to a Parquet file.

    Parameters
    ----------
    inter : Interactions
    path : str or Path

    Returns
    -------
    Path

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> p = write_history(prepare("sample_data/interactions.csv"), tmp_path / "history.parquet")
    >>> p.stat().st_size < 700_000  # 87,612 events
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        "user": _dictionary(inter.user, inter.users),
        "item": _dictionary(inter.item, inter.items),
        "session": pa.array(np.asarray(inter.session, dtype=np.int64)),
    }
    if inter.time is not None:
        t = np.asarray(inter.time, dtype=np.float64)
        whole = np.isfinite(t).all() and (t == np.round(t)).all()
        columns["time"] = pa.array(t.astype(np.int64) if whole else t)  # whole seconds pack better
    if inter.weight is not None:
        columns["weight"] = pa.array(np.asarray(inter.weight, dtype=np.float32))
    table = pa.table(columns)
    meta = {"baskets": bool(inter.baskets), "source": str(inter.report.source)}
    table = table.replace_schema_metadata({_META: json.dumps(meta).encode()})
    path = Path(path)
    pq.write_table(table, path, compression="zstd")
    return path


def _dictionary(codes: np.ndarray, ids: np.ndarray):
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array([str(i) for i in ids])
    )


def read_history(path: str | Path, log: dict | None = None) -> Interactions:
    """The log a folder's vectors were trained on, from its ``history.parquet``.

    Parameters
    ----------
    path : str or Path
    log : dict, optional
        The training report's ``log`` (``report.json``): becomes the log's ``LogReport``.

    Returns
    -------
    Interactions
        Sorted by user, then time; ids are the stored text.

    Raises
    ------
    DataError
        The file is not a history embedlab wrote.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> back = read_history(write_history(inter, tmp_path / "h.parquet"))
    >>> bool((back.item == inter.item).all()), back.n_users == inter.n_users
    (True, True)
    """
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_META, b"{}"))
        frame = _sorted(table.to_pandas())
        user, users = pd.factorize(frame["user"].astype(str), sort=False)
        item, items = pd.factorize(frame["item"].astype(str), sort=False)
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"cannot read the stored history: {exc}", path=str(path)) from None
    time, weight = _column(frame, "time", np.float64), _column(frame, "weight", np.float32)
    return Interactions(
        user=user.astype(np.int32),
        item=item.astype(np.int32),
        session=_sessions(frame["session"]),
        time=time,
        weight=weight,
        users=np.asarray(users, dtype=object),
        items=np.asarray(items, dtype=object),
        rows=np.arange(len(frame)),
        report=_report(log, meta, len(frame), len(users), len(items)),
        baskets=bool(meta.get("baskets", False)),
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by user in time order (a history written by Spark comes in part files)."""
    if "row" not in frame:  # written in order (by write_history)
        return frame
    keys = [c for c in ("user", "time", "row") if c in frame]
    frame = frame.assign(user=frame["user"].astype(str), item=frame["item"].astype(str))
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _sessions(column: pd.Series) -> np.ndarray:
    """Session numbers; Spark's session ids are text (user and number), numbered here in order."""
    if pd.api.types.is_integer_dtype(column):
        return column.to_numpy(np.int64)
    return pd.factorize(column.astype(str), sort=False)[0].astype(np.int64)


def _column(frame: pd.DataFrame, name: str, dtype) -> np.ndarray | None:
    """A numeric column, or None when it is absent or empty (a log without times or weights)."""
    if name not in frame or frame[name].isna().all():
        return None
    return frame[name].to_numpy(dtype)


def _report(log: dict | None, meta: dict, events: int, users: int, items: int) -> LogReport:
    known = {f.name for f in fields(LogReport)}
    given = {k: v for k, v in (log or {}).items() if k in known}
    given.setdefault("source", meta.get("source", ""))
    given.setdefault("rows_read", events)
    return LogReport(**{**given, "rows_kept": events, "users": users, "items": items})
