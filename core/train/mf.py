"""Matrix factorisation of the user × item matrix: implicit-feedback ALS and truncated SVD.

Both return item vectors *and* user vectors in one space, so a user's recommendations are the
items nearest to the user vector (YouTube-style serving by nearest-neighbour search).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from ..logs.shape import ContextChoice
from .base import (
    Checkpoint,
    DeclaredTrainer,
    Dimension,
    LogBound,
    Progress,
    Timer,
    TrainResult,
    check_log_bounds,
    item_embeddings,
    no_progress,
    param,
    user_embeddings,
)

QUERIES = ("user", "items")
"""What a user's recommendations are scored from: the learned user vector (dot product with
the item vectors), or the cosine of the mean of the user's recent items' vectors (the query
item-based sets use: :func:`core.evaluate.recs.item_vector_scorer`)."""


def query_param(auto: str):
    """The ``query`` parameter of a factorisation (:data:`QUERIES`), saying what ``auto`` is."""
    return param(
        "auto",
        choices=("auto", *QUERIES),
        help="score a user from their vector (user) or from their recent items' vectors (items); "
        f"auto: {auto}",
    )


@dataclass(frozen=True)
class ALSParams:
    """Implicit-feedback ALS (Hu, Koren & Volinsky 2008), implicit's names."""

    factors: int = param(128, low=1, high=4096, help="dimensions of the user and item vectors")
    regularization: float = param(10.0, low=0.0, high=1e6, help="L2 penalty on the factors")
    alpha: float = param(
        10.0, above=0.0, high=1e6, help="confidence = 1 + alpha × (weighted) events"
    )
    iterations: int = param(15, low=1, high=1000, help="alternating passes")
    weighting: str = param(
        "none",
        choices=("none", "bm25", "tfidf"),
        help="reweight the user × item matrix before ALS (BM25 damps heavy users and items)",
    )
    threads: int = param(1, low=0, high=64, help="threads; 1 is deterministic for a seed")
    query: str = query_param(auto="items")


@dataclass(frozen=True)
class SVDParams:
    """Truncated SVD of the binary user × item matrix."""

    factors: int = param(64, low=1, high=4096, help="dimensions of the user and item vectors")
    n_iter: int = param(7, low=1, high=100, help="randomised power iterations")
    query: str = query_param(auto="user")


ALS_DEFAULTS = dataclasses.asdict(ALSParams())  # the plain-dict view other engines (Spark) read
SVD_DEFAULTS = dataclasses.asdict(SVDParams())

__all__ = ["ALS", "QUERIES", "SVD", "ALSParams", "SVDParams", "user_item_matrix"]


class _Factorisation(DeclaredTrainer):
    """What ALS and SVD share: user vectors, the user × item matrix as context, and fewer factors
    than the matrix's rank allows."""

    user_vectors = True
    contexts = ("history",)

    def log_bounds(self, inter: Interactions) -> dict[str, LogBound]:
        bound = min(inter.n_users, inter.n_items)
        return {"factors": LogBound(bound - 1, f"< min(users, items)({bound})")}

    def auto_query(self) -> ContextChoice:
        """SVD's query when not given: the user vector (its item vectors' cosines scored
        0.48–0.86× its user vectors on MovieLens 100K, latest-small, online-retail and
        groceries' validation splits, 1.12× on the sample log; docs/TRAINING.md)."""
        return ContextChoice(
            "user",
            "SVD's user vectors beat its item vectors' cosines on 3 of the 4 logs measured "
            "(docs/TRAINING.md)",
            "auto",
        )

    def query(self, given: str) -> ContextChoice:
        """The query a user is scored from (:data:`QUERIES`), and why."""
        if given != "auto":
            return ContextChoice(given, "set as a parameter (or by tuning)", "given")
        return self.auto_query()

    def defaults(self, inter: Interactions, given: dict | None = None):  # noqa: ARG002
        """The declared defaults, with ``factors`` lowered to what a small log allows (fewer
        users or items than the default factor count): the defaults always train."""
        base = self.Params()
        high = int(self.log_bounds(inter)["factors"].high)
        return dataclasses.replace(base, factors=max(1, min(base.factors, high)))


