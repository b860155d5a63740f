"""Layouts: 2-D maps of a whole embedding set, computed once, kept on disk and shared.

A layout is identified by the content of the rows it maps (a hash of their keys and vectors),
the method (``tsne``, ``umap`` or ``pca``), its parameters and the seed.  :func:`request` returns
the layout at once when the cache folder (``$EMBEDLAB_CACHE/layouts``, the folder the HNSW
indexes use) or the layouts shipped with the package hold it; otherwise it starts one background
computation per layout in the process, so every visitor of the same map shares that run, its
progress and its result.

t-SNE is openTSNE's FFT-accelerated t-SNE over a k-nearest-neighbour graph (exact, from faiss'
flat index, up to :data:`EXACT_KNN_UP_TO` rows; faiss' HNSW, :class:`core.search.HnswIndex`,
beyond), with fewer steps and a coarser FFT grid than openTSNE's defaults (see :func:`tsne`);
UMAP is umap-learn with numba's compiled code cached under the cache folder.  :func:`place` puts new
points into an existing layout (openTSNE's partial embedding for t-SNE, the neighbours' weighted
positions otherwise) instead of recomputing it.  Every layout carries automatic clusters (k-means on
the map) and a short label per cluster (:mod:`core.clusters`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .clusters import cluster_map, key_labels
from .embeddings import Embeddings
from .errors import EmbedlabError, OutputError, ParameterError
from .io.atomic import atomic_file
from .search import HnswIndex, cache_dir

log = logging.getLogger(__name__)

LAYOUT_METHODS = ("tsne", "umap", "pca")
ANCHORS = 50_000  # t-SNE/UMAP lay out at most this many rows; the rest are placed onto that map
DEFAULTS = {
    "tsne": {"perplexity": 30.0, "anchors": ANCHORS},
    "umap": {"neighbours": 15, "min_dist": 0.1, "anchors": ANCHORS},
    "pca": {},
}
SHIPPED = Path(__file__).parent / "data" / "layouts"
FFT_FROM = 10_000
EXACT_KNN_UP_TO = (
    60_000  # exact (faiss flat) neighbours up to this many rows: faster than building HNSW
)
STEPS = (
    125,
    250,
)  # t-SNE steps: early exaggeration, then the rest (openTSNE's defaults are 250 + 500)
FORMAT = 2  # bump when the stored layout changes shape or how it is computed (2: the faster t-SNE)

Progress = Callable[[float, str], None]


def _quiet(fraction: float, message: str) -> None:  # noqa: ARG001 - a Progress callback
    return None


@dataclass(frozen=True)
class LayoutSpec:
    """What identifies a layout besides the data: the method, its parameters and the seed.

    Parameters
    ----------
    method : {"tsne", "umap", "pca"}
    params : dict, optional
        Method parameters; missing ones take :data:`DEFAULTS`.
    seed : int, default 0

    Raises
    ------
    ParameterError
        An unknown method or parameter.

    Examples
    --------
    >>> LayoutSpec("tsne").params
    {'perplexity': 30.0, 'anchors': 50000}
    """

    method: str = "tsne"
    params: dict = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self):
        if self.method not in LAYOUT_METHODS:
            raise ParameterError(
                f"layout method '{self.method}' must be one of {', '.join(LAYOUT_METHODS)}"
            )
        unknown = set(self.params) - set(DEFAULTS[self.method])
        if unknown:
            raise ParameterError(
                f"{self.method} has no parameter {', '.join(sorted(unknown))}; "
                f"it takes {', '.join(DEFAULTS[self.method]) or 'none'}"
            )
        object.__setattr__(self, "params", {**DEFAULTS[self.method], **self.params})

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "params": dict(sorted(self.params.items())),
            "seed": int(self.seed),
        }


@dataclass
class Layout:
    """Positions of rows ``ids`` of one set on a 2-D map, with automatic clusters.

    ``clusters[i]`` is the cluster of point i, ``centres`` the cluster centres on the map and
    ``labels`` a short label per cluster (its most central keys).  ``source`` says where it
    came from: ``computed``, ``cache`` or ``shipped``.
    """

    coords: np.ndarray
    ids: np.ndarray
    spec: LayoutSpec
    digest: str
    seconds: float
    clusters: np.ndarray
    centres: np.ndarray
    labels: list[str]
    source: str = "computed"
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return layout_key(self.digest, self.spec)


def content_hash(emb: Embeddings, ids: np.ndarray | None = None) -> str:
    """A hash of the keys and vectors of rows ``ids`` (all rows when None), in that order.

    Parameters
    ----------
    emb : Embeddings
    ids : array of int, optional

    Returns
    -------
    str
        32 hex digits; equal for equal content whatever file the set came from.

    Examples
    --------
    >>> content_hash(Embeddings(["a", "b"], np.eye(2, dtype=np.float32)))[:8]
    'b20c325e'
    """
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids, dtype=np.int64)
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{len(ids)}x{emb.dim}\n".encode())
    step = 65536
    for start in range(0, len(ids), step):
        part = ids[start : start + step]
        h.update(np.ascontiguousarray(emb.vectors[part], dtype=np.float32).tobytes())
        h.update("\n".join(emb.keys[i] for i in part).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def layout_key(digest: str, spec: LayoutSpec) -> str:
    text = json.dumps({"digest": digest, **spec.to_dict(), "format": FORMAT}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


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
        from .search import exact_top_k, space

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
    progress: Progress = _quiet,
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
    from .project import pca

    start = pca(x, 2)
    return (start / np.std(start[:, 0]) * 1e-4).astype(np.float32)


def umap_layout(
    emb: Embeddings,
    seed: int = 0,
    neighbours: int = 15,
    min_dist: float = 0.1,
    progress: Progress = _quiet,
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
    spec: LayoutSpec = LayoutSpec(),
    progress: Progress = _quiet,
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


# ---- storage -------------------------------------------------------------------------------


def save(layout: Layout, path: str | Path, dtype=np.float32) -> Path:
    """Write ``layout`` as ``.npz`` (no pickles) plus a ``.json`` sidecar, each atomically.

    Parameters
    ----------
    layout : Layout
    path : str or Path
        The ``.npz`` file; the sidecar is the same name with ``.json``.
    dtype : numpy dtype, default float32
        Coordinates' type on disk (float16 for the shipped layouts).

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "coords": layout.coords.astype(dtype),
        "clusters": layout.clusters.astype(np.int16),
        "centres": layout.centres.astype(np.float32),
    }
    if not (len(layout.ids) and np.array_equal(layout.ids, np.arange(len(layout.ids)))):
        arrays["ids"] = layout.ids.astype(np.int64)
    _atomic(path, lambda f: np.savez(f, **arrays))
    meta = {
        "format": FORMAT,
        "digest": layout.digest,
        **layout.spec.to_dict(),
        "rows": int(len(layout.ids)),
        "seconds": round(layout.seconds, 2),
        "labels": layout.labels,
        "extra": layout.extra,
    }
    _atomic(
        path.with_suffix(".json"), lambda f: f.write(json.dumps(meta, indent=1).encode("utf-8"))
    )
    return path


