"""Next-item evaluation, honestly: the held-out item (core.evaluate.holdout) ranked against
the whole catalog (no sampled negatives; Krichene & Rendle, KDD 2020), seen items excluded, and
always beside popularity, random and item-based CF baselines.

Item-based methods recommend from the neighbours of the user's last item; a method that learned
user vectors (MF) from the user vector.
This module only scores; the train-and-score loop lives in :mod:`core.experiments.recs`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..embeddings import Embeddings
from ..errors import DataError, ParameterError
from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from .intervals import with_intervals

CHUNK = 512
SCORE_BYTES = 16 << 20
"""One batch of scores holds about this many bytes (float64): on a catalog of 20,000 items a batch
is ~100 cases, not 512 (each batch's scores, mask and comparisons are several copies of it)."""


def batch_rows(n_items: int) -> int:
    """Cases scored at once on a catalog of ``n_items``: bounded by bytes, at most :data:`CHUNK`.

    Examples
    --------
    >>> batch_rows(1_000), batch_rows(20_000), batch_rows(10**7)
    (512, 104, 16)
    """
    return max(16, min(CHUNK, SCORE_BYTES // (8 * max(n_items, 1))))


BUCKETS = ("head", "mid", "tail")
REPORT_METRICS = ("hr", "ndcg", "mrr", "coverage", "mean_rec_popularity")
"""The metrics a report gives the model and each baseline (see :func:`rank_metrics`)."""


@dataclass(frozen=True)
class Split:
    """What an evaluation holds out: the training log, the evaluated cases and their held-out and
    query items.  Not changed once built (``dataclasses.replace`` makes a variant)."""

    train: Interactions
    users: np.ndarray  # user codes evaluated
    held_out: np.ndarray  # their held-out item codes
    last: np.ndarray  # their last training item codes
    skipped_repeat: int
    protocol: str = "leave-last-out"
    context: sp.csr_matrix | None = None  # cases × items query weights (None: the last item)
    exclude: sp.csr_matrix | None = (
        None  # cases × items never recommended (None: the user's seen items)
    )
    history: int = 1
    decay: float = 1.0
    unit: str = "users"  # what a case is: a user (leave-last-out) or a basket
    ties: int = 0  # cases whose held-out event shares its moment with others (drawn, seeded)
    group: np.ndarray | None = None  # the user (or basket) of each case: the bootstrap's unit
    why: str = ""  # why this protocol (chosen from the log's shape, or asked for)
    shape: dict | None = None  # the log's measured shape (core.logs.shape) when chosen


def popularity_buckets(counts: np.ndarray) -> np.ndarray:
    """head: the most popular items that make up half of training events; tail: the least
    popular that make up the last fifth; mid: the rest."""
    order = np.argsort(-counts, kind="stable")
    share = np.cumsum(counts[order]) / max(counts.sum(), 1)
    bucket = np.empty(len(counts), dtype=object)
    bucket[order] = np.where(share <= 0.5, "head", np.where(share <= 0.8, "mid", "tail"))
    bucket[order[0]] = "head"
    return bucket


class Scorer:
    """Scores for a batch of evaluated users over the whole catalog (−inf = cannot recommend).
    A scorer made with ``uses_context`` also gets the batch's query rows (cases × items weights:
    the recent history, or the basket's other items)."""

    def __init__(self, name: str, n_items: int, fn, uses_context: bool = False):
        self.name, self.n_items, self.fn, self.uses_context = name, n_items, fn, uses_context

    def __call__(
        self, users: np.ndarray, last: np.ndarray, context: sp.csr_matrix | None = None
    ) -> np.ndarray:
        return self.fn(users, last, context) if self.uses_context else self.fn(users, last)


def _query_rows(last: np.ndarray, context: sp.csr_matrix | None, n_items: int) -> sp.csr_matrix:
    if context is not None:
        return context
    return sp.csr_matrix(
        (np.ones(len(last)), (np.arange(len(last)), last)), shape=(len(last), n_items)
    )


def item_vector_scorer(name: str, emb: Embeddings, inter: Interactions) -> Scorer:
    """Cosine between the query (the last item, or the weighted mean of the context items'
    vectors) and every item; items without a vector score −inf, as does everything for a query
    with no vector."""
    pos = np.full(inter.n_items, -1, dtype=np.int64)
    code = pd.Index(inter.items.astype(str)).get_indexer(emb.keys)
    pos[code] = np.arange(len(emb))
    unit = np.vstack([emb.unit, np.zeros((1, emb.dim), np.float32)])
    full = unit[pos]  # catalog order; missing items → zero row
    has = pos >= 0

    def fn(users, last, context=None):  # noqa: ARG001 - a Scorer function
        q = np.asarray(_query_rows(last, context, inter.n_items) @ full, dtype=np.float32)
        norm = np.linalg.norm(q, axis=1)
        s = (q / np.where(norm > 0, norm, 1)[:, None]) @ full.T
        s[:, ~has] = -np.inf
        s[norm == 0] = -np.inf
        return s

    return Scorer(name, inter.n_items, fn, uses_context=True)


def user_vector_scorer(name: str, users_emb: Embeddings, items_emb: Embeddings) -> Scorer:
    U, V = np.asarray(users_emb.vectors), np.asarray(items_emb.vectors)
    return Scorer(name, len(items_emb), lambda users, last: U[users] @ V.T)  # noqa: ARG005 - a Scorer function


def popularity_scorer(counts: np.ndarray) -> Scorer:
    c = counts.astype(np.float32)
    return Scorer("popularity", len(c), lambda users, last: np.tile(c, (len(users), 1)))  # noqa: ARG005 - a Scorer function


def random_scorer(n: int, seed: int) -> Scorer:
    rng = np.random.default_rng(seed)
    return Scorer("random", n, lambda users, last: rng.random((len(users), n), dtype=np.float32))  # noqa: ARG005 - a Scorer function


ITEMCF_PAIRS = 40_000_000
"""Item-based CF precomputes the item × item co-occurrence matrix when its users' histories hold
at most this many (item, item) pairs (``Σ history²``: the matrix's entries at most, 8 bytes
each, so ≤ 320 MB); queries then read a few rows of it instead of every history that shares an
item with them (the popular items' histories, many times over).  Above it, the two-step product."""


def itemcf_scorer(tr: Interactions) -> Scorer:
    """Item-item cosine over co-occurrence in users' histories, from the last item (or the
    weighted sum of cosines from the context items)."""
    X = user_item_matrix(tr, binary=True).tocsr().astype(np.float32)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=0)).ravel())
    norms[norms == 0] = 1.0
    XT = X.T.tocsr()
    pairs = float(np.square(np.diff(X.indptr).astype(np.float64)).sum())
    co_matrix = (XT @ X).tocsr() if pairs <= ITEMCF_PAIRS else None

    def fn(users, last, context=None):  # noqa: ARG001 - a Scorer function
        q = _query_rows(last, context, tr.n_items) @ sp.diags(1 / norms)  # (batch, items)
        # (batch, items): Σ_c w_c · co-occurrence(c, j) / |c|
        co = (q @ co_matrix if co_matrix is not None else (q @ XT) @ X).toarray()
        return (co / norms[None, :]).astype(np.float32)

    return Scorer("itemcf", tr.n_items, fn, uses_context=True)


