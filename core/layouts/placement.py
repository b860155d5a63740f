"""New points onto an existing layout, without recomputing it."""

from __future__ import annotations

import numpy as np

from ..embeddings import Embeddings
from ..errors import ParameterError
from .spec import Layout


def place(
    layout: Layout, emb: Embeddings, vectors: np.ndarray, k: int = 15, n_iter: int = 250
) -> np.ndarray:
    """Positions for new points on ``layout`` without recomputing it.

    Each new vector starts at the median position of its ``k`` nearest laid-out rows (cosine);
    on a t-SNE layout openTSNE then optimises the new points against the fixed layout (its
    ``transform``: perplexity 5, ``n_iter`` steps; 0 keeps the median).  UMAP and PCA layouts keep
    the neighbours' median (PCA: the exact projection).

    Parameters
    ----------
    layout : Layout
    emb : Embeddings
        The set the layout maps (``layout.ids`` are its rows).
    vectors : ndarray (m, dim)
    k : int, default 15
    n_iter : int, default 250
        t-SNE optimisation steps; 0 keeps the neighbours' median.

    Returns
    -------
    ndarray of float32 (m, 2)

    Raises
    ------
    ParameterError
        ``vectors`` has another dimension than the set.
    """
    from ..search import exact_top_k

    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    if vectors.shape[1] != emb.dim:
        raise ParameterError(
            f"new points have {vectors.shape[1]} dimensions, the set has {emb.dim}"
        )
    if layout.spec.method == "pca" and "components" in layout.extra:
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return (
            (unit - np.asarray(layout.extra["mean"])) @ np.asarray(layout.extra["components"]).T
        ).astype(np.float32)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    base = np.ascontiguousarray(emb.unit[layout.ids], dtype=np.float32)
    k = min(k, len(base))
    found, sims = exact_top_k(base, unit, k, "cosine")
    start = np.median(layout.coords[found], axis=1)
    if layout.spec.method != "tsne" or n_iter <= 0:
        return start.astype(np.float32)
    return _tsne_place(layout.coords, start, found, np.maximum(1.0 - sims, 0), n_iter)


def _tsne_place(coords, start, found, dist, n_iter) -> np.ndarray:
    import scipy.sparse as sp
    from openTSNE import TSNEEmbedding
    from openTSNE.affinity import PrecomputedAffinities, joint_probabilities_nn
    from openTSNE.tsne import PartialTSNEEmbedding

    fixed = PrecomputedAffinities(
        sp.identity(len(coords), format="csr"), normalize=False
    )  # never optimised
    reference = TSNEEmbedding(
        np.asarray(coords, dtype=np.float64), fixed, negative_gradient_method="fft", n_jobs=1
    )
    reference.prepare_interpolation_grid()
    perplexity = min(5.0, max(1.0, found.shape[1] / 3))
    P = joint_probabilities_nn(
        found,
        dist.astype(np.float64),
        [perplexity],
        symmetrize=False,
        normalization="point-wise",
        n_reference_samples=len(coords),
        n_jobs=1,
    )
    part = PartialTSNEEmbedding(start, reference, P, negative_gradient_method="fft", n_jobs=1)
    part.optimize(
        n_iter=n_iter,
        learning_rate=0.1,
        exaggeration=1.5,
        momentum=0.8,
        inplace=True,
        max_grad_norm=0.25,
    )
    return np.asarray(part, dtype=np.float32)
