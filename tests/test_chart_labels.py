"""Charts that name a few points: zoomed where the points are, every label next to its own point
(or joined to it by a line), long titles wrapped with room below them, captions inside the image."""

import numpy as np
import pandas as pd

from embedlab.core import fonts
from embedlab.core.export import EXPORT_WIDTH
from embedlab.core.plots import caption, compare_figure, neighbours_figure


def cluster_frame(n_near=10, seed=0):
    """A query at the origin, its neighbours packed around it, and far points all around."""
    rng = np.random.default_rng(seed)
    near = rng.normal(0, 0.3, size=(n_near, 2))
    far = rng.uniform(-20, 20, size=(200, 2))
    xy = np.vstack([[0.0, 0.0], near, far])
    keys = ["q"] + [f"n{i}" for i in range(n_near)] + [f"f{i}" for i in range(len(far))]
    titles = [f"Title of {k} (1999)" for k in keys]
    frame = pd.DataFrame({"key": keys, "x": xy[:, 0], "y": xy[:, 1], "title": titles})
    return frame, [f"n{i}" for i in range(n_near)]


def to_pixels(fig, x, y):
    """Data coordinates to pixels of the exported figure (y down), from its layout alone."""
    lay = fig.layout
    (x0, x1), (y0, y1) = lay.xaxis.range, lay.yaxis.range
    w = EXPORT_WIDTH - lay.margin.l - lay.margin.r
    h = lay.height - lay.margin.t - lay.margin.b
    return lay.margin.l + (x - x0) / (x1 - x0) * w, lay.margin.t + (y1 - y) / (y1 - y0) * h


def test_neighbours_chart_zooms_on_the_query_and_its_neighbours():
    frame, near = cluster_frame()
    fig = neighbours_figure(frame, "q", near)
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    named = frame[frame.key.isin(["q", *near])]
    assert x0 < named.x.min() and named.x.max() < x1 and y0 < named.y.min() and named.y.max() < y1
    assert x1 - x0 < 5 and y1 - y0 < 5  # not the far points' 40 units
    # the other points are drawn first, in SVG like the neighbours, so never above them
    assert [t.type for t in fig.data] == ["scatter", "scatter", "scatter"]
    assert [t.name for t in fig.data] == ["other items", "neighbours", "query"]


def test_a_label_nearer_another_point_than_its_own_has_a_leader_line():
    for seed in range(6):
        frame, near = cluster_frame(n_near=20, seed=seed)
        fig = neighbours_figure(frame, "q", near)
        at = frame.set_index("key")
        px, py = to_pixels(fig, at.loc[["q", *near], "x"].to_numpy(), at.loc[["q", *near], "y"])
        px, py = np.asarray(px), np.asarray(py)
        for a in fig.layout.annotations:
            if a.showarrow:
                continue
            ox, oy = to_pixels(fig, a.x, a.y)
            own = int(np.argmin(np.hypot(px - ox, py - oy)))
            cx, cy = ox + a.xshift, oy - a.yshift  # the label's centre (yshift points up)
            half_w = (fonts.width(a.text, fonts.fonts(11)) + 6) / 2  # as the chart measures it
            dx = np.maximum(np.abs(px - cx) - half_w, 0)
            dy = np.maximum(np.abs(py - cy) - 8.5, 0)
            distance = np.hypot(dx, dy)
            nearer = np.flatnonzero(distance < distance[own] - 1)
            assert nearer.size == 0, (seed, a.text, nearer)


def test_a_long_title_wraps_and_the_legend_starts_below_it():
    frame, near = cluster_frame()
    long = "Neighbours of " + "A Very Long Title Indeed " * 4 + "(1999)"
    short_fig = neighbours_figure(frame, "q", near, heading="Neighbours of q")
    long_fig = neighbours_figure(frame, "q", near, heading=long)
    assert "<br>" not in short_fig.layout.title.text
    assert long_fig.layout.title.text.count("<br>") == 1
    assert long_fig.layout.title.text.replace("<br>", " ") == long  # complete, not cut
    assert long_fig.layout.margin.t >= short_fig.layout.margin.t + 20


def test_caption_starts_inside_the_image_whatever_the_left_margin():
    labels = [f"{i}. A Rather Long Title Number {i} (2001) · i{i:04d}" for i in range(1, 11)]
    fig = compare_figure(labels, labels[::-1], ("set a", "set b"), "Neighbours of x")
    caption(fig, "embedlab · " + "a provenance caption that wraps · " * 6)
    note = fig.layout.annotations[-1]
    left = fig.layout.margin.l + note.xshift  # pixels from the image's left edge
    assert fig.layout.margin.l > 200 and 0 <= left <= 45