def weighted(m: sp.csr_matrix, weighting: str) -> sp.csr_matrix:
    """The matrix as ALS sees it: raw, BM25- or TF-IDF-weighted (implicit's weightings)."""
    if weighting == "none":
        return m
    from implicit.nearest_neighbours import bm25_weight, tfidf_weight

    w = bm25_weight(m, K1=100, B=0.8) if weighting == "bm25" else tfidf_weight(m)
    return sp.csr_matrix(w, dtype=np.float32)


class ALS(_Factorisation):
    """The ALS trainer (see :class:`core.train.base.Trainer`); learns user vectors too."""

    name = "als"
    Params = ALSParams
    space = (
        Dimension("factors", 16, 1024, log=True),
        Dimension("regularization", 1e-3, 100.0, log=True),
        Dimension("alpha", 0.1, 100.0, log=True),
        Dimension("weighting", choices=("none", "bm25", "tfidf")),
        Dimension("query", choices=QUERIES),
        Dimension("iterations", 5, 30, budget=True),
    )
    """Large factors with strong regularisation are where implicit ALS matches the best linear
    baselines (Rendle et al. 2022); a big factor count costs fewer iterations within a trial's
    budget."""
    early_stopping = False  # an ALS iteration costs about one validation scoring: checks won't pay

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = 1e9  # a work unit is a nanosecond of one core (fitted: docs/BENCHMARKS.md)
    cost_drivers = ("iterations", "factors")

    def work_units(self, params: ALSParams, inter: Interactions) -> float:
        """The matrix and the vectors' tables (per event and per user or item), then per
        iteration implicit's conjugate gradient: per event × factor and per side × factor²
        (fitted on 14 runs of factors 16-256 on five logs, each within 0.8-1.2×)."""
        events, sides, k = float(len(inter)), float(inter.n_users + inter.n_items), params.factors
        return (
            2200.0 * events
            + 22_600.0 * sides
            + params.iterations * (0.58 * events * k + 0.135 * sides * k * k)
        )

    def memory_bytes(self, params: ALSParams, inter: Interactions) -> float:
        """float32 user and item factors (and a copy), the matrix and its transpose."""
        events, sides = float(len(inter)), float(inter.n_users + inter.n_items)
        return sides * params.factors * 4 * 2 + events * 16

    def auto_query(self) -> ContextChoice:
        """ALS's query when not given: the user's recent items' vectors.  Validation HR@10 at
        the defaults, user vector → items (``benchmarks/context_grid.py``): MovieLens
        latest-small 0.067 → 0.100, MovieLens 100K 0.149 → 0.184, the sample log 0.161 → 0.237,
        online-retail 0.194 → 0.253, groceries 0.174 → 0.316 (docs/TRAINING.md, "What ALS and
        SVD score a user from")."""
        return ContextChoice(
            "items",
            "ALS's item vectors scored from the user's recent items beat its user vectors on "
            "every log measured (docs/TRAINING.md)",
            "auto",
        )

    def fit(
        self,
        inter: Interactions,
        params: ALSParams,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,
    ) -> TrainResult:
        """Hu, Koren & Volinsky implicit ALS; confidence = alpha × (summed events)."""
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        query = self.query(params.query)
        p = {**dataclasses.asdict(params), "query": query.name}
        check_log_bounds(self, params, inter)
        factors, iters = params.factors, params.iterations
        with threadpool_limits(1, user_api="blas"):  # implicit checks the BLAS threads when built
            model = AlternatingLeastSquares(
                factors=factors,
                regularization=params.regularization,
                alpha=params.alpha,
                iterations=iters,
                num_threads=params.threads,
                random_state=seed,
            )

        def result(seconds: float) -> TrainResult:
            return TrainResult(
                "als",
                item_embeddings(
                    inter, np.array(model.item_factors), np.arange(inter.n_items), "als", p, seed
                ),
                user_embeddings(inter, np.array(model.user_factors), "als", p, seed),
                p,
                seed,
                seconds,
                {"query": query.to_dict()},
            )

        def each(it, _s, _l):
            progress((it + 1) / iters * 0.99, f"ALS iteration {it + 1}/{iters}")
            if checkpoint is not None and it + 1 < iters:
                checkpoint(it + 1, iters, lambda: result(0.0))

        with (
            Timer() as t,
            threadpool_limits(1, user_api="blas"),
        ):  # implicit wants single-threaded BLAS
            model.fit(
                weighted(user_item_matrix(inter, binary=True), params.weighting),
                show_progress=False,
                callback=each,
            )
        progress(1.0, "ALS done")
        return result(t.seconds)


