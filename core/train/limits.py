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
from ..limits import MB, max_train_mb, max_train_minutes

# work units per second with the defaults on the sample log and online-retail, measured on 2 busy
# cores (load 5-8): the estimates lean long
STEP_UNITS = (
    1e5  # the fixed cost of one supervised gradient step (scikit-learn's per-batch overhead)
)
RATES = {"item2vec": 1e9, "graph": 1e9, "als": 1e9, "svd": 7e8, "supervised": 5e8}


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
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
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
        walk_work = (
            walks * params.walk_length * 50.0
        )  # a rejection-sampled step costs a few dozen operations
        return walk_work + _word2vec_work(np.full(walks, params.walk_length), params.window, params)
    if (
        method == "als"
    ):  # conjugate gradient, 3 steps per iteration, and a fixed cost per user and item
        return (
            3.0 * params.iterations * (events * params.factors + sides * (params.factors**2 + 500))
        )
    if method == "svd":  # randomized SVD: 2 products per power iteration, with 10 oversamples
        k = params.factors + 10
        return (2.0 * params.n_iter + 2) * (events + sides * k) * k
    if method == "supervised":  # forward and backward through the output layer of every class
        pairs = min(float(params.max_pairs), events)
        steps = params.epochs * np.ceil(
            pairs / params.batch_size
        )  # each step costs ~0.2 ms of Python
        return 3.0 * params.epochs * pairs * params.vector_size * inter.n_items + steps * STEP_UNITS
    return 0.0


def memory_bytes(method: str, params, inter) -> float:
    """The estimated memory of the trainer's own arrays (dense factors, word2vec's tables, the
    training pairs), beyond the log itself: the part that grows with users × dimensions.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.train import make_params, trainer
    >>> inter = prepare("sample_data/interactions.csv")
    >>> memory_bytes("svd", make_params(trainer("svd"), {}), inter) < 100 * 2 ** 20
    True
    """
    events, sides = float(len(inter)), float(inter.n_users + inter.n_items)
    if method == "svd":  # float64 factors and randomized_svd's working copies
        return sides * (params.factors + 10) * 8 * 2 + events * 16
    if method == "als":  # float32 factors, their gradients, the matrix and its transpose
        return sides * params.factors * 4 * 3 + events * 24
    if method in ("item2vec", "graph"):  # vectors, negative-sampling weights, a copy; the sentences
        tokens = (
            events
            if method == "item2vec"
            else params.walks_per_item * inter.n_items * params.walk_length
        )
        return inter.n_items * params.vector_size * 4 * 3 + tokens * 16
    if (
        method == "supervised"
    ):  # the pairs, the two layers (float64, Adam's moments), a batch's scores
        pairs = min(float(params.max_pairs), events)
        return (
            pairs * 32
            + inter.n_items * params.vector_size * 8 * 6
            + params.batch_size * inter.n_items * 8 * 3
        )
    return 0.0


def check_work(method: str, params, inter) -> None:
    """Refuse a run whose estimated memory is over ``EMBEDLAB_MAX_TRAIN_MB`` or whose estimated
    time is over ``EMBEDLAB_MAX_TRAIN_MINUTES``.

    Parameters
    ----------
    method : str
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
    >>> check_work("item2vec", make_params(trainer("item2vec"), {"epochs": 100000}), inter)
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: ...
    """
    memory, most = memory_bytes(method, params, inter), max_train_mb()
    if memory > most * MB:
        raise ParameterError(
            f"{method} with {_given(method, params)} on {inter.n_users:,} users and "
            f"{inter.n_items:,} items would need about {memory / MB:,.0f} MB (estimated), "
            f"over the {most:,} MB limit",
            hint=f"lower {', '.join(DRIVERS.get(method, ())) or 'the parameters'}, filter rare "
            "users/items (--min-count), or raise EMBEDLAB_MAX_TRAIN_MB if the memory allows",
        )
    seconds = work_units(method, params, inter) / RATES.get(method, 1e9)
    limit = max_train_minutes()
    if seconds > limit * 60:
        drivers = DRIVERS.get(method, ())
        raise ParameterError(
            f"{method} with {_given(method, params)} on {len(inter):,} events would take about "
            f"{_duration(seconds)} (estimated), over the {limit:g}-minute limit",
            hint=f"lower {', '.join(drivers) or 'the parameters'}, "
            "or raise EMBEDLAB_MAX_TRAIN_MINUTES for a genuine long run",
        )


DRIVERS = {
    "item2vec": ("epochs", "window", "negative", "vector_size"),
    "graph": ("epochs", "walks_per_item", "walk_length", "window", "negative", "vector_size"),
    "als": ("iterations", "factors"),
    "svd": ("n_iter", "factors"),
    "supervised": ("epochs", "max_pairs", "batch_size", "vector_size"),
}


def _given(method: str, params) -> str:
    return ", ".join(f"{name}={getattr(params, name)}" for name in DRIVERS.get(method, ()))


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.0f} days"
