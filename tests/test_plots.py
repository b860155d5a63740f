"""Shared figures: labels are escaped, provenance is on the image, PNG and HTML exports work."""

import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings
from embedlab.core.arithmetic import solve
from embedlab.core.plots import arithmetic_figure, caption, map_figure, report_html, to_png
from embedlab.core.project import map_quality, project, sample_rows

EVIL = '<img src=x onerror="alert(1)">'


def evil_set():
    keys = [EVIL, "a", "b", "c", "d"]
    vec = np.array([[1, 0], [0.9, 0.2], [0, 1], [0.1, 0.9], [-1, 0]], dtype=np.float32)
    return Embeddings(keys, vec, pd.DataFrame({"genre": ["<b>x</b>", "y", "y", "z", "z"]}))


def test_user_labels_are_escaped_everywhere():
    emb = evil_set()
    proj = project(emb, np.arange(len(emb)), "pca", quality=False)
    fig = map_figure(proj.frame(emb), color="genre", highlight=np.array([True] + [False] * 4))
    caption(fig, f"data {EVIL}")
    blob = fig.to_json()
    # tags escaped once; quotes stay quotes (plotly shows &quot; literally, and labels are text,
    # not attributes)
    assert (
        "<img" not in blob
        and '&lt;img src=x onerror=\\"alert(1)\\"&gt;' in blob
        and "&quot;" not in blob
    )
    assert "<b>x</b>" not in blob.replace("<b>&lt;img", "")  # the genre label is escaped too
    res = solve(emb, f"'{EVIL}' - b + c", k=2)
    assert "<img" not in arithmetic_figure(emb, res).to_json()
    html = report_html(EVIL, [fig], [("t", pd.DataFrame({"key": [EVIL]}))], EVIL)
    assert html.count("<img") == 0


def test_png_export_carries_the_caption(tmp_path):
    import io as bytes_io

    from PIL import Image

    def rendered(text):
        fig = map_figure(project(evil_set(), np.arange(5), "pca", quality=False).frame(evil_set()))
        caption(fig, text)
        return fig

    fig = rendered("embedlab · provenance line")
    svg = fig.to_image(format="svg").decode("utf-8")  # the same kaleido export, as text we can read
    assert "embedlab · provenance line" in svg
    png = to_png(fig, scale=1)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    other = to_png(rendered("a different caption, much longer than the first one"), scale=1)
    a, b = (
        np.asarray(Image.open(bytes_io.BytesIO(p)).convert("L"), dtype=np.int16)
        for p in (png, other)
    )
    rows, cols = np.nonzero(np.abs(a - b) > 16)
    # the two images differ only where the caption is drawn: below the plot, from the left
    assert len(rows) > 50 and rows.min() > 0.8 * a.shape[0] and cols.min() < 0.25 * a.shape[1]


def test_report_html_is_self_contained():
    fig = map_figure(project(evil_set(), np.arange(5), "pca", quality=False).frame(evil_set()))
    html = report_html("r", [fig, fig], [], "p")
    assert html.count("<script src=") == 0 and "plotly" in html.lower()


def test_sampling_says_what_it_did(glove):
    ids, note = sample_rows(glove, 1000)
    assert ids.tolist() == list(range(1000)) and "first 1,000 of 400,000" in note
    ids, note = sample_rows(glove, 1000, "random", seed=1, include=np.array([399_999]))
    assert len(ids) == 1001 and 399_999 in ids and "plus 1 highlighted" in note


def test_stratified_sampling_keeps_label_shares():
    labels = ["a"] * 800 + ["b"] * 200
    emb = Embeddings(
        [str(i) for i in range(1000)],
        np.random.default_rng(0).normal(size=(1000, 4)),
        pd.DataFrame({"g": labels}),
    )
    ids, note = sample_rows(emb, 100, "stratified", "g")
    got = pd.Series(np.array(labels)[ids]).value_counts().to_dict()
    assert got == {"a": 80, "b": 20} and "stratified by 'g'" in note


def test_map_quality_is_perfect_for_an_exact_copy():
    x = np.random.default_rng(0).normal(size=(300, 3))
    x /= np.linalg.norm(x, axis=1, keepdims=True)  # on the sphere cosine and euclidean ranks agree
    q = map_quality(x, x, k=5)
    assert q["knn_preservation"] == 1.0 and q["trustworthiness"] > 0.999


def test_semantic_axes(glove):
    ids = np.array([glove.index(w) for w in ["king", "queen", "man", "woman"]])
    proj = project(glove, ids, "axes", axes=(("man", "woman"), ("poor", "rich")), quality=False)
    x = dict(zip(["king", "queen", "man", "woman"], proj.coords[:, 0]))
    assert x["queen"] > x["king"] and x["woman"] > x["man"]


def test_umap_without_its_extra_is_a_clear_error(glove, monkeypatch):
    import sys

    from embedlab.core import ParameterError

    monkeypatch.setitem(sys.modules, "umap", None)  # as if umap-learn were not installed
    with pytest.raises(ParameterError, match=r"embedlab\[umap\]"):
        project(glove, np.arange(50), "umap")


def test_a_sweep_chart_labels_each_size_once_when_selections_keep_close_sizes():
    """Random and most-popular selections can keep 286 and 290 items of a requested 290: their
    ticks would print over each other, so the axis labels one of each close pair."""
    from embedlab.core.plots import sweep_figure

    rows = [
        {"method": "als", "mode": mode, "axis": "items", "value": v, "lift": 1.0 + v / 1000,
         "lift_lo": 0.9, "lift_hi": 1.1, "seeds": 2}
        for mode, sizes in (("random", (88, 286, 934)), ("popular", (90, 290, 936)))
        for v in sizes
    ]  # fmt: skip
    ticks = sweep_figure(pd.DataFrame(rows), "lift").layout.xaxis.tickvals
    assert list(ticks) == [88, 286, 934]
    assert all(b / a >= 1.15 for a, b in zip(ticks, ticks[1:]))


BREAKS = ("\n", "\r", "\u2028", "\u2029", "\t", "\x85")


def strings(value):
    """Every string inside a figure's dict (labels, hover text, titles, annotations)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, (list, tuple, np.ndarray)):
        for v in value:
            yield from strings(v)


def test_titles_holding_line_breaks_are_one_line_labels_in_the_neighbours_and_arithmetic_charts():
    from embedlab.core.plots import neighbours_figure

    titles = ["line\nbreak", "carriage\rreturn", "line\u2028sep", "para\u2029sep", "tab\there"]
    n = 30
    keys = [f"k{i}" for i in range(n)]
    vec = np.random.default_rng(1).normal(size=(n, 4)).astype(np.float32)
    meta = pd.DataFrame({"title": [f"{titles[i % 5]} {i}" for i in range(n)]})
    emb = Embeddings(keys, vec, metadata=meta)
    frame = project(emb, np.arange(n), "pca", quality=False).frame(emb)
    near = [k for k in keys[1:] if k != "k0"][:8]
    figures = [
        neighbours_figure(frame, "k0", near, heading="neighbours of line\nbreak 0"),
        arithmetic_figure(emb, solve(emb, "k0 - k1 + k2", k=5)),
    ]
    for fig in figures:
        found = list(strings(fig.to_dict()))
        assert not [s for s in found if any(b in s for b in BREAKS)]
        assert any("line\\nbreak" in s for s in found)  # the title shown, its break spelled out
