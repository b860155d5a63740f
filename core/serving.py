"""Top-k items for a batch of users of a training folder (:func:`serve`), exact or HNSW.

``exact`` ranks the evaluation's own scores (:mod:`core.evaluate.recs`) over the whole catalog;
``hnsw`` searches :mod:`core.search`'s HNSW index (the Neighbours page's) with the same query
vector, its ``efSearch`` set by the recall measured on the run's own users' queries
(:func:`serving_index`).  Items a user already has are excluded unless asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .errors import ParameterError
from .runs import Run, query_rows

SERVING_METHODS = ("exact", "hnsw")
CHUNK = 512  # users scored at once by exact serving ...
CHUNK_SCORES = 2**25  # ... at most this many scores (128 MB of float32) in one chunk


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
    >>> from embedlab.core.runs import load_run
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
    context = None if run.by_user else query_rows(run, codes)
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
    """How a run's queries meet its items: the dot product for a user vector (as the evaluation
    scores MF with ``query=user``), the cosine for a history.

    Parameters
    ----------
    run : Run

    Returns
    -------
    {"dot", "cosine"}

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "mo", params={"factors": 8, "query": "user"})
    >>> from embedlab.core.runs import load_run
    >>> metric_of(load_run(tmp_path / "mo"))
    'dot'
    """
    return "dot" if run.by_user else "cosine"


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

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec, run_training
    >>> _ = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"), "als",
    ...                  tmp_path / "si", params={"factors": 8})
    >>> from embedlab.core.runs import load_run
    >>> serving_index(load_run(tmp_path / "si"), sample=100).recall >= 0.95
    True
    """
    from .search import cached_hnsw, exact_top_k, prepare_queries, recall_at_k, space

    metric = metric_of(run)
    index = cached_hnsw(run.items, metric)
    rng = np.random.default_rng(seed)
    codes = np.sort(rng.choice(run.log.n_users, min(sample, run.log.n_users), replace=False))
    context = None if run.by_user else query_rows(run, codes)
    q = _query_vectors(run, codes, context)
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


def _catalog_scores(run: Run, codes: np.ndarray, context: sp.csr_matrix | None) -> np.ndarray:
    """The evaluation's scores of every catalog item for users ``codes`` (−inf: no vector)."""
    if not run.by_user:
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
    step = max(1, min(CHUNK, CHUNK_SCORES // max(run.log.n_items, 1)))
    for start in range(0, len(codes), step):
        c = codes[start : start + step]
        ctx = None if context is None else context[start : start + step]
        s = np.array(_catalog_scores(run, c, ctx), dtype=np.float32)
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


def _query_vectors(run: Run, codes: np.ndarray, context: sp.csr_matrix | None) -> np.ndarray:
    """The vector each user's query searches with: the user vector (MF), or the weighted sum of
    the query items' unit vectors (its direction is what the evaluation's cosine scores)."""
    if not run.by_user:
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

    q = _query_vectors(run, codes, context)
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
