"""User text rendered anywhere in the dashboard stays text: a set whose name, keys, titles and
genres hold Markdown images, HTML tags, links, Streamlit directives and terminal escapes is opened
on every page in real Chromium, every request of the page is routed through Playwright, and none
may leave the dashboard's origin (a rendered image would fetch from the tracker below)."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings
from embedlab.core.workspace import CLI_OWNER, Workspace
from tests.test_browser import CHROMIUM, FLAGS, Server, request_tracker

PAGES = ["", "map", "neighbours", "arithmetic", "data", "train", "compare", "catalog", "lookup"]


@pytest.fixture(scope="module")
def tracker():
    """A local HTTP server that records every request: nothing on the page may reach it."""
    with request_tracker() as found:
        yield found


def hostile_texts(base: str) -> list[str]:
    return [
        f"![t]({base}/title.png)",
        f"<img src={base}/tag.png>",
        f'<img src="{base}/quoted.png" onerror="fetch(\'{base}/js\')">',
        f"[link]({base}/link) :red[red] $x^2$ **bold**",
        "Film\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
        f"<style>body{{background:url({base}/css.png)}}</style>",
        # line breaks (Pillow could not lay them out) and bare URLs (GFM autolinks them)
        "line\nbreak",
        "carriage\rreturn",
        "line\u2028separator",
        "tab\there",
        f"bare {base}/bare.png http://example.com/x.png",
        "www.example.com",
        "[l](http://example.com/y.png)",
    ]


# keys whose titles hold a line break (6: "\n", 7: "\r") or a bare URL (10, 11): the pages that
# draw a query's neighbours, an arithmetic's answers and a map's marks with them
RENDERED = {
    "neighbours": "neighbours?ds={set}&q=k6",
    "arithmetic": "arithmetic?ds={set}&q=k6+-+k7+%2B+k10",
    "map": "map?ds={set}&p=pca&sel=k11",
}


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, tracker):
    base, _ = tracker
    root = tmp_path_factory.mktemp("hostile")
    texts = hostile_texts(base)
    n = 48
    keys = [f"k{i}" for i in range(n - 2)] + [f"![k]({base}/key.png)", f"<img/src={base}/k.png>"]
    meta = pd.DataFrame(
        {
            "title": [f"img {texts[i % len(texts)]} {i}" for i in range(n)],
            "genre": [texts[i % 3] if i % 2 else texts[6 + i % 7] for i in range(n)],
        }
    )
    rng = np.random.default_rng(0)
    emb = Embeddings(keys, rng.normal(size=(n, 8)).astype(np.float32), metadata=meta)
    rec = Workspace(root / "workspace").save_set(emb, f"![s]({base}/set.png)", owner=CLI_OWNER)
    srv = Server(root / "workspace", root / "server.log").start()
    try:
        yield srv.url, rec.id
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _settled(page) -> None:
    """The app's script has run to its end (Streamlit marks its root element)."""
    page.wait_for_selector(
        "[data-testid=stApp][data-test-script-state=notRunning]", state="attached", timeout=120_000
    )


def _routed(browser, url: str):
    """A page whose every request is recorded, and aborted when it would leave ``url``."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requested: list[str] = []

    def record(route):
        requested.append(route.request.url)
        if route.request.url.startswith(url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", record)
    return page, requested


@contextmanager
def _opened(browser, url: str, path: str):
    """``url/path`` in a routed page (:func:`_routed`), its script run and its sidebar drawn:
    ``(page, requested)``; the page is closed after."""
    page, requested = _routed(browser, url)
    try:
        page.goto(f"{url}/{path}")
        _settled(page)
        page.get_by_test_id("stSidebar").wait_for(timeout=60_000)
        yield page, requested
    finally:
        page.close()


def _links_away(page, url: str) -> list[str]:
    """The targets of the ``<a href>`` elements, in the page and its frames (the point map's),
    that lead off the dashboard's origin."""
    found = []
    for frame in page.frames:
        found += frame.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [h for h in found if not (h.startswith(url + "/") or h == url)]


def _nothing_left_the_page(page, requested, url, base, hits, shot) -> None:
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    body = page.locator("body").inner_text()
    assert "\x1b" not in body
    assert "Something went wrong" not in body
    leaving = [u for u in requested if not u.startswith(url)]
    assert leaving == [] and hits == []
    assert page.locator(f"img[src^='{base}']").count() == 0
    assert _links_away(page, url) == []


@pytest.mark.parametrize("name", PAGES)
def test_no_request_leaves_the_page_for_hostile_user_text(
    hostile_server, tracker, browser, name, tmp_path_factory
):
    url, set_id = hostile_server
    base, hits = tracker
    # neighbours: no such key, so "did you mean" buttons; map: PCA, drawn at once
    query = {"neighbours": "&q=img", "map": "&p=pca"}.get(name, "")
    with _opened(browser, url, f"{name}?ds={set_id}{query}") as (page, requested):
        if name == "map":  # the map and its region labels (genres, from the metadata) drawn
            page.get_by_text("Drag to pan").wait_for(timeout=120_000)
        if name == "neighbours":
            buttons = page.get_by_test_id("stButton")
            buttons.first.wait_for(timeout=60_000)
            shown = " ".join(buttons.all_inner_texts())
            assert "<img src=" in shown and "<style>" in shown  # the titles as typed, not HTML
        if name == "data":
            page.get_by_role("tab", name="Your sets").click()
            _settled(page)
        shot = tmp_path_factory.getbasetemp() / "artifacts" / f"hostile-{name or 'start'}.png"
        _nothing_left_the_page(page, requested, url, base, hits, shot)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_titles_with_line_breaks_and_urls_render_as_text_on_the_pages_that_draw_them(
    hostile_server, tracker, browser, name, tmp_path_factory
):
    url, set_id = hostile_server
    base, hits = tracker
    with _opened(browser, url, RENDERED[name].format(set=set_id)) as (page, requested):
        assert page.get_by_test_id("stAlertContentError").count() == 0  # the script ran through
        page.locator(".js-plotly-plot, iframe").first.wait_for(timeout=120_000)  # a chart drawn
        if name == "map":
            page.get_by_text("Nearest neighbours of").wait_for(timeout=60_000)
        body = page.locator("body").inner_text()
        wanted = {"neighbours": "line\\nbreak", "arithmetic": "carriage\\rreturn"}
        assert wanted.get(name, "www.example.com") in body.replace("\u2060", "")
        shot = tmp_path_factory.getbasetemp() / "artifacts" / f"hostile-rendered-{name}.png"
        _nothing_left_the_page(page, requested, url, base, hits, shot)
