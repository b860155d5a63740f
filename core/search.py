"""Nearest-neighbour search: exact (numpy for a few queries, faiss for batches) and HNSW.

Every query returns ``(ids, scores)`` arrays, exact or approximate alike.  Approximate search is
never silent: an :class:`HnswIndex` measures its recall@k against exact search when it is built
and every result carries that figure.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import cache_dir
from .embeddings import Embeddings
from .errors import EmbedlabError, ParameterError

log = logging.getLogger(__name__)

SEARCH_METRICS = ("cosine", "dot", "euclidean")  # how neighbours are measured
SEARCH_METHODS = ("auto", "exact", "hnsw")  # how they are found
ANN_THRESHOLD = 1_000_000  # 'auto' switches to HNSW above this many candidates
FEW_QUERIES = 4  # below this a numpy mat-vec beats faiss' batch set-up


@dataclass
class Neighbours:
    """Ranked neighbours of one query; ``scores`` are similarities, or distances for euclidean."""

    query: str
    keys: list[str]
    ids: np.ndarray
    scores: np.ndarray
    metric: str = "cosine"
    method: str = "exact"
    recall: float | None = None
    excluded: list[str] = field(default_factory=list)

    metadata: pd.DataFrame | None = None

    def records(self) -> list[dict]:
        """``{"key", "score"}`` per neighbour, plus its metadata fields when the set has them."""
        out = [{"key": k, "score": float(s)} for k, s in zip(self.keys, self.scores)]
        if self.metadata is not None:
            for rec, meta in zip(out, self.metadata.to_dict(orient="records")):
                rec.update({c: v for c, v in meta.items() if c not in rec})
        return out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(self.keys) + 1),
                "key": self.keys,
                "score": self.scores.astype(float),
            }
        )


def check_metric(metric: str) -> None:
    if metric not in SEARCH_METRICS:
        raise ParameterError(f"metric '{metric}' must be one of {', '.join(SEARCH_METRICS)}")


def space(emb: Embeddings, metric: str) -> np.ndarray:
    """The matrix a metric searches: unit rows for cosine, raw rows otherwise."""
    check_metric(metric)
    return emb.unit if metric == "cosine" else np.asarray(emb.vectors)


def prepare_queries(queries: np.ndarray, metric: str) -> np.ndarray:
    q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    if metric == "cosine":
        norms = np.linalg.norm(q, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        q = q / norms
    return np.ascontiguousarray(q)


def exact_top_k(
    matrix: np.ndarray, queries: np.ndarray, k: int, metric: str
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k rows of ``matrix`` for each (already prepared) query, best first."""
    k = min(k, matrix.shape[0])
    if len(queries) < FEW_QUERIES:
        return _numpy_top_k(matrix, queries, k, metric)
    import faiss

    fm = faiss.METRIC_L2 if metric == "euclidean" else faiss.METRIC_INNER_PRODUCT
    scores, ids = faiss.knn(queries, np.ascontiguousarray(matrix), k, metric=fm)
    if metric == "euclidean":
        scores = np.sqrt(np.maximum(scores, 0))
    return ids.astype(np.int64), scores


def best_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, largest first, without sorting the whole vector."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


