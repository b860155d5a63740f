"""One runner for long work done by the server: started by a face, run in the server process,
watched by any page, cancelled on request.

A :class:`Job` has an id, a kind (``layout``, ``train``…), an owner (the browser that asked, or
None for work every visitor shares), a key (two requests with the same key share one run), a
state, a progress ``(fraction, message)``, and at the end a result or a one-line error.  A
:class:`Runner` runs at most ``workers`` jobs at once; the others wait in a first-in, first-out
queue whose positions it reports.  Finished jobs are kept for the next visitor (``keep`` of them,
for ``keep_for`` seconds at most).

Cancelling is cooperative: the work is a function of one argument, its progress callback
``progress(fraction, message)``, and that callback raises :class:`Cancelled` once a cancel was
asked, so the work stops at its next report.  A queued job is cancelled at once.

States: ``queued`` → ``running`` → ``done`` | ``failed`` | ``cancelled``.  ``interrupted`` is for
records of jobs a stopped server never finished (the runner never sets it: whoever keeps job
records across restarts does, from the ``on_change`` listener's records).

The module knows nothing of Streamlit or of storage: the dashboard polls ``Job`` fields, and a
listener ``on_change(job)`` hears every change of state (not every progress report), the seam where
job records can be written to the workspace.

Examples
--------
>>> runner = Runner(workers=1)
>>> job = runner.submit(Job("square"), lambda progress: 7 * 7)
>>> job.wait(10), job.state
(49, 'done')
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import EmbedlabError, ParameterError

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued",
    "running",
    "done",
    "failed",
    "cancelled",
    "interrupted",
)
STATES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED)
ENDED = (DONE, FAILED, CANCELLED, INTERRUPTED)

Work = Callable[[Callable[[float, str], None]], Any]
"""``work(progress) -> result``: the job's work, reporting ``progress(fraction, message)``."""


class Cancelled(BaseException):
    """Raised by a job's progress callback once a cancel was asked.  A ``BaseException`` (as
    ``asyncio.CancelledError``), so ``except Exception`` blocks in the work do not swallow it."""


class MissingJobError(ParameterError):
    """A job id this runner does not hold (never started here, or finished long ago)."""


