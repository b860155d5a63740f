"""Automatic clusters on a 2-D map and a short label for each that tells it from the others: its
most central items (by title when the set has titles), the words that distinguish its titles
(class-based TF-IDF), or its most distinctive metadata value with its share (multi-value fields
such as ``Comedy|Drama`` count each value)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .logs.suspect import NO_VALUE
from .naming import names, short

SEPARATORS = re.compile(r"\s*[|,;]\s*")
CANDIDATES = (
    50  # label candidates per cluster: its earliest rows (most frequent in frequency-ordered sets)
)
TITLE_WIDTH = 24  # a title in a region label is cut to this many characters
WORD_PATTERN = r"(?u)\b[^\W\d_]{3,}\b"  # words of 3+ letters (no numbers, no years)


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
    return _central(emb, ids, clusters, n_keys, list(emb.keys))


def name_labels(
    emb: Embeddings, ids: np.ndarray, clusters: np.ndarray, n_keys: int = 2
) -> list[str]:
    """Label each cluster by its most central items, named by their titles (cut to
    :data:`TITLE_WIDTH` characters) when the set has titles, else by their keys: the same
    choice as :func:`key_labels`.

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["Star Wars (1977)", "Return of the Jedi (1983)", "Heat"]})
    >>> vectors = np.array([[1, 0], [0.9, 0.1], [0, 1]], np.float32)
    >>> emb = Embeddings(["50", "181", "6"], vectors, metadata=meta)
    >>> name_labels(emb, np.arange(3), np.array([0, 0, 1]))
    ['Star Wars (1977) · Return of the Jedi…', 'Heat']
    """
    shown = [short(n, TITLE_WIDTH) for n in names(emb)]
    return _central(emb, ids, clusters, n_keys, shown)


def _central(emb, ids, clusters, n_keys: int, shown: list[str]) -> list[str]:
    """The ``n_keys`` candidates of each cluster nearest its mean direction, as ``shown``."""
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
        out.append(" · ".join(shown[i] for i in best))
    return out


PLACEHOLDERS = NO_VALUE | {"(no genres listed)", "(none)"}
"""Values that say a field is empty (MovieLens' "(no genres listed)"): they name no region."""
MIN_LEAD_SHARE = 0.1
"""A region's label leads with a value another region took first only when at least this share
of its points have the value (else it leads with its own best, shared or not)."""


def split_values(value) -> list[str]:
    """The values of one metadata field: ``"Comedy|Drama"`` → ``["Comedy", "Drama"]``, without
    placeholders such as ``"(no genres listed)"``.

    Examples
    --------
    >>> split_values("Comedy|Drama"), split_values("(no genres listed)")
    (['Comedy', 'Drama'], [])
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    parts = (v.strip() for v in SEPARATORS.split(str(value).strip()))
    return [v for v in parts if v and v.lower() not in PLACEHOLDERS]


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
    """Label each cluster by its most distinctive value of ``column`` and the share of its points
    that have it (``"Horror 62%"``).

    Values are ranked per cluster by class-based TF-IDF: the share of the cluster's points with
    the value times ``log(1 + A / f)``, where ``f`` counts the value over the whole map and ``A``
    is the mean number of values per cluster, so a value every item has ("Drama") does not name
    every region.  No two labels lead with the same value: clusters choose in the order of their
    best score, and one whose best value is taken leads with its best free value, followed by the
    best one (``"Romance 22% · Drama 72%"``).  Multi-value fields are split on ``|``, ``,`` or
    ``;``.

    Parameters
    ----------
    metadata : DataFrame
        Aligned with the rows of the set.
    column : str
    ids : ndarray of int
        Row of each map point.
    clusters : ndarray of int
        Cluster of each map point.

    Returns
    -------
    list of str
        One label per cluster id; "" for a cluster whose points have no value.

    Examples
    --------
    >>> meta = pd.DataFrame({"genres": ["Comedy|Drama", "Comedy", "Horror|Drama", "Horror"]})
    >>> metadata_labels(meta, "genres", np.arange(4), np.array([0, 0, 1, 1]))
    ['Comedy 100%', 'Horror 100%']
    """
    clusters = np.asarray(clusters)
    k = int(clusters.max()) + 1 if len(clusters) else 0
    values = metadata[column].iloc[np.asarray(ids, dtype=np.int64)].to_numpy()
    exploded = (
        pd.DataFrame({"c": clusters, "v": [split_values(v) for v in values]}).explode("v").dropna()
    )
    if exploded.empty:
        return [""] * k
    counts = pd.crosstab(exploded["c"], exploded["v"]).reindex(range(k), fill_value=0)
    sizes = np.bincount(clusters, minlength=k).astype(float)
    share = counts.to_numpy() / np.maximum(sizes, 1)[:, None]
    score = share * _idf(counts.to_numpy())
    ranked = [
        [j for j in np.argsort(-score[c], kind="stable") if counts.iat[c, j] > 0] for c in range(k)
    ]
    leads = _distinct_leads(ranked, score, share)
    return [
        " · ".join(f"{counts.columns[j]} {share[c, j]:.0%}" for j in leads[c]) for c in range(k)
    ]


def _distinct_leads(
    ranked: list[list[int]], score: np.ndarray, share: np.ndarray
) -> list[list[int]]:
    """Per cluster, the values its label names: its best value when no cluster with a higher
    best score took it, else its best free value held by at least :data:`MIN_LEAD_SHARE` of its
    points followed by its best (or its best alone when no free value is that common)."""
    order = sorted(
        (c for c in range(len(ranked)) if ranked[c]), key=lambda c: -score[c, ranked[c][0]]
    )
    taken: set[int] = set()
    out: list[list[int]] = [[] for _ in ranked]
    for c in order:
        free = next(
            (j for j in ranked[c] if j not in taken and share[c, j] >= MIN_LEAD_SHARE),
            ranked[c][0],
        )
        taken.add(free)
        out[c] = [free] if free == ranked[c][0] else [free, ranked[c][0]]
    return out


def _idf(counts: np.ndarray) -> np.ndarray:
    """c-TF-IDF's weight of each column of a clusters × terms count matrix: log(1 + A / f)."""
    per_term = counts.sum(axis=0).astype(float)
    mean_per_cluster = counts.sum() / max(len(counts), 1)
    return np.log1p(mean_per_cluster / np.maximum(per_term, 1))


def word_labels(
    texts: list[str], clusters: np.ndarray, n_words: int = 2, min_count: int = 2
) -> list[str]:
    """Label each cluster by the words that set its texts (titles, descriptions) apart from the
    whole map: class-based TF-IDF of words of 3+ letters (English stop words, numbers and years
    left out), each word counted once per text.

    Parameters
    ----------
    texts : list of str
        The text of each map point (e.g. its title).
    clusters : ndarray of int
        Cluster of each map point.
    n_words : int, default 2
    min_count : int, default 2
        A word names a cluster only when at least this many of its texts hold it.

    Returns
    -------
    list of str
        One label per cluster id, words joined by " · "; "" when no word qualifies.

    Examples
    --------
    >>> texts = ["Star Trek II", "Star Trek III", "Star Trek IV", "Toy Story", "Toy Story 2",
    ...          "Story of Us"]
    >>> word_labels(texts, np.array([0, 0, 0, 1, 1, 1]))
    ['star · trek', 'story · toy']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    clusters = np.asarray(clusters)
    k = int(clusters.max()) + 1 if len(clusters) else 0
    vectorizer = CountVectorizer(token_pattern=WORD_PATTERN, stop_words="english", binary=True)
    try:
        words = vectorizer.fit_transform([str(t) for t in texts])
    except ValueError:  # no word at all (ids only, or only stop words)
        return [""] * k
    member = np.zeros((k, len(clusters)), dtype=np.float32)
    member[clusters, np.arange(len(clusters))] = 1
    counts = np.asarray(words.T.dot(member.T).T)  # clusters × words
    sizes = np.maximum(member.sum(axis=1), 1)[:, None]
    score = np.where(counts >= min_count, counts / sizes * _idf(counts), 0.0)
    vocab = vectorizer.get_feature_names_out()
    out = []
    for c in range(k):
        top = [j for j in np.argsort(-score[c], kind="stable")[:n_words] if score[c, j] > 0]
        out.append(" · ".join(str(vocab[j]) for j in top))
    return out
