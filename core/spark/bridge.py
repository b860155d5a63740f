"""Run a Spark trainer on in-memory interactions (a leave-last-out training split) and bring the
vectors back as a TrainResult, so the same evaluation code scores both engines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..embeddings import Embeddings
from ..logs import Interactions
from ..train.base import TrainResult, item_embeddings, user_embeddings
from . import train as spark_train


def to_spark(spark, inter: Interactions):
    frame = pd.DataFrame({"user": inter.users[inter.user].astype(str), "item": inter.items[inter.item].astype(str),
                          "time": inter.time if inter.time is not None else np.zeros(len(inter)),
                          "row": np.arange(len(inter), dtype=np.int64), "session": inter.session.astype(str)})
    return spark.createDataFrame(frame)


def trainer(spark):
    """A ``train(inter, method, seed=..., **params)`` that trains on Spark."""
    def run(inter: Interactions, method: str, seed: int = 0, progress=None, **params) -> TrainResult:
        events = to_spark(spark, inter).cache()
        items, users, p, seconds = spark_train.train(events, method, seed, params, progress)
        emb = _items(inter, items.toPandas(), method, p, seed)
        user_emb = None if users is None else _users(inter, users.toPandas(), method, p, seed)
        events.unpersist()
        return TrainResult(method, emb, user_emb, {**p, "engine": "spark"}, seed, seconds)
    return run


def _matrix(frame: pd.DataFrame) -> np.ndarray:
    return np.stack(frame["vector"].to_numpy()).astype(np.float32)


def _items(inter, frame, method, params, seed) -> Embeddings:
    codes = pd.Index(inter.items.astype(str)).get_indexer(frame["key"])
    order = np.argsort(codes)
    return item_embeddings(inter, _matrix(frame)[order], codes[order], f"{method} (spark)", params, seed)


def _users(inter, frame, method, params, seed) -> Embeddings:
    """Users in the log's order; a user Spark returned no factors for gets a zero vector."""
    vec = _matrix(frame)
    out = np.zeros((inter.n_users, vec.shape[1]), dtype=np.float32)
    codes = pd.Index(inter.users.astype(str)).get_indexer(frame["key"])
    out[codes] = vec
    return user_embeddings(inter, out, f"{method} (spark)", params, seed)