@dataclass(eq=False)
class Job:
    """One piece of long work and what is known of it.

    Parameters
    ----------
    kind : str
        What the work is (``layout``, ``train``, ``sweep``…).
    key : str, optional
        Requests with the same key share one run (see :meth:`Runner.submit`).
    owner : str, optional
        Who asked (a browser id), or None for work every visitor shares.
    title : str, optional
        A short description for lists of jobs.
    message : str, default "queued"
        The first progress message, shown while the job waits.
    params : dict, optional
        What the work was asked to do, as plain data (JSON-ready): kept in the job's record so a
        job a stopped server never finished can be started again with the same parameters.

    Attributes
    ----------
    id : str
    state : str
        One of :data:`STATES`.
    fraction : float
    result : Any
        What the work returned (``done`` only).
    error : str or None
        One line for the user (``failed`` only).
    created_at, started_at, ended_at : float or None
        Wall-clock times (``time.time()``).
    """

    kind: str
    key: str | None = None
    owner: str | None = None
    title: str = ""
    message: str = "queued"
    params: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    state: str = QUEUED
    fraction: float = 0.0
    result: Any = None
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _ended: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _finished_clock: float | None = field(default=None, init=False, repr=False)

    @property
    def done(self) -> bool:
        """Whether the job has ended, whatever the outcome (see ``state``)."""
        return self._ended.is_set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the job ends (or ``timeout`` seconds pass); its result, or None when it did
        not end well or not yet."""
        self._ended.wait(timeout)
        return self.result if self.state == DONE else None

    def progress(self, fraction: float, message: str) -> None:
        """The work's progress callback: records ``(fraction, message)``.

        Raises
        ------
        Cancelled
            A cancel was asked: the work stops here.
        """
        if self._cancel.is_set():
            raise Cancelled(self.id)
        self.fraction, self.message = float(fraction), message

    def failure(self, exc: BaseException) -> str:
        """The one line a user reads when the work raised ``exc``, which is not an
        ``EmbedlabError`` (a bug: the traceback is logged on the server)."""
        return f"the {self.kind} failed on the server ({type(exc).__name__}); it is logged there"

    def record(self) -> dict:
        """The job as plain data (JSON-ready, without its result): what a listener stores."""
        return {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "owner": self.owner,
            "title": self.title,
            "params": self.params,
            "state": self.state,
            "fraction": self.fraction,
            "message": self.message,
            "error": self.error,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }


class Runner:
    """Runs jobs in background threads of this process, at most ``workers`` at once.

    Parameters
    ----------
    workers : int, default 1
        Jobs running at once; the others wait in a FIFO queue.
    keep : int, default 50
        Finished jobs kept (the oldest finished go first).
    keep_for : float or None, default None
        Seconds a finished job is kept at most (None: no age limit).
    on_change : callable ``(job)``, optional
        Called on every change of a job's state (queued, running, and how it ended), in the
        thread that made the change, before anyone waiting on the job is woken; an exception in
        it is logged, never raised.
    clock : callable, default ``time.monotonic``
        The clock ``keep_for`` is measured with.

    Raises
    ------
    ParameterError
        ``workers`` < 1 or ``keep`` < 0.
    """

    def __init__(
        self,
        workers: int = 1,
        keep: int = 50,
        keep_for: float | None = None,
        on_change: Callable[[Job], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if workers < 1:
            raise ParameterError(f"workers({workers}) must be >= 1")
        if keep < 0:
            raise ParameterError(f"keep({keep}) must be >= 0")
        self.workers, self.keep, self.keep_for = int(workers), int(keep), keep_for
        self.on_change, self.clock = on_change, clock
        self._jobs: dict[str, Job] = {}
        self._queue: deque[tuple[Job, Work]] = deque()
        self._running = 0
        self._lock = threading.Lock()

    # -- asking ------------------------------------------------------------------------------
    def submit(self, job: Job, work: Work) -> Job:
        """Queue ``job`` to run ``work``, or share a run: when a job with the same key is queued,
        running or done (and still kept), that job is returned and ``work`` is not run.  A key
        whose last job failed or was cancelled runs again.

        Parameters
        ----------
        job : Job
            A new job (state ``queued``).
        work : callable ``(progress) -> result``

        Returns
        -------
        Job
            ``job``, or the job already holding its key.
        """
        with self._lock:
            shared = self._holding(job.key)
            if shared is not None:
                return shared
            self._jobs[job.id] = job
            self._forget_old()
            self._queue.append((job, work))
            start = self._running < self.workers
            if start:
                self._running += 1
        self._changed(job)
        if start:
            self._start_worker()
        return job

    def finished(self, job: Job, result: Any, message: str = "done") -> Job:
        """Record ``job`` as done with a result known at once (a cache hit), shared by key like a
        run; no worker is used.

        Returns
        -------
        Job
            ``job``, or the job already holding its key.
        """
        with self._lock:
            shared = self._holding(job.key)
            if shared is not None:
                return shared
            self._jobs[job.id] = job
            self._forget_old()
            self._end(job, DONE, result=result, message=message)
        self._changed(job)
        job._ended.set()
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel a job: a queued one at once, a running one at its next progress report (it may
        still finish first); an ended one is left as it is.

        Raises
        ------
        MissingJobError
            No job has this id here.
        """
        job = self.get(job_id)
        with self._lock:
            job._cancel.set()
            queued = [entry for entry in self._queue if entry[0] is job]
            for entry in queued:
                self._queue.remove(entry)
                self._end(job, CANCELLED, message="cancelled before it started")
        if queued:
            self._changed(job)
            job._ended.set()
        return job

    # -- looking -----------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        """The job with this id.

        Raises
        ------
        MissingJobError
            No job has this id here (never started here, or forgotten).
        """
        with self._lock:
            found = self._jobs.get(job_id)
        if found is None:
            raise MissingJobError(
                f"no job has the id '{job_id}'",
                hint="it finished long ago or ran on another server",
            )
        return found

    def find(self, key: str) -> Job | None:
        """The job that holds ``key`` (queued, running or done), or None."""
        with self._lock:
            return self._holding(key)

    def jobs(self, owner: str | None = None, kind: str | None = None) -> list[Job]:
        """The jobs held, oldest first, optionally only one owner's or one kind's."""
        with self._lock:
            found = list(self._jobs.values())
        return [
            j
            for j in found
            if (owner is None or j.owner == owner) and (kind is None or j.kind == kind)
        ]

    def position(self, job: Job) -> int:
        """A queued job's place in the queue (1: next to start); 0 for any other job."""
        with self._lock:
            for place, (queued, _) in enumerate(self._queue, 1):
                if queued is job:
                    return place
        return 0

    def forget_finished(self) -> None:
        """Drop every finished job (a queued or running one stays)."""
        with self._lock:
            for job_id in [i for i, j in self._jobs.items() if j.done]:
                del self._jobs[job_id]

    # -- inside ------------------------------------------------------------------------------
    def _holding(self, key: str | None) -> Job | None:
        """The job a request for ``key`` shares: done, or queued/running and not being cancelled."""
        if key is None:
            return None
        for job in reversed(self._jobs.values()):
            live = job.state in (QUEUED, RUNNING) and not job.cancel_requested
            if job.key == key and (live or job.state == DONE):
                return job
        return None

    def _start_worker(self) -> None:
        threading.Thread(target=self._work_loop, name="embedlab-job", daemon=True).start()

    def _work_loop(self) -> None:
        """Run queued jobs one after another until the queue is empty, then end the thread."""
        while True:
            with self._lock:
                if not self._queue:
                    self._running -= 1
                    return
                job, work = self._queue.popleft()
                job.state, job.started_at = RUNNING, time.time()
            self._changed(job)
            self._run(job, work)

    def _run(self, job: Job, work: Work) -> None:
        """Run ``work`` and record how it ended; nothing it raises stops the worker."""
        try:
            ending = {"state": DONE, "result": work(job.progress), "message": job.message}
        except Cancelled:
            ending = {"state": CANCELLED, "message": "cancelled"}
        except EmbedlabError as exc:
            ending = {"state": FAILED, "error": str(exc)}
        except BaseException as exc:  # a bug, or SystemExit in the work: logged with its traceback
            log.exception("%s job %s failed", job.kind, job.id)
            ending = {"state": FAILED, "error": job.failure(exc)}
        with self._lock:
            self._end(job, **ending)
        self._changed(job)
        job._ended.set()

    def _end(self, job: Job, state: str, result=None, error=None, message=None) -> None:
        """Set how ``job`` ended (with the lock held)."""
        job.state, job.result, job.error = state, result, error
        if state == DONE:
            job.fraction = 1.0
        job.message = message if message is not None else (error or state)
        job.ended_at, job._finished_clock = time.time(), self.clock()
        # (``_ended`` is set by the caller once the listener has heard the end, so whoever waits
        # on the job finds its record written)

    def _forget_old(self) -> None:
        """Drop finished jobs beyond ``keep`` (oldest first) or older than ``keep_for``."""
        ended = [j for j in self._jobs.values() if j.done]
        ended.sort(key=lambda j: j._finished_clock)
        now = self.clock()
        for place, job in enumerate(ended):
            too_many = place < len(ended) - self.keep
            too_old = self.keep_for is not None and now - job._finished_clock > self.keep_for
            if too_many or too_old:
                del self._jobs[job.id]

    def _changed(self, job: Job) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(job)
        except Exception:
            log.exception("the job listener failed on %s", job.id)