def self_neighbours(unit: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` nearest *other* rows by cosine (rows of unit length): an (n, k) id array.
    Shared by hubness, metadata consistency and the sweep's stability."""
    unit = np.ascontiguousarray(unit)
    k = min(k, len(unit) - 1)
    ids, _ = exact_top_k(unit, unit, k + 1, "cosine")
    out = np.empty((len(unit), k), dtype=np.int64)
    for r, row in enumerate(ids):
        out[r] = row[row != r][:k]  # ties can rank another row above the row itself
    return out


def _numpy_top_k(matrix, queries, k, metric):
    ids = np.empty((len(queries), k), dtype=np.int64)
    out = np.empty((len(queries), k), dtype=np.float32)
    sq = None
    for i, q in enumerate(queries):
        s = matrix @ q
        if metric == "euclidean":
            if sq is None:
                sq = np.einsum("ij,ij->i", matrix, matrix)
            s = -(sq - 2 * s + q @ q)  # negative squared distance: larger is nearer
        top = best_indices(s, k)
        ids[i], out[i] = top, s[top]
    if metric == "euclidean":
        out = np.sqrt(np.maximum(-out, 0))
    return ids, out


def top_k(
    emb: Embeddings,
    queries: np.ndarray,
    k: int = 10,
    metric: str = "cosine",
    exclude: Sequence[Sequence[int]] | None = None,
    restrict: int | np.ndarray | None = None,
    method: str = "auto",
    index: HnswIndex | None = None,
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Top-k row ids and scores for each query vector.

    Parameters
    ----------
    emb : Embeddings
    queries : ndarray of shape (n_queries, dim)
    k : int, default 10
    metric : {"cosine", "dot", "euclidean"}, default "cosine"
        Scores are cosines, dot products, or (for euclidean) distances, best first.
    exclude : sequence of sequences of int, optional
        Row ids to skip, one list per query (e.g. the query's own row).
    restrict : int or ndarray, optional
        Candidates: the first N rows (like gensim's ``restrict_vocab``) or an array of row ids.
    method : {"auto", "exact", "hnsw"}, default "auto"
    index : HnswIndex, optional

    Returns
    -------
    (ndarray, ndarray, float or None)
        ``ids`` and ``scores`` of shape (n_queries, k) (−1 / NaN where fewer candidates exist), and
        the index's measured recall@k (None for exact search).

    Raises
    ------
    ParameterError
        ``k`` ≤ 0, query dims that differ from ``emb.dim``, an unknown metric or method, an empty or
        non-positive ``restrict``, or HNSW combined with ``restrict``.

    Examples
    --------
    >>> import numpy as np
    >>> from embedlab.core import Embeddings
    >>> emb = Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32))
    >>> ids, scores, recall = top_k(emb, np.array([[1, 0.5, 0]], np.float32), k=2)
    >>> ids.tolist(), recall
    ([[0, 1]], None)
    """
    if k <= 0:
        raise ParameterError(f"k({k}) must be > 0")
    k = min(int(k), len(emb))  # never allocate results for more keys than exist
    if metric == "cosine":
        restrict, method = _without_zero_rows(emb, queries, restrict, method)
    queries = _checked_queries(emb, queries, metric)
    matrix, mapping = _candidates(emb, metric, restrict)
    extra = max((len(e) for e in exclude), default=0) if exclude is not None else 0
    want = min(k + extra, matrix.shape[0])
    ids, scores, recall = _search(emb, matrix, queries, want, metric, method, mapping, index)
    ids, scores = _drop_excluded(_row_ids(ids, mapping), scores, exclude, k)
    return ids, scores, recall


def _checked_queries(emb: Embeddings, queries: np.ndarray, metric: str) -> np.ndarray:
    """The queries in ``metric``'s space; an error when their dimension is not the set's."""
    queries = prepare_queries(queries, metric)
    if queries.shape[1] != emb.dim:
        raise ParameterError(f"query dims({queries.shape[1]}) must equal embedding dims({emb.dim})")
    return queries


def _row_ids(ids: np.ndarray, mapping: np.ndarray | None) -> np.ndarray:
    """Positions among the searched rows as the set's row ids (−1 stays −1)."""
    if mapping is None:
        return ids
    return np.where(ids >= 0, mapping[np.maximum(ids, 0)], -1)


def _candidates(emb: Embeddings, metric: str, restrict) -> tuple[np.ndarray, np.ndarray | None]:
    """The matrix searched in ``metric``'s space and, when ``restrict`` narrows it, the row id of
    each of its rows (None: all rows, in order)."""
    matrix = space(emb, metric)
    if restrict is None:
        return matrix, None
    return restrict_rows(matrix, restrict)


def _search(emb, matrix, queries, want, metric, method, mapping, index):
    """(ids, scores, recall): HNSW when asked (or for a large unrestricted set), else exact."""
    if method not in SEARCH_METHODS:
        raise ParameterError(f"method '{method}' must be auto, exact or hnsw")
    use_ann = method == "hnsw" or (
        method == "auto" and matrix.shape[0] > ANN_THRESHOLD and mapping is None
    )
    if not use_ann:
        return (*exact_top_k(matrix, queries, want, metric), None)
    if mapping is not None:
        raise ParameterError(
            "approximate search cannot be combined with a candidate restriction",
            hint="use method='exact' with restrict",
        )
    index = index or cached_hnsw(emb, metric)
    ids, scores = index.search(queries, want)
    return ids, scores, index.recall


def _without_zero_rows(emb: Embeddings, queries, restrict, method):
    """The zero-vector rule for cosine: a zero query is an error (its cosine is undefined), and
    zero rows are never candidates (they are left out, exactly; not ranked arbitrarily at 0.0)."""
    q = np.atleast_2d(np.asarray(queries, dtype=np.float64))
    if q.shape[1] == emb.dim and not (np.abs(q).sum(axis=1) > 0).all():
        raise ParameterError(
            "the query is a zero vector, so its cosine similarity to anything is undefined",
            hint="use --metric dot or euclidean, or another query",
        )
    keep = emb.nonzero_rows
    if keep is None:
        return restrict, method
    if restrict is None:
        ids = keep
    elif np.isscalar(restrict):
        ids = keep[keep < int(restrict)] if int(restrict) > 0 else np.asarray(restrict)
    else:
        ids = np.intersect1d(np.asarray(restrict, dtype=np.int64), keep)
    if np.ndim(ids) == 0:
        return restrict, method  # an invalid restrict: restrict_rows says why
    return ids, "exact"


def rows_where(emb: Embeddings, column: str, value: str) -> np.ndarray:
    """Row ids whose metadata ``column`` equals ``value`` (or lists it, for ``a|b`` cells).

    Parameters
    ----------
    emb : Embeddings
    column : str
    value : str

    Returns
    -------
    ndarray of int64

    Raises
    ------
    ParameterError
        ``emb`` has no such metadata column, or no row matches.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from embedlab.core import Embeddings
    >>> emb = Embeddings(["a", "b"], np.eye(2, dtype=np.float32),
    ...                  pd.DataFrame({"genre": ["Comedy|Drama", "War"]}))
    >>> rows_where(emb, "genre", "Drama").tolist()
    [0]
    """
    if emb.metadata is None or column not in emb.metadata.columns:
        have = [] if emb.metadata is None else list(emb.metadata.columns)
        raise ParameterError(f"no metadata column '{column}'", hint=f"columns are {have}")
    cells = emb.metadata[column].astype(str)
    hit = (cells == value) | cells.str.split("|").apply(lambda parts: value in parts)
    ids = np.nonzero(hit.to_numpy())[0]
    if ids.size == 0:
        raise ParameterError(f"no key has {column} = '{value}'")
    return ids


def restrict_rows(matrix: np.ndarray, restrict) -> tuple[np.ndarray, np.ndarray | None]:
    """The candidate rows and, for an id list, the map from candidate position to row id."""
    if np.isscalar(restrict):
        n = int(restrict)
        if n <= 0:
            raise ParameterError(f"restrict({n}) must be > 0")
        return matrix[:n], None
    ids = np.asarray(restrict, dtype=np.int64)
    if ids.size == 0:
        raise ParameterError("the candidate set is empty")
    return np.ascontiguousarray(matrix[ids]), ids


def _drop_excluded(ids, scores, exclude, k):
    if exclude is None:
        return ids[:, :k], scores[:, :k]
    out_ids = np.full((len(ids), k), -1, dtype=np.int64)
    out_scores = np.full((len(ids), k), np.nan, dtype=np.float32)
    for i, (row, srow) in enumerate(zip(ids, scores)):
        keep = ~np.isin(row, np.asarray(exclude[i], dtype=np.int64)) & (row >= 0)
        n = min(k, int(keep.sum()))
        out_ids[i, :n] = row[keep][:n]
        out_scores[i, :n] = srow[keep][:n]
    return out_ids, out_scores


def neighbours(
    emb: Embeddings,
    key: str,
    k: int = 10,
    metric: str = "cosine",
    restrict: int | np.ndarray | None = None,
    method: str = "auto",
    index: HnswIndex | None = None,
) -> Neighbours:
    """The ``k`` nearest keys to ``key``, best first, the query itself excluded.

    Parameters
    ----------
    emb : Embeddings
    key : str
        A key of ``emb``, matched case-insensitively when the exact key is absent.
    k : int, default 10
    metric : {"cosine", "dot", "euclidean"}, default "cosine"
    restrict : int or ndarray, optional
        Search only the first N rows (most frequent keys) or these row ids.
    method : {"auto", "exact", "hnsw"}, default "auto"
        ``auto`` uses an HNSW index above ANN_THRESHOLD (1,000,000) rows when nothing restricts
        the search.
    index : HnswIndex, optional
        A prebuilt index (``method="hnsw"``); else one is loaded from the cache or built.

    Returns
    -------
    Neighbours
        Keys, row ids and scores (plus metadata rows), and the measured recall for HNSW.

    Raises
    ------
    UnknownKeyError
        ``key`` is not in ``emb``; the message lists close keys.
    ParameterError
        ``k`` ≤ 0, an unknown metric or method, or HNSW combined with ``restrict``.

    Examples
    --------
    >>> import numpy as np
    >>> from embedlab.core import Embeddings
    >>> emb = Embeddings(["east", "north", "northeast"],
    ...                  np.array([[1, 0], [0, 1], [0.7, 0.7]], np.float32))
    >>> neighbours(emb, "east", k=1).keys
    ['northeast']
    """
    i = emb.index(key)
    ids, scores, recall = top_k(
        emb,
        emb.vectors[i][None, :],
        k,
        metric,
        exclude=[[i]],
        restrict=restrict,
        method=method,
        index=index,
    )
    return _result(emb, emb.keys[i], ids[0], scores[0], metric, recall, [emb.keys[i]])


def _result(emb, query, ids, scores, metric, recall, excluded) -> Neighbours:
    ok = ids >= 0
    meta = None if emb.metadata is None else emb.metadata.iloc[ids[ok]].reset_index(drop=True)
    return Neighbours(
        query,
        [emb.keys[j] for j in ids[ok]],
        ids[ok],
        scores[ok],
        metric,
        "exact" if recall is None else "hnsw",
        recall,
        excluded,
        meta,
    )


class HnswIndex:
    """A faiss HNSW graph over one embedding set, with its recall@k measured against exact search.

    ``build`` raises ``efSearch`` until the measured recall on a sample of the set's own vectors
    reaches ``target_recall`` (or the largest setting), so the speed/recall trade is known.

    Parameters
    ----------
    emb : Embeddings
    metric : {"cosine", "dot", "euclidean"}, default "cosine"
    M, ef_construction : int
        faiss' graph degree and construction breadth.
    target_recall : float, default 0.95
    k, sample, seed : int
        Recall is measured as recall@k on ``sample`` rows drawn with ``seed``.

    Raises
    ------
    ParameterError
        An unknown metric.

    Examples
    --------
    >>> import numpy as np
    >>> from embedlab.core import Embeddings
    >>> emb = Embeddings([f"k{i}" for i in range(300)],
    ...                  np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32))
    >>> index = HnswIndex(emb, k=5, sample=50).build()
    >>> index.recall >= 0.95
    True
    """

    EF_STEPS = (16, 32, 48, 64, 96, 128, 192, 256, 512)

    def __init__(
        self,
        emb: Embeddings,
        metric: str = "cosine",
        M: int = 32,
        ef_construction: int = 80,
        target_recall: float = 0.95,
        k: int = 10,
        sample: int = 500,
        seed: int = 0,
    ):
        check_metric(metric)
        self.emb, self.metric, self.M, self.ef_construction = emb, metric, M, ef_construction
        self.target_recall, self.k, self.sample, self.seed = target_recall, k, sample, seed

    def build(self) -> HnswIndex:
        """Add every row, then measure recall@k for rising ``efSearch`` and keep the first that
        reaches ``target_recall``; sets ``index_``, ``ef_search_`` and ``recall``.  Returns
        ``self``.
        """
        import faiss

        matrix = np.ascontiguousarray(space(self.emb, self.metric))
        fm = faiss.METRIC_L2 if self.metric == "euclidean" else faiss.METRIC_INNER_PRODUCT
        self.index_ = faiss.IndexHNSWFlat(matrix.shape[1], self.M, fm)
        self.index_.hnsw.efConstruction = self.ef_construction
        self.index_.add(matrix)
        rng = np.random.default_rng(self.seed)
        pick = rng.choice(len(matrix), size=min(self.sample, len(matrix)), replace=False)
        queries = prepare_queries(matrix[pick], self.metric)
        truth, _ = exact_top_k(matrix, queries, self.k, self.metric)
        for ef in self.EF_STEPS:
            self.index_.hnsw.efSearch = ef
            found, _ = self.search(queries, self.k)
            self.recall = recall_at_k(found, truth)
            self.ef_search_ = ef
            if self.recall >= self.target_recall:
                break
        log.info(
            "HNSW over %d rows: efSearch=%d recall@%d=%.3f", len(matrix), ef, self.k, self.recall
        )
        return self

    def save(self, path: str | Path) -> None:
        """faiss' own index format (not a pickle) plus a JSON sidecar with the measured recall."""
        import faiss

        from .io.atomic import atomic_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(path) as tmp:  # a killed writer never leaves a truncated index behind
            faiss.write_index(self.index_, str(tmp))
        meta = {
            "metric": self.metric,
            "M": self.M,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search_,
            "recall": self.recall,
            "k": self.k,
            "rows": len(self.emb),
            "data_hash": self.emb.provenance.data_hash,
        }
        with atomic_file(path.with_suffix(".json")) as tmp:
            tmp.write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, emb: Embeddings, path: str | Path) -> HnswIndex | None:
        """The saved index if it was built for these vectors (same data hash and size), else
        None."""
        import faiss

        path = Path(path)
        side = path.with_suffix(".json")
        if not (path.exists() and side.exists()):
            return None
        try:  # a damaged cache entry is rebuilt, never an error
            meta = json.loads(side.read_text(encoding="utf-8"))
            if meta.get("data_hash") != emb.provenance.data_hash or meta.get("rows") != len(emb):
                return None
            index = cls(
                emb,
                metric=meta["metric"],
                M=meta["M"],
                ef_construction=meta["ef_construction"],
                k=meta["k"],
            )
            index.index_ = faiss.read_index(str(path))
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            log.info("ignoring a damaged HNSW cache entry %s (%s)", path.name, exc)
            return None
        index.index_.hnsw.efSearch = meta["ef_search"]
        index.ef_search_, index.recall = meta["ef_search"], meta["recall"]
        return index

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the ``k`` approximate nearest rows per query, best first (distances for
        euclidean)."""
        scores, ids = self.index_.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        if self.metric == "euclidean":
            scores = np.sqrt(np.maximum(scores, 0))
        return ids.astype(np.int64), scores


def cached_hnsw(emb: Embeddings, metric: str = "cosine") -> HnswIndex:
    """An HNSW index for ``emb``, reused across calls and processes.

    Loaded from the cache folder (``$EMBEDLAB_CACHE``, default ``~/.cache/embedlab``) when one was
    built for the same vectors (by data hash), else built, measured and saved there.  Sets without
    a data hash (built in memory) are built every time.

    Parameters
    ----------
    emb : Embeddings
    metric : {"cosine", "dot", "euclidean"}, default "cosine"

    Returns
    -------
    HnswIndex
        Built, with its measured ``recall``.

    Examples
    --------
    >>> from embedlab.core.io import load
    >>> index = cached_hnsw(load("glove-6b-50d", limit=2000))
    >>> index.recall >= 0.95  # recall@10 against exact search, measured when it was built
    True
    """
    digest = emb.provenance.data_hash
    if not digest:
        return HnswIndex(emb, metric=metric).build()
    name = hashlib.sha256(f"{digest}:{len(emb)}:{metric}".encode()).hexdigest()[:20]
    path = cache_dir() / "hnsw" / f"{name}.faiss"
    index = HnswIndex.load(emb, path)
    if index is None:
        index = HnswIndex(emb, metric=metric).build()
        try:
            index.save(path)
        except (
            OSError,
            EmbedlabError,
        ) as exc:  # an unwritable cache costs a rebuild next time, nothing more
            log.info("could not cache the HNSW index in %s (%s)", path.parent, exc)
    return index


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true top-k that the approximate top-k contains.

    Parameters
    ----------
    found, truth : ndarray of shape (n_queries, k)
        Row ids from the approximate and the exact search.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> recall_at_k(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]]))
    0.75
    """
    hits = sum(len(np.intersect1d(f, t)) for f, t in zip(found, truth))
    return hits / truth.size
