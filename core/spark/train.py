"""item2vec and implicit ALS on Spark ML, with Spark's limits turned into clear errors."""

from __future__ import annotations

import time

from ..errors import ParameterError
from ..train.base import make_params
from ..train.item2vec import DEFAULTS as I2V_DEFAULTS
from ..train.mf import ALS, ALS_DEFAULTS

SPARK_METHODS = ("item2vec", "als")
W2V_LIMIT = (2**31 - 1) // 8  # Spark: vocabulary × vector size must stay below Int.MaxValue / 8
INT_MAX = 2**31 - 1
SPARK_W2V = {
    "vector_size",
    "window",
    "epochs",
    "min_count",
    "alpha",
    "partitions",
    "max_sentence_length",
}
SPARK_ALS = {"factors", "regularization", "alpha", "iterations", "blocks", "query"}
SPARK_ALS_REGULARIZATION = 0.05
"""Spark's ALS scales ``regParam`` by each user's and item's event count (ALS-WR), implicit does
not, so implicit's default (10) over-regularises it: on the sample log (leave-last-out, 1,000
users, 10 iterations, scored from the items) HR@10 0.217 at 10 against 0.516 at 0.05, 128
factors (docs/SPARK.md)."""


def check_method(method: str) -> None:
    """Raise ``ParameterError`` unless the Spark engine trains ``method`` (item2vec, als)."""
    if method not in SPARK_METHODS:
        raise ParameterError(
            f"the Spark engine trains {', '.join(SPARK_METHODS)}, not '{method}'",
            hint="use --engine local for svd, graph and supervised",
        )


def train(events, method: str, seed: int = 0, params: dict | None = None, progress=None):
    """Train item2vec (Spark ML Word2Vec) or implicit ALS on Spark-prepared events.

    Parameters
    ----------
    events : DataFrame
        From ``core.spark.logs.prepare``.
    method : {"item2vec", "als"}
    seed : int, default 0
    params : dict, optional
        Spark-side parameters (``vector_size``, ``window``, ``epochs``, ... / ``factors``,
        ``iterations``, ...).
    progress : callable (fraction, message), optional

    Returns
    -------
    (DataFrame, DataFrame or None, dict, float)
        Item vectors ``[key, vector, events]``, user vectors ``[key, vector]`` (ALS), the parameters
        used, and the seconds spent.

    Raises
    ------
    ParameterError
        Another method, a parameter the Spark trainer does not take, or a Spark limit (Word2Vec's
        vocabulary × vector size, ALS's int ids) exceeded; the message gives the numbers.
    """
    check_method(method)
    t = time.perf_counter()
    if progress:
        progress(0.05, f"Spark {method}")
    if method == "item2vec":
        items, users, p = _word2vec(events, seed, params or {})
    else:
        items, users, p = _als(events, seed, params or {})
    items = items.cache()
    items.count()
    if progress:
        progress(1.0, f"Spark {method} done")
    return items, users, p, time.perf_counter() - t


def _known(params: dict, allowed: set, method: str) -> None:
    unknown = set(params) - allowed
    if unknown:
        raise ParameterError(
            f"the Spark engine's {method} does not take {', '.join(sorted(unknown))}",
            hint=f"it takes: {', '.join(sorted(allowed))}",
        )


def sentences(events):
    """Items of each session in time order, sessions of two or more events."""
    from pyspark.sql import functions as F

    ordered = F.sort_array(F.collect_list(F.struct("time", "row", "item")))
    return (
        events.groupBy("session")
        .agg(ordered.alias("s"))
        .select(F.col("s.item").alias("items"))
        .filter(F.size("items") >= 2)
    )


