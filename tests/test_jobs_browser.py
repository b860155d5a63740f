"""Long work outlives the page, in a real browser against a real server: a training and a sweep
started, their tab closed at once, land in the workspace and show on a new page of the same
browser; a server killed (SIGKILL) mid-training comes back with the job interrupted, nothing
stored, and a button that starts it again (then Cancel stops it).  Every wait is on the page's
text or the server's health; none sleeps."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import test_browser
from tests.paths import ROOT
from tests.test_browser import free_port, wait_healthy

browser, artifacts = test_browser.browser, test_browser.artifacts  # the fixtures, shared

WAIT = 180_000  # ms: a bound on waits for work of a few seconds on a busy machine


class Server:
    """``embedlab dashboard`` in its own process group (the CLI starts Streamlit as a child), so
    a test can kill the whole server at once, as a crash or an OOM kill would."""

    def __init__(self, root: Path, max_jobs: int = 1, env: dict | None = None):
        self.root, self.max_jobs, self.env = root, max_jobs, env or {}
        self.workspace = root / "workspace"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "Server":
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), **self.env}
        with open(self.root / "server.log", "a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "embedlab.core.cli", "dashboard"]
                + ["--workspace", str(self.workspace), "--max-jobs", str(self.max_jobs)]
                + ["--server.headless", "true", "--server.address", "127.0.0.1"]
                + ["--server.port", str(port), "--browser.gatherUsageStats", "false"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.proc)
        return self

    def kill(self) -> None:
        """SIGKILL the server and its Streamlit child: nothing runs any clean-up."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("jobs-server"))
    try:
        yield srv.start()
    finally:
        srv.stop()


def records(workspace: Path, area: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((workspace / area).glob("*.json"))]


def sidebar(page):
    return page.get_by_test_id("stSidebar")


def test_a_training_left_at_once_lands_its_set_and_shows_its_scores_on_return(
    server, browser, artifacts
):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/train?methods=als")
    page.get_by_role("button", name="Train and evaluate").click()
    line = sidebar(page).get_by_text("training: sample log · als")
    line.wait_for(timeout=WAIT)  # the job is the server's now
    page.screenshot(path=str(artifacts / "jobs-train-started.png"))
    page.close()  # the tab goes at once: the headline bug cancelled the run here

    again = context.new_page()  # the same browser comes back (its cookie)
    again.goto(f"{server.url}/train")
    expect(again.get_by_text("als — ").first).to_be_visible(timeout=WAIT)
    expect(again.get_by_text("users evaluated").first).to_be_visible()
    expect(sidebar(again).get_by_text("done")).to_be_visible()
    again.screenshot(path=str(artifacts / "jobs-train-back.png"), full_page=True)
    (stored,) = [r for r in records(server.workspace, "sets") if r["kind"] == "trained"]
    assert stored["name"] == "sample log · als"
    (kept,) = [json.loads(p.read_text()) for p in (server.workspace / "results").glob("*/*.json")]
    assert kept["of"] == stored["id"] and kept["kind"] == "scores"
    assert set(kept["data"]["baselines"]) >= {"popularity", "random"}
    assert 0 < kept["data"]["hr"] <= 1
    context.close()


def test_a_sweep_left_at_once_keeps_its_rows_with_the_log(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/catalog?methods=als&seeds=1")
    grid = page.get_by_role("textbox", name="Grid")
    grid.fill("300, 1000")
    grid.press("Enter")
    page.get_by_text("Which items to keep").wait_for(timeout=WAIT)
    page.get_by_text("random items").click()
    expect(page.get_by_text("2 trainings")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Run sweep").click()
    sidebar(page).get_by_text("sweep: sample log · sweep of items 300–1000").wait_for(timeout=WAIT)
    page.close()

    again = context.new_page()
    again.goto(f"{server.url}/catalog")
    expect(again.get_by_text("Result: sample log · sweep of items").first).to_be_visible(
        timeout=WAIT
    )
    again.screenshot(path=str(artifacts / "jobs-sweep-back.png"), full_page=True)
    (kept,) = [
        json.loads(p.read_text()) for p in (server.workspace / "results" / "sample").glob("*.json")
    ]
    assert kept["kind"] == "sweep" and kept["name"].endswith("· als · 1 seed")
    assert sorted({row["value"] for row in kept["data"]["rows"]}) == [300, 1000]
    context.close()


def test_a_server_killed_mid_training_shows_the_job_interrupted_and_starts_it_again(
    browser, artifacts, tmp_path
):
    srv = Server(tmp_path, env={"EMBEDLAB_MAX_TRAIN_MINUTES": "600"}).start()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{srv.url}/train?methods=item2vec")
        page.get_by_text("item2vec parameters").click()
        epochs = page.get_by_role("spinbutton", name="epochs")
        epochs.fill("1000")  # minutes of work: it is surely running when the server dies
        epochs.press("Enter")
        expect(epochs).to_have_value("1000")
        page.get_by_role("button", name="Train and evaluate").click()
        sidebar(page).get_by_text("running —").wait_for(timeout=WAIT)
        srv.kill()
        (left,) = records(srv.workspace, "jobs")
        assert left["state"] == "running"  # as the killed server last wrote it
        srv.start()  # the same workspace
        back = context.new_page()
        back.goto(f"{srv.url}/train?methods=item2vec")
        expect(sidebar(back).get_by_text("interrupted: the server stopped")).to_be_visible(
            timeout=WAIT
        )
        back.screenshot(path=str(artifacts / "jobs-interrupted.png"), full_page=True)
        assert records(srv.workspace, "sets") == []  # nothing half-written became a set
        assert not any((srv.workspace / "blobs").iterdir())
        sidebar(back).get_by_role("button", name="Start again").click()
        sidebar(back).get_by_text("running —").wait_for(timeout=WAIT)
        (again,) = records(srv.workspace, "jobs")  # the interrupted record gave way to it
        assert again["params"] == left["params"] and again["params"]["changed"] == {"epochs": 1000}
        sidebar(back).get_by_role("button", name="Cancel").click()
        expect(sidebar(back).get_by_text("cancelled; nothing of it was stored")).to_be_visible(
            timeout=WAIT
        )
        assert records(srv.workspace, "sets") == []
    finally:
        context.close()
        srv.stop()
