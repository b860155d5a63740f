"""Long work a face hands to a job runner (:mod:`core.jobs`), whole: train-and-store and
sweep-and-store.  Each takes plain parameters (what a job record keeps, so a job can be started
again with them), reports ``progress(fraction, message)`` (a job's callback, which stops the work
when a cancel was asked), stores what it made in the workspace at the very end (a set is written
whole, then its record: nothing half-done becomes a set) with its results beside it, and returns
plain data naming what it stored.

Examples
--------
>>> from embedlab.core.logs import prepare
>>> from embedlab.core.workspace import Workspace
>>> ws = Workspace(tmp_path / "workspace")
>>> inter = prepare("sample_data/interactions.csv")
>>> out = train_and_store(ws, inter, TrainRequest("sample", "sample log", "als",
...                       {"factors": 8}), owner="cli")
>>> ws.record(out["set"]).name
'sample log · als factors=8'
>>> [r["kind"] for r in ws.results(out["set"])]
['scores']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from .progress import Progress, no_progress
from .runnames import run_name, sweep_name


@dataclass(frozen=True)
class TrainRequest:
    """One training run as plain data (a job's ``params``).

    Attributes
    ----------
    log : str
        The log's id in the workspace, or ``sample``.
    source : str
        The log's name, for the set's name and provenance.
    method : str
    changed : dict
        Parameters set to other values than the defaults (ignored when tuning).
    seed, k : int
    trials : int
        Tuning trials (0: no tuning).
    protocol : str
    """

    log: str
    source: str
    method: str
    changed: dict = field(default_factory=dict)
    seed: int = 0
    k: int = 10
    trials: int = 0
    protocol: str = "auto"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def name(self) -> str:
        return run_name(
            self.source, self.method, {} if self.trials else self.changed, self.trials, self.seed
        )


def staged(progress: Progress, first: str, second: str) -> tuple[Progress, Progress]:
    """Two stages on one bar: ``first`` fills it to one half, ``second`` to the end; each message
    is prefixed with its stage."""

    def stage(offset: float, label: str) -> Progress:
        return lambda f, m: progress(offset + 0.5 * min(max(f, 0.0), 1.0), f"{label}: {m}")

    return stage(0.0, first), stage(0.5, second)


def train_and_store(ws, inter, request: TrainRequest, owner: str, progress: Progress = no_progress):
    """(Tune or evaluate), then train on all events, then store the set and its scores.

    Parameters
    ----------
    ws : core.workspace.Workspace
    inter : Interactions
        The log ``request.log`` names, prepared.
    request : TrainRequest
    owner : str
        The browser (or ``cli``) the set belongs to.
    progress : callable ``(fraction, message)``

    Returns
    -------
    dict
        ``{"set": <set id>, "result": <result id>, "name": <set name>}``.

    Raises
    ------
    DataError, ParameterError
        Nothing to train on or evaluate; an unknown method or parameter.
    WorkspaceFullError
        No room for the set.
    """
    from .engines import get_engine, train_prepared

    engine = get_engine("local")
    first = "1/2 tuning" if request.trials else "1/2 evaluation (training on the split)"
    evaluation, training = staged(progress, first, "2/2 all events (for exploring)")
    evaluation(0.0, "starting")
    run = train_prepared(
        engine,
        inter,
        request.method,
        seed=request.seed,
        params={} if request.trials else request.changed,
        evaluate=True,
        k=request.k,
        progress=training,
        evaluation_progress=evaluation,
        tuner=_tuner(request, evaluation) if request.trials else None,
        protocol=request.protocol,
    )
    training(1.0, "storing the set")
    return _store(ws, engine, run, request, owner)


def _store(ws, engine, run, request: TrainRequest, owner: str) -> dict:
    """The set (named for what tells it apart, once tuning said what it kept), then its scores
    beside it; a set whose scores cannot be stored is removed again."""
    report = {**run.evaluation, **(run.tuning or {}), "request": request.to_dict()}
    kept = (report.get("tuning_choice") or {}).get("choice")
    changed = {} if request.trials else request.changed
    name = run_name(request.source, request.method, changed, request.trials, request.seed, kept)
    emb = engine.items(run.trained)
    emb = emb.with_provenance(_sourced(emb.provenance, f"{request.method} on {request.source}"))
    rec = ws.save_set(emb, name, owner=owner, users=engine.users(run.trained))
    report["set"] = rec.id
    try:
        result = ws.save_result(rec.id, "scores", report, owner, name)
    except BaseException:  # a set without its scores is not what was asked for
        ws.delete(rec.id)
        raise
    return {"set": rec.id, "result": result, "name": name}


def _sourced(provenance, source: str):
    return replace(provenance, source=source)


def _tuner(request: TrainRequest, progress: Progress):
    """Tuning as the first stage: validation chooses the parameters (the winner's only beyond
    noise, else the defaults'), the test split scores them; the trials are kept in the record."""
    from .experiments.tune import tune

    def run(inter):
        done = [0]

        def trial(_row: dict) -> None:
            done[0] += 1
            progress(
                done[0] / (request.trials + 1),
                f"trial {done[0]} of {request.trials} done, then the winner is checked",
            )

        tuned = tune(
            inter,
            request.method,
            trials=request.trials,
            seed=request.seed,
            k=request.k,
            on_trial=trial,
            protocol=request.protocol,
        )
        record = {
            "tuning": tuned.lines()[:2],
            "tuning_choice": tuned.choice.to_dict() if tuned.choice else None,
            "tuning_choice_lines": tuned.choice_lines(),
            "tuning_trials": tuned.trials.to_dict(orient="records"),
        }
        return tuned.best_params, tuned.test, record

    return run


@dataclass(frozen=True)
class SweepRequest:
    """One catalog-size sweep as plain data (a job's ``params``): the log (id or ``sample``) and
    its name, the axis, the grid, the methods, the seeds and which items to keep."""

    log: str
    source: str
    axis: str
    values: list
    methods: list
    seeds: int = 3
    mode: str = "random"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def name(self) -> str:
        return sweep_name(self.source, self.axis, self.values, self.methods, self.seeds)


def sweep_and_store(ws, inter, request: SweepRequest, owner: str, progress: Progress = no_progress):
    """Run the sweep, then keep its rows, summary, reasons and reading with the log.

    Returns
    -------
    dict
        ``{"log": <log id or "sample">, "result": <result id>, "name": <name>}``.

    Raises
    ------
    DataError, ParameterError
        A grid or method the log cannot take.
    """
    from .experiments import run_sweep

    result = run_sweep(
        inter,
        request.axis,
        [float(v) for v in request.values],
        list(request.methods),
        seeds=int(request.seeds),
        mode=request.mode,
        progress=progress,
    )
    data = {**result.to_dict(), "request": request.to_dict()}
    rid = ws.save_result(request.log, "sweep", data, owner, request.name)
    return {"log": request.log, "result": rid, "name": request.name}


@dataclass(frozen=True)
class Servable:
    """Whether a stored set can recommend (:func:`servable`), and from what.

    Attributes
    ----------
    set, name, method : str
        The set's id, name and training method.
    log, log_name : str
        The id (or ``sample``) and name of the log it was trained on ("" when none).
    user_vectors : bool
        Its user vectors were stored with it (MF); a set without them, or trained with
        ``query=items``, recommends from each user's history.
    reason : str
        Why it cannot recommend, one line ("" when it can).
    """

    set: str
    name: str
    method: str
    log: str
    log_name: str
    user_vectors: bool
    reason: str = ""


def servable(ws, set_id: str, readable_logs=None) -> Servable:
    """Whether stored set ``set_id`` carries what recommending needs: its item vectors, the log
    it was trained on (kept in the workspace, readable by the asker) and, for a method that
    learns user vectors, those vectors.

    Parameters
    ----------
    ws : core.workspace.Workspace
    set_id : str
    readable_logs : collection of str, optional
        Ids of the stored logs the asker may read (the shared sample log always is); None: any.

    Returns
    -------
    Servable
        ``reason`` says in one line why it cannot recommend, else is empty.

    Raises
    ------
    MissingSetError
        No set ``set_id``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.workspace import Workspace
    >>> ws = Workspace(tmp_path / "ws")
    >>> out = train_and_store(ws, prepare("sample_data/interactions.csv"),
    ...                       TrainRequest("sample", "sample log", "als", {"factors": 8}), "cli")
    >>> s = servable(ws, out["set"])
    >>> s.method, s.log, s.user_vectors, s.reason
    ('als', 'sample', True, '')
    """
    from .workspace import CLI_OWNER

    rec = ws.record(set_id)
    scores = [r["data"] for r in ws.results(set_id, "scores") if r["data"].get("request")]
    if rec.kind != "trained" or not scores:
        why = (
            "saved from the CLI without its log: recommend from its training folder instead"
            if rec.owner == CLI_OWNER
            else "not trained on a log here: no user's history goes with it"
        )
        return Servable(set_id, rec.name, "", "", "", False, why)
    request = scores[-1]["request"]
    found = Servable(
        set_id,
        rec.name,
        str(scores[-1].get("method", request["method"])),
        str(request["log"]),
        str(request["source"]),
        bool(rec.options.get("users")),
    )
    return replace(found, reason=_unservable(ws, found, readable_logs))


def _unservable(ws, found: Servable, readable_logs) -> str:
    """Why ``found`` cannot recommend ("" when it can)."""
    from .train import TRAINERS
    from .workspace import SHARED_LOGS, MissingSetError

    if found.log not in SHARED_LOGS:
        try:
            gone = ws.record(found.log).kind != "log"
        except MissingSetError:
            gone = True
        if gone:
            return f"its log {found.log_name} was deleted: users' histories went with it"
        if readable_logs is not None and found.log not in readable_logs:
            return f"its log {found.log_name} is another browser's"
    trainer = TRAINERS.get(found.method)
    if not found.user_vectors and trainer is not None and trainer.user_vectors:
        return (
            f"{found.method} scores users by their vectors, and this set was stored without them "
            "(before sets kept them): train it again on the Train page"
        )
    return ""


def stored_run(ws, set_id: str, log):
    """Stored set ``set_id`` loaded for serving (:class:`core.runs.Run`), as
    :func:`core.runs.load_run` loads a training folder: its item vectors, its user vectors when
    stored, ``log`` (the log it was trained on, prepared again) and its evaluation's query.

    Parameters
    ----------
    ws : core.workspace.Workspace
    set_id : str
        A set :func:`servable` accepts.
    log : Interactions
        The log named by ``servable(ws, set_id).log``.

    Returns
    -------
    core.runs.Run
        Named by the set's name; ``path`` is its id.

    Raises
    ------
    MissingSetError
        No set ``set_id``, or its vectors are gone.
    DataError
        It cannot recommend (the reason), or ``log`` lacks items it was trained on.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.recommend import recommend
    >>> from embedlab.core.workspace import Workspace
    >>> ws, inter = Workspace(tmp_path / "ws"), prepare("sample_data/interactions.csv")
    >>> out = train_and_store(ws, inter, TrainRequest("sample", "sample log", "als",
    ...                       {"factors": 8}), "cli")
    >>> recs = recommend(stored_run(ws, out["set"], inter), "u00000", k=3)
    >>> recs.run, len(recs.table)
    ('sample log · als factors=8', 3)
    >>> recs.basis  # ALS on a log of sessions scores from the recent items (query=auto)
    "the last item of the user's history (as its own evaluation scored)"
    """
    from pathlib import Path

    import pandas as pd

    from .errors import DataError
    from .runs import Run

    found = servable(ws, set_id)
    if found.reason:
        raise DataError(f"set {found.name} cannot recommend: {found.reason}")
    items = ws.load_set(set_id)
    if (pd.Index(log.items.astype(str)).get_indexer(items.keys) < 0).any():
        raise DataError(
            f"the log given is not the one set {found.name} was trained on ({found.log_name})"
        )
    evaluation = ws.results(set_id, "scores")[-1]["data"]
    report = {"method": found.method, "evaluation": evaluation, "log": log.report.to_dict()}
    return Run(Path(set_id), report, items, ws.load_users(set_id), log, name=found.name)
