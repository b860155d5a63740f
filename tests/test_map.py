"""The Map page through Streamlit's AppTest: region labels from keys or item metadata, the
honest caption, a clicked point's neighbours."""

import json

from streamlit.testing.v1 import AppTest

from tests.paths import ROOT

APP = str(ROOT / "dashboard" / "app.py")


def open_map(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params.update(params)
    at.run()
    at.switch_page("views/map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def finish(at: AppTest) -> AppTest:
    """Run again until the shared background layout is drawn (the job is awaited, not slept on)."""
    from core import layouts
    for job in list(layouts._JOBS.values()):
        job.wait(240)
    return at.run()


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, [e.value for e in at.error] + [c.value for c in at.caption]
    return json.loads(charts[0].proto.spec)


def test_item_map_regions_are_named_by_their_dominant_genre():
    at = finish(open_map(ds="sample:item2vec", p="pca", label="genres"))
    notes = [a["text"] for a in figure(at)["layout"]["annotations"] if "embedlab" not in a["text"]]
    genres = {"Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Horror",
              "Musical", "Romance", "Sci-Fi", "Thriller", "War", "Western", "Action", "Mystery", "Family"}
    assert len(notes) >= 3 and set(notes) <= genres, notes
    assert any("dominant 'genres' value" in c.value.replace("\\", "") for c in at.caption)


def test_clicked_point_shows_its_neighbours_in_the_original_space():
    at = finish(open_map(ds="sample:item2vec", p="pca", sel="i0001"))
    assert at.subheader and "i0001" in at.subheader[0].value
    table = at.dataframe[0].value
    assert len(table) == 10 and "i0001" not in table["key"].tolist()
    names = [t.get("name") for t in figure(at)["data"]]
    assert "i0001 and its neighbours" in names
    assert any("10 nearest neighbours in the original" in c.value.replace("\\", "") for c in at.caption)


def test_search_hits_outside_the_sample_are_placed_not_recomputed():
    at = finish(open_map(ds="sample:item2vec", p="pca", pts="50", q="i01"))
    caption = " ".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert "the first 50 of" in caption and "placed onto the layout (exact PCA projection)" in caption
    hits = next(t for t in figure(at)["data"] if t.get("name") == "search hits")
    assert len(hits["text"]) == 100 and "100 keys match the search" in caption  # i0100 … i0199
