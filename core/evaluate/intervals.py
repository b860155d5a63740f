"""Bootstrap intervals over users: how much of a metric is noise.

A metric like HR@K is a mean of per-user values (hit 0/1, NDCG gain, reciprocal rank).  Resampling
the users with replacement and taking percentiles of the resampled means gives a 95% interval that
needs no normality assumption and, for values in [0, 1], never leaves [0, 1] (every resampled mean
lies between the smallest and the largest per-user value).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

N_BOOT = 1000
CELLS = 2_000_000  # resampled values held at once (16 MB of int64 indices)


def bootstrap_means(
    values: dict[str, np.ndarray], n_boot: int = N_BOOT, seed: int = 0
) -> dict[str, np.ndarray]:
    """The means of ``n_boot`` resamples of the users, the same resamples for every metric.

    Parameters
    ----------
    values : dict of str to ndarray
        Per-user values, all arrays of the same length (one entry per evaluated user).
    n_boot : int, default 1000
    seed : int, default 0

    Returns
    -------
    dict of str to ndarray
        For each metric, ``n_boot`` resampled means.

    Raises
    ------
    ParameterError
        The arrays differ in length or ``n_boot`` < 1.

    Examples
    --------
    >>> bootstrap_means({"hr": np.array([0.0, 1.0])}, n_boot=3, seed=0)["hr"].shape
    (3,)
    """
    arrays = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in values.items()}
    lengths = {len(v) for v in arrays.values()}
    if len(lengths) > 1:
        raise ParameterError(f"per-user arrays must have one length, got {sorted(lengths)}")
    if n_boot < 1:
        raise ParameterError(f"n_boot({n_boot}) must be >= 1")
    n = lengths.pop() if lengths else 0
    out = {name: np.full(n_boot, np.nan) for name in arrays}
    if n == 0:
        return out
    rng = np.random.default_rng(seed)
    step = max(1, CELLS // n)
    for start in range(0, n_boot, step):
        idx = rng.integers(0, n, size=(min(step, n_boot - start), n))
        for name, v in arrays.items():
            out[name][start : start + len(idx)] = v[idx].mean(axis=1)
    return out


def bootstrap_interval(
    values: np.ndarray, level: float = 0.95, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float, float]:
    """Mean and percentile bootstrap interval of the mean of per-user ``values``.

    Parameters
    ----------
    values : ndarray
        One value per user (e.g. hit 0/1 or NDCG gain).
    level : float, default 0.95
    n_boot : int, default 1000
    seed : int, default 0

    Returns
    -------
    (mean, lo, hi) : tuple of float
        NaN for all three when ``values`` is empty; ``lo <= mean <= hi`` and both ends lie
        within ``[min(values), max(values)]``.

    Raises
    ------
    ParameterError
        ``level`` is not in (0, 1).

    Examples
    --------
    >>> mean, lo, hi = bootstrap_interval(np.r_[np.ones(30), np.zeros(70)], seed=1)
    >>> round(mean, 2), 0.2 < lo < 0.3 < hi < 0.4
    (0.3, True)
    """
    return metric_intervals({"m": values}, level, n_boot, seed)["m"]


def metric_intervals(
    values: dict[str, np.ndarray], level: float = 0.95, n_boot: int = N_BOOT, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """``bootstrap_interval`` for several per-user metrics over the same resampled users.

    Parameters
    ----------
    values : dict of str to ndarray
    level : float, default 0.95
    n_boot : int, default 1000
    seed : int, default 0

    Returns
    -------
    dict of str to (mean, lo, hi)

    Raises
    ------
    ParameterError
        ``level`` is not in (0, 1) or the arrays differ in length.

    Examples
    --------
    >>> r = metric_intervals({"hr": np.array([1.0, 0.0]), "ndcg": np.array([0.5, 0.0])})
    >>> r["hr"][0], r["ndcg"][0]
    (0.5, 0.25)
    """
    if not 0 < level < 1:
        raise ParameterError(f"level({level}) must be in (0, 1)")
    means = bootstrap_means(values, n_boot, seed)
    out = {}
    for name, v in values.items():
        v = np.asarray(v, dtype=np.float64).ravel()
        if len(v) == 0:
            out[name] = (np.nan, np.nan, np.nan)
            continue
        mean = float(v.mean())
        lo, hi = np.percentile(means[name], [50 * (1 - level), 50 * (1 + level)])
        # float rounding must not push an end past the data or the mean
        lo, hi = max(float(lo), float(v.min())), min(float(hi), float(v.max()))
        out[name] = (mean, min(lo, mean), max(hi, mean))
    return out


def with_intervals(
    metrics: dict, per_user: dict[str, np.ndarray], level: float = 0.95, seed: int = 0
) -> dict:
    """``metrics`` plus ``{name}_lo`` / ``{name}_hi`` for every per-user metric given.

    Parameters
    ----------
    metrics : dict
        Metric values by name (left unchanged; a copy is returned).
    per_user : dict of str to ndarray
    level : float, default 0.95
    seed : int, default 0

    Returns
    -------
    dict

    Examples
    --------
    >>> sorted(with_intervals({"hr": 0.5}, {"hr": np.array([0.0, 1.0])}))
    ['hr', 'hr_hi', 'hr_lo']
    """
    out = dict(metrics)
    for name, (_, lo, hi) in metric_intervals(per_user, level, seed=seed).items():
        out[f"{name}_lo"], out[f"{name}_hi"] = lo, hi
    return out
