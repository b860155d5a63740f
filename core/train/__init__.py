"""Trainers: logs in, Embeddings out.  Each takes a seed and a progress callback ``(fraction, message)``."""

from __future__ import annotations

from ..errors import ParameterError
from .base import Progress, TrainResult, no_progress
from .graph import train_graph
from .item2vec import train_item2vec
from .mf import train_als, train_svd
from .supervised import train_supervised

TRAINERS = {"item2vec": train_item2vec, "als": train_als, "svd": train_svd, "graph": train_graph,
            "supervised": train_supervised}
METHODS = tuple(TRAINERS)

__all__ = ["train", "TrainResult", "METHODS", "Progress"]


def train(inter, method: str, seed: int = 0, progress: Progress = no_progress, **params) -> TrainResult:
    if method not in TRAINERS:
        raise ParameterError(f"method '{method}' must be one of {', '.join(METHODS)}")
    return TRAINERS[method](inter, seed=seed, progress=progress, **params)
