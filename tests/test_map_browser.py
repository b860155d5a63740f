"""The Map page in a real browser: the shipped layout of all 400,000 GloVe words is drawn, regions
carry labels, hovering a point shows its word and clicking it lists its neighbours."""

from tests.test_browser import ARTIFACTS, browser, page, server  # noqa: F401 - fixtures

DRAWN = """() => { const d = document.querySelector('.js-plotly-plot');
  return !!(d && d._fullData && d._fullData.some(t => t.type === 'scattergl' && t.x && t.x.length === 400000)); }"""
WHERE = """(key) => { const d = document.querySelector('.js-plotly-plot');
  const t = d._fullData.find(t => t.type === 'scattergl'); const i = Array.from(t.hovertext).indexOf(key);
  const xa = d._fullLayout.xaxis, ya = d._fullLayout.yaxis, box = d.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(t.x[i]), box.top + ya._offset + ya.l2p(t.y[i])]; }"""


def test_map_draws_all_glove_words_with_labels_hover_and_click(server, page):  # noqa: F811
    page.goto(f"{server}/map")
    page.wait_for_function(DRAWN, timeout=240_000)
    labels = [t for t in page.locator(".js-plotly-plot .annotation-text").all_text_contents() if "embedlab" not in t]
    assert len(labels) >= 10 and all(labels), labels
    caption = page.locator("[data-testid=stCaptionContainer]", has_text="Drawn:").first.inner_text()
    assert "all 400,000 keys" in caption
    x, y = page.evaluate(WHERE, "paris")
    page.mouse.move(x, y)
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=60_000)
    shown = (hover.text_content() or "").strip()
    assert shown  # the word under the pointer (paris, or a word drawn on top of it)
    page.mouse.click(x, y)
    heading = page.get_by_text("Nearest neighbours of").first
    heading.wait_for(timeout=240_000)
    word = heading.inner_text().replace("Nearest neighbours of", "").strip()
    assert word in (shown, "paris"), (word, shown)
    page.screenshot(path=str(ARTIFACTS / "map_400k.png"))
