"""Matrix factorisation of the user × item matrix: implicit-feedback ALS and truncated SVD.

Both return item vectors *and* user vectors in one space, so a user's recommendations are the
items nearest to the user vector (YouTube-style serving by nearest-neighbour search).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import ParameterError
from ..logs import Interactions
from .base import Progress, TrainResult, Timer, item_embeddings, no_progress, user_embeddings, with_defaults

ALS_DEFAULTS = {"factors": 64, "regularization": 0.05, "alpha": 10.0, "iterations": 15, "threads": 1}
SVD_DEFAULTS = {"factors": 64, "n_iter": 7}


def user_item_matrix(inter: Interactions, binary: bool = False) -> sp.csr_matrix:
    """Users × items, summing repeated events (or their weights)."""
    data = np.ones(len(inter), dtype=np.float32) if binary or inter.weight is None else inter.weight
    m = sp.csr_matrix((data, (inter.user, inter.item)), shape=(inter.n_users, inter.n_items), dtype=np.float32)
    m.sum_duplicates()
    return m


def check_factors(params: dict, inter: Interactions) -> int:
    """The factor count, which must stay below the matrix's rank bound."""
    factors, bound = int(params["factors"]), min(inter.n_users, inter.n_items)
    if factors >= bound:
        raise ParameterError(f"factors({factors}) must be < min(users, items)({bound})")
    return factors


def train_als(inter: Interactions, seed: int = 0, progress: Progress = no_progress, **params) -> TrainResult:
    """Hu, Koren & Volinsky implicit ALS; confidence = alpha × (summed events).  One thread
    (default) is deterministic for a seed."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits
    p = with_defaults(params, ALS_DEFAULTS, "als")
    factors = check_factors(p, inter)
    iters = int(p["iterations"])
    with Timer() as t, threadpool_limits(1, user_api="blas"):  # implicit wants single-threaded BLAS
        model = AlternatingLeastSquares(factors=factors, regularization=float(p["regularization"]),
                                        alpha=float(p["alpha"]), iterations=iters,
                                        num_threads=int(p["threads"]), random_state=seed)
        model.fit(user_item_matrix(inter, binary=True), show_progress=False,
                  callback=lambda it, _s, _l: progress((it + 1) / iters * 0.99, f"ALS iteration {it + 1}/{iters}"))
    items = np.asarray(model.item_factors)
    users = np.asarray(model.user_factors)
    progress(1.0, "ALS done")
    return TrainResult("als", item_embeddings(inter, items, np.arange(inter.n_items), "als", p, seed),
                       user_embeddings(inter, users, "als", p, seed), p, seed, t.seconds)


def train_svd(inter: Interactions, seed: int = 0, progress: Progress = no_progress, **params) -> TrainResult:
    """Truncated SVD: users = UΣ, items = V, so user · item reconstructs the matrix."""
    from sklearn.decomposition import TruncatedSVD
    p = with_defaults(params, SVD_DEFAULTS, "svd")
    factors = check_factors(p, inter)
    progress(0.05, "truncated SVD")
    with Timer() as t:
        svd = TruncatedSVD(n_components=factors, n_iter=int(p["n_iter"]), random_state=seed)
        users = svd.fit_transform(user_item_matrix(inter, binary=True)).astype(np.float32)
    items = svd.components_.T.astype(np.float32)
    progress(1.0, "SVD done")
    return TrainResult("svd", item_embeddings(inter, items, np.arange(inter.n_items), "svd", p, seed),
                       user_embeddings(inter, users, "svd", p, seed), p, seed, t.seconds,
                       {"explained_variance": float(svd.explained_variance_ratio_.sum())})
