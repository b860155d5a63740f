"""Engines: where a log becomes vectors.  One seam, two implementations.

Both engines implement :class:`~core.engines.base.Engine` (read → validate → sessions → train →
write) with the rules and drop reasons of ``core.logs.rules``, the metadata join of
``core.logs.metadata`` and the report writer of ``core.engines.report``; ``run_training`` drives
either one the same way; ``train_prepared`` is its middle (tune or evaluate, then train) for a
face that already holds a prepared log.

    local   pandas + numpy + the trainers of ``core.train`` (every method)
    spark   Apache Spark (item2vec, als; ``pip install 'embedlab[spark]'``)
"""

from __future__ import annotations

from .base import Engine, LogSpec, Trained
from .run import TrainingRun, run_training, train_prepared

__all__ = [
    "Engine",
    "LogSpec",
    "Trained",
    "TrainingRun",
    "run_training",
    "train_prepared",
    "get_engine",
    "ENGINES",
]

ENGINES = ("local", "spark")


def get_engine(name: str = "local", master: str = "local[2]", conf: dict | None = None) -> Engine:
    """The engine called ``name``.

    Parameters
    ----------
    name : {"local", "spark"}
    master : str, default "local[2]"
        Spark master URL (spark only).
    conf : dict, optional
        Spark configuration (spark only).

    Returns
    -------
    Engine

    Raises
    ------
    ParameterError
        An unknown engine name.

    Examples
    --------
    >>> get_engine("local").name
    'local'
    """
    from ..errors import ParameterError

    if name == "local":
        from .local import LocalEngine

        return LocalEngine()
    if name == "spark":
        from .spark import SparkEngine

        return SparkEngine(master, conf or {})
    raise ParameterError(f"engine '{name}' must be one of {', '.join(ENGINES)}")
