"""Recommendations for one user from a training folder, served by nearest-neighbour search.

A folder whose trainer learned user vectors (ALS, SVD) recommends the items nearest the user's
vector (dot product, as the evaluation scores MF); an item-only folder (item2vec, graph,
supervised) recommends from the user's recent history exactly as the evaluation scores it
(:func:`core.evaluate.recs.item_vector_scorer` over the query rows of
:func:`core.evaluate.protocols.recent_items`, or the user's last basket under basket completion),
with the history length the folder's evaluation used (else the evaluation's default for the log).
Items the user already has are excluded unless asked.

``exact`` ranks the evaluation's own scores over the whole catalog; ``hnsw`` searches
:mod:`core.search`'s HNSW index (the Neighbours page's) with the same query vector, and carries
the index's measured recall.
"""

from __future__ import annotations

import difflib
import inspect
import json
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .embeddings import Embeddings
from .errors import DataError, ParameterError, UnknownKeyError
from .logs import Interactions
from .logs.history import HISTORY_FILE, read_history
from .matching import find_items, title_column

SERVING_METHODS = ("exact", "hnsw")
NOTHING = (
    "no item this set scores from has a vector (the trainer learned none for it: too few "
    "events); the evaluation counts such a user as a miss"
)
CHUNK = 512


class UnknownUserError(UnknownKeyError):
    """A user id that is not in the folder's log; carries close ids."""

    def __init__(self, user: str, suggestions: list[str], users: int):
        hint = (
            f"close ids: {', '.join(suggestions)}"
            if suggestions
            else "pick one of the log's user ids"
        )
        super().__init__(user, suggestions, hint=hint)
        self.args = (f"user '{user}' is not in this run's log ({users:,} users)",)
        self.message = self.args[0]


@dataclass(frozen=True)
class Query:
    """How an item-based set scores a user: the protocol's query (the last ``history`` items,
    the i-th most recent weighted ``decay ** i``, or the last basket) and where that came from."""

    protocol: str
    history: int
    decay: float
    chosen: str

    def describe(self) -> str:
        if self.protocol == "basket":
            return f"the mean of the user's last basket's items ({self.chosen})"
        items = "the last item" if self.history == 1 else f"the mean of the last {self.history}"
        decay = f" weighted {self.decay:g}^age" if self.decay < 1 and self.history > 1 else ""
        return f"{items}{decay} of the user's history ({self.chosen})"


class Run:
    """A training folder loaded for serving: item vectors, user vectors (MF), the log.

    Build it with :func:`load_run`.
    """

    def __init__(self, path: Path, report: dict, items: Embeddings, users, log: Interactions):
        self.path, self.report, self.items, self.users, self.log = path, report, items, users, log
        self.method = str(report.get("method", "?"))
        self.name = path.name

    @cached_property
    def query(self) -> Query:
        return query_for(self.report, self.log)

    @cached_property
    def code_of_row(self) -> np.ndarray:
        """The log's item code of each item vector (−1: not in the log)."""
        return pd.Index(self.log.items.astype(str)).get_indexer(self.items.keys)

    @cached_property
    def row_of_code(self) -> np.ndarray:
        """The item vector row of each item code (−1: no vector)."""
        out = np.full(self.log.n_items, -1, dtype=np.int64)
        ok = self.code_of_row >= 0
        out[self.code_of_row[ok]] = np.flatnonzero(ok)
        return out

    @cached_property
    def user_index(self) -> pd.Index:
        return pd.Index(self.log.users.astype(str))

    @cached_property
    def user_rows(self) -> np.ndarray | None:
        """The user-vector row of each user code (MF), −1 without one."""
        if self.users is None:
            return None
        return pd.Index(self.users.keys).get_indexer(self.log.users.astype(str))

    @cached_property
    def counts(self) -> np.ndarray:
        """Events per item code (the popularity the evaluation measures)."""
        return self.log.item_counts()

    @cached_property
    def popularity_rank(self) -> np.ndarray:
        """1 = the item with most events; ties share the best rank."""
        return pd.Series(self.counts).rank(method="min", ascending=False).to_numpy(np.int64)

    @cached_property
    def seen(self) -> sp.csr_matrix:
        from .logs.matrix import user_item_matrix

        return user_item_matrix(self.log, binary=True).tocsr()

    @cached_property
    def scorer(self):
        """The evaluation's scorer for this set (:mod:`core.evaluate.recs`)."""
        from .evaluate.recs import item_vector_scorer, user_vector_scorer

        if self.users is not None:
            return user_vector_scorer(self.method, self.users, self.items)
        return item_vector_scorer(self.method, self.items, self.log)

    @cached_property
    def titles(self) -> np.ndarray:
        """Each item code's title (its key when the set has none)."""
        keys = self.log.items.astype(str)
        column = title_column(self.items.metadata)
        if column is None:
            return np.asarray(keys, dtype=object)
        titles = self.items.metadata[column].fillna("").astype(str).to_numpy()
        out = np.asarray(keys, dtype=object).copy()
        ok = self.code_of_row >= 0
        named = titles[ok] != ""
        out[self.code_of_row[ok][named]] = titles[ok][named]
        return out

    @property
    def has_titles(self) -> bool:
        return title_column(self.items.metadata) is not None