def _atomic(path: Path, write) -> None:
    """``write(file)`` into a fresh temporary beside ``path``, synced, then renamed over it."""
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def load(path: str | Path, source: str = "cache") -> Layout | None:
    """The layout stored at ``path`` (see :func:`save`), or None if absent or unreadable."""
    path = Path(path)
    side = path.with_suffix(".json")
    if not (path.exists() and side.exists()):
        return None
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
        with np.load(path, allow_pickle=False) as data:
            coords = data["coords"].astype(np.float32)
            ids = data["ids"] if "ids" in data.files else np.arange(len(coords), dtype=np.int64)
            clusters, centres = data["clusters"], data["centres"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable layout %s: %s", path.name, exc)
        return None
    if meta.get("format") != FORMAT:
        return None
    spec = LayoutSpec(meta["method"], meta["params"], meta["seed"])
    return Layout(
        coords,
        ids,
        spec,
        meta["digest"],
        meta.get("seconds", 0.0),
        clusters,
        centres,
        list(meta["labels"]),
        source,
        meta.get("extra", {}),
    )


def cache_path(digest: str, spec: LayoutSpec) -> Path:
    return cache_dir() / "layouts" / f"{layout_key(digest, spec)}.npz"


def stored(emb: Embeddings, ids: np.ndarray | None = None, spec: LayoutSpec = LayoutSpec()) -> bool:
    """Whether the cache folder or the shipped layouts hold this layout (files only, not read)."""
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids, dtype=np.int64)
    name = f"{layout_key(memo_hash(emb, ids), spec)}.npz"
    return (cache_dir() / "layouts" / name).exists() or (SHIPPED / name).exists()


