"""How long a catalog-size sweep will take on this machine, measured before it runs."""

from __future__ import annotations

import time

from ..logs import Interactions


def training_cost(inter: Interactions, method: str) -> tuple[float, float]:
    """(fixed seconds, seconds per event) of one training of ``method``, fitted from two timed
    trainings on an eighth and a quarter of the users of ``inter``.

    Examples
    --------
    >>> fixed, per_event = training_cost(prepare("sample_data/interactions.csv"), "als")  # doctest: +SKIP
    """
    (n1, t1), (n2, t2) = (_timed_training(inter, method, part) for part in (8, 4))
    per_event = max((t2 - t1) / max(n2 - n1, 1), 0.0)
    return max(t1 - per_event * n1, 0.0), per_event


def sweep_seconds(inter: Interactions, axis: str, values: list[float], seeds: int,
                  costs: dict[str, tuple[float, float]], overhead: float = 0.05) -> float:
    """Seconds for a sweep's trainings: each grid point shrinks the log to a share of its events
    (items and users axes: value / total, events axis: the value itself), times seeds, summed over
    the methods whose ``costs`` (from :func:`training_cost`) are given."""
    full = inter.n_items if axis == "items" else inter.n_users if axis == "users" else 1.0
    fractions = [min(v / full, 1.0) for v in values]
    return sum(sum(fixed + per_event * f * len(inter) + overhead for f in fractions) * seeds
               for fixed, per_event in costs.values())


def _timed_training(inter: Interactions, method: str, part: int) -> tuple[int, float]:
    from ..train import train
    from .sweep import fit_params
    small = inter.select(inter.user < max(2, inter.n_users // part))
    t = time.perf_counter()
    train(small, method, seed=0, **fit_params(method, small, None))
    return len(small), time.perf_counter() - t
