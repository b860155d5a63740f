"""How long a training run would take and how much memory it needs, estimated before it starts;
refused only where the place it runs says so.

Every parameter has a bound (declared in each trainer's ``Params``), but values inside their
bounds can still multiply into hours (``epochs=1000`` with ``window=100`` on a big log).  Each
trainer turns its parameters and the log's shape into work units (``Trainer.work_units``) and
memory (``Trainer.memory_bytes``), and says how many work units it does per second
(``Trainer.rate``, calibrated by ``benchmarks/bench_estimates.py``: measured ÷ estimated within
0.5-2× at the defaults on four logs, docs/BENCHMARKS.md).  This module only asks:
:func:`estimate` gives the figures, :func:`check_work` refuses a run over the caps of
``core.limits.train_limits`` — on a shared dashboard server its admin's time and memory caps, on
the user's own machine only a memory estimate above what the machine has available (and the
variables, when the user sets them).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParameterError
from ..limits import MB, TRAIN_MB_ENV, TRAIN_MINUTES_ENV, TrainLimits, train_limits


@dataclass(frozen=True)
class Estimate:
    """What a run is estimated to cost before it starts: ``seconds`` and ``mb`` (the trainer's own
    arrays); ``text`` says both in a few words."""

    seconds: float
    mb: float

    @property
    def text(self) -> str:
        return f"about {duration(self.seconds)}, {self.mb:,.0f} MB (estimated)"

    def to_dict(self) -> dict:
        return {"seconds": round(self.seconds, 3), "mb": round(self.mb, 1)}


def estimate(trainer, params, inter) -> Estimate:
    """The estimated time and memory of training ``trainer`` with ``params`` on ``inter``.

    Parameters
    ----------
    trainer : Trainer
    params : Trainer.Params
    inter : Interactions

    Returns
    -------
    Estimate

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> 0 < estimate(trainer("svd"), make_params(trainer("svd"), {}), inter).seconds < 60
    True
    """
    return Estimate(
        float(estimated_seconds(trainer, params, inter)),
        float(trainer.memory_bytes(params, inter) / MB),
    )


def estimated_seconds(trainer, params, inter) -> float:
    """The estimated time of training ``trainer`` with ``params`` on ``inter``.

    Parameters
    ----------
    trainer : Trainer
    params : Trainer.Params
    inter : Interactions

    Returns
    -------
    float
        ``trainer.work_units(params, inter) / trainer.rate``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> 0 < estimated_seconds(trainer("svd"), make_params(trainer("svd"), {}), inter) < 60
    True
    """
    return trainer.work_units(params, inter) / trainer.rate


def check_work(trainer, params, inter, limits: TrainLimits | None = None) -> Estimate:
    """Refuse a run whose estimated memory or time is over the caps where it runs.

    Parameters
    ----------
    trainer : Trainer
        Asked for its estimates (``memory_bytes``, ``work_units``, ``rate``, ``cost_drivers``).
    params : Trainer.Params
    inter : Interactions
    limits : TrainLimits, optional
        Default :func:`core.limits.train_limits`: a server's caps, or the machine's memory.

    Returns
    -------
    Estimate
        The run's estimate (accepted).

    Raises
    ------
    ParameterError
        One line: the estimate, the cap and where it comes from, the parameters that drive it.
        (Svd/ALS hold dense user factors: a log of a million users needs few factors.)

    Examples
    --------
    >>> from embedlab.core.limits import TrainLimits
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> t = trainer("item2vec")
    >>> check_work(t, make_params(t, {"epochs": 100000}), inter, TrainLimits(3, 400, "server"))
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: ...
    """
    limits = limits or train_limits()
    est = estimate(trainer, params, inter)
    drivers = ", ".join(trainer.cost_drivers) or "the parameters"
    if limits.mb is not None and est.mb > limits.mb:
        raise ParameterError(
            f"{trainer.name} with {_given(trainer, params)} on {inter.n_users:,} users and "
            f"{inter.n_items:,} items would need about {est.mb:,.0f} MB (estimated), "
            f"{_memory_cap(limits)}",
            hint=f"lower {drivers}, filter rare users/items (--min-count), "
            + _raise_hint(limits, TRAIN_MB_ENV, "--max-train-mb", "a run the memory allows"),
        )
    if limits.minutes is not None and est.seconds > limits.minutes * 60:
        raise ParameterError(
            f"{trainer.name} with {_given(trainer, params)} on {len(inter):,} events would take "
            f"about {duration(est.seconds)} (estimated), over the {limits.minutes:g}-minute "
            f"limit{_of(limits)}",
            hint=f"lower {drivers}, or "
            + _raise_hint(limits, TRAIN_MINUTES_ENV, "--max-train-minutes", "a genuine long run"),
        )
    return est


def _of(limits: TrainLimits) -> str:
    return " of this server" if limits.where == "server" else f" set by {limits.minutes_from}"


def _memory_cap(limits: TrainLimits) -> str:
    if limits.where == "machine" and limits.mb_from == "available memory":
        return f"more than the {limits.mb:,.0f} MB this machine has available"
    where = " of this server" if limits.where == "server" else f" set by {limits.mb_from}"
    return f"over the {limits.mb:,.0f} MB limit{where}"


def _raise_hint(limits: TrainLimits, env: str, flag: str, what: str) -> str:
    """How the cap could be lifted: by the server's admin, by the user's own variable, or (the
    machine's available memory) by freeing some."""
    if limits.where == "server":
        return f"ask the server's admin to raise it (embedlab dashboard {flag} N, or {env})"
    if limits.mb_from == "available memory" and env == TRAIN_MB_ENV:
        return "free some memory"
    return f"raise or unset {env} for {what}"


def _given(trainer, params) -> str:
    return ", ".join(f"{name}={getattr(params, name)}" for name in trainer.cost_drivers)


def duration(seconds: float) -> str:
    """A duration in words: "40 s", "7 minutes", "2.5 hours", "3 days"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.0f} days"
