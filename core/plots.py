"""Plotly figures, built in one place for the dashboard, the CLI and HTML reports.

User-supplied labels reach SVG/HTML through hover text and annotations, so every label is
HTML-escaped here, once.  Items are named by their titles (:mod:`core.naming`); the few points a
chart names get labels placed so that none covers another (:mod:`core.labelplace`); titles are
short and complete, and what a chart shows in detail goes to its caption (:mod:`core.export`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .export import EXPORT_WIDTH, caption, esc, report_html, to_png
from .labelplace import offset, place_labels
from .naming import names, short, title_column

__all__ = [
    "PALETTE",
    "arithmetic_figure",
    "caption",
    "compare_figure",
    "esc",
    "map_figure",
    "metrics_figure",
    "neighbours_figure",
    "report_html",
    "sweep_figure",
    "to_png",
    "tuning_figure",
]

PALETTE = [
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#EECA3B",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
    "#1F77B4",
    "#2CA02C",
]
MAX_COLOURS = 12


LABEL_SIZE = 11  # px, the labels charts write beside points
TITLE_SIZE = 16  # px
TITLE_LINE = 22  # px a title's line takes
TITLE_WIDTH = 640  # px a chart title's line may take; a longer title wraps onto a second line
QUERY = "#D62728"
NEIGHBOUR = "#FF7F0E"
BACKGROUND = "#9FB6CD"
TOP_LEGEND = {"orientation": "h", "y": 1.0, "x": 0, "xanchor": "left", "yanchor": "bottom"}


def title(text: str) -> dict:
    """A chart title that fits the export width: whole on one line, or wrapped onto two (a title
    longer than that ends at a word, with "…"), never cut by the figure.

    Examples
    --------
    >>> title("Neighbours of frog")["text"]
    'Neighbours of frog'
    >>> text = '"The Broken Garden (2022)" - "The Hidden Orchard (1998)" + "The Velvet Storm (1975)'
    >>> long = title(text)
    >>> long["text"].count("<br>"), long["text"].endswith("(1975)")
    (1, True)
    """
    from . import fonts

    lines = fonts.wrap(str(text), fonts.fonts(TITLE_SIZE), TITLE_WIDTH)
    if len(lines) > 2:
        lines = [lines[0], short(" ".join(lines[1:]), len(lines[1]))]
    return {  # at the top of the figure: what is under it (legend, axis) starts below
        "text": "<br>".join(esc(line) for line in lines),
        "font": {"size": TITLE_SIZE},
        "x": 0.01,
        "xref": "container",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 10 + TITLE_LINE * (len(lines) - 1)},  # plotly anchors the first line
    }


def title_room(heading: dict, under: int) -> int:
    """The top margin a figure needs for ``heading`` (a :func:`title`) and ``under`` pixels of
    what sits between it and the plot (a legend row, tick labels)."""
    return 12 + TITLE_LINE * (heading["text"].count("<br>") + 1) + under


def map_figure(
    frame: pd.DataFrame,
    color: str | None = None,
    highlight: np.ndarray | None = None,
    heading: str = "",
    dims: int = 2,
    labels: bool = False,
):
    """Scatter (WebGL for 2-D) of a projection frame with key, x, y[, z] and metadata columns;
    hover names each point by its title and key, highlighted points are labelled by title."""
    import plotly.graph_objects as go

    hover = _hover_text(frame)
    shown = _frame_names(frame)
    fig = go.Figure()
    groups = _colour_groups(frame, color)
    Scatter = go.Scattergl if dims == 2 else go.Scatter3d
    for i, (name, mask) in enumerate(groups):
        pts = {"x": frame.x[mask], "y": frame.y[mask]}
        if dims == 3:
            pts["z"] = frame.z[mask]
        fig.add_trace(
            Scatter(
                **pts,
                mode="markers",
                name=esc(name),
                text=hover[mask],
                hoverinfo="text",
                marker={
                    "size": 4 if dims == 2 else 2,
                    "color": PALETTE[i % len(PALETTE)],
                    "opacity": 0.7,
                },
            )
        )
    if highlight is not None and highlight.any():
        fig.add_trace(_highlighted(frame, highlight, shown, hover, dims, labels))
    fig.update_layout(
        title=title(heading),
        template="plotly_white",
        height=620,
        legend={"itemsizing": "constant"},
    )
    return fig


def _highlighted(frame, highlight, shown, hover, dims, labels):
    """The highlighted points of a map, red, named by title when few (or ``labels``)."""
    import plotly.graph_objects as go

    Scatter = go.Scattergl if dims == 2 else go.Scatter3d
    pts = {"x": frame.x[highlight], "y": frame.y[highlight]}
    if dims == 3:
        pts["z"] = frame.z[highlight]
    return Scatter(
        **pts,
        mode="markers+text" if labels or highlight.sum() <= 30 else "markers",
        name="highlighted",
        text=[esc(short(n, 28)) for n in np.asarray(shown)[highlight]],
        textposition="top center",
        hovertext=hover[highlight],
        hoverinfo="text",
        marker={
            "size": 9 if dims == 2 else 5,
            "color": QUERY,
            "line": {"width": 1, "color": "black"},
        },
    )


def _frame_names(frame: pd.DataFrame) -> list[str]:
    """The name of each point of a frame: its title when the frame has a title column."""
    column = title_column(frame.drop(columns=["key", "x", "y", "z"], errors="ignore"))
    keys = frame.key.astype(str).tolist()
    if column is None:
        return keys
    titles = frame[column].fillna("").astype(str).tolist()
    return [t or k for t, k in zip(titles, keys)]


def _hover_text(frame: pd.DataFrame) -> np.ndarray:
    """Per point: its title (bold) and key, then up to four other metadata fields."""
    column = title_column(frame.drop(columns=["key", "x", "y", "z"], errors="ignore"))
    extra = [c for c in frame.columns if c not in ("key", "x", "y", "z", column)][:4]
    head = "<b>" + frame.key.map(esc) + "</b>"
    if column is not None:
        head = "<b>" + frame[column].fillna("").map(esc) + "</b> · " + frame.key.map(esc)
    out = head
    for c in extra:
        out = out + "<br>" + esc(c) + ": " + frame[c].map(esc)
    return out.to_numpy()


def _colour_groups(frame: pd.DataFrame, color: str | None):
    if not color or color not in frame.columns:
        return [("points", np.ones(len(frame), dtype=bool))]
    values = frame[color].astype(str).str.split("|").str[0]
    top = values.value_counts().index[: MAX_COLOURS - 1]
    values = values.where(values.isin(top), "other")
    return [
        (v, (values == v).to_numpy())
        for v in list(top) + (["other"] if (values == "other").any() else [])
    ]


class _Frame:
    """Where data coordinates land in a figure of fixed size, axis ranges and margins: what label
    placement needs to know before plotly draws."""

    def __init__(self, x, y, width=EXPORT_WIDTH, height=540, margin=(30, 30, 80, 30), pad=0.1):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        dx = (x.max() - x.min()) or 1.0
        dy = (y.max() - y.min()) or 1.0
        self.x_range = [x.min() - pad * dx, x.max() + pad * dx]
        self.y_range = [y.min() - pad * dy, y.max() + pad * dy]
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = margin

    def pixels(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        w = self.width - self.left - self.right
        h = self.height - self.top - self.bottom
        px = self.left + (np.asarray(x, dtype=float) - x0) / (x1 - x0) * w
        py = self.top + (y1 - np.asarray(y, dtype=float)) / (y1 - y0) * h
        return px, py

    def layout(self) -> dict:
        return {
            "height": self.height,
            "margin": {"l": self.left, "r": self.right, "t": self.top, "b": self.bottom},
            "xaxis": {"range": self.x_range, "zeroline": False, "showticklabels": False},
            "yaxis": {"range": self.y_range, "zeroline": False, "showticklabels": False},
        }


def _annotate(fig, box: _Frame, x, y, texts, radii, fallbacks=None) -> None:
    """Write ``texts`` beside the points (x, y), in order, where each covers no other label and
    no point; a text with no free place is written as its fallback (e.g. its rank) when that
    fits, else left out (hover still names it)."""
    from . import fonts

    choice = fonts.fonts(LABEL_SIZE)

    def size(text):
        return (fonts.width(text, choice) + 6, LABEL_SIZE + 6)

    px, py = box.pixels(x, y)
    radii = np.asarray(radii, dtype=float)
    bounds = (box.left, box.top, box.width - box.right, box.height - box.bottom)
    first = place_labels(px, py, [size(t) for t in texts], bounds, radii)
    chosen = [
        (i, t, p, ring, b)
        for i, (t, p, ring, b) in enumerate(zip(texts, first.positions, first.rings, first.boxes))
        if p
    ]
    todo = [i for i, p in enumerate(first.positions) if p is None and fallbacks]
    if todo:
        dots = [(a - r, b - r, a + r, b + r) for a, b, r in zip(px, py, radii)]
        taken = [b for b in first.boxes if b] + dots
        short_texts = [fallbacks[i] for i in todo]
        second = place_labels(
            px[todo], py[todo], [size(t) for t in short_texts], bounds, radii[todo], taken
        )
        chosen += [
            (i, t, p, ring, b)
            for i, t, p, ring, b in zip(
                todo, short_texts, second.positions, second.rings, second.boxes
            )
            if p
        ]
    for i, text, position, ring, placed in chosen:
        _label(
            fig,
            float(np.asarray(x)[i]),
            float(np.asarray(y)[i]),
            text,
            position,
            ring,
            size(text),
            radii[i],
            lead=ring > 0 or not _nearest(placed, px, py, i),
        )


def _nearest(box, px, py, i) -> bool:
    """Whether point ``i`` is the point nearest to its label's box (else a reader could take the
    label for another point's, and a leader line says whose it is)."""
    dx = np.maximum(np.maximum(box[0] - px, px - box[2]), 0)
    dy = np.maximum(np.maximum(box[1] - py, py - box[3]), 0)
    distance = np.hypot(dx, dy)
    return bool(distance[i] <= distance.min() + 1.0)


def _label(fig, x, y, text, position, ring, size, radius, lead=False) -> None:
    """One placed label: next to its point, or (``lead``) with a thin leader line to it."""
    dx, dy = offset(position, size, radius, ring)
    style = {
        "text": esc(text),
        "font": {"size": LABEL_SIZE, "color": "#222"},
        "bgcolor": "rgba(255,255,255,0.8)",
        "borderpad": 1,
    }
    if not lead:
        fig.add_annotation(x=x, y=y, showarrow=False, xshift=dx, yshift=dy, **style)
    else:  # the arrow runs from the label's centre (ax, ay: pixels, y down) to the point
        fig.add_annotation(
            x=x,
            y=y,
            ax=dx,
            ay=-dy,
            showarrow=True,
            arrowhead=0,
            arrowwidth=0.8,
            arrowcolor="#777",
            standoff=radius,
            **style,
        )


def _points(x, y, name, colour, symbol, size, hover):
    import plotly.graph_objects as go

    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        name=name,
        hovertext=[esc(h) for h in hover],
        hoverinfo="text",
        marker={
            "size": size,
            "color": colour,
            "symbol": symbol,
            "line": {"width": 1, "color": "#222"},
        },
        cliponaxis=False,
    )


def neighbours_figure(frame: pd.DataFrame, query: str, keys: list[str], heading: str = ""):
    """A key's neighbours on a 2-D map of the set: the other points faint, the neighbours
    labelled "rank. title" where their labels fit (else by rank alone), the query a star.

    Parameters
    ----------
    frame : DataFrame
        A projection frame (key, x, y and metadata) holding the query and its neighbours.
    query : str
        The query's key.
    keys : list of str
        The neighbours' keys, nearest first.
    heading : str, optional
        The title (default "Neighbours of <title>").

    Returns
    -------
    plotly Figure
    """
    import plotly.graph_objects as go

    named = _frame_names(frame)
    names = dict(zip(frame.key.astype(str), named))
    at = {k: i for i, k in enumerate(frame.key.astype(str))}
    titled = title_column(frame.drop(columns=["key", "x", "y", "z"], errors="ignore"))
    found = [k for k in keys if k in at]
    rows = [at[query]] + [at[k] for k in found]
    x, y = frame.x.to_numpy()[rows], frame.y.to_numpy()[rows]
    heading = title(heading or f"Neighbours of {names[query]}")
    box = _Frame(x, y, pad=0.2, margin=(30, 30, title_room(heading, 40), 30))  # zoomed
    fig = go.Figure()
    fig.add_trace(  # SVG, not WebGL: WebGL would draw these above the neighbours
        go.Scatter(
            x=frame.x,
            y=frame.y,
            mode="markers",
            name="other items" if titled else "other keys",
            text=_hover_text(frame),
            hoverinfo="text",
            marker={"size": 4, "color": BACKGROUND, "opacity": 0.6},
        )
    )
    texts = [short(names[query], 36)] + [
        f"{keys.index(k) + 1}. {short(names[k], 28)}" for k in found
    ]
    ranks = [""] + [str(keys.index(k) + 1) for k in found]
    hover = [f"query: {names[query]} · {query}"] + [f"{t} · {k}" for t, k in zip(texts[1:], found)]
    fig.add_trace(_points(x[1:], y[1:], "neighbours", NEIGHBOUR, "circle", 10, hover[1:]))
    fig.add_trace(_points(x[:1], y[:1], "query", QUERY, "star", 18, hover[:1]))
    _annotate(fig, box, x, y, texts, [9] + [5] * len(found), ranks)
    fig.update_layout(
        title=heading,
        template="plotly_white",
        legend=TOP_LEGEND,
        **box.layout(),
    )
    return fig


