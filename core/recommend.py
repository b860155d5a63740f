"""One user's recommendations from a training folder, with why each item is there; the user's
history and the users found by an item of theirs (what ``embedlab recommend`` and the Recommend
page show).  Loading a folder is :mod:`core.runs`; serving, :mod:`core.serving`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .matching import find_items
from .runs import Run, query_rows, user_code
from .serving import serve

NOTHING = (
    "no item this set scores from has a vector (the trainer learned none for it: too few "
    "events); the evaluation counts such a user as a miss"
)


@dataclass
class Recommendations:
    """One user's top-k from one set, with why each item is there.

    ``table`` has one row per item: ``rank``, ``key``, ``title``, ``score`` (cosine for a set
    scored from the user's history, dot product for MF scored from the user vector), ``events``
    and ``popularity_rank`` (1 = most events in the log), and for sets scored from the history
    ``because`` (the history item that contributed most),
    ``because_title`` and ``similarity`` (its cosine to the item).
    """

    run: str
    method: str
    user: str
    k: int
    basis: str
    table: pd.DataFrame
    search: str
    recall: float | None
    seconds: float
    include_seen: bool
    seen: int
    query_items: list[str] = field(default_factory=list)
    query_titles: list[str] = field(default_factory=list)
    catalog: int = 0

    def to_dict(self) -> dict:
        items = []
        for rec in self.table.to_dict(orient="records"):
            why = (
                {
                    "because": rec["because"],
                    "because_title": rec["because_title"],
                    "similarity": rec["similarity"],
                }
                if "because" in rec
                else {"score": rec["score"], "popularity_rank": rec["popularity_rank"]}
            )
            base = {c: rec[c] for c in ("rank", "key", "title", "score", "events")}
            items.append({**base, "popularity_rank": rec["popularity_rank"], "why": why})
        return {
            "run": self.run,
            "method": self.method,
            "user": self.user,
            "k": self.k,
            "basis": self.basis,
            "query_items": self.query_items,
            "query_titles": self.query_titles,
            "catalog_items": self.catalog,
            "seen_items": self.seen,
            "seen_excluded": not self.include_seen,
            "search": self.search,
            "recall": self.recall,
            "seconds": self.seconds,
            "items": items,
        }


def recommend(
    run: Run,
    user: str,
    k: int = 10,
    method: str = "exact",
    include_seen: bool = False,
    index=None,
) -> Recommendations:
    """The top-k items for ``user`` from ``run``, with why each is there.

    Parameters
    ----------
    run : Run
    user : str
        A user id of the folder's log.
    k : int, default 10
    method : {"exact", "hnsw"}, default "exact"
    include_seen : bool, default False
        Keep items the user already has (excluded by default).
    index : core.search.HnswIndex, optional

    Returns
    -------
    Recommendations

    Raises
    ------
    UnknownUserError
        ``user`` is not in the log (close ids listed).
    ParameterError
        ``k`` < 1 or an unknown method.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "als2", params={"factors": 8, "query": "user"})
    >>> from embedlab.core.runs import load_run
    >>> recs = recommend(load_run(tmp_path / "als2"), "u00000", k=3)
    >>> len(recs.table), recs.basis
    (3, "the user's vector (dot product)")
    """
    code = user_code(run, user)
    served = serve(run, np.array([code]), k, method, include_seen, index)
    got = served.codes[0][served.codes[0] >= 0]
    table = _table(run, got, served.scores[0][: len(got)])
    used: list[str] = []
    if not run.by_user:
        context = query_rows(run, np.array([code]))
        table, used = _with_reasons(run, code, table, got, context)
    basis = "the user's vector (dot product)" if run.by_user else run.query.describe()
    return Recommendations(
        *(run.name, run.method, str(run.log.users[code]), int(k), basis, table),
        *(served.search, served.recall, served.seconds, include_seen, int(run.seen[code].nnz)),
        *(used, _titles_of(run, used), int(run.log.n_items)),
    )


def _table(run: Run, got: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(got) + 1),
            "key": run.log.items[got].astype(str),
            "title": run.titles[got],
            "score": scores.astype(float),
            "events": run.counts[got],
            "popularity_rank": run.popularity_rank[got],
        }
    )


def _titles_of(run: Run, keys: list[str]) -> list[str]:
    codes = pd.Index(run.log.items.astype(str)).get_indexer(keys)
    return [str(run.titles[c]) if c >= 0 else k for c, k in zip(codes, keys)]


def _most_recent_first(run: Run, code: int, items: np.ndarray) -> np.ndarray:
    """``items`` ordered by their last event in user ``code``'s history, most recent first."""
    start, end = np.searchsorted(run.log.user, [code, code + 1])
    recent = run.log.item[start:end][::-1]
    _, first = np.unique(recent, return_index=True)
    order = recent[np.sort(first)]
    return order[np.isin(order, items)]


