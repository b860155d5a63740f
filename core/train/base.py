"""What every trainer shares: the Trainer protocol (declared parameters with defaults, valid
bounds and a search space, and the facts only a trainer knows: its cost, user vectors or not, the
contexts it learns from), the result type, progress reporting, provenance."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..embeddings import Embeddings, Provenance
from ..errors import ParameterError
from ..logs import Interactions
from ..logs.shape import CONTEXTS as _LOG_CONTEXTS
from ..progress import Progress, no_progress

CONTEXTS = _LOG_CONTEXTS
"""What a trainer can learn item contexts from: ordered sessions, each user's whole history, or
unordered baskets (every pair of a basket) (:data:`core.logs.shape.CONTEXTS`)."""


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
        return {
            "method": self.method,
            "params": self.params,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "items": len(self.items),
            "dim": self.items.dim,
            "users": 0 if self.users is None else len(self.users),
            "data": self.data,
        }


def param(
    default: Any,
    *,
    low: float | None = None,
    above: float | None = None,
    high: float | None = None,
    choices: tuple | None = None,
    help: str = "",
) -> Any:
    """A declared trainer parameter: its default, its valid values (``low <= v``, ``above < v``,
    ``v <= high``, or one of ``choices``) and a one-line description, as a dataclass field."""
    return field(
        default=default,
        metadata={"low": low, "above": above, "high": high, "choices": choices, "help": help},
    )


@dataclass(frozen=True)
class Dimension:
    """One axis of a trainer's search space: a numeric range from ``low`` to ``high`` (log-scaled
    when ``log``), or one of ``choices``.  ``off`` is a value tried besides the range that switches
    the feature off (item2vec's ``sample=0``).  Integer-ness comes from the parameter's type.
    ``budget`` marks the one axis the work grows in proportion to (epochs, iterations): a tuner
    draws it last, within what the trial's budget leaves (``core.experiments.tune``)."""

    name: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()
    off: Any = None
    budget: bool = False


Checkpoint = Callable[[int, int, Callable[[], "TrainResult"]], None]
"""``checkpoint(done, total, result)`` after epoch/iteration ``done`` of ``total`` (never after the
last); ``result()`` builds the model so far.
A tuner uses it to score a trial early and stop it by raising (e.g. ``optuna.TrialPruned``)."""


@dataclass(frozen=True)
class LogBound:
    """A parameter's upper bound that depends on the log (matrix factorisation: fewer factors than
    the matrix's rank allows): the highest valid value, and how the bound reads in an error."""

    high: float
    text: str


class Trainer(Protocol):
    """What every trainer declares and does (offered by name: :mod:`core.train.registry`).

    Attributes
    ----------
    name : str
        The method name (``item2vec``, ``als`` ...).
    Params : type
        A frozen dataclass: one field per parameter, its default and valid values (see
        :func:`param`).
    space : tuple of Dimension
        The parameters worth searching and their ranges; the tuner, CLI and dashboard read it.
    user_vectors : bool
        Whether the trainer also learns user vectors (recommend from the user, not the last item).
    early_stopping : bool
        Whether a tuner should score checkpoints to stop bad trials early (worth it when an epoch
        costs much more than one validation scoring).
    contexts : tuple of str
        What it learns item contexts from, among :data:`CONTEXTS`.
    rate : float
        Work units per second (see ``work_units``), measured on a 2-core machine: with it,
        ``core.train.limits`` turns the work into seconds and refuses a run over the time limit.
    cost_drivers : tuple of str
        The parameters that drive the cost, named in the message of a refused run.
    """

    name: str
    Params: type
    space: tuple[Dimension, ...]
    user_vectors: bool
    early_stopping: bool
    contexts: tuple[str, ...]
    rate: float
    cost_drivers: tuple[str, ...]

    def defaults(self, inter: Interactions, given: dict | None = None) -> Any:
        """The default parameters for this log (a trainer may choose them by the log's shape) and
        the values ``given`` (unchecked; a trainer may let one steer others: item2vec's
        ``context`` chooses its window)."""

    def log_bounds(self, inter: Interactions) -> dict[str, LogBound]:
        """Upper bounds of parameters that depend on the log, by parameter name (often none)."""

    def work_units(self, params: Any, inter: Interactions) -> float:
        """The estimated work of training with ``params`` on ``inter``: an upper bound of the
        inner loops' arithmetic (``rate`` of them take a second)."""

    def memory_bytes(self, params: Any, inter: Interactions) -> float:
        """The estimated memory of the trainer's own arrays beyond the log itself."""

    def fit(
        self,
        inter: Interactions,
        params: Any,
        seed: int = 0,
        progress: Progress = no_progress,
        checkpoint: Checkpoint | None = None,
    ) -> TrainResult:
        """Train on ``inter`` with validated ``params``; deterministic for a seed."""


class DeclaredTrainer:
    """What most trainers share: their defaults are ``Params()`` whatever the log, no bound that
    depends on the log, no user vectors.  Subclasses set ``name``, ``Params``, ``space``,
    ``contexts``, ``rate`` and ``cost_drivers`` and write ``work_units``, ``memory_bytes`` and
    ``fit`` (nothing defaults those: a trainer that forgets its cost is refused when registered)."""

    user_vectors = False
    early_stopping = True

    def defaults(self, inter: Interactions, given: dict | None = None) -> Any:  # noqa: ARG002
        return self.Params()  # the same defaults for every log and whatever is given

    def log_bounds(self, inter: Interactions) -> dict[str, LogBound]:  # noqa: ARG002 - none
        return {}


def check_log_bounds(trainer: Trainer, params: Any, inter: Interactions) -> Any:
    """``params``, checked against the bounds ``trainer`` derives from ``inter``.

    Parameters
    ----------
    trainer : Trainer
    params : Trainer.Params
    inter : Interactions

    Returns
    -------
    Trainer.Params
        ``params`` unchanged.

    Raises
    ------
    ParameterError
        A value above its bound; the message quotes the value and the bound.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> few = inter.select(inter.user < 40)  # 40 users
    >>> check_log_bounds(trainer("svd"), make_params(trainer("svd"), {}), few)
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: factors(64) must be < min(users, items)(40)
    """
    for name, bound in trainer.log_bounds(inter).items():
        value = getattr(params, name)
        if value > bound.high:
            raise ParameterError(f"{name}({value}) must be {bound.text}")
    return params


def declared(params_cls: type) -> list[dict]:
    """The parameters a ``Params`` dataclass declares.

    Parameters
    ----------
    params_cls : type
        A trainer's ``Params`` dataclass.

    Returns
    -------
    list of dict
        ``name``, ``type``, ``default``, ``low``, ``above``, ``high``, ``choices``, ``help``.

    Examples
    --------
    >>> from embedlab.core.train.mf import SVDParams
    >>> [(d["name"], d["default"]) for d in declared(SVDParams)]
    [('factors', 64), ('n_iter', 7), ('query', 'auto')]
    """
    hints = typing.get_type_hints(params_cls)
    return [
        {"name": f.name, "type": hints[f.name], "default": f.default, **f.metadata}
        for f in dataclasses.fields(params_cls)
    ]


def make_params(
    trainer: Trainer, given: dict, inter: Interactions | None = None, check: bool = True
) -> Any:
    """The trainer's defaults (for ``inter``'s shape when given) updated by ``given``, each value
    converted to the declared type and checked against its bounds.

    Parameters
    ----------
    trainer : Trainer
    given : dict
        Parameter values by name (numbers may come as strings from a command line).
    inter : Interactions, optional
        The log, for defaults that depend on its shape.
    check : bool, default True
        With ``inter``, check the run's estimated time and memory against the limits where it
        runs (``core.train.limits.check_work``).

    Returns
    -------
    Trainer.Params
        A frozen dataclass instance.

    Raises
    ------
    ParameterError
        An unknown parameter (the message lists the known ones), a value of the wrong type or
        out of range (the message quotes the value and the limit), or, given ``inter``, a run
        estimated over the limits where it runs (``core.train.limits``).

    Examples
    --------
    >>> from embedlab.core.train import trainer
    >>> make_params(trainer("als"), {"factors": "32"}).factors
    32
    """
    base = trainer.defaults(inter, given) if inter is not None else trainer.Params()
    spec = {d["name"]: d for d in declared(trainer.Params)}
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise ParameterError(
            f"unknown {trainer.name} parameter(s): {', '.join(unknown)}",
            hint=f"known: {', '.join(spec)}",
        )
    params = dataclasses.replace(
        base, **{k: _checked(trainer.name, spec[k], v) for k, v in given.items()}
    )
    if inter is not None and check:  # values inside their bounds can multiply into hours
        from .limits import check_work

        check_work(trainer, params, inter)
    return params


def _checked(method: str, d: dict, value: Any) -> Any:
    name, kind = d["name"], d["type"]
    try:
        if kind is int and not isinstance(value, bool) and float(value) == int(float(value)):
            value = int(float(value))
        elif kind is float and not isinstance(value, bool):
            value = float(value)
        elif kind is str:
            value = str(value)
        else:
            raise ValueError
    except (TypeError, ValueError):
        expected = "an integer" if kind is int else "a number"
        raise ParameterError(f"{method} parameter {name}({value!r}) must be {expected}") from None
    if kind is float and not math.isfinite(value):
        raise ParameterError(f"{method} parameter {name}({value!r}) must be a finite number")
    if d.get("choices") and value not in d["choices"]:
        raise ParameterError(
            f"{method} parameter {name}({value!r}) must be one of "
            f"{', '.join(map(str, d['choices']))}"
        )
    for bound, ok, word in (
        ("low", lambda v, b: v >= b, ">="),
        ("above", lambda v, b: v > b, ">"),
        ("high", lambda v, b: v <= b, "<="),
    ):
        if d.get(bound) is not None and not ok(value, d[bound]):
            raise ParameterError(
                f"{method} parameter {name}({value!r}) must be {word} {d[bound]:g}"
            )
    return value


def data_hash(inter: Interactions) -> str:
    h = hashlib.sha256()
    for arr in (inter.user, inter.item, inter.session):
        h.update(np.ascontiguousarray(arr).tobytes())
    return "sha256:" + h.hexdigest()[:16]


def item_embeddings(
    inter: Interactions,
    vectors: np.ndarray,
    item_codes: np.ndarray,
    method: str,
    params: dict,
    seed: int,
) -> Embeddings:
    """Item vectors keyed by the log's item ids, with the log's metadata and popularity attached."""
    counts = inter.item_counts()[item_codes]
    meta = pd.DataFrame({"events": counts})
    if inter.item_metadata is not None:
        meta = pd.concat(
            [inter.item_metadata.iloc[item_codes].reset_index(drop=True), meta], axis=1
        )
    prov = Provenance(
        source=f"{method} on {inter.report.source}",
        format="trained",
        params=dict(params),
        seed=seed,
        data_hash=data_hash(inter),
    )
    return Embeddings([str(k) for k in inter.items[item_codes]], vectors, meta, prov)


def user_embeddings(
    inter: Interactions, vectors: np.ndarray, method: str, params: dict, seed: int
) -> Embeddings:
    prov = Provenance(
        source=f"{method} users on {inter.report.source}",
        format="trained",
        params=dict(params),
        seed=seed,
        data_hash=data_hash(inter),
    )
    return Embeddings([str(u) for u in inter.users], vectors, provenance=prov)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
