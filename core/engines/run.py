"""The one loop that drives any engine: start → prepare → (tune | evaluate) → train → write →
report.  ``train_prepared`` is its middle, for a face that already holds a prepared log (the
dashboard's Train page); ``run_training`` wraps it for a log file and an output folder (the CLI).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..io.atomic import check_folder_target
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
    protocol: str = "auto",
) -> tuple[dict, LogReport]:
    """Train ``method`` on the log ``spec`` describes with ``engine`` and write the folder ``out``:
    start → prepare → :func:`train_prepared` → write.

    Parameters
    ----------
    engine : Engine
    spec : LogSpec
    method : str
    out : str or Path
        Output folder, written whole (complete or absent): ``items.parquet``, ``items.txt``,
        ``users.parquet`` (MF) and ``report.json``.
    seed, params, evaluate, progress, tuner, protocol
        As :func:`train_prepared`; the tuner's record goes into the report as ``tuning``.
    force : bool, default False
        Replace an existing folder that embedlab did not write.

    Returns
    -------
    (dict, LogReport)
        The report written to ``out/report.json``, and the log's report (for human output).

    Raises
    ------
    FormatError, DataError, ParameterError
        The log cannot be read, nothing in it can be trained on, or an unknown method or parameter.
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
    engine.check_method(method)
    check_folder_target(Path(out), force)  # before the long work, not after it
    with engine.errors():
        t0 = time.perf_counter()
        prepared, timings = _start_and_prepare(engine, spec)
        kw = {"progress": progress, "tuner": tuner, "protocol": protocol}
        run = train_prepared(engine, prepared, method, seed, params, evaluate, **kw)
        timings["train_s"] = round(run.trained.seconds, 3)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        return _write(engine, run, prepared, timings, Path(out), force)


def _start_and_prepare(engine: Engine, spec: LogSpec) -> tuple[object, dict]:
    """Start the engine and prepare the log: (prepared log, timings so far, ``ingest_s`` last)."""
    timings = engine.start()
    t1 = time.perf_counter()
    prepared = engine.prepare(spec)
    timings["ingest_s"] = round(time.perf_counter() - t1, 3)
    return prepared, timings


def _write(engine: Engine, run, prepared, timings: dict, out: Path, force: bool):
    """The engine's files and ``report.json`` into ``out``, whole or not at all."""
    from ..io.atomic import atomic_folder

    log = engine.log_report(prepared)
    with atomic_folder(out, force) as tmp:
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
    protocol: str = "auto",
) -> TrainingRun:
    """(Tune or evaluate), then train ``method`` on all events of a log ``engine`` prepared.  The
    evaluation trains its own model on the split, so its coming first changes no result.

    Parameters
    ----------
    engine : Engine
    prepared
        ``engine.prepare(spec)``: for the local engine, an ``Interactions``.
    method : str
    seed : int, default 0
    params : dict, optional
        Trainer parameters (a tuner's choice replaces them).
    evaluate : bool, default False
        Run the held-out evaluation: HR@k, NDCG@k, ... beside the baselines.
    k : int, default 10
    progress, evaluation_progress : callable (fraction, message), optional
        The training's and the evaluation's; the evaluation's is told ``(1.0, "done")`` at its end.
    tuner : callable, optional
        Chooses the parameters first: returns (params, test evaluation, tuning record).
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"
        The evaluation's protocol (:func:`core.evaluate.protocols.choose`; a tuner brings its own).

    Returns
    -------
    TrainingRun

    Raises
    ------
    DataError, ParameterError
        Nothing in the log to train on or evaluate; an unknown method or parameter.

    Examples
    --------
    >>> from embedlab.core.engines import get_engine
    >>> from embedlab.core.logs import prepare
    >>> engine = get_engine("local")
    >>> run = train_prepared(engine, prepare("sample_data/interactions.csv"), "svd", evaluate=True)
    >>> run.trained.items, engine.items(run.trained).dim, sorted(run.evaluation["baselines"])
    (1000, 64, ['ease', 'itemcf', 'popularity', 'random'])
    """
    stage = (evaluate, k, evaluation_progress, tuner, protocol)
    params, evaluation, tuning = _first_stage(
        engine, prepared, method, seed, dict(params or {}), *stage
    )
    trained = engine.train(prepared, method, seed, params, progress or _quiet)
    return TrainingRun(trained, evaluation, tuning)


def _first_stage(engine, prepared, method, seed, params, evaluate, k, progress, tuner, protocol):
    """(params, evaluation, tuning record): the tuner's, else ``params`` with the held-out
    evaluation when asked for; ``progress`` is told ``(1.0, "done")`` when there was one."""
    evaluation = tuning = None
    if tuner is not None:
        params, evaluation, tuning = tuner(prepared)
    elif evaluate:
        evaluation = engine.evaluate(
            prepared, method, seed, params, k=k, progress=progress, protocol=protocol
        )
    if progress is not None and evaluation is not None:
        progress(1.0, "done")
    return params, evaluation, tuning


def _quiet(fraction: float, message: str) -> None:  # noqa: ARG001 - a Progress callback
    return None
