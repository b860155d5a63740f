"""How long a training run would take, estimated before it starts and refused over a limit.

Every parameter has a bound (declared in each trainer's ``Params``), but values inside their
bounds can still multiply into hours (``epochs=1000`` with ``window=100`` on a big log).  This
module turns the parameters and the log's shape into work units, and work units into seconds at
a rate measured on a 2-core machine (``benchmarks/hostile_corpus.py`` records the figures), and
:func:`check_work` refuses a run over ``EMBEDLAB_MAX_TRAIN_MINUTES`` (``core.limits``).

The estimates are upper bounds of the inner loops' arithmetic, not promises: they err towards
"too slow", and a genuine long run only needs the variable raised.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..limits import max_train_minutes

# work units per second with the defaults on the sample log and online-retail, measured on 2 busy
# cores (load 5-8): the estimates lean long
STEP_UNITS = 1e5  # the fixed cost of one supervised gradient step (scikit-learn's per-batch overhead)
RATES = {"item2vec": 1e9, "graph": 1e9, "als": 2e9, "svd": 7e8, "supervised": 5e8}


def _word2vec_work(lengths: np.ndarray, window: int, params) -> float:
    """Skip-gram/CBOW: every token of every sequence against its (at most 2·window) neighbours,
    each pair costing (negative + 1) dot products of vector_size."""
    lengths = lengths[lengths > 1].astype(np.float64)
    contexts = float(np.sum(lengths * np.minimum(2.0 * window, lengths - 1)))
    return params.epochs * contexts * (params.negative + 1) * params.vector_size


def work_units(method: str, params, inter) -> float:
    """The estimated work of training ``method`` with ``params`` on ``inter`` (see the module).

    Parameters
    ----------
    method : str
    params : Trainer.Params
    inter : Interactions

    Returns
    -------
    float
        0.0 for a method this module does not know.

    Examples
    --------
    >>> from core.logs import prepare
    >>> from core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> work_units("svd", make_params(trainer("svd"), {}), inter) > 0
    True
    """
    events, sides = float(len(inter)), float(inter.n_users + inter.n_items)
    if method == "item2vec":
        lengths = np.bincount(inter.session) if len(inter) else np.zeros(0, dtype=np.int64)
        window = int(lengths.max()) if inter.baskets and len(lengths) else params.window
        return _word2vec_work(lengths, window, params)
    if method == "graph":
        walks = params.walks_per_item * inter.n_items
        walk_work = walks * params.walk_length * 50.0  # a rejection-sampled step costs a few dozen operations
        return walk_work + _word2vec_work(np.full(walks, params.walk_length), params.window, params)
    if method == "als":  # conjugate gradient, 3 steps per iteration
        return 3.0 * params.iterations * (events * params.factors + sides * params.factors ** 2)
    if method == "svd":  # randomized SVD: 2 products per power iteration, with 10 oversamples
        k = params.factors + 10
        return (2.0 * params.n_iter + 2) * (events + sides * k) * k
    if method == "supervised":  # forward and backward through the output layer of every class
        pairs = min(float(params.max_pairs), events)
        steps = params.epochs * np.ceil(pairs / params.batch_size)  # each step costs ~0.2 ms of Python
        return 3.0 * params.epochs * pairs * params.vector_size * inter.n_items + steps * STEP_UNITS
    return 0.0


def check_work(method: str, params, inter) -> None:
    """Refuse a run whose estimated time is over ``EMBEDLAB_MAX_TRAIN_MINUTES``.

    Parameters
    ----------
    method : str
    params : Trainer.Params
    inter : Interactions

    Raises
    ------
    ParameterError
        One line: the estimate, the limit, the parameters that drive it and the variable to raise.

    Examples
    --------
    >>> from core.logs import prepare
    >>> from core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> check_work("item2vec", make_params(trainer("item2vec"), {"epochs": 100000}), inter)
    Traceback (most recent call last):
    core.errors.ParameterError: ...
    """
    seconds = work_units(method, params, inter) / RATES.get(method, 1e9)
    limit = max_train_minutes()
    if seconds > limit * 60:
        drivers = DRIVERS.get(method, ())
        given = ", ".join(f"{name}={getattr(params, name)}" for name in drivers)
        raise ParameterError(
            f"{method} with {given} on {len(inter):,} events would take about {_duration(seconds)} "
            f"(estimated), over the {limit:g}-minute limit",
            hint=f"lower {', '.join(drivers) or 'the parameters'}, or raise EMBEDLAB_MAX_TRAIN_MINUTES "
                 "for a genuine long run")


DRIVERS = {"item2vec": ("epochs", "window", "negative", "vector_size"),
           "graph": ("epochs", "walks_per_item", "walk_length", "window", "negative", "vector_size"),
           "als": ("iterations", "factors"), "svd": ("n_iter", "factors"),
           "supervised": ("epochs", "max_pairs", "batch_size", "vector_size")}


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.0f} days"
