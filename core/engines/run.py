"""The one loop that drives any engine: start → prepare → (tune) → train → (evaluate) → write →
report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..io.atomic import atomic_folder, check_folder_target
from ..logs import LogReport
from ..progress import no_progress
from .base import Engine, LogSpec, Progress, Trained
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
        ``users.parquet`` (with user vectors) and ``report.json``.
    seed : int, default 0
    params : dict, optional
        Trainer parameters.
    evaluate : bool, default False
        Also run the leave-last-out evaluation and put it in the report.
    progress : callable ``(fraction, message)``, optional
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
        An unknown method (``UnknownTrainerError``) or parameter.
    OutputError
        ``out`` is a file, or a folder of someone else's files without ``force``.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine, LogSpec
    >>> run_training(get_engine(), LogSpec("log.csv"), "als", "out")[0]["files"]  # doctest: +SKIP
    ['items.parquet', 'items.txt', 'users.parquet']
    """
    _check(engine, method, Path(out), force)
    with engine.errors():
        done = _train(engine, spec, method, seed, dict(params or {}), evaluate, progress, tuner)
        return _write(engine, Path(out), force, done)


class _Done(NamedTuple):
    """What the training phases leave for the writer."""

    trained: Trained
    prepared: object
    timings: dict
    evaluation: dict | None
    tuning: dict | None


def _check(engine: Engine, method: str, out: Path, force: bool) -> None:
    """What can fail before the long work, checked before it."""
    engine.check_method(method)
    check_folder_target(out, force)


def _write(engine: Engine, out: Path, force: bool, done: _Done) -> tuple[dict, LogReport]:
    """The folder ``out``, written whole (the engine's files and ``report.json``): the report
    and the log's report."""
    log = engine.log_report(done.prepared)
    with atomic_folder(out, force) as tmp:
        files = engine.write(done.trained, done.prepared, tmp)
        report = training_report(
            done.trained, engine.info(), log, done.timings, files, done.evaluation, done.tuning
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
) -> _Done:
    """Start, prepare, tune, train and evaluate, timing each phase."""
    t0 = time.perf_counter()
    timings = engine.start()
    t1 = time.perf_counter()
    prepared = engine.prepare(spec)
    timings["ingest_s"] = round(time.perf_counter() - t1, 3)
    evaluation = tuning = None
    if tuner is not None:
        params, evaluation, tuning = tuner(prepared)
    trained = engine.train(prepared, method, seed, params, progress or no_progress)
    timings["train_s"] = round(trained.seconds, 3)
    if evaluate and evaluation is None:
        evaluation = engine.evaluate(prepared, method, seed, params)
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    return _Done(trained, prepared, timings, evaluation, tuning)
