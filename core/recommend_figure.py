"""The Recommend page's figure: how popular each set's recommendations are, rank by rank, with
the items two or more lists share marked (every label escaped, as in :mod:`core.plots`)."""

from __future__ import annotations

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
    fig.update_layout(
        title=esc(title or "Popularity of each recommendation (★ = in two or more lists)"),
        template="plotly_white",
        height=380,
        xaxis={"dtick": 1, "tickprefix": "#"},
        yaxis={"title": "events in the log", "type": "log", "dtick": 1},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig
