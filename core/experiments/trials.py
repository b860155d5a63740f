"""Running tuning trials side by side, reproducibly.

The search is a pipeline with a fixed lag: trial ``n`` is asked from the seeded sampler once
trials ``0 .. n - LAG`` have been told, and results are told in trial-number order.  What a trial
sees (the sampler's history, and the snapshot of completed trials' checkpoint scores its pruning
compares against) therefore depends only on the seed and the trial number, never on which worker
finished first or how many workers there are: one worker or two give the same trials and the
same choice.  Each trial trains single-threaded (gensim's one worker, one BLAS thread).

Workers are separate processes (forked on Linux, so they start with the prepared splits in
memory; spawned elsewhere, receiving them once); a trial only trains and ranks.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import EmbedlabError
from ..evaluate.recs import Split, held_out_ranks, hit_ndcg, scorer_for
from ..train import trainer
from .choice import group_values

LAG = 3  # trials in flight; part of what makes a choice: never derived from the machine
WORKERS = 2  # processes running them (at most LAG; 1 gives the same trials, serially): one more
# trial in flight than workers keeps both busy while a long trial blocks the in-order telling
CHECKPOINTS = (10, 25, 50, 75)  # percent of a trial's epochs at which it may be pruned
STARTUP = 5  # completed trials before any pruning
CHECKPOINT_CASES = (
    1000  # checkpoints rank a seeded sample of the validation cases: enough to compare trials
)


@dataclass
class Context:
    """What every trial of one search shares (sent to each worker once)."""

    method: str
    validation: Split
    k: int
    seed: int
    metric: str
    prune: bool
    test: Split | None = None  # for the final retrain (on the test split's training part)
    check: Split | None = None  # the held-back validation half (core.experiments.choice)


@dataclass
class Job:
    """One trial to run: its number, trainer parameters, and what its pruning compares against
    (``snapshot``: step → completed trials' checkpoint values when the trial was asked)."""

    number: int
    params: dict
    snapshot: dict[int, list[float]] = field(default_factory=dict)
    completed: int = 0


@dataclass
class Outcome:
    """A finished trial: ``state`` complete / pruned / fail, validation metrics, checkpoint values,
    wall and CPU seconds of the whole trial and of the trainer alone."""

    number: int
    state: str
    metrics: dict = field(default_factory=dict)
    checkpoints: dict[int, float] = field(default_factory=dict)
    pruned_at: float = math.nan
    error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0
    worker: int = 0
    worker_cpu_total: float = 0.0


@dataclass
class Final:
    """The chosen parameters retrained on the test split's training part (train + validation) and
    their test report (with bootstrap intervals; the baselines are added once, by the tuner)."""

    params: object
    report: dict = field(default_factory=dict)
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


class _Pruned(Exception):
    pass


def should_prune(values: list[float], step: int, job: Job) -> bool:
    """Optuna's median rule against the job's snapshot: after ``STARTUP`` completed trials, stop
    when the best checkpoint value so far is below the median of completed trials at this step."""
    seen = job.snapshot.get(step, [])
    return job.completed >= STARTUP and bool(seen) and max(values) < float(np.median(seen))


def run_trial(ctx: Context, job: Job) -> Outcome:
    """Train ``job.params`` on the validation split's training part and rank its cases.

    Parameters
    ----------
    ctx : Context
    job : Job

    Returns
    -------
    Outcome
        ``fail`` (with the message) when the trainer refuses the point: the search goes on.
    """
    from threadpoolctl import threadpool_limits

    w0, c0 = time.perf_counter(), time.process_time()
    out = Outcome(job.number, "complete", worker=os.getpid())
    t = trainer(ctx.method)
    few = some_cases(ctx.validation, CHECKPOINT_CASES, ctx.seed)
    spent = np.zeros(2)  # (wall, CPU) seconds spent scoring checkpoints, not training

    def checkpoint(done: int, total: int, result) -> None:
        step = next((c for c in CHECKPOINTS if done == max(1, round(total * c / 100))), None)
        if step is None:
            return
        s0 = _now()
        out.checkpoints[step] = _score(result(), few, ctx.k)[ctx.metric]
        spent[:] += _now() - s0
        if should_prune(list(out.checkpoints.values()), step, job):
            out.pruned_at = step
            raise _Pruned

    with threadpool_limits(
        1, user_api="blas"
    ):  # one core per trial; BLAS threads would fight the other worker
        t0 = _now()
        try:
            result = t.fit(
                ctx.validation.train,
                job.params,
                seed=ctx.seed,
                checkpoint=checkpoint if ctx.prune and t.early_stopping else None,
            )
        except _Pruned:
            out.state = "pruned"
        except (
            EmbedlabError
        ) as exc:  # a point of the space this log cannot train: recorded, search goes on
            out.state, out.error = "fail", str(exc)
        out.train_seconds, out.train_cpu_seconds = _now() - t0 - spent
        if out.state == "complete":
            out.metrics = _score(result, ctx.validation, ctx.k)
    out.seconds, out.cpu_seconds = time.perf_counter() - w0, time.process_time() - c0
    out.worker_cpu_total = time.process_time()
    return out


def run_final(ctx: Context, params) -> Final:
    """Retrain ``params`` on ``ctx.test.train`` and score it on the test split (deterministic for
    the seed, so it may run speculatively while the last trial runs); the baselines are added by
    the caller, once."""
    from threadpoolctl import threadpool_limits

    from ..evaluate.baselines import model_report
    from ..evaluate.protocols import describe
    from .recs import with_context

    out = Final(params)
    w0, c0 = time.perf_counter(), time.process_time()
    with threadpool_limits(1, user_api="blas"):
        result = trainer(ctx.method).fit(ctx.test.train, params, seed=ctx.seed)
        out.train_seconds, out.train_cpu_seconds = (
            time.perf_counter() - w0,
            time.process_time() - c0,
        )
        report = {**model_report(result, ctx.test, ctx.k, ctx.seed), "protocol": describe(ctx.test)}
        out.report = with_context(report, result)
    out.seconds, out.cpu_seconds = time.perf_counter() - w0, time.process_time() - c0
    return out


CHECK_SEEDS = (7919,)  # added to the seed for the check runs: the search's training luck is not
# kept (each arm is trained again with a fresh seed)


def run_check(ctx: Context, params, offset: int) -> np.ndarray:
    """Train ``params`` on the validation split's training part with a fresh seed (``seed +
    offset``) and return the tuning metric per group of the held-back half: what the noise rule
    compares (:mod:`core.experiments.choice`).  A winner picked for its lucky training draw, or
    for the cases the search ranked, gains nothing here."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        result = trainer(ctx.method).fit(ctx.validation.train, params, seed=ctx.seed + offset)
        return group_values(scorer_for(result, ctx.check), ctx.check, ctx.k, ctx.metric)


def _score(result, split: Split, k: int) -> dict:
    return hit_ndcg(held_out_ranks(scorer_for(result, split), split), k)


def some_cases(split: Split, n: int, seed: int) -> Split:
    """A seeded sample of ``n`` of ``split``'s cases, same training part (enough to compare
    trials)."""
    import dataclasses

    if len(split.users) <= n:
        return split
    pick = np.sort(np.random.default_rng(seed).choice(len(split.users), n, replace=False))
    rows = {name: getattr(split, name)[pick] for name in ("users", "held_out", "last")}
    sparse = {
        name: getattr(split, name)[pick]
        for name in ("context", "exclude")
        if getattr(split, name) is not None
    }
    return dataclasses.replace(split, **rows, **sparse)


def _now() -> np.ndarray:
    """(wall, CPU) seconds now."""
    return np.array([time.perf_counter(), time.process_time()])


def _serve(conn, ctx: Context) -> None:
    """A worker process: run ``(fn, arg)`` jobs from ``conn`` until told to stop (None) or the
    parent is gone; Ctrl-C is the parent's to handle (it terminates the workers).  SIGTERM ends
    the worker whatever handler the parent had (a Streamlit server's would keep it alive)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent while it forked us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, arg = message
        try:
            conn.send(("ok", fn(arg, ctx)))
        except Exception as exc:  # a bug: said to the parent, which raises it
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _run_in_worker(job: Job, ctx: Context) -> Outcome:
    return run_trial(ctx, job)


def _final_in_worker(params, ctx: Context):
    return run_final(ctx, params)


def _check_in_worker(arg, ctx: Context):
    return run_check(ctx, *arg)


def run_checks(runner, params: dict, final=None) -> tuple[dict, _Pending | None]:
    """:func:`run_check` of each ``params`` (by trial number) with each of :data:`CHECK_SEEDS`,
    side by side on ``runner``, and the final retrain of ``final``'s parameters (if given) on the
    first worker they leave free: per trial, one array of group values per seed, and the final
    retrain's job (None if not asked)."""
    pending = {
        (number, offset): runner.submit(_check_in_worker, (p, offset))
        for number, p in params.items()
        for offset in CHECK_SEEDS
    }
    retrain = runner.submit(_final_in_worker, final) if final is not None else None
    values = {key: job.result() for key, job in pending.items()}
    return {n: [values[(n, o)] for o in CHECK_SEEDS] for n in params}, retrain


class _Done:
    """A result already there (the serial runner's, or a trial that failed before running)."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _Pending:
    """A job running in one worker; ``result()`` waits for it, then the worker is free again."""

    def __init__(self, worker: dict):
        self.worker, self.done = worker, None

    def receive(self) -> None:
        """Wait for the job's answer (an error is raised by ``result``); the worker is free."""
        if self.done is None:
            self.done = self.worker["conn"].recv()
            self.worker["busy"] = False

    def result(self):
        self.receive()
        status, value = self.done
        if status == "error":
            raise RuntimeError(f"a tuning worker failed: {value}")
        return value


class _Serial:
    """The pool's interface, run in this process (one worker): a job runs when submitted."""

    parallel, size = False, 1

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def submit(self, fn, arg) -> _Done:
        return _Done(fn(arg, self.ctx))

    def close(self, ok: bool) -> None:  # noqa: ARG002 - same signature as the pool's
        return None


class _Pool:
    """Worker processes holding the context, one job each at a time.  ``close(False)`` (an error
    or Ctrl-C in this process) terminates them instead of waiting for their trials."""

    parallel = True

    def __init__(self, ctx: Context, workers: int):
        import multiprocessing
        import sys

        # fork: the workers start at once with the splits already in memory; elsewhere (macOS) spawn
        mp = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.workers, self.closed, self.pending = [], False, []
        try:  # a Ctrl-C while forking (inside logging's fork hooks, which would swallow it) is
            with _held_while_forking():  # held until every worker is started, then ends them all
                for _ in range(workers):
                    mine, theirs = mp.Pipe()
                    proc = mp.Process(target=_serve, args=(theirs, ctx), daemon=True)
                    proc.start()
                    theirs.close()
                    self.workers.append({"proc": proc, "conn": mine, "busy": False})
        except BaseException:
            self.close(False)
            raise

    @property
    def size(self) -> int:
        return len(self.workers)

    def submit(self, fn, arg) -> _Pending:
        """Send ``fn(arg, ctx)`` to a free worker; with none free, first wait for whichever job
        in flight ends first (its answer is kept for its ``result``)."""
        from multiprocessing.connection import wait

        while all(w["busy"] for w in self.workers):
            running = [p for p in self.pending if p.done is None]
            ready = wait([p.worker["conn"] for p in running])
            for p in running:
                if p.worker["conn"] in ready:
                    p.receive()
        worker = next(w for w in self.workers if not w["busy"])
        worker["conn"].send((fn, arg))
        worker["busy"] = True
        self.pending = [p for p in self.pending if p.done is None] + [_Pending(worker)]
        return self.pending[-1]

    def close(self, ok: bool) -> None:
        """End the workers (idempotent): idle ones are told to stop when ``ok``, the rest
        terminated."""
        if self.closed:
            return
        self.closed = True
        for w in self.workers:
            if ok and not w["busy"]:
                w["conn"].send(None)
            else:
                w["proc"].terminate()
        for w in self.workers:
            w["proc"].join(timeout=_GRACE_S)
            if w["proc"].is_alive():  # deaf to SIGTERM (a handler it should not have): end it
                w["proc"].kill()
                w["proc"].join()
            w["conn"].close()


_GRACE_S = 10.0
"""Seconds a terminated worker has to end before it is killed."""

_HELD = {signal.SIGINT, signal.SIGTERM}
"""Signals held while the workers fork: a forked worker sets its own handlers before it takes
them (a SIGTERM from ``close`` must not reach the parent's handler in the child)."""


@contextlib.contextmanager
def _held_while_forking():
    """SIGINT and SIGTERM held pending (blocked) in this thread inside the block; delivered after
    (SIGINT as KeyboardInterrupt)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def workers_for(workers: int | None) -> int:
    """How many processes to use: ``workers`` (default ``WORKERS``), at most ``LAG`` and the
    cores."""
    n = WORKERS if workers is None else int(workers)
    return max(1, min(n, LAG, os.cpu_count() or 1))


def pool(ctx: Context, workers: int):
    """Worker processes that hold ``ctx`` (or an in-process runner for one worker); ``close(ok)``
    ends them (``ok`` False: terminate at once)."""
    return _Serial(ctx) if workers <= 1 else _Pool(ctx, workers)


def pipeline(
    ask: Callable[[], Job | Outcome | None],
    tell: Callable[[Outcome], None],
    runner,
    spare: Callable[[], object] | None = None,
) -> tuple[object, _Pending] | None:
    """Ask, run and tell trials with ``LAG`` in flight, told in trial-number order.

    ``ask()`` returns the next job (None: stop asking; a job may also come back already failed
    as an :class:`Outcome`, told in its turn without running).  Trial ``n`` is asked only after
    trial ``n - LAG`` is told, so the schedule does not depend on the workers' speed.

    Once asking has stopped, a worker left idle while the last trials run retrains ``spare()``'s
    parameters (the best so far) for the final report; returns ``(params, future)`` of that
    speculative retrain, or None.  It is used only if those parameters stay the best."""
    flight: list = []
    asking, spec = True, None
    while True:
        while asking and len(flight) < LAG:
            job = ask()
            if job is None:
                asking = False
            elif isinstance(job, Outcome):
                flight.append(_Done(job))
            else:
                flight.append(runner.submit(_run_in_worker, job))
        if not asking and spec is None and spare and len(flight) < runner.size and runner.parallel:
            params = spare()
            if params is not None:
                spec = (params, runner.submit(_final_in_worker, params))
        if not flight:
            return spec
        tell(flight.pop(0).result())
