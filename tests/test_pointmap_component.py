"""The point-map component on its own, in the real browser, without a server: its index.html opened
from the repository, Streamlit's side of the protocol played by the test (a ``streamlit:render``
message with the arguments ``core.pointmap.pack`` makes; the messages the component sends back are
recorded).  Fast, and it can feed keys no shipped set has."""

import base64

import numpy as np

from embedlab.core import pointmap
from tests.paths import ROOT
from tests.test_browser import browser  # noqa: F401 - fixture

INDEX = ROOT / "dashboard" / "components" / "pointmap" / "index.html"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
RECORD = (
    """() => { window.__sent = [];  // opened on its own, the component's parent is itself
  window.addEventListener('message', (e) => { """
    "if (e.data && e.data.isStreamlitMessage) window.__sent.push(e.data); }); }"
)
RENDER = """([b64, rest]) => { const raw = atob(b64), blob = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) blob[i] = raw.charCodeAt(i);
  window.postMessage({type: 'streamlit:render', args: Object.assign({blob: blob}, rest)}, '*'); }"""


def open_component(page, keys, marks=()):
    """Load the component and render three points (keys[0] at the centre) with region labels."""
    coords = np.array([[0.0, 0.0], [-5.0, -3.0], [5.0, 3.0]])
    packed = pointmap.pack(coords, np.array([0, 1, 1]), keys)
    page.goto(INDEX.as_uri())
    page.evaluate(RECORD)
    args = {k: v for k, v in packed.args().items() if k != "blob"}
    args.update(
        data_id="t",
        palette=["#ff0000", "#0000ff"],
        labels=[[-5.0, -3.0, "left · region"]],
        marks=list(marks),
        caption="embedlab · test",
        filename="t",
        height=300,
    )
    page.evaluate(RENDER, [base64.b64encode(packed.blob).decode(), args])
    page.wait_for_function("() => window.__pointmap.frames > 0 && window.__pointmap.drawn === 3")


def test_the_component_speaks_streamlits_protocol_and_a_click_returns_the_point(browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 600, "height": 400})
    open_component(page, ["centre", "left", "right"])
    assert "left · region" in page.evaluate("window.__pointmap.labels")
    x, y = page.evaluate("window.__pointmap.locate('centre')")
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => window.__sent.some((m) => m.type === 'streamlit:setComponentValue')"
    )
    sent = page.evaluate("window.__sent")
    heights = [m["height"] for m in sent if m["type"] == "streamlit:setFrameHeight"]
    value = next(m for m in sent if m["type"] == "streamlit:setComponentValue")
    assert heights and heights[-1] >= 300
    assert (
        value["dataType"] == "json" and value["value"]["point"] == 0 and value["value"]["nonce"] > 0
    )
    page.close()


def test_a_hostile_key_is_shown_as_text_never_as_html(browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 600, "height": 400})
    mark = {
        "name": "hits",
        "color": "#00ff00",
        "x": [5.0],
        "y": [3.0],
        "text": [HOSTILE],
        "lines": False,
    }
    open_component(page, [HOSTILE, "left", "right"], marks=[mark])
    x, y = page.evaluate("(k) => window.__pointmap.locate(k)", HOSTILE)
    page.mouse.move(x + 1, y)
    page.mouse.move(x, y)
    page.wait_for_function("() => window.__pointmap.hover !== ''")
    assert page.locator("#tip").inner_text() == HOSTILE
    assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
    assert HOSTILE in page.evaluate("window.__pointmap.marked")
    page.close()