def arithmetic_figure(emb: Embeddings, result, answers: int = 5):
    """Inputs, the result vector and the top answers in a 2-D PCA fitted on just those points,
    named by their titles, labels placed so that none covers another."""
    import plotly.graph_objects as go

    from .arithmetic import titled_expression
    from .project import pca

    inputs = [k for k, _ in result.terms]
    top = result.neighbours.keys[:answers]
    vecs = [emb.unit[emb.index(k)] for k in inputs + top]
    r = result.vector / np.linalg.norm(result.vector)
    pts = np.vstack(vecs + [r])
    xy = pca(pts, 2) if len(pts) > 2 else np.c_[pts[:, 0], pts[:, 1]]
    n_in = len(inputs)
    shown = [short(n, 30) for n in names(emb, [emb.index(k) for k in inputs + top])]
    texts = [f"{t} ({w:+g})" for t, (_, w) in zip(shown[:n_in], result.terms)]
    texts += [f"{i}. {t}" for i, t in enumerate(shown[n_in:], 1)] + ["result vector"]
    heading = title(titled_expression(emb, result))
    box = _Frame(xy[:, 0], xy[:, 1], height=480, margin=(30, 30, title_room(heading, 40), 30))
    fig = go.Figure()
    groups = (
        ("inputs", list(range(n_in)), "#4C78A8", "circle", 12),
        ("answers", list(range(n_in, len(xy) - 1)), "#54A24B", "diamond", 11),
        ("result vector", [len(xy) - 1], QUERY, "star", 17),
    )
    for name, idx, colour, symbol, size in groups:
        fig.add_trace(
            _points(xy[idx, 0], xy[idx, 1], name, colour, symbol, size, [texts[i] for i in idx])
        )
    order = [len(xy) - 1, *range(len(xy) - 1)]  # the result first, then inputs, then answers
    radii = [9] + [6] * (len(xy) - 1)
    fallbacks = [""] + [""] * n_in + [str(i) for i in range(1, len(xy) - n_in)]
    _annotate(fig, box, xy[order, 0], xy[order, 1], [texts[i] for i in order], radii, fallbacks)
    fig.update_layout(
        title=heading,
        template="plotly_white",
        legend=TOP_LEGEND,
        **box.layout(),
    )
    return fig