def _word2vec(events, seed: int, params: dict):
    from pyspark.ml.feature import Word2Vec
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    _known(params, SPARK_W2V, "item2vec")
    p = {
        "vector_size": I2V_DEFAULTS["vector_size"],
        "window": I2V_DEFAULTS["window"],
        "epochs": I2V_DEFAULTS["epochs"],
        "min_count": I2V_DEFAULTS["min_count"],
        "alpha": I2V_DEFAULTS["alpha"],
        "partitions": 1,
        "max_sentence_length": 1000,
        **params,
    }
    sent = sentences(events).cache()
    vocab = (
        sent.select(F.explode("items").alias("item"))
        .groupBy("item")
        .count()
        .filter(F.col("count") >= int(p["min_count"]))
        .count()
    )
    if vocab * int(p["vector_size"]) >= W2V_LIMIT:
        raise ParameterError(
            f"Spark's Word2Vec needs vocabulary × vector size < {W2V_LIMIT:,}; this log has "
            f"{vocab:,} items × {p['vector_size']} = {vocab * int(p['vector_size']):,}",
            hint="lower --param vector_size, raise --param min_count, or use --engine local",
        )
    model = Word2Vec(
        vectorSize=int(p["vector_size"]),
        windowSize=int(p["window"]),
        maxIter=int(p["epochs"]),
        minCount=int(p["min_count"]),
        stepSize=float(p["alpha"]),
        numPartitions=int(p["partitions"]),
        maxSentenceLength=int(p["max_sentence_length"]),
        seed=seed,
        inputCol="items",
        outputCol="_v",
    ).fit(sent)
    vectors = model.getVectors().select(
        F.col("word").alias("key"), vector_to_array("vector", "float32").alias("vector")
    )
    counts = events.groupBy(F.col("item").alias("key")).agg(F.count("*").alias("events"))
    sent.unpersist()
    p["objective"] = "skip-gram with hierarchical softmax (Spark ML)"
    return vectors.join(counts, "key", "left"), None, p


def _als(events, seed: int, params: dict):
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import functions as F

    _known(params, SPARK_ALS, "als")
    p = {k: ALS_DEFAULTS[k] for k in ("factors", "alpha", "iterations")}
    p = {**p, "regularization": SPARK_ALS_REGULARIZATION, "blocks": 2, **params}
    p["query"] = spark_query(p.get("query", "auto")).name
    pairs = events.groupBy("user", "item").agg(F.count("*").cast("float").alias("count")).cache()
    users = _index(pairs, "user", "uid")
    items = _index(pairs, "item", "iid")
    ratings = pairs.join(users, "user").join(items, "item")
    model = ALS(
        rank=int(p["factors"]),
        maxIter=int(p["iterations"]),
        regParam=float(p["regularization"]),
        alpha=float(p["alpha"]),
        implicitPrefs=True,
        userCol="uid",
        itemCol="iid",
        ratingCol="count",
        numUserBlocks=int(p["blocks"]),
        numItemBlocks=int(p["blocks"]),
        seed=seed,
    ).fit(ratings)
    counts = events.groupBy("item").agg(F.count("*").alias("events"))
    item_vec = (
        model.itemFactors.join(items, items.iid == model.itemFactors.id)
        .join(counts, "item")
        .select(F.col("item").alias("key"), F.col("features").alias("vector"), "events")
    )
    user_vec = model.userFactors.join(users, users.uid == model.userFactors.id).select(
        F.col("user").alias("key"), F.col("features").alias("vector")
    )
    return item_vec, user_vec, p


def spark_query(given: str):
    """What a Spark-trained ALS scores users from, and why: as the local ALS decides
    (:meth:`core.train.mf.ALS.query`).

    Parameters
    ----------
    given : {"auto", "user", "items"}

    Returns
    -------
    core.logs.shape.ContextChoice

    Raises
    ------
    ParameterError
        Not one of the three.

    Examples
    --------
    >>> spark_query("auto").name, spark_query("user").chosen_by
    ('items', 'given')
    """
    make_params(ALS(), {"query": given})  # the declared choices refuse any other value
    return ALS().query(given)


def trained_data(method: str, params: dict) -> dict:
    """What a Spark training says beside its vectors (``TrainResult.data``): ALS's query and
    why, from the parameters given."""
    return {"query": spark_query(params.get("query", "auto")).to_dict()} if method == "als" else {}


def _index(pairs, column: str, name: str):
    """Dense int ids for ALS, which takes ids that fit in a Java int."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    distinct = pairs.select(column).distinct()
    n = distinct.count()
    if n > INT_MAX:
        raise ParameterError(
            f"{n:,} distinct {column}s do not fit Spark ALS's int ids (max {INT_MAX:,})"
        )
    return distinct.withColumn(name, (F.row_number().over(Window.orderBy(column)) - 1).cast("int"))
