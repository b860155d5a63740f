"""The job runner: FIFO queue and positions, bounded concurrency, shared runs by key, cancel of a
queued and of a running job, a failing job's one-line error, finished jobs kept for a while.
Every test synchronises on events; none sleeps."""

import threading

import pytest

from embedlab.core.errors import DataError
from embedlab.core.jobs import (
    CANCELLED,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    Job,
    MissingJobError,
    Runner,
)

TIMEOUT = 30  # a bound on waits that should end at once, never a synchronisation


class Gate:
    """Work that says when it has started and waits until the test opens the gate."""

    def __init__(self, result=None, steps: int = 0):
        self.started, self.opened = threading.Event(), threading.Event()
        self.result, self.steps = result, steps

    def __call__(self, progress):
        self.started.set()
        assert self.opened.wait(TIMEOUT)
        for i in range(self.steps):
            progress((i + 1) / self.steps, f"step {i + 1}")
        return self.result


def test_jobs_run_in_submission_order_with_their_queue_positions():
    runner, order = Runner(workers=1), []
    first = Gate("a")
    jobs = [runner.submit(Job("t", title="a"), first)]
    for name in "bcd":
        jobs.append(runner.submit(Job("t", title=name), lambda _, n=name: order.append(n) or n))
    assert first.started.wait(TIMEOUT)
    assert [j.state for j in jobs] == [RUNNING, QUEUED, QUEUED, QUEUED]
    assert [runner.position(j) for j in jobs] == [0, 1, 2, 3]
    first.opened.set()
    assert [j.wait(TIMEOUT) for j in jobs] == ["a", "b", "c", "d"]
    assert order == ["b", "c", "d"] and all(runner.position(j) == 0 for j in jobs)
    assert all(j.state == DONE and j.fraction == 1.0 for j in jobs)


def test_no_more_than_workers_jobs_run_at_once():
    runner = Runner(workers=2)
    gates = [Gate(i) for i in range(3)]
    jobs = [runner.submit(Job("t"), g) for g in gates]
    assert gates[0].started.wait(TIMEOUT) and gates[1].started.wait(TIMEOUT)
    assert [j.state for j in jobs] == [RUNNING, RUNNING, QUEUED]
    assert runner.position(jobs[2]) == 1 and not gates[2].started.is_set()
    gates[1].opened.set()  # one slot frees: the queued job takes it
    assert jobs[1].wait(TIMEOUT) == 1 and gates[2].started.wait(TIMEOUT)
    assert jobs[0].state == RUNNING and jobs[2].state == RUNNING
    gates[0].opened.set()
    gates[2].opened.set()
    assert [j.wait(TIMEOUT) for j in jobs] == [0, 1, 2]


def test_requests_with_the_same_key_share_one_run():
    runner, calls = Runner(workers=1), []
    gate = Gate("layout")

    def work(progress):
        calls.append(1)
        return gate(progress)

    a = runner.submit(Job("layout", key="k1", owner="browser-1"), work)
    assert gate.started.wait(TIMEOUT)
    b = runner.submit(Job("layout", key="k1", owner="browser-2"), work)
    assert b is a and runner.find("k1") is a
    gate.opened.set()
    assert a.wait(TIMEOUT) == "layout"
    assert runner.submit(Job("layout", key="k1"), work) is a  # a finished run is shared too
    other = runner.submit(Job("layout", key="k2"), lambda _: "other")
    assert other is not a and other.wait(TIMEOUT) == "other"
    assert calls == [1]
    known = runner.finished(Job("layout", key="k3"), "from disk", "loaded")
    assert known.state == DONE and known.result == "from disk" and known.message == "loaded"
    assert runner.finished(Job("layout", key="k3"), "again") is known


def test_a_queued_job_is_cancelled_at_once_and_its_work_never_runs():
    runner, ran, changes = Runner(workers=1), [], []
    runner.on_change = lambda job: changes.append((job.title, job.state))
    gate = Gate()
    running = runner.submit(Job("t", title="first"), gate)
    queued = runner.submit(Job("t", title="second", key="k"), lambda _: ran.append(1))
    last = runner.submit(Job("t", title="third"), lambda _: "third")
    assert gate.started.wait(TIMEOUT) and runner.position(last) == 2
    assert runner.cancel(queued.id) is queued
    assert queued.done and queued.state == CANCELLED and queued.wait(0) is None
    assert runner.position(last) == 1  # the queue closed up
    gate.opened.set()
    assert last.wait(TIMEOUT) == "third" and running.state == DONE and ran == []
    assert ("second", CANCELLED) in changes and ("second", RUNNING) not in changes
    again = runner.submit(Job("t", key="k"), lambda _: "again")  # a cancelled key runs again
    assert again is not queued and again.wait(TIMEOUT) == "again"