def cached(
    emb: Embeddings,
    ids: np.ndarray | None = None,
    spec: LayoutSpec = LayoutSpec(),
    digest: str | None = None,
) -> Layout | None:
    """The stored layout for these rows and spec (cache folder first, then shipped), else None."""
    digest = digest or content_hash(emb, ids)
    found = load(cache_path(digest, spec))
    if found is None:
        found = load(SHIPPED / f"{layout_key(digest, spec)}.npz", source="shipped")
    if found is not None and (found.digest != digest or found.spec != spec):
        return None
    return found


# ---- shared background computation ---------------------------------------------------------


@dataclass
class Job:
    """One layout being computed (or already known) in this process, shared by every session.

    ``fraction`` and ``message`` report progress; ``layout`` is set when done, ``error`` (a
    message for the user) when it failed.
    """

    key: str
    rows: int
    spec: LayoutSpec
    fraction: float = 0.0
    message: str = "waiting for another layout to finish"
    layout: Layout | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    def wait(self, timeout: float | None = None) -> Layout | None:
        """Block until the layout is ready (or ``timeout`` seconds); the layout, or None."""
        self.finished.wait(timeout)
        return self.layout

    def report(self, fraction: float, message: str) -> None:
        self.fraction, self.message = float(fraction), message


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()
_ONE_AT_A_TIME = threading.Semaphore(1)  # layouts are CPU-bound: run them one after another
KEEP_DONE = 6  # finished layouts kept in memory for the next visitor


def request(
    emb: Embeddings,
    ids: np.ndarray | None = None,
    spec: LayoutSpec = LayoutSpec(),
    digest: str | None = None,
) -> Job:
    """The layout of rows ``ids`` of ``emb``: from memory, the cache folder or the shipped
    layouts when there, else computed in a background thread this call starts (once per layout
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
    Job

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
    with _LOCK:
        job = _JOBS.get(key)
        if job is not None and job.error is None:
            return job
        job = Job(key, len(ids), spec)
        _JOBS[key] = job
        _forget_old()
    found = cached(emb, ids, spec, digest)
    if found is not None:
        job.layout = found
        job.report(1.0, f"loaded from the {found.source} layouts")
        job.finished.set()
        return job
    threading.Thread(
        target=_run, args=(job, emb, ids, spec), name=f"layout-{key[:8]}", daemon=True
    ).start()
    return job


def _forget_old() -> None:
    done = [k for k, j in _JOBS.items() if j.done]
    for k in done[: max(0, len(done) - KEEP_DONE)]:
        del _JOBS[k]


def _run(job: Job, emb: Embeddings, ids: np.ndarray, spec: LayoutSpec) -> None:
    try:
        with _ONE_AT_A_TIME:
            job.report(0.0, "starting")
            layout = compute(emb, ids, spec, job.report)
            try:
                save(layout, cache_path(layout.digest, spec))
            except OutputError as exc:  # a read-only cache still serves this process
                log.warning("could not keep the layout in the cache folder: %s", exc)
            job.layout = layout
    except EmbedlabError as exc:
        job.error = str(exc)
    except Exception as exc:
        log.exception("layout %s failed", job.key)
        job.error = (
            f"the {spec.method} layout failed ({type(exc).__name__}); "
            "try another method or fewer points"
        )
    finally:
        job.finished.set()


_DIGESTS: dict[tuple[int, str], tuple] = {}


def memo_hash(emb: Embeddings, ids: np.ndarray) -> str:
    """:func:`content_hash`, remembered per loaded matrix (sets are read-only once loaded); a
    weak reference makes sure a new matrix that reuses a freed one's id is hashed afresh."""
    import weakref

    ids_key = hashlib.blake2b(
        np.ascontiguousarray(ids, dtype=np.int64).tobytes(), digest_size=16
    ).hexdigest()
    key = (id(emb.vectors), ids_key)
    found = _DIGESTS.get(key)
    if found is not None and found[0]() is emb.vectors:
        return found[1]
    digest = content_hash(emb, ids)
    try:
        _DIGESTS[key] = (weakref.ref(emb.vectors), digest)
    except TypeError:  # an array type without weak references: not remembered
        return digest
    if len(_DIGESTS) > 64:
        _DIGESTS.pop(next(iter(_DIGESTS)))
    return digest


# ---- new points into an existing layout ----------------------------------------------------


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
    from .search import exact_top_k

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
