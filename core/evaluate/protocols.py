"""Evaluation protocols that fit the log's shape.

- **leave-last-out** (timed logs, sessions): each user's last event is held out; the query is the
  user's last item, or the recency-weighted mean of the last ``history`` items.
- **basket** completion (basket files, logs whose sessions are invoices): a basket has no order, so
  one random item of each basket of two or more distinct items is held out and the candidates are
  scored from the other items of that basket; those items are excluded from the ranking.

Both rank against the whole catalog.  ``choose_protocol`` picks one from the log; ``make_split``
builds the held-out cases either way.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..errors import DataError, ParameterError
from ..logs import Interactions
from ..logs.shape import query_items
from .recs import Split, leave_last_out

PROTOCOLS = ("auto", "leave-last-out", "basket")
SAME_TIME_SHARE = (
    0.5  # above this share of within-session steps at one timestamp, sessions are baskets
)


def same_time_share(inter: Interactions) -> float:
    """Share of consecutive events of one session that carry the same timestamp (0 without time).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    float

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> same_time_share(prepare("sample_data/interactions.csv"))
    0.0
    """
    if inter.time is None or len(inter) < 2:
        return 0.0
    same_session = inter.session[1:] == inter.session[:-1]
    same_time = same_session & (inter.time[1:] == inter.time[:-1])
    return float(same_time.sum() / max(same_session.sum(), 1))


def choose_protocol(inter: Interactions, protocol: str = "auto") -> str:
    """The protocol for ``inter``: basket completion for basket files and for logs whose sessions
    are invoices (most events of a session share one timestamp), else leave-last-out.

    Parameters
    ----------
    inter : Interactions
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"
        Anything but "auto" is returned unchanged.

    Returns
    -------
    str
        "leave-last-out" or "basket".

    Raises
    ------
    ParameterError
        ``protocol`` is not one of PROTOCOLS.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> choose_protocol(prepare("sample_data/interactions.csv"))
    'leave-last-out'
    """
    if protocol not in PROTOCOLS:
        raise ParameterError(f"protocol '{protocol}' must be one of {', '.join(PROTOCOLS)}")
    if protocol != "auto":
        return protocol
    return (
        "basket" if inter.baskets or same_time_share(inter) > SAME_TIME_SHARE else "leave-last-out"
    )


def make_split(
    inter: Interactions,
    protocol: str = "auto",
    max_users: int | None = 5000,
    seed: int = 0,
    history: int | None = None,
    decay: float = 1.0,
) -> Split:
    """Held-out cases for ``protocol`` (chosen from the log when "auto").

    Parameters
    ----------
    inter : Interactions
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"
    max_users : int or None, default 5000
        At most this many evaluated cases (users, or baskets), a seeded sample.
    seed : int, default 0
        Seeds the sample and, for baskets, which item is held out.
    history : int, optional
        Leave-last-out only: item-based methods score from the user's last ``history`` items
        (default: as the log's item context says, :func:`core.logs.shape.query_items`: the
        last 5 for a history-context log, else the last one).
    decay : float, default 1.0
        Weight of the i-th most recent of those items is ``decay ** i`` (1.0: a plain mean).

    Returns
    -------
    Split
        With ``protocol``, ``context`` (cases × items query weights) and ``exclude`` set.

    Raises
    ------
    ParameterError
        Unknown protocol, ``history`` < 1 or ``decay`` not in (0, 1].
    DataError
        No case can be evaluated.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> make_split(prepare("sample_data/interactions.csv"), history=3).protocol
    'leave-last-out'
    """
    if history is None:
        history = query_items(inter)
    if int(history) != history or history < 1:
        raise ParameterError(f"history({history}) must be a whole number >= 1")
    if not 0 < decay <= 1:
        raise ParameterError(f"decay({decay}) must be in (0, 1]")
    if choose_protocol(inter, protocol) == "basket":
        return basket_completion(inter, max_users, seed)
    split = leave_last_out(inter, max_users, seed)
    return replace(
        split,
        context=recent_items(split.train, split.users, int(history), decay),
        history=int(history),
        decay=float(decay),
    )


def recent_items(
    train: Interactions, users: np.ndarray, history: int, decay: float = 1.0
) -> sp.csr_matrix:
    """Rows of query weights: each user's last ``history`` training items, the i-th most recent
    weighted ``decay ** i`` (rows follow ``users``; ``train`` is sorted by user then time).

    Parameters
    ----------
    train : Interactions
    users : ndarray of int
    history : int
    decay : float, default 1.0

    Returns
    -------
    scipy.sparse.csr_matrix
        ``len(users)`` × ``train.n_items``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> inter = prepare("sample_data/interactions.csv")
    >>> float(recent_items(inter, np.array([0]), 2).sum())
    2.0
    """
    start = np.searchsorted(train.user, users, side="left")
    end = np.searchsorted(train.user, users, side="right")
    back = np.arange(history)
    pos = end[:, None] - 1 - back[None, :]
    ok = pos >= start[:, None]
    rows = np.repeat(np.arange(len(users)), history).reshape(len(users), history)
    weights = np.broadcast_to(decay**back, pos.shape)
    return sp.csr_matrix(
        (weights[ok], (rows[ok], train.item[pos[ok]])), shape=(len(users), train.n_items)
    )


def basket_completion(inter: Interactions, max_cases: int | None = 5000, seed: int = 0) -> Split:
    """Hold out one random item (seeded) of each basket with two or more distinct items.

    Parameters
    ----------
    inter : Interactions
        Baskets are its sessions.
    max_cases : int or None, default 5000
        At most this many baskets are evaluated (a seeded sample); the others stay whole in
        training.
    seed : int, default 0

    Returns
    -------
    Split
        ``users`` is each basket's user, ``held_out`` its held-out item, ``context`` and
        ``exclude`` its other items; every row of the held-out (basket, item) leaves training.

    Raises
    ------
    DataError
        No basket has two distinct items.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> split = basket_completion(prepare("sample_data/interactions.csv"), max_cases=10)
    >>> split.protocol, len(split.held_out)
    ('basket', 10)
    """
    rng = np.random.default_rng(seed)
    pair = inter.session.astype(np.int64) * inter.n_items + inter.item
    pairs, first_row = np.unique(pair, return_index=True)
    basket, item = pairs // inter.n_items, pairs % inter.n_items
    eligible = _eligible_baskets(inter, basket, max_cases, rng)
    cand = np.flatnonzero(np.isin(basket, eligible))
    order = cand[np.lexsort((rng.random(len(cand)), basket[cand]))]
    chosen = order[np.r_[True, basket[order][1:] != basket[order][:-1]]]  # one pair per basket
    held_pair = pairs[chosen]
    train = inter.keep_rows(~np.isin(pair, held_pair))
    others = cand[~np.isin(cand, chosen)]
    case_of = np.searchsorted(basket[chosen], basket[others])
    context = sp.csr_matrix(
        (np.ones(len(others)), (case_of, item[others])), shape=(len(chosen), inter.n_items)
    )
    last = item[others][np.r_[0, np.cumsum(np.bincount(case_of, minlength=len(chosen)))[:-1]]]
    return Split(
        train,
        inter.user[first_row[chosen]],
        item[chosen],
        last,
        0,
        protocol="basket",
        context=context,
        exclude=context,
    )


def _eligible_baskets(inter: Interactions, basket: np.ndarray, max_cases, rng) -> np.ndarray:
    """The baskets with two or more distinct items (``basket``: one entry per distinct item of a
    basket), a seeded sample of ``max_cases`` of them when there are more."""
    eligible = np.flatnonzero(np.bincount(basket) >= 2)
    if not len(eligible):
        raise DataError(
            "no basket has two or more distinct items to complete",
            path=inter.report.source,
            hint="basket completion needs baskets (sessions) of at least two items",
        )
    if max_cases is not None and len(eligible) > max_cases:
        eligible = np.sort(rng.choice(eligible, max_cases, replace=False))
    return eligible


def describe(split: Split) -> dict:
    """What was held out and what the query was, for the report.

    Parameters
    ----------
    split : Split

    Returns
    -------
    dict
        ``name``, ``cases`` and a one-line ``description``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> describe(make_split(prepare("sample_data/interactions.csv")))["name"]
    'leave-last-out'
    """
    if split.protocol == "basket":
        text = (
            "basket completion: one random item of each basket of 2+ items held out, ranked "
            "against the whole catalog from the basket's other items (which are excluded)"
        )
        return {"name": "basket", "cases": int(len(split.users)), "description": text}
    query = (
        "the last item"
        if split.history == 1
        else (
            f"the mean of the last {split.history} items"
            + (f" weighted {split.decay:g}^age" if split.decay < 1 else "")
        )
    )
    text = (
        "chronological leave-last-out: each user's last event held out, ranked against the whole "
        f"catalog with seen items excluded; item-based methods score from {query}"
    )
    return {
        "name": "leave-last-out",
        "cases": int(len(split.users)),
        "history": split.history,
        "decay": split.decay,
        "description": text,
    }
