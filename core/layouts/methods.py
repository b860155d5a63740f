"""Computing a layout: t-SNE (openTSNE over exact or HNSW neighbours), UMAP (umap-learn), PCA;
the first :data:`~core.layouts.spec.ANCHORS` rows of a large set laid out and the rest placed by
their neighbours; clusters and labels on the result."""

from __future__ import annotations

import os
import time

import numpy as np

from ..cache import cache_dir
from ..clusters import cluster_map, key_labels
from ..embeddings import Embeddings
from ..errors import ParameterError
from ..progress import Progress, no_progress
from ..search import HnswIndex
from .placement import place
from .spec import DEFAULT_SPEC, Layout, LayoutSpec, content_hash

FFT_FROM = 10_000
EXACT_KNN_UP_TO = (
    60_000  # exact (faiss flat) neighbours up to this many rows: faster than building HNSW
)
STEPS = (
    125,
    250,
)  # t-SNE steps: early exaggeration, then the rest (openTSNE's defaults are 250 + 500)


def knn(emb: Embeddings, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` nearest other rows by cosine, as (ids, cosine distances): exact up to
    :data:`EXACT_KNN_UP_TO` rows (faiss' flat index, which beats building HNSW there), faiss HNSW
    beyond.

    Parameters
    ----------
    emb : Embeddings
    k : int

    Returns
    -------
    (ndarray of int64 (n, k), ndarray of float32 (n, k))
    """
    k = min(k, len(emb) - 1)
    if len(emb) <= 2000:
        from ..search import exact_top_k, space

        unit = np.ascontiguousarray(space(emb, "cosine"))
        found, sims = exact_top_k(unit, unit, k + 1, "cosine")
    elif len(emb) <= EXACT_KNN_UP_TO:
        import faiss

        unit = np.ascontiguousarray(emb.unit, dtype=np.float32)
        flat = faiss.IndexFlatIP(unit.shape[1])
        flat.add(unit)
        sims, found = flat.search(unit, k + 1)
    else:
        index = HnswIndex(emb, metric="cosine").build()
        index.index_.hnsw.efSearch = max(index.ef_search_, 2 * (k + 1))
        found, sims = index.search(np.ascontiguousarray(emb.unit, dtype=np.float32), k + 1)
    return _drop_self(found, sims, k)


def _drop_self(found: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(found))[:, None]
    keep = found != rows
    keep &= found >= 0
    # rows that did not find themselves drop their last neighbour instead
    order = np.argsort(~keep, axis=1, kind="stable")[:, :k]
    ids = np.take_along_axis(found, order, axis=1)
    dist = 1.0 - np.take_along_axis(sims, order, axis=1)
    missing = ids < 0
    if missing.any():  # HNSW returned fewer than k: repeat the nearest found
        ids[missing] = np.broadcast_to(ids[:, :1], ids.shape)[missing]
        dist[missing] = np.broadcast_to(dist[:, :1], dist.shape)[missing]
    return ids.astype(np.int64), np.maximum(dist, 0).astype(np.float32)


def tsne(
    emb: Embeddings,
    seed: int = 0,
    perplexity: float = 30.0,
    progress: Progress = no_progress,
    n_jobs: int = 2,
):
    """openTSNE of every row of ``emb``: exact (or HNSW) neighbours, PCA start, :data:`STEPS` steps.

    FFT-accelerated gradients from :data:`FFT_FROM` points on, Barnes-Hut below.  Tuned for a
    2-core machine (issue 13): 125 + 250 steps instead of openTSNE's 250 + 500 (its learning rate
    n/12 converges early; the KL divergence of 50,000 GloVe words rises from 3.51 to 3.61) and an
    FFT grid of two interpolation intervals per unit (``ints_in_interval=2``: a quarter of the
    grid cells), which together take the optimisation from ~90 to ~25 CPU seconds there.

    Returns
    -------
    ndarray of float32 (n, 2)
    """
    from openTSNE import TSNE, affinity
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    n = len(emb)
    perplexity = float(min(perplexity, max(2.0, (n - 1) / 3)))
    progress(0.0, f"finding {min(n - 1, int(3 * perplexity)):,} neighbours of {n:,} points")
    ids, dist = knn(emb, int(3 * perplexity))
    progress(0.15, "computing affinities")
    aff = affinity.PerplexityBasedNN(
        knn_index=PrecomputedNeighbors(ids, dist),
        perplexity=perplexity,
        n_jobs=n_jobs,
        random_state=seed,
    )
    total, every, done = sum(STEPS), 25, [0]

    def step(iteration, error, embedding):  # noqa: ARG001 - openTSNE's callback signature
        done[0] += every
        progress(
            0.2 + 0.8 * min(done[0], total) / total, f"t-SNE step {min(done[0], total)} of {total}"
        )
        return False

    method = (
        "fft" if n >= FFT_FROM else "bh"
    )  # FFT's fixed grid cost per step only pays off on large sets
    model = TSNE(
        n_components=2,
        negative_gradient_method=method,
        n_jobs=n_jobs,
        random_state=seed,
        early_exaggeration_iter=STEPS[0],
        n_iter=STEPS[1],
        ints_in_interval=2,
        callbacks=step,
        callbacks_every_iters=every,
    )
    init = _pca_start(np.asarray(emb.unit, dtype=np.float32))
    return np.asarray(model.fit(affinities=aff, initialization=init), dtype=np.float32)


def _pca_start(x: np.ndarray) -> np.ndarray:
    """openTSNE's recommended start: the first two principal components, scaled to std 1e-4."""
    from ..project import pca

    start = pca(x, 2)
    return (start / np.std(start[:, 0]) * 1e-4).astype(np.float32)


def umap_layout(
    emb: Embeddings,
    seed: int = 0,
    neighbours: int = 15,
    min_dist: float = 0.1,
    progress: Progress = no_progress,
):
    """umap-learn over every row of ``emb`` (cosine), numba's compiled code cached on disk."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))
    try:
        import umap
    except ImportError:
        raise ParameterError(
            "UMAP needs the optional package umap-learn",
            hint="pip install 'embedlab[umap]', or use t-SNE or PCA",
        ) from None
    progress(0.0, f"finding neighbours of {len(emb):,} points")
    ids, dist = knn(emb, neighbours)
    n = len(emb)
    knn_ids = np.column_stack([np.arange(n), ids])
    knn_dist = np.column_stack([np.zeros(n, dtype=np.float32), dist])
    progress(0.3, "optimising the UMAP layout")
    model = umap.UMAP(
        n_neighbors=min(neighbours, n - 1) + 1,
        min_dist=min_dist,
        random_state=seed,
        metric="cosine",
        precomputed_knn=(knn_ids, knn_dist, None),
    )
    return np.asarray(model.fit_transform(np.asarray(emb.unit, dtype=np.float32)), dtype=np.float32)


def compute(
    emb: Embeddings,
    ids: np.ndarray | None = None,
    spec: LayoutSpec = DEFAULT_SPEC,
    progress: Progress = no_progress,
) -> Layout:
    """Compute the layout of rows ``ids`` (all rows when None) now, with clusters and labels.

    Parameters
    ----------
    emb : Embeddings
    ids : array of int, optional
    spec : LayoutSpec
    progress : callable (fraction, message)

    Returns
    -------
    Layout

    Raises
    ------
    ParameterError
        Fewer than 3 points, or UMAP without umap-learn.
    """
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids, dtype=np.int64)
    if len(ids) < 3:
        raise ParameterError(f"a map needs at least 3 points, got {len(ids)}")
    start = time.perf_counter()
    coords, extra = _project(emb, ids, spec, progress)
    seconds = time.perf_counter() - start
    progress(0.97, "finding clusters")
    clusters, centres = cluster_map(coords, seed=spec.seed)
    labels = key_labels(emb, ids, clusters)
    progress(1.0, "done")
    return Layout(
        coords.astype(np.float32),
        ids,
        spec,
        content_hash(emb, ids),
        seconds,
        clusters,
        centres,
        labels,
        "computed",
        extra,
    )


def _project(
    emb: Embeddings, ids: np.ndarray, spec: LayoutSpec, progress: Progress
) -> tuple[np.ndarray, dict]:
    anchors = int(spec.params.get("anchors") or 0)
    if anchors and len(ids) > anchors:
        return _anchored(emb, ids, spec, anchors, progress)
    part = (
        emb
        if len(ids) == len(emb) and np.array_equal(ids, np.arange(len(emb)))
        else emb.subset(ids)
    )
    if spec.method == "tsne":
        return tsne(part, spec.seed, spec.params["perplexity"], progress), {}
    if spec.method == "umap":
        return umap_layout(
            part,
            spec.seed,
            int(spec.params["neighbours"]),
            float(spec.params["min_dist"]),
            progress,
        ), {}
    return _pca_layout(part)


def _anchored(emb: Embeddings, ids: np.ndarray, spec: LayoutSpec, anchors: int, progress: Progress):
    """Lay out the first ``anchors`` rows (the most frequent, in frequency-ordered sets), then put
    every other row at the median position of its 10 nearest laid-out rows (cosine): openTSNE's
    transform start, without the optimisation, so 350,000 extra points cost a neighbour search."""
    head, rest = ids[:anchors], ids[anchors:]
    inner = LayoutSpec(spec.method, {**spec.params, "anchors": 0}, spec.seed)
    coords, _ = _project(emb, head, inner, lambda f, m: progress(0.85 * f, m))
    base = Layout(
        coords,
        head,
        inner,
        "",
        0.0,
        np.zeros(len(head), np.int16),
        np.zeros((0, 2), np.float32),
        [],
    )
    out = np.empty((len(ids), 2), dtype=np.float32)
    out[:anchors] = coords
    step = 20_000
    for start in range(0, len(rest), step):
        progress(
            0.85 + 0.1 * start / len(rest),
            f"placing {len(rest):,} more points by their nearest laid-out neighbours",
        )
        chunk = rest[start : start + step]
        out[anchors + start : anchors + start + len(chunk)] = place(
            base, emb, np.asarray(emb.vectors[chunk]), k=10, n_iter=0
        )
    return out, {"anchors": int(anchors), "placed": int(len(rest))}


def _pca_layout(emb: Embeddings) -> tuple[np.ndarray, dict]:
    unit = np.asarray(emb.unit, dtype=np.float64)
    mean = unit.mean(axis=0)
    _, _, vt = np.linalg.svd(unit - mean, full_matrices=False)
    vt = vt[:2] * np.sign(vt[:2][np.arange(2), np.argmax(np.abs(vt[:2]), axis=1)])[:, None]
    return ((unit - mean) @ vt.T).astype(np.float32), {
        "mean": mean.tolist(),
        "components": vt.tolist(),
    }
