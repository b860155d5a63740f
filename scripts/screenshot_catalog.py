"""Take docs/screenshot-catalog.png: the Catalog size page after a sweep with both selections
(random and most-popular items of each size) on the sample log, in Debian's Chromium.

    python scripts/screenshot_catalog.py [--out docs/screenshot-catalog.png]

Starts ``embedlab dashboard`` on a free 127.0.0.1 port with a throwaway workspace, drives the page
with Playwright (``executable_path``, never ``playwright install``), and stops the server.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, FLAGS, Server  # noqa: E402 - the tests' server and flags

GRID = "50, 166, 1000"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot-catalog.png"))
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(Path(tmp) / "workspace", Path(tmp) / "server.log").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                # tall enough for the whole page: Streamlit scrolls its own container, not the
                # document
                page = browser.new_page(viewport={"width": 1400, "height": 2300})
                page.goto(f"{srv.url}/catalog")
                grid = page.get_by_label("Grid")
                grid.wait_for(timeout=120_000)
                grid.fill(GRID)
                grid.press("Enter")
                page.get_by_text("Run sweep").click()
                page.get_by_text("What drives the change").wait_for(timeout=900_000)
                page.wait_for_timeout(3000)  # let the chart finish drawing
                top = page.get_by_text("Which items to keep").bounding_box()["y"] - 20
                bottom = (
                    page.get_by_text("PNG (server-side)").first.bounding_box()["y"] - 10
                )  # down to the chart
                page.screenshot(
                    path=a.out, clip={"x": 300, "y": top, "width": 1060, "height": bottom - top}
                )
                browser.close()
        finally:
            srv.stop()
    print(a.out)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
