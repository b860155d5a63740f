"""Take the dashboard's screenshots in docs/screenshots/: every page on the built-in GloVe and on
an item set with titles (the models trained on the committed sample log, sample_data/), in
Debian's Chromium.

    python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]

Starts ``embedlab dashboard`` on a free 127.0.0.1 port with a throwaway workspace, drives each
page with Playwright (``executable_path``, never ``playwright install``), waits until the page has
finished running and its charts and maps have drawn, saves the page down to its last element
(Streamlit scrolls its own container, so the window is made tall enough), and stops the server.
The PNGs are reduced to 256 colours to keep the repository small.  The whole run takes about
9 minutes on the 2-core development machine (it trains two models and runs a catalog sweep).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, FLAGS, Server  # noqa: E402 - the tests' server and flags

ITEMS = "ds=sample:als"
TITLE = "The+Velvet+Garden+(1991)"  # i0001 in sample_data/items.csv
WIDTH = 1400
SHOTS = {  # name: (path and query, text that shows the page is drawn, what to do first)
    "glove-home": ("", "Load or train embeddings", None),
    "glove-map": ("map?sel=paris", "Nearest neighbours of paris", None),
    "glove-neighbours": ("neighbours?q=frog", "Download report", None),
    "glove-arithmetic": ("arithmetic", "Blue: the inputs", None),
    "glove-lookup": ("lookup", "equals W[ids]", None),
    "items-home": (f"?{ITEMS}", "Load or train embeddings", None),
    "items-map": (
        f"map?{ITEMS}&colour=genres&q=Garden&sel=i0001",
        "Nearest neighbours of The Velvet Garden",
        None,
    ),
    "items-map-words": (f"map?{ITEMS}&label=words", "Drag to pan", None),
    "items-neighbours": (f"neighbours?{ITEMS}&q={TITLE}", "Download report", None),
    "items-arithmetic": (f"arithmetic?{ITEMS}", "Blue: the inputs", None),
    "items-lookup": (f"lookup?{ITEMS}", "equals W[ids]", None),
    "items-compare": (
        f"compare?a=sample:item2vec&b=sample:als&q={TITLE}",
        "mean Jaccard@10",
        None,
    ),
    "data": (f"data?{ITEMS}", "Use GloVe", None),
    "train": (f"train?{ITEMS}", "Train and evaluate", "train"),
    "catalog": ("catalog", "Run sweep", "sweep"),
}
GRID = "50, 166, 1000"  # the catalog sweep: random and most-popular items of each size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--only", nargs="*", default=None, help="names of the shots to take")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    names = a.only or list(SHOTS)
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(Path(tmp) / "workspace", Path(tmp) / "server.log").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                for name in names:
                    path, ready, action = SHOTS[name]
                    shoot(browser, f"{srv.url}/{path}", ready, action, out / f"{name}.png")
                    print(out / f"{name}.png")
                browser.close()
        finally:
            srv.stop()


def shoot(browser, url: str, ready: str, action: str | None, target: Path) -> None:
    page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
    try:
        page.goto(url)
        page.get_by_text(ready).first.wait_for(timeout=600_000)
        if action == "train":
            page.get_by_role("button", name="Train and evaluate").click()
            # one reading per method, in an expander each (the first open), the first ending
            # with its popularity buckets
            page.get_by_test_id("stExpander").filter(has_text="sample log · als").last.wait_for(
                timeout=900_000
            )
            page.get_by_text("By popularity of the held-out item").first.wait_for(timeout=60_000)
        elif action == "sweep":
            grid = page.get_by_label("Grid")
            grid.fill(GRID)
            grid.press("Enter")
            page.get_by_role("button", name="Run sweep").click()
            page.get_by_text("What drives the change").wait_for(timeout=900_000)
        settle(page)
        fit(page)
        page.screenshot(path=str(target))
    finally:
        page.close()
    shrink(target)


def fit(page) -> None:
    """Make the window as tall as the page, until the page stops growing (maps and charts that
    draw late make it longer)."""
    shown = 0
    for _ in range(5):
        height = page.evaluate(
            "() => { const main = document.querySelector('[data-testid=stMain]') "
            "|| document.body; return Math.ceil(main.scrollHeight) }"
        )
        wanted = min(max(height + 40, 900), 7000)
        if wanted == shown:
            return
        page.set_viewport_size({"width": WIDTH, "height": wanted})
        shown = wanted
        settle(page)


def settle(page) -> None:
    """Wait until the script has stopped running, every map has drawn and every chart has its
    layout, then let the last paint land."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stSpinner]')"
        " && !document.querySelector('[data-testid=stSpinner]')",
        timeout=600_000,
    )
    for frame in page.frames:
        if "pointmap" in frame.url:
            frame.wait_for_function(
                "() => window.__pointmap && window.__pointmap.frames > 0", timeout=600_000
            )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every((g) => g._fullLayout)",
        timeout=120_000,
    )
    page.wait_for_timeout(2500)  # fonts, plotly's transitions and the last canvas paint


def shrink(path: Path) -> None:
    """Keep the picture, at 256 colours."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
