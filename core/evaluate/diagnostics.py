"""Diagnostics of the space itself, which embedding tools rarely show:

- hubness: some keys are everyone's neighbour (skewed k-occurrence), which spoils retrieval;
- anisotropy: vectors crowd in a narrow cone when random pairs have a high mean cosine;
- norm vs frequency: frequent keys often get systematically longer or shorter vectors;
- effective dimensionality: how many directions the variance really uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..embeddings import Embeddings
from ..errors import ParameterError
from ..search import self_neighbours


@dataclass
class Diagnostics:
    keys_used: int
    k: int
    hubness_skew: float
    hubs: list[dict]
    antihub_share: float
    anisotropy: float
    norm_frequency_spearman: float
    norm_by_frequency: pd.DataFrame
    participation_ratio: float
    dims_for_90pct_variance: int
    dim: int

    def to_dict(self) -> dict:
        return {
            "keys_used": self.keys_used,
            "k": self.k,
            "hubness_skew": self.hubness_skew,
            "hubs": self.hubs,
            "antihub_share": self.antihub_share,
            "anisotropy": self.anisotropy,
            "norm_frequency_spearman": self.norm_frequency_spearman,
            "norm_by_frequency": self.norm_by_frequency.to_dict(orient="records"),
            "participation_ratio": self.participation_ratio,
            "dims_for_90pct_variance": self.dims_for_90pct_variance,
            "dim": self.dim,
        }


def diagnose(
    emb: Embeddings, sample: int = 10000, k: int = 10, pairs: int = 20000, seed: int = 0
) -> Diagnostics:
    """Measure on the first ``sample`` keys (the most frequent in frequency-ordered files)."""
    from scipy import stats

    if sample < k + 2:
        raise ParameterError(f"sample({sample}) must be >= k + 2 ({k + 2})")
    n = min(sample, len(emb))
    unit = np.ascontiguousarray(emb.unit[:n])
    occurrence = np.bincount(self_neighbours(unit, k).ravel(), minlength=n)
    hub_rows = np.argsort(-occurrence, kind="stable")[:10]
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, size=(2, pairs))
    keep = a != b
    anis = float(np.mean(np.einsum("ij,ij->i", unit[a[keep]], unit[b[keep]])))
    norms = np.asarray(emb.norms[:n], dtype=np.float64)
    rank = np.arange(1, n + 1)
    edges = np.unique(np.geomspace(1, n + 1, num=8).astype(int))
    bucket = pd.cut(rank, bins=edges, right=False, include_lowest=True)
    by_freq = (
        pd.DataFrame({"bucket": bucket.astype(str), "norm": norms})
        .groupby("bucket", sort=False, observed=True)
        .norm.agg(["size", "mean"])
        .reset_index()
        .rename(columns={"size": "keys", "mean": "mean_norm"})
    )
    centred = np.asarray(emb.vectors[:n], dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    var = np.linalg.svd(centred, compute_uv=False) ** 2
    share = np.cumsum(var) / var.sum()
    return Diagnostics(
        n,
        k,
        float(stats.skew(occurrence)),
        [{"key": emb.keys[r], "k_occurrence": int(occurrence[r])} for r in hub_rows],
        float(np.mean(occurrence == 0)),
        anis,
        float(stats.spearmanr(rank, norms)[0]),
        by_freq,
        float(var.sum() ** 2 / (var**2).sum()),
        int(np.searchsorted(share, 0.9) + 1),
        emb.dim,
    )
