"""2-D (and 3-D) maps of embeddings: PCA, t-SNE, UMAP and semantic axes, with an honest account
of what was sampled and how well the map keeps the original neighbours."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .errors import ParameterError

PROJECTIONS = ("pca", "tsne", "umap", "axes")
SAMPLINGS = ("frequent", "stratified", "random")


@dataclass
class Projection:
    coords: np.ndarray  # (n, dims)
    ids: np.ndarray  # row ids of the points in the Embeddings
    method: str
    params: dict
    seconds: float
    sampling: str = ""
    quality: dict = field(default_factory=dict)

    def frame(self, emb: Embeddings) -> pd.DataFrame:
        cols = ["x", "y", "z"][: self.coords.shape[1]]
        out = pd.DataFrame(self.coords, columns=cols)
        out.insert(0, "key", [emb.keys[i] for i in self.ids])
        if emb.metadata is not None:
            meta = emb.metadata.iloc[self.ids].reset_index(drop=True)
            out = pd.concat(
                [out, meta.drop(columns=[c for c in meta.columns if c in out.columns])], axis=1
            )
        return out


def sample_rows(
    emb: Embeddings,
    n: int,
    strategy: str = "frequent",
    column: str | None = None,
    seed: int = 0,
    include: np.ndarray | None = None,
) -> tuple[np.ndarray, str]:
    """Pick at most ``n`` rows and say how: the first rows (most frequent, for frequency-ordered
    sets), a per-label stratified sample, or a seeded random one.  ``include`` rows are always
    kept."""
    total = len(emb)
    if strategy not in SAMPLINGS:
        raise ParameterError(f"sampling '{strategy}' must be one of {', '.join(SAMPLINGS)}")
    if n <= 0:
        raise ParameterError(f"n({n}) must be > 0")
    rng = np.random.default_rng(seed)
    if n >= total:
        ids, note = np.arange(total), f"all {total:,} keys"
    elif strategy == "frequent":
        ids, note = np.arange(n), f"the first {n:,} of {total:,} keys (most frequent first)"
    elif strategy == "random":
        ids, note = (
            np.sort(rng.choice(total, n, replace=False)),
            f"{n:,} of {total:,} keys at random (seed {seed})",
        )
    else:
        if emb.metadata is None or column not in emb.metadata.columns:
            raise ParameterError(
                f"stratified sampling needs a metadata column; '{column}' is not one"
            )
        labels = emb.metadata[column].astype(str).to_numpy()
        frame = pd.DataFrame({"label": labels, "r": rng.random(total)})
        share = n / total
        picked = frame.groupby("label", group_keys=False).apply(
            lambda g: g.nsmallest(max(1, int(round(len(g) * share))), "r"), include_groups=False
        )
        ids = np.sort(picked.index.to_numpy()[:n])
        note = f"{len(ids):,} of {total:,} keys, stratified by '{column}' (seed {seed})"
    if include is not None and len(include):
        extra = np.setdiff1d(np.asarray(include, dtype=np.int64), ids)
        if len(extra):
            ids = np.concatenate([ids, extra])
            note += f", plus {len(extra)} highlighted"
    return ids, note


def project(
    emb: Embeddings,
    ids: np.ndarray,
    method: str = "pca",
    dims: int = 2,
    seed: int = 0,
    perplexity: float = 30.0,
    neighbours: int = 15,
    axes: tuple | None = None,
    quality: bool = True,
) -> Projection:
    """Project the rows ``ids``; ``axes=((a, b), (c, d))`` for semantic axes a→b and c→d."""
    if method not in PROJECTIONS:
        raise ParameterError(f"projection '{method}' must be one of {', '.join(PROJECTIONS)}")
    if dims not in (2, 3):
        raise ParameterError(f"dims({dims}) must be 2 or 3")
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) < 3:
        raise ParameterError(f"a map needs at least 3 points, got {len(ids)}")
    x = np.asarray(emb.unit[ids], dtype=np.float32)
    t = time.perf_counter()
    params: dict = {"dims": dims, "seed": seed}
    if method == "pca":
        coords = pca(x, dims)
    elif method == "tsne":
        coords, params = _tsne(x, dims, seed, perplexity), {**params, "perplexity": perplexity}
    elif method == "umap":
        coords, params = _umap(x, dims, seed, neighbours), {**params, "neighbours": neighbours}
    else:
        coords, params = semantic_axes(emb, ids, axes), {"axes": axes}
    proj = Projection(coords.astype(np.float32), ids, method, params, time.perf_counter() - t)
    if quality:
        proj.quality = map_quality(x, coords, seed=seed)
    return proj


def pca(x: np.ndarray, dims: int) -> np.ndarray:
    """Exact PCA by SVD of the centred data, signs fixed so the largest loading is positive
    (numpy only: the neighbours and arithmetic pages need no scikit-learn)."""
    centred = np.asarray(x, dtype=np.float64) - np.mean(x, axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:dims]
    vt *= np.sign(vt[np.arange(len(vt)), np.argmax(np.abs(vt), axis=1)])[:, None]
    return centred @ vt.T


def _tsne(x: np.ndarray, dims: int, seed: int, perplexity: float) -> np.ndarray:
    """openTSNE (FFT on large 2-D maps, Barnes-Hut otherwise), PCA start, cosine."""
    from openTSNE import TSNE

    perplexity = min(perplexity, max(2.0, (len(x) - 1) / 3))
    method = "fft" if dims == 2 and len(x) >= 10_000 else "bh"
    return np.asarray(
        TSNE(
            n_components=dims,
            perplexity=perplexity,
            initialization="pca",
            random_state=seed,
            metric="cosine",
            negative_gradient_method=method,
            n_jobs=2,
        ).fit(x)
    )


def _umap(x: np.ndarray, dims: int, seed: int, neighbours: int) -> np.ndarray:
    try:
        import umap
    except ImportError:
        raise ParameterError(
            "UMAP needs the optional package umap-learn",
            hint="pip install 'embedlab[umap]', or use PCA or t-SNE",
        ) from None
    return umap.UMAP(
        n_components=dims,
        n_neighbors=min(neighbours, len(x) - 1),
        random_state=seed,
        metric="cosine",
    ).fit_transform(x)


def semantic_axes(emb: Embeddings, ids: np.ndarray, axes) -> np.ndarray:
    """x = similarity along the direction a→b, y = along c→d (the projector's custom projection)."""
    if not axes or len(axes) != 2 or any(len(a) != 2 for a in axes):
        raise ParameterError(
            "semantic axes need two pairs of keys, e.g. ((man, woman), (poor, rich))"
        )
    unit = emb.unit
    cols = []
    for a, b in axes:
        d = unit[emb.index(b)] - unit[emb.index(a)]
        norm = np.linalg.norm(d)
        if norm == 0:
            raise ParameterError(
                f"'{a}' and '{b}' have the same direction; pick two different keys"
            )
        cols.append(unit[ids] @ (d / norm))
    return np.column_stack(cols)


def map_quality(
    high: np.ndarray, low: np.ndarray, k: int = 10, max_points: int = 2000, seed: int = 0
) -> dict:
    """How much of the original neighbourhood survives the map: mean share of each point's k
    nearest neighbours (cosine, original space) that are also among its k nearest on the map,
    and scikit-learn's trustworthiness.  On at most ``max_points`` points."""
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import NearestNeighbors

    n = len(high)
    if n <= k + 1:
        return {}
    pick = (
        np.arange(n)
        if n <= max_points
        else np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
    )
    h, lo = high[pick], np.asarray(low, dtype=np.float64)[pick]
    nh = (
        NearestNeighbors(n_neighbors=k + 1, metric="cosine")
        .fit(h)
        .kneighbors(return_distance=False)
    )
    nl = NearestNeighbors(n_neighbors=k + 1).fit(lo).kneighbors(return_distance=False)
    kept = np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(nh, nl)])
    return {
        "knn_preservation": float(kept),
        "trustworthiness": float(trustworthiness(h, lo, n_neighbors=k, metric="cosine")),
        "k": k,
        "points_measured": int(len(pick)),
    }
