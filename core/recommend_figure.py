"""The Recommend page's figure: how popular each set's recommendations are, rank by rank, with
the items two or more lists share marked (every label escaped, as in :mod:`core.plots`)."""

from __future__ import annotations

import math
from collections import Counter

from .plots import PALETTE, esc


def shared_keys(lists: dict[str, list[str]]) -> set[str]:
    """Keys that appear in two or more of ``lists`` (name → keys).

    Examples
    --------
    >>> sorted(shared_keys({"als": ["1", "2"], "item2vec": ["2", "3"], "svd": ["3"]}))
    ['2', '3']
    """
    counts = Counter(k for keys in lists.values() for k in set(keys))
    return {k for k, n in counts.items() if n > 1}


MANTISSAS = ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))  # log-axis ticks, sparse to dense
MIN_TICKS = 3


def count_ticks(values) -> dict:
    """Ticks for a log axis of counts: whole numbers of the 1-2-5 kind (denser when the values
    span little) inside the values' range, at least :data:`MIN_TICKS` of them when the range
    holds that many whole numbers (Plotly's own ticks on a log axis are the powers of ten: one or
    two over a range like 12–340).

    Parameters
    ----------
    values : iterable of numbers
        The counts drawn (those < 1 cannot be drawn on a log axis and are ignored).

    Returns
    -------
    dict
        ``tickvals`` and ``ticktext`` (thousands separated) for a Plotly axis; empty when no
        value is >= 1 (Plotly's defaults then).

    Examples
    --------
    >>> count_ticks([12, 40, 340])["tickvals"]
    [20, 50, 100, 200]
    >>> count_ticks([1200, 4000])["ticktext"]
    ['2,000', '3,000', '4,000']
    >>> count_ticks([41, 49])["tickvals"]
    [41, 44, 47]
    >>> count_ticks([3, 4])["tickvals"]
    [3, 4]
    """
    drawn = [float(v) for v in values if v >= 1]
    if not drawn:
        return {}
    lo, hi = min(drawn), max(drawn)
    powers = range(math.floor(math.log10(lo)), math.floor(math.log10(hi)) + 1)
    ticks: list[int] = []
    for mantissas in MANTISSAS:
        ticks = [m * 10**e for e in powers for m in mantissas if lo <= m * 10**e <= hi]
        if len(ticks) >= MIN_TICKS:
            break
    if len(ticks) < MIN_TICKS:  # a narrow range: evenly spaced whole numbers inside it
        step = max(1, math.ceil((hi - lo) / MIN_TICKS))
        ticks = list(range(math.ceil(lo), math.floor(hi) + 1, step))
    return {"tickvals": ticks, "ticktext": [f"{t:,}" for t in ticks]}


def popularity_figure(tables: dict, title: str = ""):
    """Events of each recommended item by rank, one line per set (log scale); items in two or
    more lists drawn as stars.

    Parameters
    ----------
    tables : dict
        Set name → a :class:`core.recommend.Recommendations` ``table`` (``rank``, ``key``,
        ``title``, ``events``).
    title : str, optional

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"rank": [1, 2], "key": ["a", "b"], "title": ["A", "<b>"],
    ...                   "events": [10, 3]})
    >>> fig = popularity_figure({"als": t, "item2vec": t.iloc[::-1]})
    >>> len(fig.data), fig.data[0].marker.symbol
    (2, ('star', 'star'))
    """
    import plotly.graph_objects as go

    shared = shared_keys({n: t["key"].tolist() for n, t in tables.items()})
    fig = go.Figure()
    for i, (name, t) in enumerate(tables.items()):
        star = [k in shared for k in t["key"]]
        fig.add_trace(
            go.Scatter(
                x=t["rank"].tolist(),
                y=t["events"].tolist(),
                mode="lines+markers",
                name=esc(name),
                line={"color": PALETTE[i % len(PALETTE)]},
                marker={
                    "symbol": tuple("star" if s else "circle" for s in star),
                    "size": tuple(15 if s else 8 for s in star),
                },
                text=[esc(x) for x in t["title"]],
                hovertemplate="%{text}<br>rank %{x}, %{y} events<extra>" + esc(name) + "</extra>",
            )
        )
    events = [v for t in tables.values() for v in t["events"].tolist()]
    fig.update_layout(
        title=esc(title or "Popularity of each recommendation (★ = in two or more lists)"),
        template="plotly_white",
        height=380,
        xaxis={"dtick": 1, "tickprefix": "#"},
        yaxis={"title": "events in the log", "type": "log", **count_ticks(events)},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig
