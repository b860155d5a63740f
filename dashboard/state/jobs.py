"""The server's job runner for a browser's long work (training, tuning, evaluation, sweeps), one
per process and workspace, its records kept in the workspace (``core.jobstore``).

At most ``$EMBEDLAB_MAX_JOBS`` jobs run at once (``embedlab dashboard --max-jobs N``, default
:data:`DEFAULT_MAX_JOBS`); the others wait in one first-in, first-out queue, whoever asked.  A
browser may hold at most :data:`MAX_PER_BROWSER` jobs queued or running.  A job belongs to the
browser that started it (its id, kept in a cookie), so any page of that browser shows it, after a
reload, a closed tab or a restart (then as ``interrupted``, with its parameters to start it again).
Layouts run on their own runner (``core.layouts``, one at a time, shared by every visitor).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st

from embedlab.core.errors import ParameterError
from embedlab.core.jobs import QUEUED, RUNNING, Job, MissingJobError, Runner
from embedlab.core.jobstore import JobStore

from .browser import browser_id
from .caches import workspace

DEFAULT_MAX_JOBS = 2
MAX_PER_BROWSER = 8


def max_jobs() -> int:
    """Jobs run at once by this server: ``$EMBEDLAB_MAX_JOBS`` (default 2)."""
    try:
        return max(1, int(float(os.environ.get("EMBEDLAB_MAX_JOBS", DEFAULT_MAX_JOBS))))
    except ValueError:
        return DEFAULT_MAX_JOBS


def runner() -> tuple[Runner, JobStore]:
    """The runner and the job store of the current workspace (one per process and root)."""
    ws = workspace()
    return _opened(str(ws.root), max_jobs())


@st.cache_resource(max_entries=8)
def _opened(root: str, workers: int) -> tuple[Runner, JobStore]:
    """Open the job store of ``root`` (records a stopped server left unfinished are marked
    interrupted now) and a runner that writes to it."""
    store = JobStore(root)
    store.interrupt_leftovers()
    return Runner(workers=workers, keep=200, on_change=store.listener), store


def submit(kind: str, title: str, params: dict, work: Callable) -> Job:
    """Start ``work(progress)`` as this browser's job.

    Raises
    ------
    ParameterError
        This browser already has :data:`MAX_PER_BROWSER` jobs queued or running.
    """
    run, _ = runner()
    me = browser_id()
    live = [j for j in run.jobs(owner=me) if j.state in (QUEUED, RUNNING)]
    if len(live) >= MAX_PER_BROWSER:
        raise ParameterError(
            f"you already have {len(live)} jobs waiting or running on this server",
            hint="wait for one to end, or cancel one in the sidebar",
        )
    return run.submit(Job(kind, owner=me, title=title, params=params), work)


def my_jobs(kind: str | None = None) -> list[dict]:
    """This browser's jobs, oldest first, as records: live ones with their progress and queue
    position from the runner, the others (ended, or from before a restart) from the store."""
    run, store = runner()
    me = browser_id()
    shown = {r["id"]: r for r in store.records(owner=me, kind=kind)}
    for job in run.jobs(owner=me, kind=kind):
        rec = job.record()
        rec["outputs"] = job.result if isinstance(job.result, dict) else None
        rec["position"] = run.position(job)
        shown[job.id] = rec
    return sorted(shown.values(), key=lambda r: (r.get("created_at") or 0, r["id"]))


def cancel(job_id: str) -> None:
    """Cancel one of this browser's jobs (a queued one at once, a running one at its next
    progress report)."""
    run, _ = runner()
    try:
        job = run.get(job_id)
    except MissingJobError:
        return
    if job.owner == browser_id():
        run.cancel(job_id)


def forget(job_id: str) -> None:
    """Remove the record of one of this browser's ended jobs (e.g. once it was started again)."""
    _, store = runner()
    try:
        rec = store.get(job_id)
    except MissingJobError:
        return
    if rec.get("owner") == browser_id() and rec["state"] not in (QUEUED, RUNNING):
        store.remove(job_id)
