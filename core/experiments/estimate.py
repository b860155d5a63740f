"""How long a catalog-size sweep will take on this machine, measured before it runs."""

from __future__ import annotations

import time

import numpy as np

from ..logs import Interactions


def training_cost(inter: Interactions, method: str) -> tuple[float, float]:
    """(fixed seconds, seconds per event) of one training of ``method``, fitted from two timed
    trainings on an eighth and a quarter of the users of ``inter``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> fixed, per_event = training_cost(prepare("sample_data/interactions.csv"), "als")
    >>> fixed >= 0 and per_event >= 0  # measured on this machine: the values vary
    True
    """
    (n1, t1), (n2, t2) = (_timed_training(inter, method, part) for part in (8, 4))
    per_event = max((t2 - t1) / max(n2 - n1, 1), 0.0)
    return max(t1 - per_event * n1, 0.0), per_event


def sweep_seconds(
    inter: Interactions,
    axis: str,
    points: list[tuple[str, float]],
    seeds: int,
    costs: dict[str, tuple[float, float]],
    overhead: float = 0.05,
) -> float:
    """Seconds for a sweep's trainings: each ``(selection, value)`` point (from
    :func:`core.experiments.sweep.sweep_points`) shrinks the log to a share of its events (items
    axis: the events of the kept items, random ones at the average rate or the most popular ones;
    users axis: value / total; events axis: the value itself), times seeds, summed over the
    methods whose ``costs`` (from :func:`training_cost`) are given.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> sweep_seconds(prepare("sample_data/interactions.csv"), "items", [("random", 500)], 1,
    ...               {"als": (1.0, 0.0)}, overhead=0.0)
    1.0
    """
    fractions = [_event_share(inter, axis, sel, v) for sel, v in points]
    return sum(
        sum(fixed + per_event * f * len(inter) + overhead for f in fractions) * seeds
        for fixed, per_event in costs.values()
    )


def _event_share(inter: Interactions, axis: str, selection: str, value: float) -> float:
    if axis == "events":
        return min(value, 1.0)
    if axis == "users":
        return min(value / inter.n_users, 1.0)
    if selection == "popular":
        counts = np.sort(inter.item_counts())[::-1]
        return float(counts[: int(value)].sum() / max(counts.sum(), 1))
    return min(value / inter.n_items, 1.0)


def _timed_training(inter: Interactions, method: str, part: int) -> tuple[int, float]:
    from ..train import train
    from .sweep import fit_params

    small = inter.select(inter.user < max(2, inter.n_users // part))
    t = time.perf_counter()
    train(small, method, seed=0, **fit_params(method, small, None))
    return len(small), time.perf_counter() - t