def rank_metrics(
    scorer: Scorer, split: Split, counts: np.ndarray, k: int, intervals: bool = True
) -> dict:
    """HR@k, NDCG@k, MRR (with bootstrap intervals unless ``intervals`` is False), coverage and
    mean popularity of the top-k recommendations."""
    ranks = np.empty(len(split.users), dtype=np.float64)
    recommended = np.zeros(scorer.n_items, dtype=bool)
    rec_pop = []
    for start, s, held in masked_scores(scorer, split):
        ranks[start : start + len(held)] = _ranks(s, held)
        top = np.argpartition(-s, min(k, s.shape[1]) - 1, axis=1)[
            :, :k
        ]  # k may exceed a tiny catalog
        ok = np.isfinite(np.take_along_axis(s, top, axis=1))
        recommended[top[ok]] = True
        rec_pop.append(counts[top[ok]])
    return {
        **hit_ndcg(ranks, k),
        "mrr": float((1 / ranks).mean()),
        **(with_intervals({}, per_user_values(ranks, k)) if intervals else {}),
        "coverage": float(recommended.mean()),
        "mean_rec_popularity": float(np.concatenate(rec_pop).mean()) if rec_pop else 0.0,
        "_ranks": ranks,
    }


def held_out_ranks(scorer: Scorer, split: Split) -> np.ndarray:
    """Only the 1-based rank of each case's held-out item (what a tuner needs per trial); scores
    stay in the scorer's float32, which orders them exactly as float64 would."""
    ranks = np.empty(len(split.users), dtype=np.float64)
    for start, s, held in masked_scores(scorer, split, np.float32):
        ranks[start : start + len(held)] = _ranks(s, held)
    return ranks


def masked_scores(scorer: Scorer, split: Split, dtype=np.float64):
    """``(start, scores, held_out)`` per chunk of cases, excluded items at −inf."""
    exclude = (
        split.exclude
        if split.exclude is not None
        else user_item_matrix(split.train, binary=True).tocsr()[split.users]
    )
    step = batch_rows(exclude.shape[1])
    for start in range(0, len(split.users), step):
        u, last, held = (a[start : start + step] for a in (split.users, split.last, split.held_out))
        context = None if split.context is None else split.context[start : start + step]
        s = np.asarray(scorer(u, last, context), dtype=dtype)
        rows = exclude[start : start + step]
        s[np.repeat(np.arange(len(u)), np.diff(rows.indptr)), rows.indices] = -np.inf
        yield start, s, held