class SVD(_Factorisation):
    """The truncated-SVD trainer: users = UΣ, items = V, so user · item reconstructs the matrix."""

    name = "svd"
    Params = SVDParams
    space = (Dimension("factors", 8, 512, log=True), Dimension("query", choices=QUERIES))
    early_stopping = False  # one randomised SVD: no epochs

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = 1e9  # a work unit is a nanosecond of one core (fitted: docs/BENCHMARKS.md)
    cost_drivers = ("n_iter", "factors")

    def work_units(self, params: SVDParams, inter: Interactions) -> float:
        """A start-up cost, the matrix and the vectors' tables (per event and per user or item),
        then randomised SVD with 10 oversamples: 2 sparse products per power iteration (per event
        × k, dearer once the dense blocks of ``(users + items) × k`` no longer fit the caches) and
        the LU/QR steps (per side × k²). Fitted on 14 single-thread runs, factors 16/64/256, on
        the sample log, groceries, online-retail and synthetic logs of 1M and 4.4M events: each
        within 0.79-1.76× (docs/BENCHMARKS.md)."""
        events, sides = float(len(inter)), float(inter.n_users + inter.n_items)
        k = params.factors + 10
        sweeps = 2.0 * params.n_iter + 2
        dense = sides * k * 8.0
        uncached = dense / (dense + 32e6)  # the products slow down as the blocks leave the cache
        return (
            1.95e7
            + 52.4 * events
            + 1292.0 * sides
            + sweeps * (0.517 * events * k * uncached + 0.0111 * sides * k * k)
        )

    def memory_bytes(self, params: SVDParams, inter: Interactions) -> float:
        """float64 factors (randomized_svd's working copies: 1.6 of them at the peak, measured),
        the matrix and 2 MB of scikit-learn's own."""
        events, sides = float(len(inter)), float(inter.n_users + inter.n_items)
        return 2e6 + 1.6 * sides * (params.factors + 10) * 8 + events * 12

    def fit(
        self,
        inter: Interactions,
        params: SVDParams,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,  # noqa: ARG002 - the Trainer.fit signature
    ) -> TrainResult:
        """One randomised truncated SVD (no iterations to check point)."""
        from sklearn.decomposition import TruncatedSVD

        query = self.query(params.query)
        p = {**dataclasses.asdict(params), "query": query.name}
        factors = check_log_bounds(self, params, inter).factors
        progress(0.05, "truncated SVD")
        with Timer() as t:
            svd = TruncatedSVD(n_components=factors, n_iter=params.n_iter, random_state=seed)
            users = svd.fit_transform(user_item_matrix(inter, binary=True)).astype(np.float32)
        items = svd.components_.T.astype(np.float32)
        progress(1.0, "SVD done")
        return TrainResult(
            "svd",
            item_embeddings(inter, items, np.arange(inter.n_items), "svd", p, seed),
            user_embeddings(inter, users, "svd", p, seed),
            p,
            seed,
            t.seconds,
            {
                "explained_variance": float(svd.explained_variance_ratio_.sum()),
                "query": query.to_dict(),
            },
        )
