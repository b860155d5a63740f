"""The Map page through Streamlit's AppTest: region labels from keys or item metadata, the
honest caption, a clicked point's neighbours, the points packed for the browser.  (What the
browser draws from them: tests/test_map_browser.py.)"""

import json
import re

from streamlit.testing.v1 import AppTest

from embedlab.core.naming import short
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
    from embedlab.core import layouts

    for job in layouts.RUNNER.jobs():
        job.wait(240)
    return at.run()


def point_map(at: AppTest) -> dict:
    """The arguments the page sent to the point-map component (AppTest does not run its
    JavaScript)."""
    found = at.get("component_instance")
    assert found, [e.value for e in at.error] + [c.value for c in at.caption]
    proto = found[0].proto
    args = json.loads(proto.json_args)
    args.update({s.key: s.bytes for s in proto.special_args if s.WhichOneof("value") == "bytes"})
    return args


def test_item_map_regions_are_named_by_distinct_genres_with_their_shares():
    at = finish(open_map(ds="sample:item2vec", p="pca", label="genres"))
    labels = [text for _, _, text in point_map(at)["labels"]]
    parts = [part.rsplit(" ", 1) for text in labels for part in text.split(" · ")]
    notes = {name for name, _ in parts}
    assert all(re.fullmatch(r"\d{1,3}%", share) for _, share in parts), labels
    leads = [text.split(" · ")[0].rsplit(" ", 1)[0] for text in labels]
    assert len(set(leads)) == len(leads), labels  # no two regions lead with the same genre
    genres = {
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
    assert len(labels) >= 3 and notes <= genres, labels
    assert any("distinctive 'genres' value" in c.value.replace("\\", "") for c in at.caption)


def test_clicked_point_shows_its_neighbours_in_the_original_space_by_title():
    at = finish(open_map(ds="sample:item2vec", p="pca", sel="i0001"))
    title = "The Velvet Garden (1991)"  # i0001 in sample_data/items.csv
    assert at.subheader and f"{title} · i0001" in at.subheader[0].value.replace("\\", "")
    table = at.dataframe[0].value
    assert len(table) == 10 and "i0001" not in table["key"].tolist()
    assert list(table.columns[:3]) == ["rank", "title", "key"]
    marks = point_map(at)["marks"]
    assert [m["name"] for m in marks] == [f"{title} · i0001 and its neighbours"]
    assert marks[0]["lines"] and marks[0]["text"][0] == title
    assert marks[0]["text"][1:] == [short(t, 28) for t in table["title"]]
    assert marks[0]["hover"][1:] == [f"{t} · {k}" for t, k in zip(table["title"], table["key"])]
    assert any(
        "10 nearest neighbours in the original" in c.value.replace("\\", "") for c in at.caption
    )


def test_search_hits_outside_the_sample_are_placed_not_recomputed():
    at = finish(open_map(ds="sample:item2vec", p="pca", pts="50", q="i01"))
    caption = " ".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert (
        "the first 50 of" in caption and "placed onto the layout (exact PCA projection)" in caption
    )
    hits = next(m for m in point_map(at)["marks"] if m["name"] == "search hits")
    # i0100 … i0199 by key; no title or other metadata text of the sample holds "i01"
    assert len(hits["text"]) == 100 and "100 items match 'i01'" in caption


def test_the_points_sent_to_the_browser_carry_every_key_once_with_its_region():
    from embedlab.core import pointmap

    at = finish(open_map(ds="sample:item2vec", p="pca"))
    args = point_map(at)
    points = pointmap.PackedPoints(
        args["blob"], args["n"], args["group_bytes"], tuple(args["bounds"]), args["named"]
    )
    coords, groups, keys, names = pointmap.unpack(points)
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"all {args['n']:,} keys" in caption
    assert len(set(keys)) == len(keys) == args["n"] and all(k.startswith("i") for k in keys)
    # every item carries its title (sample_data/items.csv), for hover and zoomed-in labels
    assert args["named"] and names[keys.index("i0001")] == "The Velvet Garden (1991)"
    assert set(groups.tolist()) == set(range(len(args["labels"])))  # each region drawn and labelled
    x0, y0, x1, y1 = args["bounds"]
    assert coords[:, 0].min() == x0 and coords[:, 1].max() == y1
