"""One place that starts Spark the way embedlab needs it."""

from __future__ import annotations

import os

from ..errors import ParameterError
from . import require_pyspark

DEFAULT_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.ansi.enabled": "false",  # unparsable values become null, so they can be counted
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "4g",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # ALS's tasks carry a lineage as deep as its iterations; deserialising one overflowed the
    # JVM's default 1 MB thread stack (java.lang.StackOverflowError) in one full test run out of
    # three, and the JVM went with it
    "spark.driver.extraJavaOptions": "-Xss16m",
    "spark.executor.extraJavaOptions": "-Xss16m",
}


def parse_conf(items: list[str]) -> dict:
    """``--conf key=value`` items as a dict.

    Raises
    ------
    ParameterError
        An item without ``=`` or without a key.

    Examples
    --------
    >>> parse_conf(["spark.driver.memory=8g"])
    {'spark.driver.memory': '8g'}
    """
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(
                f"--conf '{item}' must look like key=value (e.g. spark.driver.memory=8g)"
            )
        out[key.strip()] = value.strip()
    return out


def get_session(master: str = "local[2]", conf: dict | None = None):
    """A SparkSession on ``master`` with embedlab's defaults; loopback networking unless
    SPARK_LOCAL_IP is set.

    Parameters
    ----------
    master : str, default "local[2]"
    conf : dict, optional
        Spark configuration on top of ``DEFAULT_CONF``.

    Returns
    -------
    SparkSession

    Raises
    ------
    ParameterError
        pyspark is not installed (the message names ``pip install 'embedlab[spark]'``).
    """
    require_pyspark()
    import warnings

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName("embedlab")
    for key, value in {**DEFAULT_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class spark_errors:
    """Turn Spark's failures into one-line typed errors: the first line of the Java message, and
    what to try, instead of a JVM stack trace."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            return False
        from ..errors import DataError, EmbedlabError

        if isinstance(exc, EmbedlabError):
            return False
        name = type(exc).__name__
        if name in (
            "AnalysisException",
            "IllegalArgumentException",
            "NumberFormatException",
            "Py4JJavaError",
            "PySparkException",
            "SparkRuntimeException",
            "ParseException",
            "PythonException",
            "SparkUpgradeException",
            "ArithmeticException",
        ):
            text = str(exc).strip().splitlines()
            first = next((line for line in text if line.strip()), name)
            hint = (
                "check the columns and the master URL; for memory errors raise "
                "--conf spark.driver.memory=8g (or spark.executor.memory on a cluster)"
            )
            raise DataError(f"Spark failed: {first[:300]}", hint=hint) from None
        return False
