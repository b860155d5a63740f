"""The dashboard in a real browser: a Streamlit server started here on 127.0.0.1 and Debian's
Chromium driven by Playwright.  Screenshots land in the session's temporary folder
(``artifacts`` under pytest's base temporary folder, kept for the last three runs)."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from embedlab.core.logs import prepare
from embedlab.core.search import neighbours
from embedlab.core.train import train
from tests.paths import ROOT, ROWS, SAMPLE_ITEMS, SAMPLE_LOG

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Poll the health endpoint until the server answers (or has died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


class Server:
    """``embedlab dashboard`` on a free 127.0.0.1 port with its own workspace; output to a log
    file."""

    def __init__(self, workspace: Path, log: Path, env: dict | None = None):
        self.workspace, self.log, self.env = workspace, log, dict(env or {})
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "Server":
        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), **self.env}
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "embedlab.core.cli",
                    "dashboard",
                    "--workspace",
                    str(self.workspace),
                    "--server.headless",
                    "true",
                    "--server.address",
                    "127.0.0.1",
                    "--server.port",
                    str(port),
                    "--browser.gatherUsageStats",
                    "false",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"
        wait_healthy(self.url, self.proc)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("server")
    srv = Server(root / "workspace", root / "server.log")
    try:
        yield srv.start().url
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "the test command installs Debian's chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, never the repository."""
    folder = tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(exist_ok=True)  # (this fixture is also imported by test_map_browser.py)
    return folder


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield pg
    pg.close()


def grid_cells(page, timeout: float = 90_000) -> list[str]:
    """Texts of the first result grid's cells, row by row (st.dataframe draws on a canvas and keeps
    an accessible copy of the cells)."""
    cells = page.locator("[data-testid=stDataFrame]").first.locator("[role=gridcell]")
    cells.first.wait_for(state="attached", timeout=timeout)
    return cells.all_inner_texts()


def expect_cell(page, index: int, text: str, timeout: float = 90_000) -> None:
    """Cell ``index`` of the first result grid shows ``text``: waits (on the DOM, no sleep) while
    the grid is drawn or redrawn after a rerun, instead of reading whichever grid is there first."""
    from playwright.sync_api import expect

    cells = page.locator("[data-testid=stDataFrame]").first.locator("[role=gridcell]")
    expect(cells.nth(index)).to_have_text(text, timeout=timeout)


def wait_for_query(page, needle: str, present: bool = True, timeout: float = 30_000) -> None:
    """Wait until the address bar's query does (or does not) contain ``needle``.  (Playwright's
    page.url can lag behind history.replaceState; location.search does not.)"""
    page.wait_for_function(
        "([n, p]) => decodeURIComponent(location.search).includes(n) === p",
        arg=[needle, present],
        timeout=timeout,
    )


def test_arithmetic_url_shows_paris(server, page, artifacts):
    page.goto(f"{server}/arithmetic?q=madrid+-+spain+%2B+france")
    assert grid_cells(page)[1] == "paris"
    assert page.get_by_role("textbox", name="Expression").input_value() == "madrid - spain + france"
    page.get_by_text("result vector").first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "arithmetic.png"))


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
    assert any(c.startswith("i0") for c in grid_cells(page))  # the sample's keys, not GloVe's
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Arithmetic").click()
    page.get_by_role("heading", name="Vector arithmetic").wait_for(timeout=60_000)
    wait_for_query(page, "ds=sample:als")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
    page.get_by_role("heading", name="Nearest neighbours").wait_for(timeout=60_000)
    wait_for_query(page, "ds=sample:als")
    assert any(c.startswith("i0") for c in grid_cells(page))
    assert page.get_by_role("combobox", name="Embedding set").input_value() == "sample log · als"


def test_upload_a_log_through_the_file_input(server, page, artifacts):
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
    page.screenshot(path=str(artifacts / "upload.png"), full_page=True)


def test_a_raw_headerless_pair_loads_without_leaving_the_browser(server, page, artifacts):
    """MovieLens-shaped files as they come (tests/data/movielens): a headerless tab log with a
    trailing tab, a headerless latin-1 '|' item file with 19 genre flags."""
    from playwright.sync_api import expect

    ml = ROOT / "tests" / "data" / "movielens"
    page.set_viewport_size({"width": 1400, "height": 3000})  # the whole page in each screenshot
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="Upload a log").click()
    uploaders = page.get_by_test_id("stFileUploader")
    uploaders.filter(has_text="Interaction log").locator("input[type=file]").set_input_files(
        str(ml / "ratings.data")
    )
    page.get_by_text("Preview of ratings.data").wait_for(timeout=90_000)
    page.get_by_text("guessed from content: user=column1").wait_for(timeout=30_000)
    expect(page.get_by_role("combobox", name="time")).to_have_value("column4")
    expect_cell(page, 4, "881250949")  # the preview drawn: row 0, column4 (not a placeholder)
    page.screenshot(path=str(artifacts / "headerless-log.png"))
    names = page.get_by_role("textbox", name="Column names, in order (a file without a header)")
    names.first.fill("user,item,rating,time")
    names.first.press("Enter")
    expect(page.get_by_text("guessed from content")).to_have_count(0, timeout=60_000)
    expect(page.get_by_role("combobox", name="weight")).to_have_value("rating", timeout=30_000)
    expect(page.get_by_role("combobox", name="time")).to_have_value("time")  # guessed afresh
    uploaders.filter(has_text="Optional item metadata").locator("input[type=file]").set_input_files(
        str(ml / "items.item")
    )
    page.get_by_text("19 0/1 columns (column6 … column24) read as one label").wait_for(
        timeout=90_000
    )
    page.get_by_text("Café 01 (1980)").first.wait_for(state="attached", timeout=30_000)
    page.get_by_text("Read a run of 0/1 columns").wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "headerless-metadata.png"))
    page.get_by_role("button", name="Validate log").click()
    page.get_by_text("ratings.data is ready to train").wait_for(timeout=90_000)
    report = page.locator("p", has_text="1,467 of 1,467 rows kept").locator("visible=true").first
    report.wait_for(timeout=30_000)
    page.get_by_text("No row was dropped.").locator("visible=true").first.wait_for()
    page.get_by_text("60 items with metadata, 0 without").first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "headerless-validated.png"))


def upload_vectors(page, url: str, path: Path) -> None:
    page.goto(
        f"{url}/data?ds=sample:als"
    )  # (not GloVe: a fresh server need not load 400,000 words)
    page.get_by_role("tab", name="Upload vectors").click()
    page.get_by_test_id("stFileUploader").filter(has_text="Vector file").locator(
        "input[type=file]"
    ).set_input_files(str(path))
    page.get_by_role("button", name="Load vectors").click()
    page.get_by_text(f"from {path.name}; it is now the active set").wait_for(timeout=60_000)
    # the run has ended once the sidebar names the new set; a page-link click before that can still
    # open the previous set (a known race, about 1 run in 10 when clicking at once)
    from playwright.sync_api import expect

    expect(page.get_by_role("combobox", name="Embedding set")).to_have_value(
        f"{path.name} (uploaded)", timeout=60_000
    )


def test_a_set_stays_active_across_reload_restart_and_a_copied_link(browser, tmp_path):
    vectors = tmp_path / "tiny.txt"
    vectors.write_text("3 2\nalpha 1 0\nbeta 0.9 0.1\ngamma 0 1\n", encoding="utf-8")
    srv = Server(tmp_path / "workspace", tmp_path / "server.log").start()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        upload_vectors(page, srv.url, vectors)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
        page.get_by_role("heading", name="Nearest neighbours").wait_for(timeout=60_000)
        wait_for_query(page, "ds=")
        link = page.evaluate("location.pathname + location.search")
        expect_cell(page, 1, "beta")
        page.reload()
        expect_cell(page, 1, "beta")
        assert (
            page.get_by_role("combobox", name="Embedding set").input_value()
            == "tiny.txt (uploaded)"
        )
        srv.stop()
        srv.start()  # a new port, the same workspace
        page.goto(srv.url + link)
        expect_cell(page, 1, "beta")
        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            other = fresh.new_page()
            other.goto(srv.url + link)
            expect_cell(other, 1, "beta")
            assert (
                other.get_by_role("combobox", name="Embedding set").input_value()
                == "tiny.txt (uploaded)"
            )
        finally:
            fresh.close()
    finally:
        context.close()
        srv.stop()


def test_a_link_to_a_missing_set_says_so(server, page):
    page.goto(f"{server}/neighbours?ds=AAAAAAAAAAAAAAAAAAAAAA&q=frog")
    alert = page.get_by_test_id("stAlertContentError").first
    alert.wait_for(timeout=60_000)
    assert "no stored set has the id 'AAAAAAAAAAAAAAAAAAAAAA'" in alert.inner_text()
    assert "another server" in alert.inner_text()
    assert page.locator("[data-testid=stDataFrame]").count() == 0  # no silent GloVe neighbours


@contextlib.contextmanager
def request_tracker():
    """A local HTTP server that records the path of every request it gets: a key or title that
    renders as Markdown or HTML would make the browser fetch from it.  Yields (its URL, paths)."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()


@pytest.fixture
def tracker():
    with request_tracker() as found:
        yield found


def test_keys_that_look_like_markdown_or_html_stay_text(server, page, tracker, tmp_path):
    base, hits = tracker
    image, tag = (
        f"![b]({base}/md.png)",
        f"<img/src={base}/html.png>",
    )  # (no spaces: word2vec text keys)
    # every request the page makes passes through here (and goes on): a key rendered as Markdown
    # or HTML would make one to the tracker, off the dashboard's origin
    requested: list[str] = []

    def record(route):
        requested.append(route.request.url)
        route.continue_()

    page.route("**/*", record)
    vectors = tmp_path / "hostile.txt"
    vectors.write_text(f"3 2\n{image} 1 0\n{tag} 0.9 0.1\nplain 0 1\n", encoding="utf-8")
    upload_vectors(page, server, vectors)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Neighbours").click()
    expect_cell(page, 1, tag)  # the first key is the query; its neighbour's key is shown verbatim
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Arithmetic").click()
    page.get_by_text("Similarity of each input to the result vector").wait_for(timeout=60_000)
    caption = page.get_by_text("Similarity of each input to the result vector").inner_text()
    caption = caption.replace("\u2060", "")  # the invisible word joiner that stops autolinks
    assert image in caption and tag in caption  # shown as typed, not rendered
    # the page's last element (the link expander after the chart) is drawn: every element that
    # could have asked for an image has been rendered by now
    page.get_by_text("Copy link to this view").wait_for(timeout=60_000)
    assert page.locator(f"img[src^='{base}']").count() == 0
    assert requested and all(url.startswith(server) for url in requested), [
        url for url in requested if not url.startswith(server)
    ]
    assert hits == []


def test_sigterm_stops_the_dashboard_and_frees_its_port(tmp_path):
    """``embedlab dashboard`` exits only once its Streamlit child has: when it has, the port is
    free, and exit status 0 says Streamlit stopped on the forwarded SIGTERM (one it had to kill
    after the grace period would give 143)."""
    import signal

    srv = Server(tmp_path / "workspace", tmp_path / "server.log").start()
    port = int(srv.url.rsplit(":", 1)[1])
    try:
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=300) == 0  # (the timeout only turns a hang into a failure)
        assert port_is_free(port), "the Streamlit child still serves the port"
    finally:
        srv.stop()


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_a_title_finds_its_item(server, page):
    page.goto(f"{server}/neighbours?ds=sample:als")
    grid_cells(page)
    box = page.get_by_role("textbox", name="Key or title")
    box.fill("The Velvet Garden (1991)")
    box.press("Enter")
    page.get_by_role("heading", name="The Velvet Garden (1991) · i0001").wait_for(timeout=60_000)
    wait_for_query(page, "q=The Velvet Garden (1991)".replace(" ", "+"))
    # the grid lists i0001's neighbours: those of the same model (sample log, ALS, seed 0) found
    # here in core, in order
    model = train(prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS), "als", seed=0)
    expected = neighbours(model.items, "i0001", k=10)
    # the grid reads rank, title, key, score, ...: neighbours listed by title, in order
    expect_cell(page, 1, expected.metadata["title"].iloc[0])
    cells = grid_cells(page)
    keys = [c for c in cells if re.fullmatch(r"i\d{4}", c)]
    assert keys == expected.keys
    titles = [cells[cells.index(k) - 1] for k in keys]
    assert titles == expected.metadata["title"].tolist()


def png_pixels(path: Path, size: tuple[int, int]):
    """Check ``path`` is a whole PNG of ``size`` (width, height) that draws something: more than
    half a percent of its pixels differ from the background (its corner).  Returns its RGB
    pixels."""
    import numpy as np
    from PIL import Image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.read_bytes()[:16]
    with Image.open(path) as image:
        image.load()  # decodes every row: a truncated file fails here
        assert image.size == size
        rgb = np.asarray(image.convert("RGB"))
    drawn = (rgb != rgb[0, 0]).any(axis=2)
    assert drawn.mean() > 0.005, drawn.mean()
    return rgb


def download(page, button: str, folder: Path) -> Path:
    """Click the download button named ``button`` (it must be there: a missing Chromium swaps the
    server-side PNG button for a caption, which fails here) and save what it sends."""
    target = page.get_by_role("button", name=button, exact=True)
    swapped = page.get_by_text("Server-side PNG needs Chromium on the server")
    target.or_(swapped).first.wait_for(timeout=120_000)
    assert not swapped.count(), "no Chromium for kaleido: the test command installs it"
    with page.expect_download(timeout=120_000) as info:
        target.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


@pytest.mark.parametrize(
    "view",
    [
        "arithmetic?q=king+-+man+%2B+woman",
        "neighbours?q=frog",
        "map?ds=sample:als&p=pca&3d=1",  # a 3-D chart (WebGL in the browser)
    ],
)
def test_server_side_png_of_a_chart_is_the_chart(server, page, view, tmp_path):
    """The chart's "PNG (server-side)" button sends a PNG rendered by kaleido at scale 2: as wide
    as plotly's default figure (700 px: the figures set no width) and as tall as the chart's own
    declared height, both doubled."""
    page.goto(f"{server}/{view}")
    height = page.wait_for_function(
        "() => { const g = document.querySelector('.js-plotly-plot');"
        " return g && g.layout && g.layout.height }",
        timeout=120_000,
    ).json_value()
    path = download(page, "PNG (server-side)", tmp_path)
    assert path.name.startswith("embedlab-") and path.suffix == ".png"
    png_pixels(path, (2 * 700, 2 * height))


def test_server_side_png_of_the_whole_map(server, page, tmp_path):
    """The map's whole-layout PNG: the 1200 × 800 map of every point with its region labels,
    the legend of its colours and the whole caption wrapped in 18-pixel lines under it."""
    import numpy as np
    from PIL import Image

    from embedlab.core.colouring import CATEGORIES
    from embedlab.core.pointmap import rgb as colour

    page.goto(f"{server}/map?ds=sample:als&p=pca&colour=genres")
    path = download(page, "PNG of the whole map (server-side)", tmp_path)
    with Image.open(path) as image:
        width, height = image.size
    lines = (height - 800 - 8) / 18
    assert width == 1200 and lines == int(lines) and lines >= 2, (width, height)
    rgb = png_pixels(path, (width, height))
    raster, strip = rgb[:800], rgb[800:]
    assert (raster != 255).any(axis=2).sum() > 1000  # 1,000 items, each at least a pixel
    assert (strip < 128).all(axis=2).sum() > 100  # dark caption text
    # the legend's first swatch, top left, in the first colour of the genres
    swatch = raster[10:30, 10:26].reshape(-1, 3).astype(int)
    assert (np.abs(swatch - colour(CATEGORIES[0])).sum(axis=1) < 30).sum() > 40


def test_a_png_the_server_cannot_draw_says_so_and_logs_one_line(tmp_path, browser):
    """kaleido starts a browser that exits at once (BROWSER_PATH=/bin/false): the button sends no
    empty file, Streamlit says the download failed, and the server log holds one line, no
    traceback."""
    log = tmp_path / "server.log"
    srv = Server(tmp_path / "workspace", log, env={"BROWSER_PATH": "/bin/false"}).start()
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        tab.goto(f"{srv.url}/arithmetic?q=king+-+man+%2B+woman")
        target = tab.get_by_role("button", name="PNG (server-side)", exact=True)
        target.wait_for(timeout=120_000)
        downloads = []
        tab.on("download", lambda d: downloads.append(d))
        target.click()
        tab.get_by_text("Failed to generate file for download").wait_for(timeout=120_000)
        assert downloads == []
    finally:
        tab.close()
        srv.stop()
    text = log.read_text()
    assert "Traceback" not in text, text
    assert "download failed: the server could not draw this chart as PNG" in text
