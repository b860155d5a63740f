"""How long a training run would take, estimated before it starts and refused over a limit.

Every parameter has a bound (declared in each trainer's ``Params``), but values inside their
bounds can still multiply into hours (``epochs=1000`` with ``window=100`` on a big log).  Each
trainer turns its parameters and the log's shape into work units (``Trainer.work_units``) and
memory (``Trainer.memory_bytes``), and says how many work units it does per second
(``Trainer.rate``, measured with the defaults on the sample log and online-retail on 2 busy cores,
load 5-8, so the estimates lean long; ``benchmarks/hostile_corpus.py`` records the figures).  This
module only asks: :func:`check_work` refuses a run over ``EMBEDLAB_MAX_TRAIN_MB`` or
``EMBEDLAB_MAX_TRAIN_MINUTES`` (``core.limits``), whatever the trainer.

The estimates are upper bounds of the inner loops' arithmetic, not promises: they err towards
"too slow", and a genuine long run only needs the variable raised.
"""

from __future__ import annotations

from ..errors import ParameterError
from ..limits import MB, max_train_mb, max_train_minutes


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


def check_work(trainer, params, inter) -> None:
    """Refuse a run whose estimated memory is over ``EMBEDLAB_MAX_TRAIN_MB`` or whose estimated
    time is over ``EMBEDLAB_MAX_TRAIN_MINUTES``.

    Parameters
    ----------
    trainer : Trainer
        Asked for its estimates (``memory_bytes``, ``work_units``, ``rate``, ``cost_drivers``).
    params : Trainer.Params
    inter : Interactions

    Raises
    ------
    ParameterError
        One line: the estimate, the limit, the parameters that drive it and the variable to raise.
        (Svd/ALS hold dense user factors: a log of a million users needs few factors.)

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> t = trainer("item2vec")
    >>> check_work(t, make_params(t, {"epochs": 100000}), inter)
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: ...
    """
    memory, most = trainer.memory_bytes(params, inter), max_train_mb()
    drivers = ", ".join(trainer.cost_drivers) or "the parameters"
    if memory > most * MB:
        raise ParameterError(
            f"{trainer.name} with {_given(trainer, params)} on {inter.n_users:,} users and "
            f"{inter.n_items:,} items would need about {memory / MB:,.0f} MB (estimated), "
            f"over the {most:,} MB limit",
            hint=f"lower {drivers}, filter rare "
            "users/items (--min-count), or raise EMBEDLAB_MAX_TRAIN_MB if the memory allows",
        )
    seconds = estimated_seconds(trainer, params, inter)
    limit = max_train_minutes()
    if seconds > limit * 60:
        raise ParameterError(
            f"{trainer.name} with {_given(trainer, params)} on {len(inter):,} events would take "
            f"about {_duration(seconds)} (estimated), over the {limit:g}-minute limit",
            hint=f"lower {drivers}, or raise EMBEDLAB_MAX_TRAIN_MINUTES for a genuine long run",
        )


def _given(trainer, params) -> str:
    return ", ".join(f"{name}={getattr(params, name)}" for name in trainer.cost_drivers)


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.0f} days"
