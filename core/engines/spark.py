"""The Spark engine: read, validate, sessionise and train on Apache Spark, write the same folder.

Item2vec (``pyspark.ml.feature.Word2Vec``) and implicit ALS (``pyspark.ml.recommendation.ALS``);
the rules, drop reasons and metadata join are the local engine's (``core.logs.rules``,
``core.logs.metadata``).  pyspark is imported lazily, so nothing else needs it.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..embeddings import Embeddings, Provenance
from ..logs import Interactions, ItemMetadata, LogReport
from .base import LogSpec, Progress, Trained

ITEMS_TEXT_LIMIT = 2_000_000  # items.txt is collected to the driver; skipped above this many items


@dataclass(frozen=True)
class SparkLog:
    """A log prepared in Spark: events DataFrame[user, item, time, weight, row, session] and its
    report."""

    events: object
    report: LogReport
    metadata: ItemMetadata | None = None
    metadata_frame: object = (
        None  # the same table as a Spark DataFrame[key, ...], joined to the item vectors
    )


class SparkEngine:
    """item2vec and als on Spark.  See :class:`core.engines.base.Engine`.

    Parameters
    ----------
    master : str
        ``local[N]``, ``spark://host:7077``, ``yarn``.
    conf : dict
        Spark configuration on top of embedlab's defaults.
    """

    name = "spark"

    def __init__(self, master: str = "local[2]", conf: dict | None = None):
        self.master = master
        self.conf = dict(conf or {})
        self.spark = None

    def start(self) -> dict:
        from ..spark.session import get_session

        t = time.perf_counter()
        self.spark = get_session(self.master, self.conf)
        return {"spark_start_s": round(time.perf_counter() - t, 3)}

    def check_method(self, method: str) -> None:
        from ..spark.train import check_method

        check_method(method)

    def errors(self):
        from ..spark.session import spark_errors

        return spark_errors()

    def info(self) -> dict:
        return {
            "engine": "spark",
            "master": self.spark.sparkContext.master,
            "spark_version": self.spark.version,
        }

    def prepare(self, spec: LogSpec) -> SparkLog:
        from ..errors import ParameterError
        from ..logs import read_metadata
        from ..spark import logs as spark_logs

        if spec.format not in ("auto", "csv", "tsv", "parquet"):
            raise ParameterError(
                f"the Spark engine reads CSV, TSV and Parquet logs, not '{spec.format}'"
            )
        if spec.metadata_cols:
            raise ParameterError(
                "--metadata-cols runs on the local engine only",
                hint="write the columns to a file for --metadata, or drop --engine spark",
            )
        events, report = spark_logs.prepare(self.spark, spec.path, **spec.log_kwargs())
        if not spec.metadata:
            return SparkLog(events, report)
        meta = read_metadata(spec.metadata, options=spec.metadata_options)
        frame = self.spark.createDataFrame(
            meta.table.fillna("").astype(str).reset_index(names="key")
        )
        keys = events.select(events.item.alias("key")).distinct()
        missing = keys.join(frame, "key", "left_anti").count()
        unmatched = frame.select("key").join(keys, "key", "left_anti").count()
        joined = meta.report(missing, report.items, unmatched)
        return SparkLog(events, report.copy(metadata=joined), meta, frame)

    def log_report(self, prepared: SparkLog) -> LogReport:
        return prepared.report

    def trainer(self):
        from ..spark.bridge import trainer

        if self.spark is None:
            self.start()
        return trainer(self.spark)

    def train(
        self, prepared: SparkLog, method: str, seed: int, params: dict, progress: Progress
    ) -> Trained:
        from ..spark import train as spark_train

        items, users, used, seconds = spark_train.train(
            prepared.events, method, seed, params, progress
        )
        if prepared.metadata is not None:
            items = self._join_metadata(items, prepared)
        dim = len(items.select("vector").first()[0])
        prov = Provenance(
            source=f"{method} (spark) on {prepared.report.source}",
            format="trained",
            params=dict(used),
            seed=seed,
            versions={
                "python": platform.python_version(),
                "numpy": np.__version__,
                "spark": self.spark.version,
            },
        )
        return Trained(
            method,
            used,
            seed,
            seconds,
            int(items.count()),
            dim,
            0 if users is None else int(users.count()),
            prov,
            spark_train.trained_data(method, params),
            payload=(items, users),
        )

    @staticmethod
    def _join_metadata(items, prepared: SparkLog):
        """The local join's meaning in Spark: ids as stripped text, missing cells as ''."""
        from pyspark.sql import functions as F

        joined = items.join(prepared.metadata_frame, "key", "left")
        return joined.select(
            "key",
            "vector",
            "events",
            *[
                F.coalesce(F.col(f"`{c}`"), F.lit("")).alias(c)
                for c in prepared.metadata.table.columns
            ],
        )

    def write(self, trained: Trained, prepared: SparkLog, out) -> list[str]:
        """items.parquet/, users.parquet/ and history.parquet/ (Parquet part files that core.io
        and core.logs.history read as one table), items.txt when the vocabulary fits the
        driver."""
        from .. import io

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        items, users = trained.payload
        items.coalesce(1).write.mode("overwrite").parquet(str(out / "items.parquet"))
        files = ["items.parquet"]
        if users is not None:
            users.write.mode("overwrite").parquet(str(out / "users.parquet"))
            files.append("users.parquet")
        if trained.items <= ITEMS_TEXT_LIMIT:
            io.save(io.load(out / "items.parquet"), out / "items.txt")
            files.append("items.txt")
        return files + [write_spark_history(prepared, out)]

    def items(self, trained: Trained) -> Embeddings:
        """The item vectors collected to the driver: what ``write`` puts in items.parquet, read
        back by ``core.io``, with the training's provenance."""
        items, _ = trained.payload
        return _collected(items, trained.provenance)

    def users(self, trained: Trained) -> Embeddings | None:
        """The user vectors (ALS) collected to the driver, else None."""
        _, users = trained.payload
        return None if users is None else _collected(users, trained.provenance)

    def evaluate(
        self,
        prepared: SparkLog,
        method: str,
        seed: int,
        params: dict,
        k: int = 10,
        progress: Progress | None = None,
        protocol: str = "auto",
    ) -> dict:
        """The protocol's held-out evaluation on the log Spark prepared (collected to the driver,
        not read again), with
        the model trained on Spark from the training split (the split is shipped back to Spark)."""
        from ..experiments.recs import evaluate_recs

        return evaluate_recs(
            self.interactions(prepared),
            method,
            k=k,
            seed=seed,
            params=params,
            progress=progress,
            trainer=self.trainer(),
            protocol=protocol,
        )

    def interactions(self, prepared: SparkLog) -> Interactions:
        """The log Spark prepared, collected to the driver with the local engine's coding."""
        from ..spark.bridge import from_spark

        return from_spark(prepared.events, prepared.report, prepared.metadata)


def _collected(frame, provenance) -> Embeddings:
    """A Spark vectors frame written as one Parquet file and read back by ``core.io``."""
    import tempfile

    from .. import io

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.parquet"
        frame.coalesce(1).write.parquet(str(path))
        emb = io.load(path)
        return Embeddings(emb.keys, np.array(emb.vectors), emb.metadata, provenance=provenance)


def write_spark_history(prepared: SparkLog, out: Path) -> str:
    """``history.parquet/``: the prepared events (user, item, session, time, weight, row) as
    Parquet part files, which ``core.logs.history.read_history`` reads back sorted."""
    from ..logs.history import HISTORY_FILE

    cols = ["user", "item", "session", "time", "weight", "row"]
    prepared.events.select(*cols).write.mode("overwrite").parquet(str(out / HISTORY_FILE))
    return HISTORY_FILE
