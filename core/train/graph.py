"""Graph embeddings: item co-occurrence graph → DeepWalk / node2vec random walks → skip-gram.

Walks advance all walkers one step at a time with numpy (no Python loop per walker); node2vec's
return (p) and in-out (q) biases use rejection sampling against the first-order proposal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..logs import Interactions
from ..logs.shape import CONTEXTS, context_for
from .base import (
    Checkpoint,
    DeclaredTrainer,
    Dimension,
    Progress,
    Timer,
    TrainResult,
    no_progress,
    param,
)
from .item2vec import Item2Vec, Item2VecParams, word2vec, word2vec_memory, word2vec_work


@dataclass(frozen=True)
class GraphParams:
    """Walks over the item co-occurrence graph (DeepWalk; node2vec when p or q is not 1), then
    skip-gram with item2vec's settings (its own defaults for window and epochs)."""

    context: str = param(
        "auto",
        choices=("auto", *CONTEXTS),
        help="where edges come from: steps within a session, within a user's history, or every "
        "pair of a basket (auto: by the log's shape)",
    )
    walks_per_item: int = param(
        10, low=1, high=1000, help="walks started from every item with an edge"
    )
    walk_length: int = param(20, low=2, high=1000, help="items per walk")
    p: float = param(1.0, low=1e-3, high=1e3, help="node2vec return bias (1/p to step back)")
    q: float = param(1.0, low=1e-3, high=1e3, help="node2vec in-out bias (1/q to move away)")
    cooccurrence_window: int = param(
        5, low=1, high=100, help="steps within a session or history that make an edge"
    )
    vector_size: int = param(64, low=1, high=4096, help="dimensions of the item vectors")
    window: int = param(5, low=1, high=100, help="skip-gram context along a walk")
    epochs: int = param(5, low=1, high=1000, help="skip-gram passes over the walks")
    negative: int = param(10, low=1, high=100, help="negative samples per positive pair")
    ns_exponent: float = param(0.75, low=-2.0, high=2.0, help="negative-sampling exponent")
    sample: float = param(1e-3, low=0.0, high=1.0, help="down-sampling threshold (0 = off)")
    min_count: int = param(
        1, low=1, high=1_000_000, help="ignore items seen fewer times in the walks"
    )
    sg: int = param(1, choices=(0, 1), help="1 = skip-gram, 0 = CBOW")
    alpha: float = param(0.025, above=0.0, high=1.0, help="initial learning rate")
    workers: int = param(1, low=1, high=64, help="threads; 1 is deterministic for a seed")


DEFAULTS = dataclasses.asdict(GraphParams())
EDGE_UNITS = 200.0  # one event compared at one step of the co-occurrence window (measured 80-670)
WALK_BYTES = 400.0  # one walk's array and its sentence list, beside its steps
WALK_UNITS = 1300.0  # one step of one walk, all walkers at once (measured 700-1900; x4 biased)


def pair_count(inter: Interactions, context: str, window: int) -> float:
    """How many (earlier, later) pairs within ``window`` steps of one sequence (of one session,
    of one user's history; every pair of a basket) ``context`` gives: what :func:`cooccurrence`
    counts, before dropping an item paired with itself.

    Parameters
    ----------
    inter : Interactions
    context : {"sessions", "history", "baskets"}
    window : int

    Returns
    -------
    float

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> pair_count(prepare("sample_data/interactions.csv"), "sessions", 1)
    70949.0
    """
    key = inter.user if context == "history" else inter.session
    lengths = np.bincount(key).astype(np.float64) if len(inter) else np.zeros(0)
    if context == "baskets":
        return float(np.sum(lengths * (lengths - 1) / 2))
    w = float(window)
    long = lengths > w
    return float(
        np.sum(w * lengths[long] - w * (w + 1) / 2)
        + np.sum(lengths[~long] * (lengths[~long] - 1) / 2)
    )


def cooccurrence(inter: Interactions, window: int, context: str = "auto") -> sp.csr_matrix:
    """Symmetric item × item counts of pairs within ``window`` steps of one session (of one user's
    history; every pair of a basket), as ``context`` says (auto: the log's shape)."""
    context = context_for(inter, context).name
    key = inter.user if context == "history" else inter.session
    if context == "baskets":
        window = int(np.bincount(inter.session).max()) if len(inter) else 1
    rows, cols = [], []
    for d in range(1, window + 1):
        same = key[d:] == key[:-d]
        if not same.any():
            break
        a, b = inter.item[:-d][same], inter.item[d:][same]
        keep = a != b
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
    r = np.concatenate(rows) if rows else np.zeros(0, np.int32)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int32)
    g = sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(inter.n_items, inter.n_items))
    g.sum_duplicates()
    g.sort_indices()
    return g