def compare_figure(a: list[str], b: list[str], names: tuple[str, str], heading: str):
    """The neighbours of one item in two sets side by side, nearest at the top, a line joining
    each item both sets list (its two ranks).

    Parameters
    ----------
    a, b : list of str
        The neighbours' labels in each set, nearest first (an item reads the same in both).
    names : (str, str)
        The two sets' names (column headings).
    heading : str

    Returns
    -------
    plotly Figure
    """
    import plotly.graph_objects as go

    from . import fonts

    k = max(len(a), len(b), 1)
    heading_title = title(heading)
    wide = max((fonts.width(t, fonts.fonts(LABEL_SIZE)) for t in a + b), default=60) + 30
    fig = go.Figure()
    for label in set(a) & set(b):
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[a.index(label) + 1, b.index(label) + 1],
                mode="lines",
                line={"color": "#54A24B", "width": 2},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add_traces([_ranked(0, a, set(b)), _ranked(1, b, set(a))])
    fig.update_layout(
        title=heading_title,
        template="plotly_white",
        height=title_room(heading_title, 26) + 30 + 28 * k,
        margin={"l": wide, "r": wide, "t": title_room(heading_title, 26), "b": 30},
        xaxis={
            "range": [-0.05, 1.05],
            "tickvals": [0, 1],
            "ticktext": [esc(short(n, 40)) for n in names],
            "side": "top",
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={"range": [k + 0.6, 0.4], "visible": False},
    )
    return fig


def _ranked(x: int, labels: list[str], other: set[str]):
    """One set's column of a :func:`compare_figure`: ranked labels, green where the other set
    lists the item too, written outwards (left of the left column, right of the right one)."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=[x] * len(labels),
        y=list(range(1, len(labels) + 1)),
        mode="markers+text",
        text=[esc(f"{i}. {t}" if x == 0 else f"{t} ({i})") for i, t in enumerate(labels, 1)],
        textposition="middle left" if x == 0 else "middle right",
        textfont={"size": LABEL_SIZE, "color": "#222"},
        marker={"size": 9, "color": ["#54A24B" if t in other else "#BBBBBB" for t in labels]},
        hoverinfo="text",
        showlegend=False,
        cliponaxis=False,
    )


def metrics_figure(report: dict, metric: str = "hr"):
    """A model's metric beside its baselines (a bar each)."""
    import plotly.graph_objects as go

    from .evaluate.baselines import NAMES, scored

    baselines = scored(report["baselines"])
    names = [report["method"]] + [NAMES.get(b, b) for b in baselines]
    values = [report[metric]] + [baselines[b][metric] for b in baselines]
    fig = go.Figure(
        go.Bar(
            x=[esc(n) for n in names],
            y=values,
            marker_color=PALETTE[: len(names)],
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
        )
    )
    fig.update_layout(
        title=f"{metric.upper()}@{report['k']} against baselines",
        template="plotly_white",
        height=380,
        yaxis_title=metric,
    )
    return fig


def tuning_figure(trials: pd.DataFrame, metric: str = "ndcg"):
    """Validation ``metric`` by trial: finished trials as points, the best so far as a line;
    pruned trials at the value they were stopped with (hollow)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    done = trials[trials["state"] == "complete"]
    fig.add_trace(
        go.Scatter(
            x=done["number"],
            y=done[metric],
            mode="markers",
            name="trial",
            marker={"color": PALETTE[0], "size": 9},
        )
    )
    if "pruned_value" in trials and (trials["state"] == "pruned").any():
        pruned = trials[trials["state"] == "pruned"]
        fig.add_trace(
            go.Scatter(
                x=pruned["number"],
                y=pruned["pruned_value"],
                mode="markers",
                name="pruned",
                marker={"color": PALETTE[1], "size": 9, "symbol": "circle-open"},
            )
        )
    best = trials[metric].where(trials["state"] == "complete").cummax()
    fig.add_trace(
        go.Scatter(
            x=trials["number"],
            y=best,
            mode="lines",
            name="best so far",
            line={"color": PALETTE[2], "shape": "hv"},
        )
    )
    fig.update_layout(
        title=f"validation {metric.upper()} by trial",
        template="plotly_white",
        height=360,
        xaxis_title="trial",
        yaxis_title=metric,
    )
    step = max(1, -(-len(trials) // 10))  # whole trials only, at most about ten ticks
    fig.update_xaxes(tickmode="linear", tick0=0, dtick=step, tickformat="d")
    return fig


def sweep_figure(summary: pd.DataFrame, metric: str = "lift", heading: str = ""):
    """Mean over seeds with its 95% interval as a band, one line per method, log-scaled x whose
    ticks are the values swept (never the log axis' "2 3 4 5" minor digits)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    modes = summary["mode"].nunique() if "mode" in summary else 1
    if "trivial" in summary:  # k covers the items left: every method hits, nothing to see
        summary = summary[~summary["trivial"].astype(bool)]
    keys = ["method", "mode"] if modes > 1 else ["method"]
    for i, (key, g) in enumerate(summary.groupby(keys, sort=False)):
        method = (
            " · ".join(key)
            if isinstance(key, tuple) and modes > 1
            else (key[0] if isinstance(key, tuple) else key)
        )
        fig.add_traces(_band_and_line(g.sort_values("value"), metric, method, i))
    if metric == "lift":
        fig.add_hline(
            y=1.0,
            line_dash="dash",
            line_color="#888",
            annotation_text="popularity baseline (lift 1)",
            annotation_position="bottom right",  # under the line, where lifts seldom are
        )
    axis = summary["axis"].iloc[0] if len(summary) else ""
    values = spread_ticks(sorted(summary["value"].unique())) if len(summary) else []
    fig.update_layout(
        title=title(heading or f"{metric} vs {axis}"),
        template="plotly_white",
        height=440,
        xaxis={
            "type": "log",
            "title": esc(f"{axis} (log scale)"),
            "tickvals": values,
            "ticktext": [tick_text(v) for v in values],
            "minor": {"showgrid": False},
        },
        yaxis_title=metric,
        legend=TOP_LEGEND,
    )
    return fig


TICK_RATIO = 1.15
"""Ticks on a log axis closer than this ratio would print over each other: the first one is kept."""


def spread_ticks(values: list[float], ratio: float = TICK_RATIO) -> list[float]:
    """``values`` (ascending) without those within ``ratio`` of the tick kept before them, so
    sizes kept by two selections (286 and 290 items) get one readable label.

    Examples
    --------
    >>> spread_ticks([90, 286, 290, 934, 936])
    [90, 286, 934]
    """
    kept: list[float] = []
    for v in values:
        if not kept or v >= kept[-1] * ratio:
            kept.append(v)
    return kept


def _band_and_line(g: pd.DataFrame, metric: str, name: str, i: int) -> list:
    """One method's mean as a line with its 95% interval as a band of the same colour."""
    import plotly.graph_objects as go

    colour = PALETTE[i % len(PALETTE)]
    x = g["value"].tolist()
    lo, hi = g[f"{metric}_lo"].tolist(), g[f"{metric}_hi"].tolist()
    band = go.Scatter(
        x=x + x[::-1],
        y=hi + lo[::-1],
        fill="toself",
        fillcolor=colour,
        opacity=0.2,
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
    )
    line = go.Scatter(
        x=x, y=g[metric], mode="lines+markers", name=esc(name), line={"color": colour}
    )
    return [band, line]


def tick_text(value: float) -> str:
    """An axis tick as a reader writes it: ``1,000``, ``0.25``.

    Examples
    --------
    >>> tick_text(1000.0), tick_text(0.25), tick_text(166)
    ('1,000', '0.25', '166')
    """
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"
