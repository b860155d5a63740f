"""AppTest and long work: a click starts a job of the (in-process) server; a test waits for the
jobs to end (on their events, never a sleep), then runs the page again to see what they stored."""

import os

from embedlab.core.workspace import Workspace
from embedlab.dashboard.state import jobs

TIMEOUT = 900  # seconds: a bound on work of seconds, never a synchronisation


def finish_jobs(at) -> None:
    """Wait until every job of this process's runner has ended, then run ``at`` again."""
    run, _ = jobs.runner()
    for job in run.jobs():
        job.wait(TIMEOUT)
        assert job.done, f"{job.title} did not end"
    at.run()


def stored_results(kind: str) -> list[dict]:
    """Every result of ``kind`` kept in the test's workspace, oldest first."""
    ws = Workspace(os.environ["EMBEDLAB_WORKSPACE"])
    found = [r for folder in (ws.root / "results").iterdir() for r in ws.results(folder.name, kind)]
    return sorted(found, key=lambda r: r["created"])
