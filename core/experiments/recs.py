"""The train-and-score loop of next-item evaluation: split, train on the training part, score
beside the baselines (the scoring itself lives in :mod:`core.evaluate.recs`)."""

from __future__ import annotations

from ..errors import ParameterError
from ..evaluate.baselines import report_for
from ..evaluate.protocols import describe, make_split
from ..logs import Interactions
from ..train import train


def evaluate_recs(
    inter: Interactions,
    method: str,
    k: int = 10,
    seed: int = 0,
    max_users: int | None = 5000,
    params: dict | None = None,
    progress=None,
    trainer=train,
    protocol: str = "auto",
    history: int | None = None,
    decay: float = 1.0,
) -> dict:
    """Train ``method`` on the protocol's split (leave-last-out, or basket completion for basket
    logs; see :mod:`core.evaluate.protocols`) and report it beside the baselines.

    Parameters
    ----------
    inter : Interactions
    method : str
        A registered trainer's name (``core.train.registry``).
    k, seed : int, default 10 and 0
        Cut-off of HR@k and NDCG@k; the seed of the training and of the user sample.
    max_users : int or None, default 5000
        Evaluate a seeded sample of at most this many users.
    params : dict, optional
        Trainer parameters.
    progress : callable ``(fraction, message)``, optional
    trainer : callable, default :func:`core.train.train`
        Any ``train(inter, method, seed=, **params)``: the local one or Spark's.
    protocol, history, decay
        See :func:`core.evaluate.protocols.make_split`.

    Returns
    -------
    dict
        ``hr``, ``ndcg``, ``mrr``, ``coverage`` ... of the model, ``baselines`` and
        ``by_popularity_bucket`` (see :func:`core.evaluate.baselines.report_for`) and ``protocol``.

    Raises
    ------
    ParameterError
        ``k`` not positive, or a bad trainer parameter.
    DataError
        No user can be evaluated.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> rep = evaluate_recs(prepare("sample_data/interactions.csv"), "svd", params={"factors": 16})
    >>> rep["protocol"]["name"], 0 <= rep["hr_lo"] <= rep["hr"] <= rep["hr_hi"] <= 1
    ('leave-last-out', True)
    """
    if k <= 0:
        raise ParameterError(f"k({k}) must be > 0")
    split = make_split(inter, protocol, max_users, seed, history, decay)
    result = _trained(trainer, split.train, method, seed, params, progress)
    report = report_for(result, split, k, seed, max_users=max_users)
    return with_context({**report, "protocol": describe(split)}, result)


def with_context(report: dict, result) -> dict:
    """``report`` with the item context the model learned from and why (item2vec, graph), and
    the query its users were scored from and why (ALS, SVD: ``core.train.mf.QUERIES``)."""
    data = getattr(result, "data", {})
    return {**report, **{key: data[key] for key in ("context", "query") if key in data}}


def _trained(trainer, inter: Interactions, method: str, seed: int, params, progress):
    """``trainer``'s result on the training part (progress passed only when someone watches)."""
    watched = {"progress": progress} if progress else {}
    return trainer(inter, method, seed=seed, **watched, **(params or {}))
