"""The embedding-layer view: item vectors as the first layer of a small network.

A one-hot item id goes into a linear hidden layer, then a softmax predicts the next item of the
session (or a metadata label).  The first weight matrix W (items × dim) *is* the embedding
table: ``one_hot(ids) @ W == W[ids]``.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import DataError, ParameterError
from ..logs import Interactions
from .base import (
    Checkpoint,
    DeclaredTrainer,
    Dimension,
    Progress,
    Timer,
    TrainResult,
    item_embeddings,
    no_progress,
    param,
)


@dataclass(frozen=True)
class SupervisedParams:
    """A one-hidden-layer linear network whose first layer is the item embedding table."""

    vector_size: int = param(32, low=1, high=4096, help="dimensions of the embedding layer")
    epochs: int = param(10, low=1, high=1000, help="passes over the training pairs")
    target: str = param(
        "next", help="'next' (the next item of the session) or an item metadata column"
    )
    learning_rate: float = param(0.005, above=0.0, high=10.0, help="Adam's initial learning rate")
    batch_size: int = param(256, low=1, high=1_000_000, help="pairs per gradient step")
    max_pairs: int = param(
        200_000, low=1, high=100_000_000, help="sample at most this many training pairs"
    )


DEFAULTS = dataclasses.asdict(SupervisedParams())
CHUNK = 4096
"""Pairs per ``partial_fit`` call: scikit-learn binarizes the targets of a call densely (an int64
and a bool per pair and class), so a whole epoch at once took pairs × classes × 9 bytes (819 MB
on the sample log); a chunk bounds it to CHUNK × classes × 9."""
ORDER_STREAM = 5  # the seeded stream that orders the pairs of each epoch
STEP_UNITS = 3.8e5  # the fixed cost of one gradient step (ns)
CLASS_UNITS = 11.0  # one pair scored against one class in one epoch, beside its vector_size (ns)


def training_pairs(
    inter: Interactions, target: str, max_pairs: int, rng
) -> tuple[np.ndarray, np.ndarray]:
    """(input item, target) pairs: consecutive items of a session, or item → metadata label."""
    if target == "next":
        same = inter.session[1:] == inter.session[:-1]
        x, y = inter.item[:-1][same], inter.item[1:][same]
    else:
        if inter.item_metadata is None or target not in inter.item_metadata.columns:
            have = [] if inter.item_metadata is None else list(inter.item_metadata.columns)
            raise ParameterError(
                f"target '{target}' must be 'next' or an item metadata column",
                hint=f"metadata columns: {have}",
            )
        labels = inter.item_metadata[target].astype(str).to_numpy()
        x = np.arange(inter.n_items)
        y = labels
    if len(x) == 0:
        raise DataError("no consecutive item pairs in any session", path=inter.report.source)
    if len(x) > max_pairs:
        pick = np.sort(rng.choice(len(x), max_pairs, replace=False))
        x, y = x[pick], y[pick]
    return x, y


class Supervised(DeclaredTrainer):
    """The supervised trainer (see :class:`core.train.base.Trainer`)."""

    name = "supervised"
    Params = SupervisedParams
    space = (Dimension("vector_size", 8, 128, log=True), Dimension("epochs", 2, 30, budget=True))
    # consecutive items of a session (on a basket log, neighbours in the file's order: no basket
    # context), or an item and its metadata label
    contexts = ("sessions",)

    # -- cost (core.train.limits asks): work units, the rate they run at, memory bytes ----------
    rate = 1e9  # a work unit is a nanosecond of one core (fitted: docs/BENCHMARKS.md)
    cost_drivers = ("epochs", "max_pairs", "batch_size", "vector_size")

    def work_units(self, params: SupervisedParams, inter: Interactions) -> float:
        """The softmax over every class for every pair (the output layer's products are the
        smaller part), plus a fixed cost per gradient step (scikit-learn's per-batch overhead)
        (refitted once the targets were binarized per chunk: 2.4× less per class;
        docs/BENCHMARKS.md)."""
        pairs = min(float(params.max_pairs), float(len(inter)))
        steps = params.epochs * np.ceil(pairs / params.batch_size)
        per_class = CLASS_UNITS + 0.03 * params.vector_size
        return params.epochs * pairs * inter.n_items * per_class + steps * STEP_UNITS

    def memory_bytes(self, params: SupervisedParams, inter: Interactions) -> float:
        """The pairs (and an epoch's shuffled copy), the two layers (float64, Adam's moments), a
        chunk's binarized targets (:data:`CHUNK`), a batch's scores."""
        pairs = min(float(params.max_pairs), float(len(inter)))
        return (
            pairs * 56
            + inter.n_items * params.vector_size * 8 * 6
            + min(CHUNK, pairs) * inter.n_items * 9
            + params.batch_size * inter.n_items * 8 * 3
        )

    def fit(
        self,
        inter: Interactions,
        params: SupervisedParams,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,
    ) -> TrainResult:
        """Adam over (item, next item or label) pairs, one epoch per ``partial_fit``."""
        from sklearn.neural_network import MLPClassifier

        p = dataclasses.asdict(params)
        x, y = training_pairs(inter, params.target, params.max_pairs, np.random.default_rng(seed))
        one_hot = sp.csr_matrix(
            (np.ones(len(x), np.float32), (np.arange(len(x)), x)), shape=(len(x), inter.n_items)
        )
        net = MLPClassifier(
            hidden_layer_sizes=(params.vector_size,),
            activation="identity",
            solver="adam",
            learning_rate_init=params.learning_rate,
            batch_size=params.batch_size,
            random_state=seed,
            max_iter=1,
            shuffle=True,
        )
        classes = np.unique(y)
        order_rng = np.random.default_rng((seed, ORDER_STREAM))

        def result(seconds: float) -> TrainResult:
            table = np.asarray(net.coefs_[0], dtype=np.float32)  # (items, dim): the embedding layer
            return TrainResult(
                "supervised",
                item_embeddings(inter, table, np.arange(inter.n_items), "supervised", p, seed),
                None,
                p,
                seed,
                seconds,
                {
                    "pairs": int(len(x)),
                    "classes": int(len(classes)),
                    "final_loss": float(net.loss_),
                },
            )

        with Timer() as t, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in range(1, params.epochs + 1):
                _epoch(net, one_hot, y, classes, order_rng)
                progress(
                    epoch / params.epochs * 0.99,
                    f"epoch {epoch}/{params.epochs}, loss {net.loss_:.3f}",
                )
                if checkpoint is not None and epoch < params.epochs:
                    checkpoint(epoch, params.epochs, lambda: result(0.0))
        progress(1.0, "supervised done")
        return result(t.seconds)


def _epoch(net, one_hot: sp.csr_matrix, y: np.ndarray, classes: np.ndarray, rng) -> None:
    """One pass over the pairs in a seeded order, :data:`CHUNK` pairs per ``partial_fit`` (Adam's
    state carries over from chunk to chunk as from batch to batch)."""
    order = rng.permutation(len(y))
    x, y = one_hot[order], y[order]
    for start in range(0, len(y), CHUNK):
        net.partial_fit(x[start : start + CHUNK], y[start : start + CHUNK], classes=classes)
