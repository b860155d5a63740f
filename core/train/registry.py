"""Name → trainer: every training method the CLI, the dashboard, the tuner and the sweep offer.

The built-in trainers are one line each in :data:`BUILT_IN` (``"module:Class"`` inside
``core.train``), imported the first time they are asked for.  :func:`register` adds one at run time
(a plugin, a test).  A name no trainer is registered under is an :class:`UnknownTrainerError`,
never a silent default.  A trainer is checked when registered: it must declare everything the
:class:`core.train.base.Trainer` protocol lists (its cost included), so a new trainer cannot run
without a work limit.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading

from ..errors import UnknownTrainerError
from .base import CONTEXTS, Trainer

BUILT_IN = {
    "item2vec": "item2vec:Item2Vec",
    "als": "mf:ALS",
    "svd": "mf:SVD",
    "graph": "graph:Graph",
    "supervised": "supervised:Supervised",
}
"""The built-in trainers by name: ``module:Class`` in ``core.train`` (a new trainer: one line)."""

DECLARED = (
    "name",
    "Params",
    "space",
    "user_vectors",
    "early_stopping",
    "contexts",
    "rate",
    "cost_drivers",
)
METHODS = ("defaults", "log_bounds", "work_units", "memory_bytes", "fit")

_REGISTERED: dict[str, Trainer | str] = dict(BUILT_IN)
_LOCK = threading.Lock()


def names() -> tuple[str, ...]:
    """Every registered method name, the built-in ones first.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> names()[:5]
    ('item2vec', 'als', 'svd', 'graph', 'supervised')
    """
    return tuple(_REGISTERED)


def get(name: str) -> Trainer:
    """The trainer registered as ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    Trainer

    Raises
    ------
    UnknownTrainerError
        No trainer is registered as ``name`` (a :class:`ParameterError`; the message lists the
        names there are).

    Examples
    --------
    >>> get("svd").user_vectors
    True
    >>> get("word2vec")
    Traceback (most recent call last):
    embedlab.core.errors.UnknownTrainerError: method 'word2vec' must be one of item2vec, als, ...
    """
    with _LOCK:
        found = _REGISTERED.get(name)
        if found is None:
            raise UnknownTrainerError(f"method '{name}' must be one of {', '.join(_REGISTERED)}")
        if isinstance(found, str):
            found = _REGISTERED[name] = _checked(_load(found), name)
        return found


def trainers() -> dict[str, Trainer]:
    """Every registered trainer by name (the built-in ones imported).

    Returns
    -------
    dict of str to Trainer
    """
    return {name: get(name) for name in names()}


def register(trainer: Trainer) -> Trainer:
    """Offer ``trainer`` under its ``name`` everywhere a method is chosen by name.

    Parameters
    ----------
    trainer : Trainer
        An instance declaring everything :class:`core.train.base.Trainer` lists.

    Returns
    -------
    Trainer
        ``trainer``.

    Raises
    ------
    TypeError
        A declaration is missing or malformed (a programming error, not a user's).
    ValueError
        Another trainer is registered under the same name.

    Examples
    --------
    >>> register(get("svd"))
    Traceback (most recent call last):
    ValueError: a trainer is already registered as 'svd'
    """
    name = getattr(trainer, "name", None)
    _checked(trainer, name)
    with _LOCK:
        if name in _REGISTERED:
            raise ValueError(f"a trainer is already registered as '{name}'")
        _REGISTERED[name] = trainer
    return trainer


def unregister(name: str) -> None:
    """Stop offering a trainer registered at run time (the built-in ones stay).

    Raises
    ------
    UnknownTrainerError
        Nothing is registered as ``name``.
    ValueError
        ``name`` is a built-in trainer.
    """
    with _LOCK:
        if name not in _REGISTERED:
            raise UnknownTrainerError(f"method '{name}' must be one of {', '.join(_REGISTERED)}")
        if name in BUILT_IN:
            raise ValueError(f"'{name}' is a built-in trainer")
        del _REGISTERED[name]


def _load(spec: str) -> Trainer:
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)()


def _checked(trainer, name) -> Trainer:
    """``trainer`` when it declares everything a trainer must, else a TypeError naming what is
    missing."""
    missing = [a for a in DECLARED if not hasattr(trainer, a)]
    missing += [m for m in METHODS if not callable(getattr(trainer, m, None))]
    if missing:
        raise TypeError(f"trainer {name!r} does not declare {', '.join(missing)}")
    if not isinstance(name, str) or not name or trainer.name != name:
        raise TypeError(f"trainer {trainer.name!r} must be registered under its own name")
    if not dataclasses.is_dataclass(trainer.Params):
        raise TypeError(f"trainer {name!r}: Params must be a dataclass")
    unknown = set(trainer.contexts) - set(CONTEXTS)
    if unknown or not trainer.contexts:
        raise TypeError(f"trainer {name!r}: contexts must be some of {', '.join(CONTEXTS)}")
    if not trainer.rate > 0:
        raise TypeError(f"trainer {name!r}: rate must be a positive number of work units a second")
    return trainer
