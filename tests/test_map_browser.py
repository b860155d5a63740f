"""The Map page in a real browser: the point-map component draws the shipped layout of all 400,000
GloVe words with region labels; zooming redraws around the pointer; hovering a point shows its
word; clicking it lists its neighbours and draws them without resetting the view; an item set's
regions are named by their genres.  (The component reports what it drew in ``window.__pointmap``
inside its iframe: frames, points in view, the labels it wrote, the text under the pointer.)"""

import pytest

from embedlab.core.naming import short
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


def open_map(tab, url: str, n: int | None = None, whole: bool = True):
    """Navigate and wait until the component has drawn a frame with ``n`` points (all, if None;
    any number in view, when not ``whole``: a link's zoomed view)."""
    tab.goto(url)
    frame = tab.wait_for_selector("iframe[src*=pointmap]", timeout=240_000).content_frame()
    frame.wait_for_function(
        "([n, whole]) => window.__pointmap && window.__pointmap.frames > 0 && "
        "window.__pointmap.n > 0 && (!whole || "
        "window.__pointmap.drawn === (n === null ? window.__pointmap.n : n))",
        arg=[n, whole],
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
    parts = [p.rsplit(" ", 1) for label in labels for p in label.split(" · ")]
    assert len(labels) >= 3 and {genre for genre, _ in parts} <= GENRES, labels
    assert all(share.endswith("%") for _, share in parts), labels  # "Horror 62%"
    leads = [label.split(" · ")[0] for label in labels]
    assert len(set(leads)) == len(leads), labels  # no two regions lead with the same genre


def sample_titles() -> dict[str, str]:
    """Key → title of the committed sample's items (sample_data/items.csv)."""
    import csv

    from tests.paths import SAMPLE_ITEMS

    with open(SAMPLE_ITEMS, encoding="utf-8") as f:
        return {row["item_id"]: row["title"] for row in csv.DictReader(f)}


def test_the_highlight_finds_items_by_title_and_hover_reads_their_titles(server, page):  # noqa: F811
    titles = sample_titles()
    wanted = [k for k, t in titles.items() if "velvet garden" in t.lower()]
    frame = open_map(page, f"{server}/map?ds=sample:item2vec&p=pca&q=Velvet+Garden")
    frame.wait_for_function("() => window.__pointmap.marked.length > 0", timeout=60_000)
    marked = frame.evaluate("window.__pointmap.marked")
    # the mark names each hit by its title; every item whose title holds the words is marked
    assert sorted(marked) == sorted(short(titles[k], 28) for k in wanted), (marked, wanted)
    caption = page.locator("[data-testid=stCaptionContainer]", has_text="Drawn:").first
    assert f"{len(wanted)} item" in caption.inner_text()
    x, y = pointer_on(page, frame, "i0001")
    page.mouse.move(x + 1, y)
    page.mouse.move(x, y)
    expected = f"{titles['i0001']} · i0001"  # "The Velvet Garden (1991) · i0001"
    frame.wait_for_function("(t) => window.__pointmap.hover === t", arg=expected, timeout=10_000)
    assert frame.locator("#tip").inner_text() == expected
    # a point no mark covers: hover reads its title too
    other = next(k for k in titles if k not in wanted and k != "i0001")
    x, y = pointer_on(page, frame, other)
    page.mouse.move(x + 1, y)
    page.mouse.move(x, y)
    hover = frame.evaluate("window.__pointmap.hover")
    assert " · " in hover and hover.split(" · ")[-1].startswith("i"), hover
    assert hover.rsplit(" · ", 1)[0] == titles[hover.rsplit(" · ", 1)[1]]


def test_a_copied_map_link_reproduces_pan_and_zoom(server, browser):  # noqa: F811
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        frame = open_map(tab, f"{server}/map?ds=sample:item2vec&p=pca")
        x, y = pointer_on(tab, frame, "i0001")
        tab.mouse.move(x, y)
        for _ in range(4):
            redrawn(frame, lambda: tab.mouse.wheel(0, -300))
        view = frame.evaluate("window.__pointmap.view")
        zoom = view["scale"] / frame.evaluate("window.__pointmap.fit")
        # the map tells the page where the reader is once they pause; the page keeps it in the URL
        tab.wait_for_function("() => location.search.includes('view=')", timeout=30_000)
        link = tab.evaluate("location.pathname + location.search")
    finally:
        tab.close()
    other = browser.new_page(viewport={"width": 1100, "height": 900})  # another window size
    try:
        frame = open_map(other, server + link, whole=False)
        again = frame.evaluate("window.__pointmap.view")
        fit = frame.evaluate("window.__pointmap.fit")
        assert again["cx"] == pytest.approx(view["cx"], rel=1e-4, abs=1e-4)
        assert again["cy"] == pytest.approx(view["cy"], rel=1e-4, abs=1e-4)
        assert again["scale"] / fit == pytest.approx(zoom, rel=1e-3) and zoom > 2
    finally:
        other.close()


def test_every_mark_of_an_arithmetic_is_named_on_the_map(server, page):  # noqa: F811
    # the sample set's default expression: three inputs, the result vector and five answers,
    # packed close together on the map; each label finds a free place around its dot
    frame = open_map(page, f"{server}/arithmetic?ds=sample:als", whole=False)
    frame.wait_for_function("() => window.__pointmap.marked.length >= 9", timeout=60_000)
    drawn = frame.evaluate("({marked: window.__pointmap.marked, labels: window.__pointmap.labels})")
    assert set(drawn["marked"]) <= set(drawn["labels"]), drawn
