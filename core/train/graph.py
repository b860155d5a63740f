"""Graph embeddings: item co-occurrence graph → DeepWalk / node2vec random walks → skip-gram.

Walks advance all walkers one step at a time with numpy (no Python loop per walker); node2vec's
return (p) and in-out (q) biases use rejection sampling against the first-order proposal.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import DataError, ParameterError
from ..logs import Interactions
from .base import Progress, TrainResult, Timer, no_progress, with_defaults
from .item2vec import DEFAULTS as I2V_DEFAULTS
from .item2vec import train_item2vec

DEFAULTS = {"walks_per_item": 10, "walk_length": 20, "p": 1.0, "q": 1.0, "cooccurrence_window": 5,
            "vector_size": 64, "window": 5, "epochs": 5, "negative": 10, "ns_exponent": 0.75}


def cooccurrence(inter: Interactions, window: int) -> sp.csr_matrix:
    """Symmetric item × item counts of pairs within ``window`` steps of one session (every pair
    of a basket)."""
    if inter.baskets:
        window = int(np.bincount(inter.session).max())
    rows, cols = [], []
    for d in range(1, window + 1):
        same = inter.session[d:] == inter.session[:-d]
        a, b = inter.item[:-d][same], inter.item[d:][same]
        keep = a != b
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
    r, c = np.concatenate(rows), np.concatenate(cols)
    g = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(inter.n_items, inter.n_items))
    g.sum_duplicates()
    g.sort_indices()
    return g


def random_walks(graph: sp.csr_matrix, walks_per_item: int, walk_length: int, p: float, q: float,
                 seed: int) -> list[np.ndarray]:
    """Weighted walks from every item with an edge; biased by p/q when either is not 1."""
    rng = np.random.default_rng(seed)
    indptr, indices, cum = graph.indptr, graph.indices, np.cumsum(graph.data, dtype=np.float64)
    starts = np.flatnonzero(np.diff(indptr) > 0)
    cur = np.tile(starts, walks_per_item)
    walk = [cur]
    prev = None
    n = graph.shape[0]
    edge_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)) * n + indices
    for _ in range(walk_length - 1):
        nxt = _step(cur, indptr, indices, cum, rng)
        if prev is not None and (p != 1.0 or q != 1.0):
            nxt = _node2vec_resample(cur, prev, nxt, indptr, indices, cum, edge_keys, n, p, q, rng)
        prev, cur = cur, nxt
        walk.append(cur)
    return list(np.stack(walk, axis=1))


def _step(cur, indptr, indices, cum, rng):
    lo, hi = indptr[cur], indptr[cur + 1]
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    total = cum[hi - 1] - base
    target = base + rng.random(len(cur)) * total
    idx = np.searchsorted(cum, target, side="right")
    return indices[np.minimum(idx, hi - 1)]


def _node2vec_resample(cur, prev, nxt, indptr, indices, cum, edge_keys, n, p, q, rng, max_rounds=50):
    bound = max(1.0 / p, 1.0, 1.0 / q)
    pending = np.arange(len(cur))
    for _ in range(max_rounds):
        x, back = nxt[pending], prev[pending]
        keys = back.astype(np.int64) * n + x
        pos = np.minimum(np.searchsorted(edge_keys, keys), len(edge_keys) - 1)
        near = edge_keys[pos] == keys
        weight = np.where(x == back, 1.0 / p, np.where(near, 1.0, 1.0 / q))
        rejected = rng.random(len(pending)) * bound >= weight
        pending = pending[rejected]
        if not len(pending):
            break
        nxt[pending] = _step(cur[pending], indptr, indices, cum, rng)
    return nxt


def train_graph(inter: Interactions, seed: int = 0, progress: Progress = no_progress, **params) -> TrainResult:
    p = with_defaults(params, DEFAULTS, "graph", also=I2V_DEFAULTS)
    if p["p"] <= 0 or p["q"] <= 0:
        raise ParameterError(f"p({p['p']}) and q({p['q']}) must be > 0")
    with Timer() as t:
        progress(0.02, "building the co-occurrence graph")
        graph = cooccurrence(inter, int(p["cooccurrence_window"]))
        if graph.nnz == 0:
            raise DataError("no two different items ever co-occur in a session", path=inter.report.source)
        progress(0.1, f"random walks over {graph.shape[0]} items, {graph.nnz // 2} edges")
        walks = random_walks(graph, int(p["walks_per_item"]), int(p["walk_length"]), float(p["p"]),
                             float(p["q"]), seed)
        # skip-gram settings: the graph's defaults, plus any other item2vec option the caller gave
        w2v = {k: v for k, v in p.items() if k in I2V_DEFAULTS}
        inner = train_item2vec(_as_sessions(inter), seed=seed, sequences=walks, label="graph",
                               report_params=p, progress=lambda f, m: progress(0.1 + 0.9 * f, m), **w2v)
    return TrainResult("graph", inner.items, None, p, seed, t.seconds,
                       {"edges": int(graph.nnz // 2), "walks": len(walks),
                        "items_without_edges": int((np.diff(graph.indptr) == 0).sum())})


def _as_sessions(inter: Interactions) -> Interactions:
    """Walks are sequences, not baskets: the trainer must not widen the window to a basket."""
    from dataclasses import replace
    return replace(inter, baskets=False)