def random_walks(
    graph: sp.csr_matrix, walks_per_item: int, walk_length: int, p: float, q: float, seed: int
) -> list[np.ndarray]:
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


def _node2vec_resample(
    cur, prev, nxt, indptr, indices, cum, edge_keys, n, p, q, rng, max_rounds=50
):
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


class Graph(DeclaredTrainer):
    """The graph trainer (see :class:`core.train.base.Trainer`)."""

    name = "graph"
    Params = GraphParams
    space = (
        Dimension("context", choices=CONTEXTS),
        Dimension("p", 0.25, 4.0, log=True),
        Dimension("q", 0.25, 4.0, log=True),
        Dimension("walks_per_item", 5, 40, log=True),
        Dimension("sample", 1e-5, 1e-2, log=True, off=0.0),
        Dimension("window", 2, 20, log=True),
        Dimension("epochs", 2, 50, log=True, budget=True),
    )
    contexts = CONTEXTS

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = Item2Vec.rate  # the skip-gram's work units; the graph and the walks in the same units
    cost_drivers = ("epochs", "walks_per_item", "walk_length", "window", "negative", "vector_size")

    def work_units(self, params: GraphParams, inter: Interactions) -> float:
        """The edges (one pass over the events per step of the co-occurrence window), the walks
        (a step, rejection-sampled when p or q is not 1), then skip-gram over the walks (items
        visited about as often as they occur in the log)."""
        context = context_for(inter, params.context).name
        steps = float(len(inter)) * params.cooccurrence_window
        if context == "baskets" and len(inter):  # every pair of a basket: Σ size², not events × max
            steps = float(np.square(np.bincount(inter.session).astype(np.float64)).sum())
        walks = params.walks_per_item * inter.n_items
        biased = 4.0 if params.p != 1.0 or params.q != 1.0 else 1.0
        return (
            EDGE_UNITS * steps
            + WALK_UNITS * biased * walks * params.walk_length
            + word2vec_work(
                np.full(walks, params.walk_length), params.window, params, inter.item_counts()
            )
        )

    def memory_bytes(self, params: GraphParams, inter: Interactions) -> float:
        """The edges as built (both directions: two int32 codes and a float32 weight, then the
        CSR copy), the walks (an int64 per step, an array per walk and its sentence), then
        word2vec's arrays."""
        context = context_for(inter, params.context).name
        edges = 2.0 * pair_count(inter, context, params.cooccurrence_window)
        walks = params.walks_per_item * inter.n_items
        tokens = walks * params.walk_length
        return (
            edges * 24
            + walks * WALK_BYTES
            + tokens * 8
            + word2vec_memory(inter.n_items, params.vector_size, tokens)
        )

    def fit(
        self,
        inter: Interactions,
        params: GraphParams,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,
    ) -> TrainResult:
        """Build the graph, walk it, train skip-gram on the walks."""
        p = dataclasses.asdict(params)
        with Timer() as t:
            progress(0.02, "building the co-occurrence graph")
            context = context_for(inter, params.context)
            graph = cooccurrence(inter, params.cooccurrence_window, context.name)
            if graph.nnz == 0:
                raise DataError(
                    "no two different items ever co-occur in a session", path=inter.report.source
                )
            progress(0.1, f"random walks over {graph.shape[0]} items, {graph.nnz // 2} edges")
            walks = random_walks(
                graph, params.walks_per_item, params.walk_length, params.p, params.q, seed
            )
            w2v = {f.name: p[f.name] for f in dataclasses.fields(Item2VecParams)}
            inner = word2vec(
                inter,
                w2v,
                seed,
                lambda f, m: progress(0.1 + 0.9 * f, m),
                sequences=walks,
                label="graph",
                report_params=p,
                checkpoint=checkpoint,
            )
        return TrainResult(
            "graph",
            inner.items,
            None,
            p,
            seed,
            t.seconds,
            {
                "context": context.to_dict(),
                "edges": int(graph.nnz // 2),
                "walks": len(walks),
                "items_without_edges": int((np.diff(graph.indptr) == 0).sum()),
            },
        )
