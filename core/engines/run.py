"""The one loop that drives any engine: start → prepare → (tune | evaluate) → train → write →
report.  ``train_prepared`` is its middle, for a face that already holds a prepared log (the
dashboard's Train page); ``run_training`` wraps it for a log file and an output folder (the CLI).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..logs import LogReport
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
    >>> report, log = run_training(  # doctest: +SKIP
    ...     get_engine("local"), LogSpec("log.csv"), "als", "out")
    >>> report["files"]  # doctest: +SKIP
    ['items.parquet', 'items.txt', 'users.parquet']
    """
    from ..io.atomic import atomic_folder, check_folder_target

    engine.check_method(method)
    check_folder_target(Path(out), force)  # before the long work, not after it
    with engine.errors():
        t0 = time.perf_counter()
        timings = engine.start()
        t1 = time.perf_counter()
        prepared = engine.prepare(spec)
        timings["ingest_s"] = round(time.perf_counter() - t1, 3)
        run = train_prepared(
            engine, prepared, method, seed, params, evaluate, progress=progress, tuner=tuner
        )
        timings["train_s"] = round(run.trained.seconds, 3)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        log = engine.log_report(prepared)
        with atomic_folder(Path(out), force) as tmp:
            files = engine.write(run.trained, prepared, tmp)
            report = training_report(
                run.trained, engine.info(), log, timings, files, run.evaluation, run.tuning
            )
            write_report(tmp, report)
    return report, log


@dataclass(frozen=True)
class TrainingRun:
    """What :func:`train_prepared` produced.

    Attributes
    ----------
    trained : Trained
        The model trained on all events of the prepared log (``engine.items(trained)`` gives its
        item vectors; ``engine.write`` writes it).
    evaluation : dict or None
        The held-out evaluation (``core.experiments.recs.evaluate_recs``), or the tuner's test
        evaluation.
    tuning : dict or None
        The tuner's record.
    """

    trained: Trained
    evaluation: dict | None = None
    tuning: dict | None = None


def train_prepared(
    engine: Engine,
    prepared,
    method: str,
    seed: int = 0,
    params: dict | None = None,
    evaluate: bool = False,
    k: int = 10,
    progress: Progress | None = None,
    evaluation_progress: Progress | None = None,
    tuner: Tuner | None = None,
) -> TrainingRun:
    """(Tune or evaluate), then train ``method`` on all events of a log ``engine`` prepared.

    The evaluation comes first, so a face can show it as the first of two stages; it trains its
    own model on the split and never sees the final one, so the order changes no result.

    Parameters
    ----------
    engine : Engine
    prepared
        ``engine.prepare(spec)``: for the local engine, an ``Interactions``.
    method : str
    seed : int, default 0
    params : dict, optional
        Trainer parameters (the tuner's choice replaces them).
    evaluate : bool, default False
        Run the held-out evaluation (HR/NDCG/... at ``k`` beside the baselines).
    k : int, default 10
        Cut-off of the evaluation's HR@k and NDCG@k.
    progress : callable (fraction, message), optional
        The training's progress.
    evaluation_progress : callable (fraction, message), optional
        The evaluation's progress; told ``(1.0, "done")`` when the evaluation or the tuning ends.
    tuner : callable, optional
        Chooses the parameters first: returns (params, test evaluation, tuning record).

    Returns
    -------
    TrainingRun

    Raises
    ------
    DataError
        Nothing in the log can be trained on or evaluated.
    ParameterError
        An unknown method or parameter.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine
    >>> from embedlab.core.logs import prepare
    >>> engine = get_engine("local")
    >>> run = train_prepared(engine, prepare("sample_data/interactions.csv"), "svd", evaluate=True)
    >>> run.trained.items, engine.items(run.trained).dim, sorted(run.evaluation["baselines"])
    (1000, 64, ['itemcf', 'popularity', 'random'])
    """
    params, evaluation, tuning = dict(params or {}), None, None
    if tuner is not None:
        params, evaluation, tuning = tuner(prepared)
    elif evaluate:
        evaluation = engine.evaluate(
            prepared, method, seed, params, k=k, progress=evaluation_progress
        )
    if evaluation_progress is not None and evaluation is not None:
        evaluation_progress(1.0, "done")
    trained = engine.train(prepared, method, seed, params, progress or _quiet)
    return TrainingRun(trained, evaluation, tuning)


def _quiet(fraction: float, message: str) -> None:  # noqa: ARG001 - a Progress callback
    return None
