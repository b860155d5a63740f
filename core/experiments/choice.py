"""Tuning never leaves the user worse off: the noise rule.

A search picks the best of many trials on one set of validation cases, each trained once: its
winner is flattered twice, by the cases (settings that happen to suit those users) and by the
training draw (a lucky initialisation).  So:

- the validation cases are split in two halves by user (or basket), seeded; the search ranks
  trials on the first half only;
- the winner and the defaults (trial 0) are then trained again on the same data with fresh
  seeds (``core.experiments.trials.CHECK_SEEDS``: one, so the check costs one round of the two
  workers) and compared on the *other* half, group by group (paired): per seed, the gain is the
  mean per-group difference of the tuning metric with a 95% paired bootstrap interval over the
  groups;
- ``gain`` is the mean of the per-seed gains and ``[gain_lo, gain_hi]`` the envelope of the
  per-seed intervals; the winner is kept ("tuned") only when ``gain_lo > 0`` (it beats the
  defaults beyond noise with each fresh seed), else the defaults are kept ("defaults") and the
  final model and the test score are theirs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..evaluate.intervals import bootstrap_means
from ..evaluate.recs import Split, held_out_ranks, per_user_values

HALF_STREAM = 3  # the seeded stream that splits the validation groups in two halves
LEVEL = 0.95


@dataclass(frozen=True)
class Choice:
    """What tuning keeps and why.

    Attributes
    ----------
    choice : {"tuned", "defaults"}
    winner : int
        The search's best trial (on the search half).
    metric : str
        The tuning metric the gain is measured in.
    gain, gain_lo, gain_hi : float
        Winner minus defaults on the held-back half, mean over groups and 95% paired bootstrap
        interval (0 when the winner is the defaults).
    groups, cases : int
        Users (or baskets) and cases of the held-back half.
    why : str
        One sentence for people.
    """

    choice: str
    winner: int
    metric: str
    gain: float
    gain_lo: float
    gain_hi: float
    groups: int
    cases: int
    why: str

    def to_dict(self) -> dict:
        return asdict(self)


def halves(validation: Split, seed: int) -> tuple[Split, Split]:
    """(search half, held-back half) of ``validation``'s cases, split by group, seeded; both
    share its training part.

    Parameters
    ----------
    validation : Split
    seed : int

    Returns
    -------
    (Split, Split)

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.evaluate.protocols import make_split, validation_split
    >>> val = validation_split(make_split(prepare("sample_data/interactions.csv")))
    >>> search, check = halves(val, 0)
    >>> len(search.users) + len(check.users) == len(val.users)
    True
    >>> bool(set(search.group) & set(check.group))
    False
    """
    group = validation.group if validation.group is not None else np.arange(len(validation.users))
    distinct = np.unique(group)
    rng = np.random.default_rng((seed, HALF_STREAM))
    held_back = rng.permutation(distinct)[: len(distinct) // 2]
    back = np.isin(group, held_back)
    return take(validation, ~back), take(validation, back)


def take(split: Split, mask: np.ndarray) -> Split:
    """The cases of ``split`` where ``mask`` holds (same training part)."""
    import dataclasses

    rows = {
        name: getattr(split, name)[mask]
        for name in ("users", "held_out", "last", "group")
        if getattr(split, name) is not None
    }
    sparse = {
        name: getattr(split, name)[np.flatnonzero(mask)]
        for name in ("context", "exclude")
        if getattr(split, name) is not None
    }
    return dataclasses.replace(split, **rows, **sparse)


def group_values(scorer, split: Split, k: int, metric: str) -> np.ndarray:
    """The tuning metric per case group of ``split`` (the mean over each group's cases), in the
    order of ``np.unique(split.group)``.

    Returns
    -------
    ndarray of float
    """
    values = per_user_values(held_out_ranks(scorer, split), k)[metric]
    _, code = np.unique(split.group, return_inverse=True)
    return np.bincount(code, weights=values) / np.bincount(code)


def paired_gain(
    winner: np.ndarray, defaults: np.ndarray, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of ``winner - defaults`` over groups and its 95% paired bootstrap interval.

    Parameters
    ----------
    winner, defaults : ndarray
        One value per group, same groups in the same order.
    seed : int, default 0

    Returns
    -------
    (gain, lo, hi) : tuple of float

    Examples
    --------
    >>> gain, lo, hi = paired_gain(np.r_[np.ones(60), np.zeros(40)], np.zeros(100))
    >>> round(gain, 2), lo > 0.4
    (0.6, True)
    >>> gain, lo, hi = paired_gain(np.tile([1.0, 0.0], 50), np.full(100, 0.5))
    >>> gain, lo < 0 < hi
    (0.0, True)
    """
    diff = np.asarray(winner, dtype=np.float64) - np.asarray(defaults, dtype=np.float64)
    means = bootstrap_means({"d": diff}, seed=seed)["d"]
    lo, hi = np.percentile(means, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return float(diff.mean()), float(lo), float(hi)


def choose(
    winner: int,
    values: dict[int, np.ndarray],
    metric: str,
    cases: int,
    seed: int = 0,
    unit: str = "users",
) -> Choice:
    """Keep the winner only when it beats the defaults (trial 0) beyond noise on the held-back
    half.

    Parameters
    ----------
    winner : int
        The search's best trial.
    values : dict of int to list of ndarray
        Per-group values of the held-back half by trial number, one array per fresh seed (trial
        0 and the winner; empty when the winner is trial 0).
    metric : str
    cases : int
        Cases of the held-back half (for the report).
    seed : int, default 0
    unit : {"users", "baskets"}, default "users"
        What a group is (for the sentence).

    Returns
    -------
    Choice

    Examples
    --------
    >>> v = {0: [np.zeros(100)] * 2, 4: [np.r_[np.ones(30), np.zeros(70)]] * 2}
    >>> choose(4, v, "hr", 100).choice
    'tuned'
    >>> choose(4, {0: [np.zeros(100)] * 2, 4: [np.zeros(100)] * 2}, "hr", 100).choice
    'defaults'
    """
    groups = len(values[winner][0]) if winner in values else 0
    if winner == 0:
        why = "the defaults (trial 0) were the best trial: nothing to keep but them"
        return Choice("defaults", 0, metric, 0.0, 0.0, 0.0, groups, cases, why)
    if 0 not in values:
        why = f"the defaults did not finish, so the winner (trial {winner}) is kept"
        return Choice("tuned", winner, metric, np.nan, np.nan, np.nan, groups, cases, why)
    per_seed = [paired_gain(w, d, seed) for w, d in zip(values[winner], values[0])]
    gain = float(np.mean([g for g, _, _ in per_seed]))
    lo, hi = min(lo for _, lo, _ in per_seed), max(hi for _, _, hi in per_seed)
    told = (
        f"the winner (trial {winner}) against the defaults, each retrained with "
        f"{_seeds(len(per_seed))}, on {groups:,} held-back validation {unit} "
        f"({cases:,} cases): {metric} {gain:+.4f} [{lo:+.4f}, {hi:+.4f}]"
    )
    if lo > 0:
        return Choice("tuned", winner, metric, gain, lo, hi, groups, cases, f"{told}: tuned")
    why = f"{told}: not beyond noise"
    return Choice("defaults", winner, metric, gain, lo, hi, groups, cases, why)


def _seeds(n: int) -> str:
    return "a fresh seed" if n == 1 else f"{n} fresh seeds"
