"""Job records kept in the workspace: what a :class:`core.jobs.Runner` did, across restarts.

A :class:`JobStore` is the runner's ``on_change`` listener: every change of a job's state (queued,
running, and how it ended) is written to ``ROOT/jobs/<job id>.json`` (atomically), with the job's
``params`` (what it was asked to do), what it produced (``outputs``: the work's result when it is a
plain dict, e.g. ``{"set": <set id>}``), and the server process that ran it.  Progress reports are
not written (they live in the runner's memory, where pages read them).

When a server starts, :meth:`JobStore.interrupt_leftovers` marks the records its predecessor left
queued or running as ``interrupted``: that server stopped (or was killed) before they ended.  Their
work wrote nothing half-done where a reader could see it (sets are stored whole, at the end, by
``core.workspace``), and their ``params`` let a face start them again.

Examples
--------
>>> from embedlab.core.jobs import Job, Runner
>>> store = JobStore(tmp_path / "workspace")
>>> runner = Runner(workers=1, on_change=store.listener)
>>> job = runner.submit(Job("train", owner="b", params={"method": "als"}), lambda p: {"set": "s"})
>>> job.wait(10)
{'set': 's'}
>>> rec = store.get(job.id)
>>> rec["state"], rec["params"], rec["outputs"]
('done', {'method': 'als'}, {'set': 's'})
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

from .io.atomic import atomic_file
from .jobs import ENDED, INTERRUPTED, QUEUED, RUNNING, Job, MissingJobError
from .jsonify import to_json_value_or_text

KEEP_ENDED = 30  # ended records kept per owner (the oldest go first)
JOB_ID = re.compile(r"^[0-9a-f]{16}$")  # secrets.token_hex(8), as core.jobs makes them
LEFT_OVER = "the server stopped before this job ended; nothing of it was stored"


class JobStore:
    """Job records under ``ROOT/jobs/`` (``ROOT`` is a workspace root).

    Parameters
    ----------
    root : str or Path
        The workspace root; ``jobs/`` is created in it.
    keep : int, default KEEP_ENDED
        Ended records kept per owner; older ones are removed when a job of that owner ends.
    """

    def __init__(self, root: str | Path, keep: int = KEEP_ENDED):
        self.folder = Path(root).expanduser() / "jobs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.keep = int(keep)
        self.server = {"pid": os.getpid(), "token": secrets.token_hex(4)}

    # -- writing -------------------------------------------------------------------------------
    def listener(self, job: Job) -> None:
        """A runner's ``on_change``: write the job's record as it is now."""
        record = job.record()
        record["outputs"] = job.result if isinstance(job.result, dict) else None
        record["server"] = self.server
        self.write(record)
        if job.state in ENDED and job.owner is not None:
            self._prune(job.owner)

    def write(self, record: dict) -> None:
        """Write one record (JSON, atomically); its ``id`` names the file."""
        data = json.dumps(record, ensure_ascii=False, indent=1, default=to_json_value_or_text)
        with atomic_file(self._path(record["id"])) as tmp:
            tmp.write_text(data, encoding="utf-8")

    def remove(self, job_id: str) -> None:
        """Remove a record (a missing one is fine)."""
        self._path(job_id).unlink(missing_ok=True)

    def interrupt_leftovers(self) -> list[dict]:
        """Mark records left queued or running by a server process that is gone as
        ``interrupted``; returns them.  (A record of a process still running, e.g. a second server
        on the same workspace, is left alone.)"""
        marked = []
        for rec in self.records():
            if rec["state"] in (QUEUED, RUNNING) and not self._alive(rec.get("server")):
                rec.update(state=INTERRUPTED, message=LEFT_OVER, error=LEFT_OVER)
                self.write(rec)
                marked.append(rec)
        return marked

    # -- reading -------------------------------------------------------------------------------
    def get(self, job_id: str) -> dict:
        """The record of ``job_id``.

        Raises
        ------
        MissingJobError
            No record has this id.
        """
        try:
            return json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise MissingJobError(
                f"no job has the id '{job_id}'", hint="its record was removed"
            ) from None

    def records(self, owner: str | None = None, kind: str | None = None) -> list[dict]:
        """Records, oldest first (optionally one owner's, one kind's); damaged ones are skipped."""
        out = []
        for path in self.folder.glob("*.json"):
            try:
                rec = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (owner is None or rec.get("owner") == owner) and (
                kind is None or rec.get("kind") == kind
            ):
                out.append(rec)
        return sorted(out, key=lambda r: (r.get("created_at") or 0, r["id"]))

    # -- inside --------------------------------------------------------------------------------
    def _path(self, job_id: str) -> Path:
        if not JOB_ID.match(str(job_id)):
            raise MissingJobError(f"'{job_id}' is not a job id")
        return self.folder / f"{job_id}.json"

    def _prune(self, owner: str) -> None:
        ended = [r for r in self.records(owner) if r["state"] in ENDED]
        for rec in ended[: max(len(ended) - self.keep, 0)]:
            self.remove(rec["id"])

    def _alive(self, server) -> bool:
        """Whether the server process a record names still runs: this store's own process, or
        another process with that pid on this machine (ours with another token: a process before
        a restart that reused the pid, as in a container)."""
        pid = server.get("pid") if isinstance(server, dict) else None
        if not isinstance(pid, int) or pid <= 0:
            return False
        if pid == os.getpid():
            return server.get("token") == self.server["token"]
        return _process_exists(pid)


def _process_exists(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, killed but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): the signal said it exists
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")