def load_run(folder: str | Path) -> Run:
    """A training folder (``embedlab train --out``) ready to recommend.

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    Run

    Raises
    ------
    DataError
        Not a training folder, or one written before folders kept the users' histories (the
        message says how to retrain).

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "als", params={"factors": 8})
    >>> run = load_run(tmp_path / "als")
    >>> run.method, run.users is not None, run.log.n_users
    ('als', True, 3000)
    """
    from . import io

    path = Path(folder)
    report_file = path / "report.json"
    if not report_file.is_file():
        raise DataError(
            "not a training folder (no report.json)",
            path=str(path),
            hint="give a folder written by embedlab train --out",
        )
    report = json.loads(report_file.read_text(encoding="utf-8"))
    if not (path / HISTORY_FILE).exists():
        raise DataError(
            f"this training folder has no {HISTORY_FILE} (it was trained before folders kept "
            "each user's history)",
            path=str(path),
            hint=_retrain(report),
        )
    items = io.load(path)
    users = io.load(path / "users.parquet") if (path / "users.parquet").exists() else None
    log = read_history(path / HISTORY_FILE, report.get("log"))
    return Run(path, report, items, users, log)


def _retrain(report: dict) -> str:
    source = (report.get("log") or {}).get("source", "its log")
    return (
        f"run the embedlab train command that made it again with --force (log {source}, method "
        f"{report.get('method', '?')}): folders now keep history.parquet"
    )


def default_history(inter: Interactions) -> int:
    """The history length the evaluation scores item-based methods from when none is given
    (:func:`core.evaluate.protocols.make_split`'s default, or its rule for this log).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    int

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> default_history(prepare("sample_data/interactions.csv"))
    1
    """
    from .evaluate.protocols import make_split

    default = inspect.signature(make_split).parameters["history"].default
    if default is None:  # the evaluation chooses it from the log's shape
        from .logs.shape import query_items

        return int(query_items(inter))
    return int(default)


def query_for(report: dict, inter: Interactions) -> Query:
    """The query the folder's own evaluation used (``report.json``), else the evaluation's
    choice for this log (:func:`core.evaluate.protocols.choose`, :func:`default_history`).

    Parameters
    ----------
    report : dict
        The folder's ``report.json``.
    inter : Interactions
        Its log.

    Returns
    -------
    Query

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> q = query_for({}, prepare("sample_data/interactions.csv"))
    >>> q.protocol, q.history
    ('leave-last-out', 1)
    """
    from .evaluate.protocols import choose

    evaluated = (report.get("evaluation") or {}).get("protocol")
    if evaluated:
        return Query(
            evaluated["name"],
            int(evaluated.get("history", 1)),
            float(evaluated.get("decay", 1.0)),
            "as this folder's evaluation scored",
        )
    choice = choose(inter)
    return Query(choice.name, default_history(inter), 1.0, "the evaluation's default for this log")