def _ranks(s: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Rank of the held-out item in each row (ties share the middle rank; an item that cannot be
    recommended ranks last among the candidates)."""
    target = s[np.arange(len(held)), held]
    ranks = 1 + (s > target[:, None]).sum(axis=1) + ((s == target[:, None]).sum(axis=1) - 1) / 2.0
    lost = ~np.isfinite(target)
    if lost.any():  # count the candidates only where they are needed
        ranks[lost] = np.maximum(np.isfinite(s[lost]).sum(axis=1), 1)
    return ranks


def hit_ndcg(ranks: np.ndarray, k: int) -> dict:
    """HR@k and NDCG@k of 1-based ranks (one relevant item per user)."""
    hit = ranks <= k
    return {"hr": float(hit.mean()), "ndcg": float(np.where(hit, 1 / np.log2(ranks + 1), 0).mean())}


def per_user_values(ranks: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Each user's hit (0/1), NDCG@k gain and reciprocal rank: the metrics are their means."""
    hit = ranks <= k
    return {
        "hr": hit.astype(np.float64),
        "ndcg": np.where(hit, 1 / np.log2(ranks + 1), 0.0),
        "mrr": 1 / ranks,
    }


def scores_from_users(users: Embeddings | None, params: dict) -> bool:
    """Whether a set scores a user from the user's vector: it learned user vectors (MF) and was
    not trained to score from the user's recent items instead (``query=items`` in its
    parameters: :data:`core.train.mf.QUERIES`).

    Parameters
    ----------
    users : Embeddings or None
    params : dict
        The parameters it was trained with (a trainer resolves ``query="auto"``).

    Returns
    -------
    bool

    Examples
    --------
    >>> users = Embeddings(["u1", "u2"], np.eye(2))
    >>> scores_from_users(users, {"query": "items"}), scores_from_users(users, {"query": "user"})
    (False, True)
    >>> scores_from_users(None, {}), scores_from_users(users, {})  # item2vec; Spark's ALS
    (False, True)
    """
    return users is not None and params.get("query", "user") != "items"


def scorer_for(result, split: Split) -> Scorer:
    """The model's scorer: from the user vector when the trainer learned user vectors (its
    ``TrainResult.users``) and is scored from them (:func:`scores_from_users`), else from the
    query items' vectors."""
    if scores_from_users(result.users, result.params):
        return user_vector_scorer(result.method, result.users, result.items)
    return item_vector_scorer(result.method, result.items, split.train)


def metadata_consistency(emb: Embeddings, column: str, k: int = 10) -> dict:
    """Share of items whose k nearest neighbours' majority label equals their own (Item2Vec's
    genre test), with the chance level of that agreement for the same label shares."""
    agree, codes = label_agreement(emb, column, k)
    share = np.bincount(codes) / len(codes)
    return {
        "column": column,
        "k": k,
        "consistency": float(agree.mean()),
        "items": int(len(codes)),
        "chance": float((share**2).sum()),
    }


def label_agreement(emb: Embeddings, column: str, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Per labelled item: does its neighbours' majority label equal its own (bool), and its label
    code."""
    from ..search import self_neighbours

    if emb.metadata is None or column not in emb.metadata.columns:
        have = [] if emb.metadata is None else list(emb.metadata.columns)
        raise ParameterError(f"no metadata column '{column}'", hint=f"columns are {have}")
    from ..labels import label_sets, separator

    if separator(emb.metadata[column]) is not None:
        return _multi_label_agreement(emb, label_sets(emb.metadata[column]), column, k)
    labels = emb.metadata[column].astype(str).to_numpy()
    known = labels != ""
    if known.sum() < k + 1:
        raise DataError(
            f"only {int(known.sum())} items have a '{column}' label; need more than k({k})"
        )
    lab = labels[known]
    codes, uniq = pd.factorize(lab)
    agree = np.zeros(len(lab), dtype=bool)
    for row, others in enumerate(self_neighbours(emb.unit[known], k)):
        agree[row] = np.bincount(codes[others], minlength=len(uniq)).argmax() == codes[row]
    return agree, codes


def _multi_label_agreement(
    emb: Embeddings, sets: list, column: str, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Multi-value labels ("Comedy|Drama"): an item agrees when the label most common among its
    neighbours' labels is one of its own; its code is that of its first label."""
    from ..search import self_neighbours

    known = np.array([bool(s) for s in sets])
    if known.sum() < k + 1:
        raise DataError(
            f"only {int(known.sum())} items have a '{column}' label; need more than k({k})"
        )
    lab = [sorted(s) for s, ok in zip(sets, known) if ok]
    codes, _ = pd.factorize(np.array([x[0] for x in lab], dtype=object))
    agree = np.zeros(len(lab), dtype=bool)
    for row, others in enumerate(self_neighbours(emb.unit[known], k)):
        votes = pd.Series([x for o in others for x in lab[o]]).value_counts()
        agree[row] = votes.index[0] in lab[row]
    return agree, codes
