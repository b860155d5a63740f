"""The one loop that drives any engine: start → prepare → (tune) → train → (evaluate) → write →
report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ..logs import LogReport
from .base import Engine, LogSpec, Progress
from .report import training_report, write_report

# (prepared log) -> (chosen params, test evaluation, tuning record): see core.experiments.tune
Tuner = Callable[[object], tuple[dict, dict, dict]]


def run_training(
    engine: Engine,
    spec: LogSpec,
    method: str,
    out,
    seed: int = 0,
    params: dict | None = None,
    evaluate: bool = False,
    progress: Progress | None = None,
    force: bool = False,
    tuner: Tuner | None = None,
) -> tuple[dict, LogReport]:
    """Train ``method`` on the log ``spec`` describes with ``engine`` and write the folder ``out``.

    Parameters
    ----------
    engine : Engine
        From ``core.engines.get_engine``.
    spec : LogSpec
    method : str
        A method the engine trains.
    out : str or Path
        Output folder, written whole (complete or absent): ``items.parquet``, ``items.txt``,
        ``users.parquet`` (MF) and ``report.json``.
    seed : int, default 0
    params : dict, optional
        Trainer parameters.
    evaluate : bool, default False
        Also run the leave-last-out evaluation and put it in the report.
    progress : callable (fraction, message), optional
    force : bool, default False
        Replace an existing folder that embedlab did not write.
    tuner : callable, optional
        Chooses the parameters on the prepared log first: returns (params, test evaluation,
        tuning record); the record goes into the report as ``tuning``.

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
    OutputError
        ``out`` is a file, or a folder of someone else's files without ``force``.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec
    >>> report, log = run_training(get_engine("local"), LogSpec("sample_data/interactions.csv"),
    ...                            "als", tmp_path / "als", params={"factors": 8})
    >>> report["files"]
    ['items.parquet', 'items.txt', 'users.parquet']
    """
    from ..io.atomic import atomic_folder, check_folder_target

    engine.check_method(method)
    check_folder_target(Path(out), force)  # before the long work, not after it
    with engine.errors():
        trained, prepared, timings, evaluation, tuning = _train(
            engine, spec, method, seed, dict(params or {}), evaluate, progress, tuner
        )
        log = engine.log_report(prepared)
        with atomic_folder(Path(out), force) as tmp:
            files = engine.write(trained, prepared, tmp)
            report = training_report(
                trained, engine.info(), log, timings, files, evaluation, tuning
            )
            write_report(tmp, report)
    return report, log


def _train(
    engine: Engine,
    spec: LogSpec,
    method: str,
    seed: int,
    params: dict,
    evaluate: bool,
    progress: Progress | None,
    tuner: Tuner | None,
):
    """Start, prepare, tune, train and evaluate, timing each phase."""
    t0 = time.perf_counter()
    timings = engine.start()
    t1 = time.perf_counter()
    prepared = engine.prepare(spec)
    timings["ingest_s"] = round(time.perf_counter() - t1, 3)
    evaluation = tuning = None
    if tuner is not None:
        params, evaluation, tuning = tuner(prepared)
    trained = engine.train(
        prepared,
        method,
        seed,
        params,
        progress or (lambda fraction, message: None),  # noqa: ARG005 - a Progress callback
    )
    timings["train_s"] = round(trained.seconds, 3)
    if evaluate and evaluation is None:
        evaluation = engine.evaluate(prepared, method, seed, params)
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    return trained, prepared, timings, evaluation, tuning
