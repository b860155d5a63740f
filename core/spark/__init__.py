"""The Spark engine: the same log → vectors pipeline on Apache Spark (``pip install
'embedlab[spark]'``).

Reading, validation counts, sessionising (window functions, same gap rule), item2vec
(``pyspark.ml.feature.Word2Vec``) and implicit ALS (``pyspark.ml.recommendation.ALS``) run in
Spark; vectors are written as Parquet in the layout ``core.io`` reads, with the same
``report.json``.  pyspark is imported lazily so the rest of embedlab never needs it.
"""

from __future__ import annotations

from ..errors import ParameterError


def require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ParameterError(
            "the Spark engine needs pyspark", hint="pip install 'embedlab[spark]'"
        ) from None