def user_code(run: Run, user: str) -> int:
    """The log's code of user id ``user``.

    Parameters
    ----------
    run : Run
    user : str

    Returns
    -------
    int

    Raises
    ------
    UnknownUserError
        ``user`` is not in the log; the message lists close ids.
    """
    code = run.user_index.get_indexer([str(user).strip()])[0]
    if code < 0:
        raise UnknownUserError(str(user), close_users(run, str(user)), run.log.n_users)
    return int(code)


def close_users(run: Run, user: str, n: int = 5) -> list[str]:
    """User ids spelled like ``user`` (most alike first)."""
    ids = [u for u in run.user_index if abs(len(u) - len(user)) <= 2]
    return difflib.get_close_matches(user.strip(), ids, n=n, cutoff=0.5)


def query_rows(run: Run, codes: np.ndarray) -> sp.csr_matrix:
    """Each user's query weights over the catalog (users × items), as the evaluation builds
    them: the last ``history`` items (:func:`core.evaluate.protocols.recent_items`), or the
    items of the user's last basket."""
    from .evaluate.protocols import recent_items

    q = run.query
    if q.protocol != "basket":
        return recent_items(run.log, codes, q.history, q.decay)
    log = run.log
    end = np.searchsorted(log.user, codes, side="right")
    last_session = log.session[end - 1]
    rows, cols = [], []
    for r, (e, s) in enumerate(zip(end, last_session)):
        start = e
        while start > 0 and log.session[start - 1] == s and log.user[start - 1] == log.user[e - 1]:
            start -= 1
        cols.append(np.unique(log.item[start:e]))
        rows.append(np.full(len(cols[-1]), r))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(codes), log.n_items), dtype=np.float64
    )


@dataclass(frozen=True)
class Served:
    """Top-k item codes (−1 where fewer) and scores per user, the search and its time."""

    codes: np.ndarray
    scores: np.ndarray
    search: str
    recall: float | None
    seconds: float


def serve(
    run: Run,
    codes: np.ndarray,
    k: int = 10,
    method: str = "exact",
    include_seen: bool = False,
    index=None,
) -> Served:
    """Top-k items for each user code in ``codes`` (a batch: the CLI asks for one, the benchmark
    for every user).

    Parameters
    ----------
    run : Run
    codes : ndarray of int
        User codes (:func:`user_code`).
    k : int, default 10
    method : {"exact", "hnsw"}, default "exact"
        exact: the evaluation's scores over the whole catalog; hnsw: :mod:`core.search`'s HNSW
        index (cached, its recall measured when built).
    include_seen : bool, default False
        Keep the items the user already has.
    index : core.search.HnswIndex, optional
        A built index (else :func:`core.search.cached_hnsw`).

    Returns
    -------
    Served
        ``seconds`` is the time of the queries alone (not of building an index).

    Raises
    ------
    ParameterError
        ``k`` < 1 or an unknown method.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "als", params={"factors": 8})
    >>> served = serve(load_run(tmp_path / "als"), np.arange(3), k=5)
    >>> served.codes.shape, served.search
    ((3, 5), 'exact')
    """
    _check(method, k)
    codes = np.asarray(codes, dtype=np.int64)
    if method == "hnsw":
        index = index or _index(run)
    _warm(run)
    t0 = time.perf_counter()
    context = None if run.users is not None else query_rows(run, codes)
    if method == "exact":
        found, scores = _exact(run, codes, context, int(k), include_seen)
        recall = None
    else:
        found, scores = _approximate(run, codes, context, int(k), include_seen, index)
        recall = float(index.recall)
    return Served(found, scores, method, recall, time.perf_counter() - t0)


