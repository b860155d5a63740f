"""Layouts on disk: ``.npz`` (no pickles) plus a ``.json`` sidecar, written atomically, under the
cache folder (``$EMBEDLAB_CACHE/layouts``) or shipped with the package (``core/data/layouts``)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import weakref
from pathlib import Path

import numpy as np

from ..cache import cache_dir
from ..embeddings import Embeddings
from ..io.atomic import atomic_file
from .spec import DEFAULT_SPEC, FORMAT, Layout, LayoutSpec, content_hash, layout_key

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "layouts"


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


def stored(emb: Embeddings, ids: np.ndarray | None = None, spec: LayoutSpec = DEFAULT_SPEC) -> bool:
    """Whether the cache folder or the shipped layouts hold this layout (files only, not read)."""
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids, dtype=np.int64)
    name = f"{layout_key(memo_hash(emb, ids), spec)}.npz"
    return (cache_dir() / "layouts" / name).exists() or (SHIPPED / name).exists()


def cached(
    emb: Embeddings,
    ids: np.ndarray | None = None,
    spec: LayoutSpec = DEFAULT_SPEC,
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


_DIGESTS: dict[tuple[int, str], tuple] = {}


def memo_hash(emb: Embeddings, ids: np.ndarray) -> str:
    """:func:`content_hash`, remembered per loaded matrix (sets are read-only once loaded); a
    weak reference makes sure a new matrix that reuses a freed one's id is hashed afresh."""
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
