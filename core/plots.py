"""Plotly figures, built in one place for the dashboard, the CLI and HTML reports.

User-supplied labels reach SVG/HTML through hover text and annotations, so every label is
HTML-escaped here, once.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .embeddings import Embeddings

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


def esc(value) -> str:
    """Escape ``<``, ``>`` and ``&`` (plotly decodes those entities; it shows ``&quot;`` as is, so
    quotes stay quotes -- labels are text content here, never attribute values)."""
    return html.escape(str(value), quote=False)


def caption(fig, text: str):
    """Provenance under the plot, so a shared screenshot says what it shows."""
    fig.add_annotation(
        text=esc(text),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.12,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"size": 10, "color": "#666"},
    )
    fig.update_layout(margin={"b": 70})
    return fig


def map_figure(
    frame: pd.DataFrame,
    color: str | None = None,
    highlight: np.ndarray | None = None,
    title: str = "",
    dims: int = 2,
    labels: bool = False,
):
    """Scatter (WebGL for 2-D) of a projection frame with key, x, y[, z] and metadata columns."""
    import plotly.graph_objects as go

    hover = _hover_text(frame)
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
        pts = {"x": frame.x[highlight], "y": frame.y[highlight]}
        if dims == 3:
            pts["z"] = frame.z[highlight]
        fig.add_trace(
            Scatter(
                **pts,
                mode="markers+text" if labels or highlight.sum() <= 30 else "markers",
                name="highlighted",
                text=[esc(k) for k in frame.key[highlight]],
                textposition="top center",
                hovertext=hover[highlight],
                hoverinfo="text",
                marker={
                    "size": 9 if dims == 2 else 5,
                    "color": "#D62728",
                    "line": {"width": 1, "color": "black"},
                },
            )
        )
    fig.update_layout(
        title=esc(title), template="plotly_white", height=620, legend={"itemsizing": "constant"}
    )
    return fig


def _hover_text(frame: pd.DataFrame) -> np.ndarray:
    extra = [c for c in frame.columns if c not in ("key", "x", "y", "z")][:4]
    parts = ["<b>" + frame.key.map(esc) + "</b>"]
    parts += [esc(c) + ": " + frame[c].map(esc) for c in extra]
    out = parts[0]
    for p in parts[1:]:
        out = out + "<br>" + p
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


def arithmetic_figure(emb: Embeddings, result, answers: int = 5):
    """Inputs, the result vector and the top answers in a 2-D PCA fitted on just those points."""
    import plotly.graph_objects as go

    from .project import pca

    inputs = [k for k, _ in result.terms]
    top = result.neighbours.keys[:answers]
    vecs = [emb.unit[emb.index(k)] for k in inputs + top]
    r = result.vector / np.linalg.norm(result.vector)
    pts = np.vstack(vecs + [r])
    xy = pca(pts, 2) if len(pts) > 2 else np.c_[pts[:, 0], pts[:, 1]]
    n_in = len(inputs)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xy[:n_in, 0],
            y=xy[:n_in, 1],
            mode="markers+text",
            name="inputs",
            text=[f"{esc(k)} ({w:+g})" for k, w in result.terms],
            textposition="top center",
            marker={"size": 12, "color": "#4C78A8"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xy[n_in:-1, 0],
            y=xy[n_in:-1, 1],
            mode="markers+text",
            name="answers",
            text=[esc(k) for k in top],
            textposition="bottom center",
            marker={"size": 11, "color": "#54A24B", "symbol": "diamond"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[xy[-1, 0]],
            y=[xy[-1, 1]],
            mode="markers+text",
            name="result vector",
            text=["result"],
            textposition="top center",
            marker={"size": 16, "color": "#E45756", "symbol": "star"},
        )
    )
    fig.update_layout(title=esc(result.expression), template="plotly_white", height=480)
    return fig


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
    return fig


def to_png(fig, scale: float = 2.0) -> bytes | None:
    """Server-side PNG through kaleido; None when no Chromium is available for it."""
    try:
        return fig.to_image(format="png", scale=scale)
    except Exception:  # kaleido raises several types when it cannot start a browser
        return None


def report_html(
    title: str, figures: list, tables: list[tuple[str, pd.DataFrame]], provenance: str
) -> str:
    """One self-contained HTML file: the figures (plotly.js inlined once) and the tables."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}caption{text-align:left;color:#666}</style>",
        f"</head><body><h1>{esc(title)}</h1><p style='color:#666'>{esc(provenance)}</p>",
    ]
    for i, fig in enumerate(figures):
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False))
    for name, table in tables:
        parts.append(f"<h2>{esc(name)}</h2>" + table.to_html(index=False, escape=True))
    parts.append("</body></html>")
    return "\n".join(parts)


def sweep_figure(summary: pd.DataFrame, metric: str = "lift", title: str = ""):
    """Mean over seeds with its 95% interval as a band, one line per method, log-scaled x."""
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
        g = g.sort_values("value")
        colour = PALETTE[i % len(PALETTE)]
        x = g["value"].tolist()
        lo, hi = g[f"{metric}_lo"].tolist(), g[f"{metric}_hi"].tolist()
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=hi + lo[::-1],
                fill="toself",
                fillcolor=colour,
                opacity=0.2,
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x, y=g[metric], mode="lines+markers", name=esc(method), line={"color": colour}
            )
        )
    if metric == "lift":
        fig.add_hline(
            y=1.0, line_dash="dash", line_color="#888", annotation_text="popularity baseline"
        )
    axis = summary["axis"].iloc[0] if len(summary) else ""
    fig.update_layout(
        title=esc(title or f"{metric} vs {axis}"),
        template="plotly_white",
        height=420,
        xaxis={"type": "log", "title": esc(axis)},
        yaxis_title=metric,
    )
    return fig
