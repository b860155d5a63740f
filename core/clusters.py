"""Automatic clusters on a 2-D map and a short label for each: its most central keys, or the
metadata value that dominates it (multi-value fields such as ``Comedy|Drama`` count each value)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .embeddings import Embeddings

SEPARATORS = re.compile(r"\s*[|,;]\s*")
CANDIDATES = (
    50  # label candidates per cluster: its earliest rows (most frequent in frequency-ordered sets)
)


def n_clusters_for(n: int) -> int:
    """How many labelled regions a map of ``n`` points gets: about sqrt(n)/4, between 3 and 32."""
    return int(min(32, max(3, round(np.sqrt(max(n, 1)) / 4))))


def cluster_map(
    coords: np.ndarray, n_clusters: int | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """k-means on the map positions, so each cluster is one visible region.

    Parameters
    ----------
    coords : ndarray (n, 2)
    n_clusters : int, optional
        Default :func:`n_clusters_for` ``(n)``, never more than n.
    seed : int, default 0

    Returns
    -------
    (ndarray of int16 (n,), ndarray of float32 (n_clusters, 2))
        the cluster of each point and each cluster's centre: the member nearest the k-means centre,
        so a label always sits on drawn points.

    Examples
    --------
    >>> labels, centres = cluster_map(np.array([[0, 0], [0, 1], [9, 9], [9, 8]], float), 2)
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3])
    True
    """
    from sklearn.cluster import MiniBatchKMeans

    coords = np.asarray(coords, dtype=np.float32)
    k = min(n_clusters or n_clusters_for(len(coords)), len(coords))
    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096).fit(coords)
    labels = model.labels_.astype(np.int16)
    centres = np.empty((k, 2), dtype=np.float32)
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            centres[c] = model.cluster_centers_[c]
            continue
        near = np.argmin(((coords[members] - model.cluster_centers_[c]) ** 2).sum(axis=1))
        centres[c] = coords[members[near]]
    return labels, centres


def key_labels(
    emb: Embeddings, ids: np.ndarray, clusters: np.ndarray, n_keys: int = 2
) -> list[str]:
    """Label each cluster by its most central keys.

    The candidates are the cluster's first :data:`CANDIDATES` rows in set order (the most frequent
    words of frequency-ordered sets such as GloVe); the label is the ``n_keys`` candidates closest
    (cosine) to the mean direction of all the cluster's members.

    Parameters
    ----------
    emb : Embeddings
    ids : ndarray of int
        Row of ``emb`` for each map point.
    clusters : ndarray of int
        Cluster of each map point.
    n_keys : int, default 2

    Returns
    -------
    list of str
        One label per cluster id 0..max(clusters), keys joined by " · ".
    """
    ids = np.asarray(ids, dtype=np.int64)
    out = []
    for c in range(int(clusters.max()) + 1 if len(clusters) else 0):
        rows = ids[clusters == c]
        if len(rows) == 0:
            out.append("")
            continue
        unit = np.asarray(emb.unit[np.sort(rows)], dtype=np.float32)
        centre = unit.mean(axis=0)
        cand = np.sort(rows)[:CANDIDATES]
        score = unit[: len(cand)] @ centre
        best = cand[np.argsort(-score, kind="stable")[:n_keys]]
        out.append(" · ".join(emb.keys[i] for i in best))
    return out


def split_values(value) -> list[str]:
    """The values of one metadata field: ``"Comedy|Drama"`` → ``["Comedy", "Drama"]``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [v for v in SEPARATORS.split(str(value).strip()) if v]


def label_columns(
    metadata: pd.DataFrame | None, max_values: int = 200, scanned: int = 5000
) -> list[str]:
    """Metadata columns worth naming map regions by: 2 to ``max_values`` distinct values once
    multi-value fields (``Comedy|Drama``) are split.

    Parameters
    ----------
    metadata : DataFrame or None
    max_values : int, default 200
        More distinct values than this name too few items each to label a region.
    scanned : int, default 5000
        A column with more distinct cells than this (titles, ids) is skipped unread; of the
        others, at most this many distinct cells are split.

    Returns
    -------
    list of str
        In column order; empty without metadata.

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["A", "B", "C"], "genres": ["Comedy|Drama", "Drama", None]})
    >>> label_columns(meta)
    ['title', 'genres']
    >>> label_columns(meta, max_values=2)
    ['genres']
    """
    if metadata is None:
        return []
    out = []
    for col in metadata.columns:
        values = metadata[col].dropna().astype(str)
        if values.empty or values.nunique() > scanned:
            continue
        distinct = {v for cell in values.unique()[:scanned] for v in split_values(cell)}
        if 2 <= len(distinct) <= max_values:
            out.append(col)
    return out


def metadata_labels(
    metadata: pd.DataFrame, column: str, ids: np.ndarray, clusters: np.ndarray
) -> list[str]:
    """Label each cluster by the value of ``column`` that dominates it.

    Each value's share of the cluster's points is weighed by how much more common it is there
    than in the whole map (share × lift), so a value every item has ("Drama") does not name every
    region. Multi-value fields are split on ``|``, ``,`` or ``;``.

    Parameters
    ----------
    metadata : DataFrame
        Aligned with the rows of the set.
    column : str
    ids : ndarray of int
    clusters : ndarray of int

    Returns
    -------
    list of str
        One label per cluster id; "" for a cluster whose points have no value.
    """
    values = metadata[column].iloc[np.asarray(ids, dtype=np.int64)].to_numpy()
    exploded = (
        pd.DataFrame({"c": clusters, "v": [split_values(v) for v in values]}).explode("v").dropna()
    )
    if exploded.empty:
        return [""] * (int(clusters.max()) + 1 if len(clusters) else 0)
    overall = exploded["v"].value_counts(normalize=True)
    sizes = pd.Series(clusters).value_counts()
    out = []
    for c in range(int(clusters.max()) + 1):
        counts = exploded.loc[exploded["c"] == c, "v"].value_counts()
        if counts.empty:
            out.append("")
            continue
        share = counts / sizes.get(c, 1)
        score = share * (share / overall.reindex(counts.index))
        out.append(str(score.sort_values(ascending=False, kind="stable").index[0]))
    return out
