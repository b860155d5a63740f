"""The dashboard in a real browser: a Streamlit server started here on 127.0.0.1 and Debian's
Chromium driven by Playwright.  Screenshots land in artifacts/."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.paths import ROOT, ROWS, SAMPLE_LOG

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll the health endpoint until the server answers (or has died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                             "--server.headless", "true", "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert os.path.exists(CHROMIUM), "the test command installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield pg
    pg.close()


def grid_cells(page, timeout: float = 90_000) -> list[str]:
    """Texts of the first result grid's cells, row by row (st.dataframe draws on a canvas and keeps
    an accessible copy of the cells)."""
    cells = page.locator("[data-testid=stDataFrame]").first.locator("[role=gridcell]")
    cells.first.wait_for(state="attached", timeout=timeout)
    return cells.all_inner_texts()


def wait_for_query(page, needle: str, present: bool = True, timeout: float = 30_000) -> None:
    """Wait until the address bar's query does (or does not) contain ``needle``.  (Playwright's
    page.url can lag behind history.replaceState; location.search does not.)"""
    page.wait_for_function("([n, p]) => decodeURIComponent(location.search).includes(n) === p", arg=[needle, present],
                           timeout=timeout)


def test_arithmetic_url_shows_paris(server, page):
    page.goto(f"{server}/arithmetic?q=madrid+-+spain+%2B+france")
    assert grid_cells(page)[1] == "paris"
    assert page.get_by_role("textbox", name="Expression").input_value() == "madrid - spain + france"
    page.get_by_text("result vector").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "arithmetic.png"))


def test_a_control_changed_three_times_keeps_each_change(server, page):
    page.goto(f"{server}/arithmetic?q=king+-+man+%2B+woman")
    grid_cells(page)
    for method in ("3cosmul", "3cosadd", "3cosmul"):
        page.get_by_text(method, exact=True).click()
        wait_for_query(page, "method=3cosmul", present=method == "3cosmul")
        assert page.get_by_role("radio", name=method).is_checked()
    assert "king" in page.evaluate("location.search")  # the expression stayed in the URL


def test_the_active_set_survives_switching_pages(server, page):
    page.goto(f"{server}/neighbours?ds=sample:als&q=i0001")
    assert grid_cells(page)[1].startswith("i0")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Arithmetic").click()
    page.get_by_role("heading", name="Vector arithmetic").wait_for(timeout=60_000)
    wait_for_query(page, "ds=sample:als")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
    page.get_by_role("heading", name="Nearest neighbours").wait_for(timeout=60_000)
    wait_for_query(page, "ds=sample:als")
    assert grid_cells(page)[1].startswith("i0")
    assert page.get_by_role("combobox", name="Embedding set").input_value() == "sample log · als"


def test_upload_a_log_through_the_file_input(server, page):
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="Upload a log").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Interaction log")
    uploader.locator("input[type=file]").set_input_files(str(SAMPLE_LOG))
    page.get_by_text("Preview of interactions.csv").wait_for(timeout=90_000)
    page.get_by_role("button", name="Validate log").click()
    page.get_by_text("interactions.csv is ready to train").wait_for(timeout=90_000)
    report = page.locator("p", has_text="rows kept").locator("visible=true").first
    report.wait_for(timeout=30_000)
    assert f"{ROWS:,} of {ROWS:,} rows kept" in report.inner_text()
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
