"""The Recommend page in a real browser: an ALS and an item2vec folder trained on the committed
sample log (with its titles), a real Streamlit server pointed at them, Debian's Chromium."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from embedlab.core.engines import LogSpec, get_engine, run_training
from embedlab.core.recommend import recommend
from embedlab.core.runs import load_run
from tests.paths import ROOT, SAMPLE_ITEMS, SAMPLE_LOG
from tests.test_browser import (  # noqa: F401 - fixtures
    artifacts,
    browser,
    download,
    free_port,
    page,
    png_pixels,
    wait_for_query,
    wait_healthy,
)

USER = "u00007"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    spec = LogSpec(str(SAMPLE_LOG), metadata=str(SAMPLE_ITEMS))
    engine = get_engine("local")
    run_training(engine, spec, "als", root / "als", params={"factors": 16})
    run_training(engine, spec, "item2vec", root / "item2vec", params={"epochs": 5})
    return root


@pytest.fixture(scope="module")
def server(runs, tmp_path_factory):
    home = tmp_path_factory.mktemp("recommend-server")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env["EMBEDLAB_RUNS"] = str(runs)
    with open(home / "server.log", "a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "embedlab.core.cli", "dashboard", "--workspace",
             str(home / "workspace"), "--server.headless", "true", "--server.address",
             "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def grid(pg, n: int) -> list[list[str]]:
    """The rows of the ``n``-th data grid on the page (st.dataframe keeps an accessible copy of
    its cells), once it has them."""
    table = pg.locator("[data-testid=stDataFrame]").nth(n)
    table.locator("[role=gridcell]").first.wait_for(state="attached", timeout=120_000)
    rows = table.locator("[role=row]").all()
    return [r.locator("[role=gridcell]").all_inner_texts() for r in rows[1:]]


def titles_in(rows: list[list[str]]) -> list[str]:
    return [r[2] for r in rows if len(r) > 2]  # "#", "★", title, ...


def test_the_page_shows_the_cli_lists_side_by_side(server, runs, page, artifacts):  # noqa: F811
    page.goto(f"{server}/recommend?user={USER}")
    page.get_by_text("ms per query").first.wait_for(timeout=120_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    events = pd.read_csv(SAMPLE_LOG, dtype=str)
    names = pd.read_csv(SAMPLE_ITEMS, dtype=str).set_index("item_id")["title"]
    seen = set(names[events.loc[events.user_id == USER, "item_id"]])
    for n, name in ((1, "als"), (2, "item2vec")):
        shown = titles_in(grid(page, n))
        want = recommend(load_run(runs / name), USER, k=10).table.title.tolist()
        assert shown == want, (name, shown, want)
        assert not set(shown) & seen
    history = grid(page, 0)
    assert history[0][0] == names[events.loc[events.user_id == USER, "item_id"].iloc[-1]]
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.screenshot(path=str(artifacts / "recommend.png"), full_page=True)


def test_hnsw_shows_its_recall_and_the_link_keeps_the_view(server, page):  # noqa: F811
    page.goto(f"{server}/recommend?user={USER}&search=hnsw&k=5")
    page.get_by_text("measured recall@10").first.wait_for(timeout=120_000)
    assert len(titles_in(grid(page, 1))) == 5
    wait_for_query(page, "search=hnsw")
    wait_for_query(page, f"user={USER}")


def test_a_user_found_by_a_title_in_their_history(server, page):  # noqa: F811
    events = pd.read_csv(SAMPLE_LOG, dtype=str)
    names = pd.read_csv(SAMPLE_ITEMS, dtype=str).set_index("item_id")["title"]
    page.goto(f"{server}/recommend")
    box = page.get_by_label("…or find users by an item in their history")
    box.wait_for(timeout=120_000)
    title = names[events.item_id.iloc[0]]
    box.fill(title)
    box.press("Enter")
    first = page.locator("button", has_text=" events)").first
    first.wait_for(timeout=60_000)
    user = first.inner_text().split(" (")[0]
    holders = set(events.loc[events.item_id.isin(names[names == title].index), "user_id"])
    assert user in holders
    first.click()
    wait_for_query(page, f"user={user}")


def test_png_export_of_the_recommend_chart(server, page, tmp_path):  # noqa: F811
    page.goto(f"{server}/recommend?user={USER}")
    height = page.wait_for_function(
        "() => { const g = document.querySelector('.js-plotly-plot');"
        " return g && g.layout && g.layout.height }",
        timeout=120_000,
    ).json_value()
    path = download(page, "PNG (server-side)", tmp_path)
    png_pixels(path, (2 * 700, 2 * height))
