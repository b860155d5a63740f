"""The colours of the points of a map and the legend that explains them: by a metadata column
(categories, multi-value labels such as ``Comedy|Drama``), or by a number in bins (popularity,
neighbour agreement between two sets).

Any face that draws a whole map (the dashboard's point map, the server-side PNG) colours it
through a :class:`Colouring`: one group per point and one legend entry per group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clusters import label_columns, split_values

CATEGORIES = [  # Tableau 10 without its grey (kept for "other"), then olive and cyan
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BCBD22",
    "#17BECF",
]
OTHER = "#BAB0AC"  # points whose values are not among the colours
NONE = "#E3E3E3"  # points without a value
SEQUENTIAL = ["#440154", "#443983", "#31688E", "#21918C", "#35B779", "#90D743"]  # low → high
DIVERGING = ["#B2182B", "#D6604D", "#F4A582", "#92C5DE", "#4393C3", "#2166AC"]  # bad → good


@dataclass(frozen=True)
class Colouring:
    """Points coloured by one property.

    Attributes
    ----------
    groups : ndarray of int (n,)
        The group of each point (an index into ``legend``).
    legend : list of (colour, text, count)
        One entry per group: its CSS colour, what it means, how many points it holds (a legend
        drawn for people leaves out the groups of no point).
    note : str
        How the points were coloured, in words (for a caption).
    """

    groups: np.ndarray
    legend: list[tuple[str, str, int]]
    note: str

    @property
    def palette(self) -> list[str]:
        """The colour of each group, in group order."""
        return [colour for colour, _, _ in self.legend]


def colour_columns(metadata: pd.DataFrame | None) -> list[str]:
    """Metadata columns a map can be coloured by: label columns (2 to 200 distinct values once
    multi-value cells are split, see :func:`core.clusters.label_columns`) and numeric columns.

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["A", "B", "C"], "genres": ["Comedy|Drama", "Drama", "War"],
    ...                      "events": [10, 250, 3]})
    >>> colour_columns(meta)
    ['genres', 'events']
    >>> colour_columns(meta[["title"]])
    []
    """
    if metadata is None:
        return []
    numeric = [
        c
        for c in metadata.columns
        if pd.api.types.is_numeric_dtype(metadata[c]) and metadata[c].nunique() > 1
    ]
    text = [c for c in label_columns(metadata) if c not in numeric and _repeats(metadata[c])]
    return [c for c in metadata.columns if c in numeric or c in text]


def _repeats(values: pd.Series) -> bool:
    """Whether some value occurs in more than one cell (titles and ids do not: nothing to
    colour by)."""
    seen = [v for cell in values.dropna() for v in split_values(cell)]
    return len(seen) > len(set(seen))


def by_column(
    metadata: pd.DataFrame, column: str, rows: np.ndarray, max_colours: int = len(CATEGORIES)
) -> Colouring:
    """Colour points by ``column``: numbers in bins (:func:`by_number`), text by value.

    The ``max_colours`` most frequent values get a colour each, the rest are "other" (grey) and
    empty cells "no value" (light grey).  A point with several values (``Comedy|Drama``) takes the
    colour of its rarest value among the coloured ones, the one that says most about it.

    Parameters
    ----------
    metadata : DataFrame
        Aligned with the rows of the set.
    column : str
    rows : ndarray of int
        The row of each point.
    max_colours : int, default 11

    Returns
    -------
    Colouring

    Examples
    --------
    >>> meta = pd.DataFrame({"genres": ["Drama", "Drama|War", "Comedy", "Drama", None]})
    >>> c = by_column(meta, "genres", np.arange(5), max_colours=2)
    >>> c.groups.tolist(), [(text, n) for _, text, n in c.legend]
    ([0, 1, 2, 0, 3], [('Drama', 2), ('War', 1), ('other', 1), ('no value', 1)])
    """
    values = metadata[column].iloc[np.asarray(rows, dtype=np.int64)]
    if pd.api.types.is_numeric_dtype(values):
        return by_number(values.to_numpy(dtype=float), name=str(column))
    cells = [split_values(v) for v in values]
    counts = Counter(v for cell in cells for v in cell)
    shown = [v for v, _ in counts.most_common(max_colours)]
    group_of = {v: i for i, v in enumerate(shown)}
    other, none = len(shown), len(shown) + 1
    groups = np.array(
        [
            none
            if not cell
            else min(
                (group_of[v] for v in cell if v in group_of),
                default=other,
                key=lambda g: (counts[shown[g]], g),
            )
            for cell in cells
        ],
        dtype=np.int64,
    )
    sizes = np.bincount(groups, minlength=none + 1)
    legend = [(CATEGORIES[i % len(CATEGORIES)], v, int(sizes[i])) for i, v in enumerate(shown)]
    legend += [(OTHER, "other", int(sizes[other])), (NONE, "no value", int(sizes[none]))]
    several = any(len(cell) > 1 for cell in cells)
    note = f"Colour: '{column}'" + (
        " (a point with several values takes its rarest coloured one)" if several else ""
    )
    return Colouring(groups, legend, note + ".")


def by_number(
    values: np.ndarray,
    name: str,
    edges: list[float] | None = None,
    texts: list[str] | None = None,
    colours: list[str] = SEQUENTIAL,
) -> Colouring:
    """Colour points by a number, in bins: quantiles of the values (at most ``len(colours)``
    bins) unless ``edges`` are given.

    Parameters
    ----------
    values : ndarray of float (n,)
        NaN means "no value".
    name : str
        What the number is (for the note).
    edges : list of float, optional
        Bin edges, increasing; bin i holds edges[i] < v <= edges[i + 1] (the first bin also
        holds edges[0]).
    texts : list of str, optional
        One legend text per bin (default: the bin's range).
    colours : list of str, default SEQUENTIAL
        One colour per bin, low to high.

    Returns
    -------
    Colouring

    Examples
    --------
    >>> c = by_number(np.array([0.0, 0.05, 0.5, 1.0]), "Jaccard@10", edges=[0, 0, 0.5, 1],
    ...               texts=["none shared", "some", "most"], colours=["red", "grey", "blue"])
    >>> c.groups.tolist(), [(text, n) for _, text, n in c.legend]
    ([0, 1, 1, 2], [('none shared', 1), ('some', 2), ('most', 1)])
    """
    values = np.asarray(values, dtype=float)
    known = values[~np.isnan(values)]
    if edges is None:
        edges = _quantile_edges(known, len(colours))
    edges = np.asarray(edges, dtype=float)
    bins = max(len(edges) - 1, 1)
    groups = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, bins - 1)
    missing = np.isnan(values)
    groups = np.where(missing, bins, groups).astype(np.int64)
    texts = texts or [_range_text(edges[i], edges[i + 1], i == 0) for i in range(bins)]
    palette = _spread(colours, bins)
    sizes = np.bincount(groups, minlength=bins + 1)
    legend = [(palette[i], texts[i], int(sizes[i])) for i in range(bins)]
    if missing.any():
        legend.append((NONE, "no value", int(sizes[bins])))
    return Colouring(groups, legend, f"Colour: '{name}' in {bins} bins.")


def _quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Up to ``bins`` bins holding about as many values each (fewer when values repeat)."""
    if not len(values):
        return np.array([0.0, 1.0])
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    if np.all(np.mod(values, 1) == 0):  # whole numbers (counts): whole edges
        edges = np.unique(np.round(edges))
        edges = edges if len(edges) > 1 else np.array([edges[0], edges[0]])
    return edges


def _range_text(lo: float, hi: float, first: bool) -> str:
    """A bin's range as a reader writes it: "≤ 12", "13 – 40", "0.25 – 0.5"."""

    def fmt(v: float) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3g}"

    if first:
        return f"≤ {fmt(hi)}"
    if float(lo).is_integer() and float(hi).is_integer():  # whole numbers: lo is in the bin below
        return fmt(hi) if lo + 1 == hi else f"{fmt(lo + 1)} – {fmt(hi)}"
    return f"{fmt(lo)} – {fmt(hi)}"


def _spread(colours: list[str], n: int) -> list[str]:
    """``n`` colours taken evenly from ``colours`` (low to high)."""
    if n >= len(colours):
        return [colours[i % len(colours)] for i in range(n)]
    picks = np.round(np.linspace(0, len(colours) - 1, n)).astype(int)
    return [colours[i] for i in picks]