def _check(method: str, k: int) -> None:
    if method not in SERVING_METHODS:
        raise ParameterError(f"method '{method}' must be one of {', '.join(SERVING_METHODS)}")
    if int(k) < 1:
        raise ParameterError(f"k({k}) must be >= 1")


def _warm(run: Run) -> None:
    """Build what every query shares (the scorer, the seen items, the code maps) before timing."""
    for name in ("scorer", "seen", "code_of_row", "row_of_code", "user_rows", "query"):
        getattr(run, name)


def metric_of(run: Run) -> str:
    """How the set's queries meet items: dot product for a user vector, cosine for a history."""
    return "dot" if run.users is not None else "cosine"


def _index(run: Run):
    return serving_index(run)


def serving_index(run: Run, k: int = 10, target: float = 0.95, sample: int = 500, seed: int = 0):
    """:mod:`core.search`'s HNSW index over ``run``'s item vectors, its ``efSearch`` raised until
    its recall@k against exact search on this run's own queries (user vectors, or history
    queries, of a seeded sample of users) reaches ``target``; ``recall`` is that figure.

    The index's own estimate uses item vectors as queries, which can flatter it: ALS user vectors
    under the dot product are other points (docs/BENCHMARKS.md).

    Parameters
    ----------
    run : Run
    k : int, default 10
    target : float, default 0.95
    sample : int, default 500
        Users whose queries measure the recall.
    seed : int, default 0

    Returns
    -------
    core.search.HnswIndex
        A copy of the cached index (loaded from or saved to ``$EMBEDLAB_CACHE``), with
        ``ef_search_`` and ``recall`` measured here.
    """
    from .search import cached_hnsw, exact_top_k, prepare_queries, recall_at_k, space

    metric = metric_of(run)
    index = cached_hnsw(run.items, metric)
    rng = np.random.default_rng(seed)
    codes = np.sort(rng.choice(run.log.n_users, min(sample, run.log.n_users), replace=False))
    context = None if run.users is not None else query_rows(run, codes)
    q = query_vectors(run, codes, context)
    q = prepare_queries(q[np.abs(q).sum(axis=1) > 0], metric)
    if not len(q):
        return index
    truth, _ = exact_top_k(np.ascontiguousarray(space(run.items, metric)), q, k, metric)
    for ef in index.EF_STEPS:
        index.index_.hnsw.efSearch = ef
        found, _ = index.search(q, min(k, len(run.items)))
        index.ef_search_, index.recall = ef, recall_at_k(found, truth)
        if index.recall >= target:
            break
    return index


def catalog_scores(run: Run, codes: np.ndarray, context: sp.csr_matrix | None) -> np.ndarray:
    """The evaluation's scores of every catalog item for users ``codes`` (−inf: no vector)."""
    if run.users is None:
        return np.asarray(run.scorer(codes, np.zeros(len(codes), np.int64), context))
    rows = run.user_rows[codes]
    out = np.full((len(codes), run.log.n_items), -np.inf, dtype=np.float32)
    ok_rows, ok_cols = rows >= 0, run.code_of_row >= 0
    if ok_rows.any():
        s = np.asarray(run.scorer(rows[ok_rows], None), dtype=np.float32)
        out[np.ix_(np.flatnonzero(ok_rows), run.code_of_row[ok_cols])] = s[:, ok_cols]
    return out


def _exact(run, codes, context, k, include_seen):
    found = np.full((len(codes), k), -1, dtype=np.int64)
    scores = np.full((len(codes), k), np.nan, dtype=np.float32)
    for start in range(0, len(codes), CHUNK):
        c = codes[start : start + CHUNK]
        ctx = None if context is None else context[start : start + CHUNK]
        s = np.array(catalog_scores(run, c, ctx), dtype=np.float32)
        if not include_seen:
            rows = run.seen[c]
            s[np.repeat(np.arange(len(c)), np.diff(rows.indptr)), rows.indices] = -np.inf
        f, sc = _top(s, k)
        found[start : start + len(c), : f.shape[1]] = f
        scores[start : start + len(c), : f.shape[1]] = sc
    return found, scores


def _top(s: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best columns of each row, best first; −1 / NaN where only −inf is left."""
    k = min(k, s.shape[1])
    part = np.argpartition(-s, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(s, part, axis=1), axis=1, kind="stable")
    ids = np.take_along_axis(part, order, axis=1)
    sc = np.take_along_axis(s, ids, axis=1)
    bad = ~np.isfinite(sc)
    return np.where(bad, -1, ids), np.where(bad, np.nan, sc).astype(np.float32)


def query_vectors(run: Run, codes: np.ndarray, context: sp.csr_matrix | None) -> np.ndarray:
    """The vector each user's query searches with: the user vector (MF), or the weighted sum of
    the query items' unit vectors (its direction is what the evaluation's cosine scores)."""
    if run.users is None:
        full = np.zeros((run.log.n_items, run.items.dim), dtype=np.float32)
        has = run.row_of_code >= 0
        full[has] = run.items.unit[run.row_of_code[has]]
        return np.asarray(context @ full, dtype=np.float32)
    rows = run.user_rows[codes]
    out = np.zeros((len(codes), run.users.dim), dtype=np.float32)
    out[rows >= 0] = np.asarray(run.users.vectors)[rows[rows >= 0]]
    return out


def _approximate(run, codes, context, k, include_seen, index):
    from .search import top_k

    q = query_vectors(run, codes, context)
    found = np.full((len(codes), k), -1, dtype=np.int64)
    scores = np.full((len(codes), k), np.nan, dtype=np.float32)
    ok = np.flatnonzero(np.abs(q).sum(axis=1) > 0)
    if not len(ok):
        return found, scores
    exclude = [np.zeros(0, np.int64)] * len(ok)
    if not include_seen:
        seen = run.seen[codes[ok]]
        rows = run.row_of_code[seen.indices]
        exclude = [r[r >= 0] for r in np.split(rows, seen.indptr[1:-1])]  # as vector rows
    # users with similar numbers of seen items searched together: each batch asks the index for
    # k + its largest number of seen items, not k + the heaviest user's
    size = np.array([len(e) for e in exclude])
    group = np.ceil(np.log2(k + size)).astype(int)
    for g in np.unique(group):
        part = np.flatnonzero(group == g)
        ids, sc, _ = top_k(
            run.items,
            q[ok[part]],
            k,
            metric_of(run),
            exclude=[exclude[i] for i in part],
            method="hnsw",
            index=index,
        )
        got = np.where(ids >= 0, run.code_of_row[np.maximum(ids, 0)], -1)
        found[ok[part], : got.shape[1]] = got
        scores[ok[part], : got.shape[1]] = sc
    return found, scores


@dataclass
class Recommendations:
    """One user's top-k from one set, with why each item is there.

    ``table`` has one row per item: ``rank``, ``key``, ``title``, ``score`` (cosine for an
    item-based set, dot product for MF), ``events`` and ``popularity_rank`` (1 = most events in
    the log), and for item-based sets ``because`` (the history item that contributed most),
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
    ...                  tmp_path / "als2", params={"factors": 8})
    >>> recs = recommend(load_run(tmp_path / "als2"), "u00000", k=3)
    >>> len(recs.table), recs.basis
    (3, "the user's vector (dot product)")
    """
    code = user_code(run, user)
    served = serve(run, np.array([code]), k, method, include_seen, index)
    got = served.codes[0][served.codes[0] >= 0]
    table = _table(run, got, served.scores[0][: len(got)])
    used: list[str] = []
    if run.users is None:
        context = query_rows(run, np.array([code]))
        table, used = _with_reasons(run, code, table, got, context)
    basis = "the user's vector (dot product)" if run.users is not None else run.query.describe()
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
