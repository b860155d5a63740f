"""Between Spark and the driver: a Spark-prepared log as ``Interactions`` (``from_spark``), and a
Spark trainer for in-memory interactions (a leave-last-out training split) whose vectors come back
as a TrainResult, so the same evaluation code scores both engines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..embeddings import Embeddings
from ..logs import Interactions, ItemMetadata, LogReport
from ..train.base import TrainResult, item_embeddings, user_embeddings
from . import train as spark_train


def from_spark(events, report: LogReport, metadata: ItemMetadata | None = None) -> Interactions:
    """The log Spark read, validated and sessionised, on the driver, coded as the local engine codes
    it.

    Ids are numbered in order of first appearance in the file and events sorted by user then time,
    so the result equals ``core.logs.prepare`` of the same file (``rows`` aside: Spark's row ids
    are not file lines).

    Parameters
    ----------
    events : pyspark DataFrame
        ``[user, item, time, weight, row, session]`` from ``core.spark.logs.prepare``.
    report : LogReport
    metadata : ItemMetadata, optional

    Returns
    -------
    Interactions
    """
    frame = events.select("user", "item", "time", "weight", "row", "session").toPandas()
    frame = frame.sort_values("row", kind="stable")
    ucode, users = pd.factorize(frame["user"])
    icode, items = pd.factorize(frame["item"])
    time = frame["time"].to_numpy(float) if frame["time"].notna().any() else None
    weight = frame["weight"].to_numpy(np.float32) if frame["weight"].notna().any() else None
    order = np.lexsort([time, ucode]) if time is not None else np.argsort(ucode, kind="stable")
    session, _ = pd.factorize(frame["session"].to_numpy()[order])
    inter = Interactions(
        ucode[order].astype(np.int32),
        icode[order].astype(np.int32),
        session.astype(np.int64),
        None if time is None else time[order],
        None if weight is None else weight[order],
        np.asarray(users, dtype=object),
        np.asarray(items, dtype=object),
        frame["row"].to_numpy()[order],
        report.copy(),
    )
    if metadata is not None:
        inter = metadata.attach(inter)
    return inter.summarised()


def to_spark(spark, inter: Interactions):
    frame = pd.DataFrame(
        {
            "user": inter.users[inter.user].astype(str),
            "item": inter.items[inter.item].astype(str),
            "time": inter.time if inter.time is not None else np.zeros(len(inter)),
            "row": np.arange(len(inter), dtype=np.int64),
            "session": inter.session.astype(str),
        }
    )
    return spark.createDataFrame(frame)


def trainer(spark):
    """A ``train(inter, method, seed=..., **params)`` that trains on Spark."""

    def run(
        inter: Interactions, method: str, seed: int = 0, progress=None, **params
    ) -> TrainResult:
        events = to_spark(spark, inter).cache()
        items, users, p, seconds = spark_train.train(events, method, seed, params, progress)
        emb = _items(inter, items.toPandas(), method, p, seed)
        user_emb = None if users is None else _users(inter, users.toPandas(), method, p, seed)
        events.unpersist()
        data = spark_train.trained_data(method, params)
        return TrainResult(method, emb, user_emb, {**p, "engine": "spark"}, seed, seconds, data)

    return run


def _matrix(frame: pd.DataFrame) -> np.ndarray:
    return np.stack(frame["vector"].to_numpy()).astype(np.float32)


def _items(inter, frame, method, params, seed) -> Embeddings:
    codes = pd.Index(inter.items.astype(str)).get_indexer(frame["key"])
    order = np.argsort(codes)
    return item_embeddings(
        inter, _matrix(frame)[order], codes[order], f"{method} (spark)", params, seed
    )


def _users(inter, frame, method, params, seed) -> Embeddings:
    """Users in the log's order; a user Spark returned no factors for gets a zero vector."""
    vec = _matrix(frame)
    out = np.zeros((inter.n_users, vec.shape[1]), dtype=np.float32)
    codes = pd.Index(inter.users.astype(str)).get_indexer(frame["key"])
    out[codes] = vec
    return user_embeddings(inter, out, f"{method} (spark)", params, seed)
