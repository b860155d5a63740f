"""What identifies a layout (the rows' content, the method, its parameters, the seed) and what a
layout is (positions, clusters, labels)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from ..embeddings import Embeddings
from ..errors import ParameterError

LAYOUT_METHODS = ("tsne", "umap", "pca")
ANCHORS = 50_000  # t-SNE/UMAP lay out at most this many rows; the rest are placed onto that map
DEFAULTS = {
    "tsne": {"perplexity": 30.0, "anchors": ANCHORS},
    "umap": {"neighbours": 15, "min_dist": 0.1, "anchors": ANCHORS},
    "pca": {},
}
FORMAT = 2  # bump when the stored layout changes shape or how it is computed (2: the faster t-SNE)


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


DEFAULT_SPEC = LayoutSpec()  # t-SNE with its defaults, seed 0
