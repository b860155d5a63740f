"""Layouts: 2-D maps of a whole embedding set, computed once, kept on disk and shared.

A layout is identified by the content of the rows it maps (a hash of their keys and vectors),
the method (``tsne``, ``umap`` or ``pca``), its parameters and the seed (:mod:`.spec`).
:func:`request` returns the layout at once when the cache folder (``$EMBEDLAB_CACHE/layouts``,
:mod:`core.cache`) or the layouts shipped with the package hold it (:mod:`.store`); otherwise it
submits one computation per layout to the process's layout runner (:mod:`core.jobs`, one layout
at a time), so every visitor of the same map shares that run, its progress and its result.

t-SNE is openTSNE's FFT-accelerated t-SNE over a k-nearest-neighbour graph (exact, from faiss'
flat index, up to :data:`EXACT_KNN_UP_TO` rows; faiss' HNSW, :class:`core.search.HnswIndex`,
beyond), with fewer steps and a coarser FFT grid than openTSNE's defaults (see :func:`tsne`);
UMAP is umap-learn with numba's compiled code cached under the cache folder (:mod:`.methods`).
:func:`place` puts new points into an existing layout (openTSNE's partial embedding for t-SNE, the
neighbours' weighted positions otherwise) instead of recomputing it (:mod:`.placement`).  Every
layout carries automatic clusters (k-means on the map) and a short label per cluster
(:mod:`core.clusters`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from ..embeddings import Embeddings
from ..errors import OutputError
from ..jobs import Job, Runner
from .methods import EXACT_KNN_UP_TO, FFT_FROM, STEPS, compute, knn, tsne, umap_layout
from .placement import place
from .spec import (
    ANCHORS,
    DEFAULT_SPEC,
    DEFAULTS,
    FORMAT,
    LAYOUT_METHODS,
    Layout,
    LayoutSpec,
    content_hash,
    layout_key,
)
from .store import SHIPPED, cache_path, cached, load, memo_hash, save, stored

log = logging.getLogger(__name__)

__all__ = [
    "ANCHORS",
    "DEFAULTS",
    "EXACT_KNN_UP_TO",
    "FFT_FROM",
    "FORMAT",
    "LAYOUT_METHODS",
    "SHIPPED",
    "STEPS",
    "Layout",
    "LayoutJob",
    "LayoutSpec",
    "RUNNER",
    "cache_path",
    "cached",
    "compute",
    "content_hash",
    "knn",
    "layout_key",
    "load",
    "memo_hash",
    "place",
    "request",
    "save",
    "stored",
    "tsne",
    "umap_layout",
]

KEEP_DONE = 6  # finished layouts kept in memory for the next visitor
RUNNER = Runner(workers=1, keep=KEEP_DONE)  # layouts are CPU-bound: one after another


@dataclass(eq=False)
class LayoutJob(Job):
    """A layout being computed (or already known) in this process, shared by every session:
    a :class:`core.jobs.Job` that knows its ``spec`` and number of ``rows``; ``layout`` is its
    result, ``started`` the monotonic time it was asked for (the map shows the time since)."""

    kind: str = "layout"
    rows: int = 0
    spec: LayoutSpec = field(default_factory=LayoutSpec)
    message: str = "waiting for another layout to finish"
    started: float = field(default_factory=time.monotonic)

    @property
    def layout(self) -> Layout | None:
        return self.result

    def failure(self, exc: BaseException) -> str:
        return (
            f"the {self.spec.method} layout failed ({type(exc).__name__}); "
            "try another method or fewer points"
        )


def request(
    emb: Embeddings,
    ids: np.ndarray | None = None,
    spec: LayoutSpec = DEFAULT_SPEC,
    digest: str | None = None,
) -> LayoutJob:
    """The layout of rows ``ids`` of ``emb``: from memory, the cache folder or the shipped
    layouts when there, else computed by :data:`RUNNER` in a background thread (once per layout
    per process, whoever asks first). Check ``job.done``/``job.layout``, or ``job.wait()``.

    Parameters
    ----------
    emb : Embeddings
    ids : array of int, optional
        Rows to map, all when None.
    spec : LayoutSpec
    digest : str, optional
        :func:`content_hash` of those rows, when the caller already knows it.

    Returns
    -------
    LayoutJob

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> emb = Embeddings([f"k{i}" for i in range(1000)], rng.normal(size=(1000, 8)).astype("f4"))
    >>> job = request(emb, spec=LayoutSpec("pca"))
    >>> job.wait().coords.shape
    (1000, 2)
    """
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids, dtype=np.int64)
    digest = digest or memo_hash(emb, ids)
    key = layout_key(digest, spec)
    shared = RUNNER.find(key)
    if shared is not None:
        return shared
    job = LayoutJob(key=key, rows=len(ids), spec=spec, title=f"{spec.method} of {len(ids):,} rows")
    found = cached(emb, ids, spec, digest)
    if found is not None:
        return RUNNER.finished(job, found, f"loaded from the {found.source} layouts")
    return RUNNER.submit(job, lambda progress: _computed(emb, ids, spec, progress))


def _computed(emb: Embeddings, ids: np.ndarray, spec: LayoutSpec, progress) -> Layout:
    """The work of a layout job: compute, then keep it in the cache folder when it can."""
    progress(0.0, "starting")
    layout = compute(emb, ids, spec, progress)
    try:
        save(layout, cache_path(layout.digest, spec))
    except OutputError as exc:  # a read-only cache still serves this process
        log.warning("could not keep the layout in the cache folder: %s", exc)
    return layout
