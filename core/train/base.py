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
    for name, value in params.items():
        if name in defaults:
            check_param_value(method, name, value, defaults[name])
    return {**defaults, **params}


# counts and sizes that only make sense as whole numbers >= 1 (a stop-gap until every trainer
# declares its parameter ranges)
POSITIVE_COUNTS = {"epochs", "vector_size", "factors", "iterations", "window", "negative", "dim",
                   "dimensions", "walk_length", "walks", "num_walks", "walks_per_node", "components",
                   "n_components", "batch_size"}


def check_param_value(method: str, name: str, value, default) -> None:
    """A value of the default's kind (a whole number for an int default...), and >= 1 for counts."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
        kind = "true or false"
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        kind = "a whole number"
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        kind = "a number"
    else:
        return
    if not ok:
        raise ParameterError(f"{method} parameter {name}={value!r} must be {kind} (default {default!r})")
    if name in POSITIVE_COUNTS and value < 1:
        raise ParameterError(f"{method} parameter {name}({value}) must be >= 1")


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
