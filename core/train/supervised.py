"""The embedding-layer view: item vectors as the first layer of a small network.

A one-hot item id goes into a linear hidden layer, then a softmax predicts the next item of the
session (or a metadata label).  The first weight matrix W (items × dim) *is* the embedding
table: ``one_hot(ids) @ W == W[ids]``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ..errors import DataError, ParameterError
from ..logs import Interactions
from .base import Progress, TrainResult, Timer, item_embeddings, no_progress, with_defaults

DEFAULTS = {"vector_size": 32, "epochs": 10, "target": "next", "learning_rate": 0.005, "batch_size": 256,
            "max_pairs": 200_000}


def training_pairs(inter: Interactions, target: str, max_pairs: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(input item, target) pairs: consecutive items of a session, or item → metadata label."""
    if target == "next":
        same = inter.session[1:] == inter.session[:-1]
        x, y = inter.item[:-1][same], inter.item[1:][same]
    else:
        if inter.item_metadata is None or target not in inter.item_metadata.columns:
            have = [] if inter.item_metadata is None else list(inter.item_metadata.columns)
            raise ParameterError(f"target '{target}' must be 'next' or an item metadata column",
                                 hint=f"metadata columns: {have}")
        labels = inter.item_metadata[target].astype(str).to_numpy()
        x = np.arange(inter.n_items)
        y = labels
    if len(x) == 0:
        raise DataError("no consecutive item pairs in any session", path=inter.report.source)
    if len(x) > max_pairs:
        pick = np.sort(rng.choice(len(x), max_pairs, replace=False))
        x, y = x[pick], y[pick]
    return x, y


def train_supervised(inter: Interactions, seed: int = 0, progress: Progress = no_progress,
                     **params) -> TrainResult:
    from sklearn.neural_network import MLPClassifier
    p = with_defaults(params, DEFAULTS, "supervised")
    rng = np.random.default_rng(seed)
    x, y = training_pairs(inter, p["target"], int(p["max_pairs"]), rng)
    one_hot = sp.csr_matrix((np.ones(len(x), np.float32), (np.arange(len(x)), x)),
                            shape=(len(x), inter.n_items))
    net = MLPClassifier(hidden_layer_sizes=(int(p["vector_size"]),), activation="identity", solver="adam",
                        learning_rate_init=float(p["learning_rate"]), batch_size=int(p["batch_size"]),
                        random_state=seed, max_iter=1, shuffle=True)
    classes = np.unique(y)
    epochs = int(p["epochs"])
    with Timer() as t, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(epochs):
            net.partial_fit(one_hot, y, classes=classes)
            progress((epoch + 1) / epochs * 0.99, f"epoch {epoch + 1}/{epochs}, loss {net.loss_:.3f}")
    table = np.asarray(net.coefs_[0], dtype=np.float32)  # (items, dim): the embedding layer
    progress(1.0, "supervised done")
    return TrainResult("supervised", item_embeddings(inter, table, np.arange(inter.n_items), "supervised", p, seed),
                       None, p, seed, t.seconds, {"pairs": int(len(x)), "classes": int(len(classes)),
                                                  "final_loss": float(net.loss_)})
