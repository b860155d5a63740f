"""Shrink a log in controlled, seeded ways: fewer items, fewer events per item, fewer users.

After any cut, sessions are re-formed from what is left and sessions (baskets) of fewer than two
events are removed: a lone event teaches an embedding nothing and would only inflate counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError, ParameterError
from ..logs import Interactions

AXES = ("items", "events", "users")
ITEM_MODES = ("random", "popular")


@dataclass
class Shrunk:
    inter: Interactions
    axis: str
    value: float
    kept_items: int
    kept_users: int
    kept_events: int
    dropped_short_sessions: int


def shrink(
    inter: Interactions, axis: str, value: float, seed: int = 0, mode: str = "random"
) -> Shrunk:
    """Keep ``value`` items (``mode`` random or the most popular), a ``value`` fraction of events,
    or ``value`` users; then drop sessions left with fewer than two events."""
    if axis not in AXES:
        raise ParameterError(f"axis '{axis}' must be one of {', '.join(AXES)}")
    rng = np.random.default_rng(seed)
    if axis == "items":
        keep = _keep_items(inter, int(value), mode, rng)
    elif axis == "events":
        if not 0 < value <= 1:
            raise ParameterError(f"events value({value}) must be a fraction in (0, 1]")
        keep = rng.random(len(inter)) < value
    else:
        n = int(value)
        if not 2 <= n:
            raise ParameterError(f"users value({n}) must be >= 2")
        users = rng.permutation(inter.n_users)[:n]
        keep = np.isin(inter.user, users)
    cut = keep
    keep = cut & _long_sessions(inter.session, cut)
    if keep.sum() < 2:
        raise DataError(
            f"shrinking to {axis}={value:g} leaves {int(keep.sum())} events",
            path=inter.report.source,
            hint="use larger values",
        )
    small = inter.select(keep)
    return Shrunk(
        small, axis, value, small.n_items, small.n_users, len(small), int(cut.sum() - keep.sum())
    )


def _keep_items(inter: Interactions, n: int, mode: str, rng) -> np.ndarray:
    if mode not in ITEM_MODES:
        raise ParameterError(f"mode '{mode}' must be one of {', '.join(ITEM_MODES)}")
    if not 2 <= n:
        raise ParameterError(f"items value({n}) must be >= 2")
    if n >= inter.n_items:
        return np.ones(len(inter), dtype=bool)
    if mode == "popular":
        kept = np.argsort(-inter.item_counts(), kind="stable")[:n]
    else:
        kept = rng.choice(inter.n_items, n, replace=False)
    return np.isin(inter.item, kept)


def _long_sessions(session: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Rows whose session still has two or more kept events."""
    counts = np.bincount(session[keep], minlength=int(session.max()) + 1)
    return counts[session] >= 2


def parse_grid(text: str) -> list[float]:
    """The grid of a sweep as the user types it: comma-separated numbers, spaces and empty
    entries ignored (``"50, 200, 1000"``).  The CLI's ``--values`` and the Catalog page's Grid box
    both read it here.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of float
        In the order typed; empty for empty text.

    Raises
    ------
    ParameterError
        An entry that is not a finite number; the message quotes the text and the entry.

    Examples
    --------
    >>> parse_grid("50, 200,1000,")
    [50.0, 200.0, 1000.0]
    >>> parse_grid("96, x")
    Traceback (most recent call last):
    ...
    embedlab.core.errors.ParameterError: grid '96, x' must be comma-separated numbers ('x' is ...
    """
    values = []
    for entry in (e.strip() for e in str(text).split(",")):
        if not entry:
            continue
        try:
            value = float(entry)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            raise ParameterError(
                f"grid '{text}' must be comma-separated numbers ('{entry}' is not a number)"
            )
        values.append(value)
    return values


def default_values(
    inter: Interactions, axis: str, points: int | None = None, k: int = 10
) -> list[float]:
    """A geometric grid (about ×2 a step, at most 8 points) from small to the whole log.

    Items start at 5·k (at least 20): below that, k covers much of what is left and the points
    say little; the last point is the whole catalog.  Users start at 50; events at 5%.

    Parameters
    ----------
    inter : Interactions
    axis : {"items", "events", "users"}
    points : int, optional
        Fixed number of points instead of one per doubling.
    k : int, default 10

    Returns
    -------
    list of float

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> default_values(prepare("sample_data/interactions.csv"), "items")
    [50, 91, 166, 302, 549, 1000]
    """
    if axis == "events":
        return [round(v, 3) for v in np.geomspace(0.05, 1.0, points or 6)]
    top = inter.n_items if axis == "items" else inter.n_users
    low = min(top, max(5 * k, 20) if axis == "items" else 50)
    n = points or int(np.clip(np.ceil(np.log2(top / low)) + 1, 2, 8))
    return sorted({int(round(v)) for v in np.geomspace(low, top, n)})
