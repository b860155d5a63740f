"""The one loop that drives any engine: start → prepare → train → (evaluate) → write → report."""

from __future__ import annotations

import time

from ..logs import LogReport
from .base import Engine, LogSpec, Progress
from .report import training_report, write_report


def run_training(engine: Engine, spec: LogSpec, method: str, out, seed: int = 0, params: dict | None = None,
                 evaluate: bool = False, progress: Progress | None = None) -> tuple[dict, LogReport]:
    """Train ``method`` on the log ``spec`` describes with ``engine`` and write the folder ``out``.

    Parameters
    ----------
    engine : Engine
        From ``core.engines.get_engine``.
    spec : LogSpec
    method : str
        A method the engine trains.
    out : str or Path
        Output folder: ``items.parquet``, ``items.txt``, ``users.parquet`` (MF) and ``report.json``.
    seed : int, default 0
    params : dict, optional
        Trainer parameters.
    evaluate : bool, default False
        Also run the leave-last-out evaluation and put it in the report.
    progress : callable (fraction, message), optional

    Returns
    -------
    (dict, LogReport)
        The report written to ``out/report.json``, and the log's report (for human output).

    Raises
    ------
    FormatError, DataError
        The log cannot be read or nothing in it can be trained on.
    ParameterError
        An unknown method or parameter.

    Examples
    --------
    >>> from core.engines import get_engine, LogSpec
    >>> report, log = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"),
    ...                            "als", "/tmp/als")  # doctest: +SKIP
    >>> report["files"]  # doctest: +SKIP
    ['items.parquet', 'items.txt', 'users.parquet']
    """
    params = dict(params or {})
    engine.check_method(method)
    t0 = time.perf_counter()
    with engine.errors():
        timings = engine.start()
        t1 = time.perf_counter()
        prepared = engine.prepare(spec)
        timings["ingest_s"] = round(time.perf_counter() - t1, 3)
        trained = engine.train(prepared, method, seed, params, progress or (lambda f, m: None))
        timings["train_s"] = round(trained.seconds, 3)
        evaluation = engine.evaluate(spec, prepared, method, seed, params) if evaluate else None
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        files = engine.write(trained, prepared, out)
        log = engine.log_report(prepared)
        report = training_report(trained, engine.info(), log, timings, files, evaluation)
    write_report(out, report)
    return report, log
