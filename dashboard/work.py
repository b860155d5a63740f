"""Starting long work as this browser's jobs: training (with tuning and evaluation) and sweeps,
each a request of plain parameters (``core.work``) run by the server's job runner
(``dashboard.state.jobs``), so the work outlives the page that started it, and a job a stopped
server never finished starts again from its record with the same parameters."""

from __future__ import annotations

from embedlab.core.jobs import Job
from embedlab.core.work import SweepRequest, TrainRequest, sweep_and_store, train_and_store
from embedlab.dashboard import state
from embedlab.dashboard.state import jobs

KINDS = {"train": (TrainRequest, train_and_store), "sweep": (SweepRequest, sweep_and_store)}


def log_of(log_id: str):
    """The Interactions of a log the requests name: ``sample`` or a stored log's id.

    Raises
    ------
    MissingSetError
        The log was deleted.
    """
    return state.sample_log() if log_id == state.SAMPLE else state.load_log(log_id)


def start(kind: str, request) -> Job:
    """Submit ``request`` (a :class:`TrainRequest` or :class:`SweepRequest`) as this browser's
    job; its log is loaded now, in the page, and handed to the work.

    Raises
    ------
    MissingSetError, ParameterError
        The log is gone; this browser has too many jobs waiting.
    """
    _, run = KINDS[kind]
    inter, ws, owner = log_of(request.log), state.workspace(), state.browser_id()
    return jobs.submit(
        kind,
        request.name,
        request.to_dict(),
        lambda progress: run(ws, inter, request, owner, progress),
    )


def restart(record: dict) -> Job:
    """Start an ended job again with the parameters its record kept; the old record goes."""
    make, _ = KINDS[record["kind"]]
    job = start(record["kind"], make(**record["params"]))
    jobs.forget(record["id"])
    return job
