"""Job records and results kept in the workspace: a runner's changes written as records, records a
dead server left live marked interrupted (and only those), results kept beside their set and
deleted with it, the set a browser used last, and names that tell runs apart.  Synchronised on the
jobs' own events; no sleeps."""

import subprocess
import sys
import threading

import numpy as np
import pytest

from embedlab.core import Embeddings
from embedlab.core.errors import ParameterError
from embedlab.core.jobs import CANCELLED, DONE, INTERRUPTED, RUNNING, Job, MissingJobError, Runner
from embedlab.core.jobstore import JobStore
from embedlab.core.runnames import run_name, sweep_name
from embedlab.core.workspace import Workspace

TIMEOUT = 30


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_every_change_of_state_is_written_with_params_and_outputs(tmp_path):
    store = JobStore(tmp_path)
    runner = Runner(workers=1, on_change=store.listener)
    started, release = threading.Event(), threading.Event()

    def work(progress):
        started.set()
        assert release.wait(TIMEOUT)
        return {"set": "abc"}

    job = runner.submit(Job("train", owner="me", title="t", params={"method": "als"}), work)
    assert started.wait(TIMEOUT)
    assert store.get(job.id)["state"] == RUNNING  # written when it started
    release.set()
    job.wait(TIMEOUT)
    rec = store.get(job.id)
    assert (rec["state"], rec["params"], rec["outputs"]) == (
        DONE,
        {"method": "als"},
        {"set": "abc"},
    )
    assert rec["owner"] == "me" and [r["id"] for r in store.records(owner="me")] == [job.id]
    assert store.records(owner="you") == [] and store.records(kind="sweep") == []


def test_a_result_that_is_not_plain_data_is_not_written(tmp_path):
    store = JobStore(tmp_path)
    job = Runner(on_change=store.listener).submit(Job("layout"), lambda _: object())
    job.wait(TIMEOUT)
    assert store.get(job.id)["outputs"] is None


def test_records_a_dead_server_left_live_are_marked_interrupted_and_only_those(tmp_path):
    store = JobStore(tmp_path)
    dead = {"pid": dead_pid(), "token": "x"}
    alive = {"pid": 1, "token": "y"}  # init: a process that runs
    rows = {
        "0000000000000001": ("running", dead),
        "0000000000000002": ("queued", dead),
        "0000000000000003": ("done", dead),
        "0000000000000004": ("running", alive),  # another server on the same workspace
        "0000000000000005": ("running", {**store.server, "token": "old"}),  # our pid, reused
    }
    for job_id, (state, server) in rows.items():
        store.write({"id": job_id, "kind": "train", "owner": "b", "state": state, "server": server})
    marked = JobStore(tmp_path).interrupt_leftovers()
    assert sorted(r["id"] for r in marked) == [
        "0000000000000001",
        "0000000000000002",
        "0000000000000005",
    ]
    states = {r["id"]: r["state"] for r in store.records()}
    assert states == {
        "0000000000000001": INTERRUPTED,
        "0000000000000002": INTERRUPTED,
        "0000000000000003": DONE,
        "0000000000000004": RUNNING,
        "0000000000000005": INTERRUPTED,
    }
    assert "server stopped" in store.get("0000000000000001")["error"]


def test_ended_records_are_kept_per_owner_up_to_a_count(tmp_path):
    store = JobStore(tmp_path, keep=2)
    runner = Runner(workers=1, on_change=store.listener)
    jobs = [runner.submit(Job("t", owner="me"), lambda _, i=i: i) for i in range(4)]
    other = runner.submit(Job("t", owner="you"), lambda _: 0)
    for job in [*jobs, other]:
        job.wait(TIMEOUT)
    assert [r["id"] for r in store.records(owner="me")] == [j.id for j in jobs[2:]]
    assert [r["id"] for r in store.records(owner="you")] == [other.id]


def test_a_cancelled_job_is_recorded_as_cancelled(tmp_path):
    store = JobStore(tmp_path)
    runner = Runner(workers=1, on_change=store.listener)
    started = threading.Event()

    def work(progress):
        started.set()
        while True:
            progress(0.5, "working")

    job = runner.submit(Job("train", owner="me"), work)
    assert started.wait(TIMEOUT)
    runner.cancel(job.id)
    job.wait(TIMEOUT)
    assert store.get(job.id)["state"] == CANCELLED


def test_a_job_id_that_is_not_one_is_refused_before_any_path_is_built(tmp_path):
    store = JobStore(tmp_path)
    for bad in ("../../etc/passwd", "", "ABCDEF0123456789"):
        with pytest.raises(MissingJobError):
            store.get(bad)
    (tmp_path / "jobs" / "0123456789abcdef.json").write_text("{not json")
    assert store.records() == []  # a damaged record is skipped
    with pytest.raises(MissingJobError, match="no job has the id"):
        store.get("0123456789abcdef")


def test_results_are_kept_beside_their_set_and_deleted_with_it(tmp_path):
    ws = Workspace(tmp_path)
    rec = ws.save_set(Embeddings(["a", "b"], np.eye(2, dtype=np.float32)), "s", owner="me")
    scores = {"hr": np.float32(0.25), "rows": np.arange(3)}
    rid = ws.save_result(rec.id, "scores", scores, owner="me", name="s · als")
    ws.save_result("sample", "sweep", {"rows": []}, owner="you")
    (kept,) = Workspace(tmp_path).results(rec.id)  # read back by another opening (a restart)
    assert kept["id"] == rid and kept["kind"] == "scores" and kept["name"] == "s · als"
    assert kept["data"] == {"hr": 0.25, "rows": [0, 1, 2]}
    assert ws.results(rec.id, kind="sweep") == [] and ws.results(rec.id, owner="you") == []
    ws.delete(rec.id)
    assert ws.results(rec.id) == [] and not (tmp_path / "results" / rec.id).exists()
    assert [r["owner"] for r in ws.results("sample")] == ["you"]  # the shared log's stay
    with pytest.raises(ParameterError, match="kept with a set or a log"):
        ws.save_result("../sets", "x", {}, owner="me")


def test_the_set_a_browser_used_last_is_kept_per_browser(tmp_path):
    ws = Workspace(tmp_path)
    a, b = "A" * 22, "B" * 22
    assert ws.last_used(a) is None
    ws.remember_used(a, "sample:als")
    ws.remember_used(b, "glove-6b-50d")
    assert Workspace(tmp_path).last_used(a) == "sample:als"
    assert ws.last_used(b) == "glove-6b-50d"
    assert ws.opened(a) == []  # the sets opened by link are another list
    with pytest.raises(ParameterError):
        ws.remember_used("../x", "sample:als")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("ratings.csv", "item2vec", {}, 20), "ratings.csv · item2vec tuned (20 trials)"),
        (("ratings.csv", "als", {"factors": 128}), "ratings.csv · als factors=128"),
        (("r.csv", "als", {"reg": 0.5, "factors": 8}), "r.csv · als factors=8 reg=0.5"),
        (("r.csv", "svd", {}, 0, 7), "r.csv · svd seed=7"),
        (("r.csv", "als"), "r.csv · als"),
    ],
)
def test_run_names_say_method_tuning_and_changed_parameters(args, expected):
    assert run_name(*args) == expected


def test_a_tuned_and_an_untuned_run_get_different_names():
    plain = run_name("ratings_h.tsv", "item2vec")
    tuned = run_name("ratings_h.tsv", "item2vec", trials=20, kept="tuned")
    kept = run_name("ratings_h.tsv", "item2vec", trials=20, kept="defaults")
    assert len({plain, tuned, kept}) == 3 and kept.endswith("(20 trials, defaults kept)")


def test_sweep_names_say_axis_range_methods_and_seeds():
    assert sweep_name("g.csv", "items", [1000.0, 300.0], ["als"], 1) == (
        "g.csv · sweep of items 300–1000 (2 points) · als · 1 seed"
    )


@pytest.mark.parametrize(("value", "expected"), [(None, 2), ("1", 1), ("4", 4), ("0", 1), ("x", 2)])
def test_the_servers_bound_on_jobs_follows_its_variable(value, expected, monkeypatch):
    from embedlab.dashboard.state.jobs import max_jobs

    if value is None:
        monkeypatch.delenv("EMBEDLAB_MAX_JOBS", raising=False)
    else:
        monkeypatch.setenv("EMBEDLAB_MAX_JOBS", value)
    assert max_jobs() == expected
