"""Trainers: logs in, Embeddings out.  Each implements :class:`core.train.base.Trainer`: it
declares its parameters (defaults, valid values), a search space and what only it knows (its cost,
user vectors or not, the contexts it learns from), takes a seed and a progress callback
``(fraction, message)``.  :mod:`core.train.registry` maps names to trainers."""

from __future__ import annotations

import dataclasses

from ..errors import ParameterError
from . import registry
from .base import Dimension, Progress, Trainer, TrainResult, declared, make_params, no_progress

TRAINERS: dict[str, Trainer] = registry.trainers()
"""The built-in trainers by name (``registry.trainers()`` also lists those registered later)."""
TRAINING_METHODS = tuple(TRAINERS)

__all__ = [
    "train",
    "trainer",
    "TrainResult",
    "Trainer",
    "Dimension",
    "TRAINING_METHODS",
    "TRAINERS",
    "Progress",
    "declared",
    "make_params",
]


def trainer(method: str) -> Trainer:
    """The trainer called ``method``.

    Parameters
    ----------
    method : str

    Returns
    -------
    Trainer
        Its ``Params``, ``space`` and ``fit``.

    Raises
    ------
    UnknownTrainerError
        No trainer is registered as ``method`` (a ``ParameterError``).

    Examples
    --------
    >>> [d.name for d in trainer("svd").space]
    ['factors', 'query']
    """
    return registry.get(method)


def train(
    inter, method: str, seed: int = 0, progress: Progress = no_progress, checkpoint=None, **params
) -> TrainResult:
    """Train ``method`` on ``inter`` with its defaults (for the log's shape) updated by ``params``.

    Parameters
    ----------
    inter : Interactions
    method : str
        A registered trainer: "item2vec", "als", "svd", "graph", "supervised" or one added with
        ``registry.register``.
    seed : int, default 0
        Same data + seed + params = same vectors.
    progress : callable ``(fraction, message)``, optional
    checkpoint : callable ``(done, total, result)``, optional
        Called after each epoch/iteration where the method has them (see ``base.Checkpoint``).
    **params
        The trainer's declared parameters (``declared(trainer(method).Params)``).

    Returns
    -------
    TrainResult
        Its ``data`` holds the run's ``estimate`` (seconds, MB) made before it started.

    Raises
    ------
    ParameterError
        Unknown method, unknown parameter, a value of the wrong type / out of range, or a run
        estimated over the limits where it runs (``core.limits.train_limits``).
    DataError
        The log cannot train this method (e.g. no session with two events).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> train(inter, "item2vec", seed=0, epochs=5).items.dim
    64
    >>> train(inter, "item2vec", epochs=-1)
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: item2vec parameter epochs(-1) must be >= 1
    """
    from .limits import estimate

    t = trainer(method)
    if not 0 <= int(seed) < 2**32:  # numpy, scikit-learn and gensim all take 32-bit seeds
        raise ParameterError(f"seed({seed}) must be between 0 and {2**32 - 1}")
    given = make_params(t, params, inter)
    est = estimate(t, given, inter)
    progress(0.0, f"{method}: {est.text}")
    result = t.fit(inter, given, seed=seed, progress=progress, checkpoint=checkpoint)
    return dataclasses.replace(result, data={**result.data, "estimate": est.to_dict()})
