"""What every trainer shares: the result type, progress reporting, provenance."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..embeddings import Embeddings, Provenance
from ..errors import ParameterError
from ..logs import Interactions

Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:  # noqa: ARG001 - the default callback
    return None


@dataclass
class TrainResult:
    """Item vectors (and user vectors in the same space, for MF) plus what produced them."""

    method: str
    items: Embeddings
    users: Embeddings | None
    params: dict
    seed: int
    seconds: float
    data: dict = field(default_factory=dict)

    def report(self) -> dict:
        return {"method": self.method, "params": self.params, "seed": self.seed,
                "seconds": round(self.seconds, 3), "items": len(self.items), "dim": self.items.dim,
                "users": 0 if self.users is None else len(self.users), "data": self.data}


def with_defaults(params: dict, defaults: dict, method: str, also: dict | None = None) -> dict:
    """``defaults`` updated by ``params``; a parameter the method does not know (nor ``also``,
    the options a trainer passes on to another) is an error naming what it takes."""
    unknown = set(params) - set(defaults) - set(also or {})
    if unknown:
        raise ParameterError(f"unknown {method} parameter(s): {', '.join(sorted(unknown))}",
                             hint=f"known: {', '.join([*defaults, *(also or {})])}")
    return {**defaults, **params}


def data_hash(inter: Interactions) -> str:
    h = hashlib.sha256()
    for arr in (inter.user, inter.item, inter.session):
        h.update(np.ascontiguousarray(arr).tobytes())
    return "sha256:" + h.hexdigest()[:16]


def item_embeddings(inter: Interactions, vectors: np.ndarray, item_codes: np.ndarray, method: str,
                    params: dict, seed: int) -> Embeddings:
    """Item vectors keyed by the log's item ids, with the log's metadata and popularity attached."""
    counts = inter.item_counts()[item_codes]
    meta = pd.DataFrame({"events": counts})
    if inter.item_metadata is not None:
        meta = pd.concat([inter.item_metadata.iloc[item_codes].reset_index(drop=True), meta], axis=1)
    prov = Provenance(source=f"{method} on {inter.report.source}", format="trained", params=dict(params),
                      seed=seed, data_hash=data_hash(inter))
    return Embeddings([str(k) for k in inter.items[item_codes]], vectors, meta, prov)


def user_embeddings(inter: Interactions, vectors: np.ndarray, method: str, params: dict, seed: int) -> Embeddings:
    prov = Provenance(source=f"{method} users on {inter.report.source}", format="trained", params=dict(params),
                      seed=seed, data_hash=data_hash(inter))
    return Embeddings([str(u) for u in inter.users], vectors, provenance=prov)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