def test_a_running_job_stops_at_its_next_progress_report():
    runner, reached = Runner(workers=1), []
    inside, cancel_seen = threading.Event(), threading.Event()

    def work(progress):
        progress(0.1, "first step")
        inside.set()
        assert cancel_seen.wait(TIMEOUT)
        try:
            progress(0.5, "second step")  # raises: the cancel was asked
        except Exception:  # an ordinary handler in the work does not swallow a cancel
            reached.append("swallowed")
        reached.append("after")
        return "never"

    job = runner.submit(Job("train"), work)
    assert inside.wait(TIMEOUT)
    runner.cancel(job.id)
    assert job.state == RUNNING and job.cancel_requested  # it stops at its next report
    cancel_seen.set()
    assert job.wait(TIMEOUT) is None
    assert job.state == CANCELLED and reached == [] and job.fraction == 0.1
    assert runner.submit(Job("t"), lambda _: "next").wait(TIMEOUT) == "next"  # the slot is free


def test_a_failing_job_ends_with_one_line_and_the_next_one_runs():
    runner = Runner(workers=1)

    def user_mistake(progress):
        raise DataError("no session has two events", path="log.csv", hint="raise --session-gap")

    def bug(progress):
        raise KeyError("internal\ndetail")

    mistake = runner.submit(Job("train"), user_mistake)
    crash = runner.submit(Job("sweep"), bug)
    after = runner.submit(Job("train"), lambda _: 42)
    assert after.wait(TIMEOUT) == 42
    assert mistake.state == FAILED and mistake.result is None
    assert mistake.error == "log.csv: no session has two events — raise --session-gap"
    assert crash.state == FAILED and crash.error == (
        "the sweep failed on the server (KeyError); it is logged there"
    )
    assert "\n" not in crash.error and "detail" not in crash.error


def test_jobs_are_listed_by_owner_and_kind_and_found_by_id():
    runner = Runner(workers=1)
    a = runner.submit(Job("train", owner="me"), lambda _: 1)
    b = runner.submit(Job("layout", owner=None), lambda _: 2)
    c = runner.submit(Job("sweep", owner="you"), lambda _: 3)
    assert [j.wait(TIMEOUT) for j in (a, b, c)] == [1, 2, 3]
    assert runner.jobs(owner="me") == [a] and runner.jobs(kind="layout") == [b]
    assert runner.jobs() == [a, b, c] and runner.get(c.id) is c
    with pytest.raises(MissingJobError, match="no job has the id 'nope'"):
        runner.get("nope")
    record = a.record()
    assert record["state"] == DONE and record["owner"] == "me" and "result" not in record


def test_finished_jobs_are_kept_by_count_and_by_age():
    now = [0.0]
    runner = Runner(workers=1, keep=2, keep_for=100.0, clock=lambda: now[0])
    old = [runner.submit(Job("t", key=f"k{i}"), lambda _, i=i: i) for i in range(3)]
    assert [j.wait(TIMEOUT) for j in old] == [0, 1, 2]
    fresh = runner.submit(Job("t"), lambda _: "fresh")  # submitting forgets beyond keep
    assert fresh.wait(TIMEOUT) == "fresh"
    assert runner.find("k0") is None and runner.find("k1") is old[1]
    now[0] = 101.0  # every finished job is now older than keep_for
    runner.submit(Job("t"), lambda _: None).wait(TIMEOUT)
    assert runner.find("k1") is None and runner.find("k2") is None
    with pytest.raises(MissingJobError):
        runner.get(fresh.id)


def test_a_listener_hears_every_change_of_state_and_its_failure_is_contained():
    seen = []

    def listener(job):
        seen.append((job.state, job.fraction))
        raise RuntimeError("a broken listener")

    runner = Runner(workers=1, on_change=listener)
    gate = Gate("x", steps=3)
    job = runner.submit(Job("t"), gate)
    assert gate.started.wait(TIMEOUT)
    gate.opened.set()
    assert job.wait(TIMEOUT) == "x"
    assert seen == [(QUEUED, 0.0), (RUNNING, 0.0), (DONE, 1.0)]  # states, not progress reports
    assert job.message == "step 3"
