"""Marks drawn over a map layout: rows of a set at their layout positions, rows the layout lacks
(outside its sample) placed onto it, and a key with its nearest neighbours.

Any face that draws a layout (the dashboard's map, a report) marks search hits and neighbourhoods
the same way; the neighbours are always those of the original space, never of the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embeddings import Embeddings
from .layouts import Layout, place

PLACING = {"tsne": "openTSNE transform", "pca": "exact PCA projection"}


@dataclass(frozen=True)
class Mark:
    """Rows of a set marked on a layout.

    Attributes
    ----------
    name : str
        What the mark shows (``"search hits"``).
    colour : str
        A CSS colour.
    rows : ndarray of int64 (n,)
        Rows of the set, in mark order.
    keys : list of str
        Their keys.
    xy : ndarray of float32 (n, 2)
        Their positions on the layout.
    placed : ndarray of bool (n,)
        True for rows the layout lacks, placed onto it by :func:`core.layouts.place`.
    lines : bool
        Draw lines from the first point to the others (a key and its neighbours).
    """

    name: str
    colour: str
    rows: np.ndarray
    keys: list[str]
    xy: np.ndarray
    placed: np.ndarray
    lines: bool = False

    @property
    def n_placed(self) -> int:
        """How many rows were placed onto the layout."""
        return int(self.placed.sum())


def mark(
    layout: Layout,
    emb: Embeddings,
    rows: np.ndarray,
    name: str,
    colour: str,
    lines: bool = False,
) -> Mark:
    """``rows`` of ``emb`` at their positions on ``layout``; rows the layout lacks are placed onto
    it without recomputing it.

    Parameters
    ----------
    layout : Layout
        A layout of rows ``layout.ids`` of ``emb``.
    emb : Embeddings
    rows : array of int
    name, colour : str
    lines : bool, default False

    Returns
    -------
    Mark

    Examples
    --------
    >>> from embedlab.core.layouts import LayoutSpec
    >>> emb = Embeddings(["a", "b", "c"], np.eye(3))
    >>> layout = Layout(np.array([[0, 0], [1, 1]], np.float32), np.array([0, 2]),
    ...                 LayoutSpec("umap"), "digest", 0.0, np.zeros(2, np.int16),
    ...                 np.zeros((1, 2), np.float32), ["a"])
    >>> m = mark(layout, emb, np.array([2, 0]), "hits", "red")
    >>> m.xy.tolist(), m.keys, m.n_placed
    ([[1.0, 1.0], [0.0, 0.0]], ['c', 'a'], 0)
    """
    rows = np.asarray(rows, dtype=np.int64)
    where = np.full(len(emb), -1, dtype=np.int64)
    where[layout.ids] = np.arange(len(layout.ids))
    at = where[rows]
    placed = at < 0
    xy = np.zeros((len(rows), 2), dtype=np.float32)
    xy[~placed] = layout.coords[at[~placed]]
    if placed.any():
        xy[placed] = place(layout, emb, np.asarray(emb.vectors[rows[placed]], dtype=np.float32))
    return Mark(name, colour, rows, [emb.keys[i] for i in rows], xy, placed, lines)


def neighbourhood(emb: Embeddings, key: str, k: int = 10) -> np.ndarray:
    """The row of ``key`` followed by the rows of its ``k`` nearest neighbours (cosine, in the
    original space), nearest first.

    Parameters
    ----------
    emb : Embeddings
    key : str
        A key of ``emb`` (matched as :func:`core.search.neighbours` matches it).
    k : int, default 10

    Returns
    -------
    ndarray of int64 (k + 1,)

    Raises
    ------
    UnknownKeyError
        ``key`` is not in ``emb``.

    Examples
    --------
    >>> emb = Embeddings(["a", "b", "c"], np.array([[1, 0], [0, 1], [1, 0.1]]))
    >>> neighbourhood(emb, "a", k=2).tolist()
    [0, 2, 1]
    """
    from .search import neighbours

    found = neighbours(emb, key, k=k)
    return np.concatenate([[emb.index(key)], found.ids]).astype(np.int64)


def placing(method: str) -> str:
    """How :func:`core.layouts.place` puts rows onto a layout made by ``method``, in words.

    Examples
    --------
    >>> placing("pca"), placing("umap")
    ('exact PCA projection', 'median of their laid-out neighbours')
    """
    return PLACING.get(method, "median of their laid-out neighbours")
