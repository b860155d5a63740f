"""The Map page in a real browser: the point-map component draws the shipped layout of all 400,000
GloVe words with region labels; zooming redraws around the pointer; hovering a point shows its
word; clicking it lists its neighbours and draws them without resetting the view; an item set's
regions are named by their genres.  (The component reports what it drew in ``window.__pointmap``
inside its iframe: frames, points in view, the labels it wrote, the text under the pointer.)"""

import pytest

from tests.test_browser import artifacts, browser, page, server  # noqa: F401 - fixtures

GENRES = {
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Horror",
    "Musical",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
    "Action",
    "Mystery",
    "Family",
}


def open_map(tab, url: str, n: int | None = None):
    """Navigate and wait until the component has drawn a frame with ``n`` points (all, if None)."""
    tab.goto(url)
    frame = tab.wait_for_selector("iframe[src*=pointmap]", timeout=240_000).content_frame()
    frame.wait_for_function(
        "(n) => window.__pointmap && window.__pointmap.frames > 0 && "
        "window.__pointmap.drawn === (n === null ? window.__pointmap.n : n) && "
        "window.__pointmap.n > 0",
        arg=n,
        timeout=240_000,
    )
    return frame


def pointer_on(tab, frame, key: str) -> tuple[float, float]:
    """Page coordinates of ``key`` on the map (its iframe's offset plus the position inside)."""
    box = tab.locator("iframe[src*=pointmap]").bounding_box()
    x, y = frame.evaluate("(k) => window.__pointmap.locate(k)", key)
    return box["x"] + x, box["y"] + y


def redrawn(frame, action) -> dict:
    before = frame.evaluate("window.__pointmap.frames")
    action()
    frame.wait_for_function(f"() => window.__pointmap.frames > {before}", timeout=30_000)
    return frame.evaluate(
        "({view: window.__pointmap.view, labels: window.__pointmap.labels, "
        "drawn: window.__pointmap.drawn})"
    )


def test_map_draws_all_glove_words_with_labels_zoom_hover_and_click(server, page, artifacts):  # noqa: F811
    frame = open_map(page, f"{server}/map", 400_000)
    labels = frame.evaluate("window.__pointmap.labels")
    assert len(labels) >= 10 and all(" · " in t for t in labels), (
        labels
    )  # "word · word" region labels
    caption = page.locator("[data-testid=stCaptionContainer]", has_text="Drawn:").first.inner_text()
    assert "all 400,000 keys" in caption
    x, y = pointer_on(page, frame, "paris")
    page.mouse.move(x, y)
    zoomed = {}
    for _ in range(6):  # zoom in around paris: it stays under the pointer
        zoomed = redrawn(frame, lambda: page.mouse.wheel(0, -400))
    ratio = zoomed["view"]["scale"] / frame.evaluate("window.__pointmap.fit")
    assert ratio > 5 and zoomed["drawn"] < 400_000
    x2, y2 = pointer_on(page, frame, "paris")
    # paris stays under the pointer, up to the pointer's sub-pixel rounding magnified by the zoom
    assert abs(x2 - x) < ratio + 3 and abs(y2 - y) < ratio + 3, (x, y, x2, y2, ratio)
    page.mouse.move(x2 + 1, y2)
    page.mouse.move(x2, y2)
    frame.wait_for_function("() => window.__pointmap.hover === 'paris'", timeout=10_000)
    assert frame.locator("#tip").inner_text() == "paris" and frame.locator("#tip").is_visible()
    page.mouse.click(x2, y2)
    page.get_by_role("heading", name="Nearest neighbours of paris").wait_for(timeout=120_000)
    cells = page.locator("[data-testid=stDataFrame]").first.locator("[role=gridcell]")
    cells.first.wait_for(state="attached", timeout=60_000)
    listed = [c for c in cells.all_inner_texts() if c.isalpha()]
    frame.wait_for_function("() => window.__pointmap.marked.length === 11", timeout=60_000)
    marked = frame.evaluate("window.__pointmap.marked")
    assert marked[0] == "paris" and "france" in marked and set(marked[1:]) >= set(listed[:5]), (
        marked,
        listed,
    )
    assert frame.evaluate("window.__pointmap.view.scale") == pytest.approx(
        zoomed["view"]["scale"]
    )  # kept across the rerun
    page.screenshot(path=str(artifacts / "map_400k.png"))


def test_item_map_regions_are_labelled_by_genre_in_the_browser(server, page):  # noqa: F811
    frame = open_map(page, f"{server}/map?ds=sample:item2vec&p=pca&label=genres")
    labels = frame.evaluate("window.__pointmap.labels")
    assert len(labels) >= 3 and set(labels) <= GENRES, labels