def _with_reasons(
    run: Run, code: int, table: pd.DataFrame, got: np.ndarray, context: sp.csr_matrix
):
    """``table`` with each item's strongest contributor among the query items: the one whose
    weight × cosine to the item is largest (the score is their sum over the query's norm)."""
    row = context.getrow(0)
    h_codes, weights = row.indices, row.data
    h_rows = run.row_of_code[h_codes]
    keep = h_rows >= 0
    h_codes, weights, h_rows = h_codes[keep], weights[keep], h_rows[keep]
    used = [str(k) for k in run.log.items[_most_recent_first(run, code, h_codes)]]
    if not len(h_codes) or not len(got):
        return table.assign(because="", because_title="", similarity=np.nan), used
    unit = run.items.unit
    sims = unit[h_rows] @ unit[run.row_of_code[got]].T  # history × recommendations
    best = np.argmax(weights[:, None] * sims, axis=0)
    return (
        table.assign(
            because=run.log.items[h_codes[best]].astype(str),
            because_title=run.titles[h_codes[best]],
            similarity=sims[best, np.arange(len(got))].astype(float),
        ),
        used,
    )


def history_frame(run: Run, user: str, limit: int | None = None) -> pd.DataFrame:
    """``user``'s events, most recent first: ``key``, ``title``, ``time`` (UTC, when the log
    has times), ``weight`` (when it has weights).

    Parameters
    ----------
    run : Run
    user : str
    limit : int, optional
        At most this many events.

    Returns
    -------
    DataFrame

    Raises
    ------
    UnknownUserError
        ``user`` is not in the log.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "hf", params={"factors": 8})
    >>> from embedlab.core.runs import load_run
    >>> history_frame(load_run(tmp_path / "hf"), "u00000", limit=2).columns.tolist()
    ['key', 'title', 'time', 'weight']
    """
    code = user_code(run, user)
    log = run.log
    start, end = np.searchsorted(log.user, [code, code + 1])
    pos = np.arange(end - 1, start - 1, -1)[:limit]
    out = pd.DataFrame({"key": log.items[log.item[pos]].astype(str)})
    out["title"] = run.titles[log.item[pos]]
    if log.time is not None:
        out["time"] = pd.to_datetime(log.time[pos], unit="s", utc=True).strftime("%Y-%m-%d %H:%M")
    if log.weight is not None:
        out["weight"] = log.weight[pos].astype(float)
    return out


def users_with_item(run: Run, text: str, limit: int = 50) -> pd.DataFrame:
    """Users whose history holds an item that ``text`` names (a key or any metadata text, as
    :func:`core.matching.find_items` matches it): ``user``, ``item``, ``title``, ``events``
    (the user's history length), longest histories first.

    Parameters
    ----------
    run : Run
    text : str
    limit : int, default 50

    Returns
    -------
    DataFrame
        Empty when nothing matches.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "uw", params={"factors": 8})
    >>> from embedlab.core.runs import load_run
    >>> found = users_with_item(load_run(tmp_path / "uw"), "i0001", limit=3)
    >>> found.item.unique().tolist(), len(found)
    (['i0001'], 3)
    """
    matches = find_items(run.items, text, limit=5)
    if not matches:
        return pd.DataFrame(columns=["user", "item", "title", "events"])
    codes = pd.Index(run.log.items.astype(str)).get_indexer([m.key for m in matches])
    codes = codes[codes >= 0]
    hit = np.isin(run.log.item, codes)
    frame = pd.DataFrame({"u": run.log.user[hit], "i": run.log.item[hit]}).drop_duplicates("u")
    sizes = np.bincount(run.log.user, minlength=run.log.n_users)
    frame["events"] = sizes[frame.u]
    frame = frame.sort_values(["events", "u"], ascending=[False, True]).head(limit)
    return pd.DataFrame(
        {
            "user": run.log.users[frame.u].astype(str),
            "item": run.log.items[frame.i].astype(str),
            "title": run.titles[frame.i],
            "events": frame.events.to_numpy(),
        }
    )
