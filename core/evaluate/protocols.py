"""Evaluation protocols that fit the log, chosen from its measured shape and said.

- **leave-last-out** (logs of ordered histories: ratings, clicks, sessions): each user's last
  event is held out; the query is the user's last item, or the recency-weighted mean of the last
  ``history`` items.  Events that share the user's last timestamp are resolved by a seeded draw
  (:mod:`core.evaluate.holdout`).
- **basket** completion (basket files, logs whose sessions happen at one instant: invoices): a
  basket has no order, so one random item of each basket of two or more distinct items is held
  out and the candidates are scored from the other items of that basket; those items are
  excluded from the ranking.

Both rank against the whole catalog.  :func:`choose` picks one from the log's shape
(:func:`core.logs.shape.log_shape`) and says why; :func:`make_split` builds the held-out cases;
:func:`describe` is what reports show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from ..errors import ParameterError
from ..logs import Interactions
from ..logs.shape import LogShape, log_shape, query_items
from .holdout import basket_completion, leave_last_out, recent_rows, tie_order  # noqa: F401
from .recs import Split

PROTOCOLS = ("auto", "leave-last-out", "basket")
VALIDATION_EVENTS = 5
"""Held-out events per user in a validation split (leave-last-out): five cases per user instead
of one separate settings that one case per user cannot (docs/TRAINING.md, "The noise rule")."""
INSTANT_SESSIONS = 0.5
"""Above this share of sessions (of 2+ events) that happen at one instant, sessions are baskets:
online-retail's invoices 0.90, MovieLens 100K's rating sittings 0.05, ml-latest-small 0.006."""
UNITS = {"leave-last-out": "users", "basket": "baskets"}
TIE_RULES = {
    "leave-last-out": (
        "among the events at a user's last timestamp the held-out one is drawn with the seed; "
        "the others stay in training (same moment, not later) and the query reads them in the "
        "same seeded order"
    ),
    "basket": "a basket has no order: the held-out item is drawn with the seed among its items",
}


@dataclass(frozen=True)
class ProtocolChoice:
    """The protocol for a log, why, and the measured shape that decided it."""

    name: str
    why: str
    shape: LogShape


def choose(inter: Interactions, protocol: str = "auto") -> ProtocolChoice:
    """The protocol for ``inter`` and the reason, from its measured shape.

    Basket completion for a basket file, for sessions given without timestamps, and for logs
    whose sessions mostly happen at one instant (invoices); leave-last-out for everything else:
    histories that unfold over many moments, even when many of their events share a second (a
    rating log), are not cut into baskets unless asked.

    Parameters
    ----------
    inter : Interactions
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"
        Anything but "auto" is taken as asked.

    Returns
    -------
    ProtocolChoice

    Raises
    ------
    ParameterError
        ``protocol`` is not one of PROTOCOLS.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> choice = choose(prepare("sample_data/interactions.csv"))
    >>> choice.name, choice.why.split(":")[0]
    ('leave-last-out', 'histories over many moments')
    """
    if protocol not in PROTOCOLS:
        raise ParameterError(f"protocol '{protocol}' must be one of {', '.join(PROTOCOLS)}")
    shape = log_shape(inter)
    if protocol != "auto":
        return ProtocolChoice(protocol, f"asked for ({protocol})", shape)
    name, why = _auto(shape)
    return ProtocolChoice(name, why, shape)


def _auto(s: LogShape) -> tuple[str, str]:
    if s.basket_file:
        return "basket", "a basket file: each line is one unordered basket"
    if not s.timed:
        if s.session_column:
            return "basket", "sessions given without timestamps: their order is unknown"
        return "leave-last-out", "no timestamps: each user's last event in file order"
    if s.instant_sessions > INSTANT_SESSIONS:
        return "basket", (
            f"baskets: {s.instant_sessions:.0%} of sessions of two or more events happen at one "
            "instant (invoices, orders)"
        )
    tied = (
        f"; {s.tied_share:.0%} of events have the same timestamp as another of the user's events "
        "(their order is drawn with the seed)"
        if s.tied_share
        else ""
    )
    return "leave-last-out", (
        f"histories over many moments: a median of {s.moments_median:g} distinct timestamps per "
        f"user, {s.instant_sessions:.0%} of sessions at one instant{tied}"
    )


def choose_protocol(inter: Interactions, protocol: str = "auto") -> str:
    """The name of :func:`choose`'s protocol.

    Parameters
    ----------
    inter : Interactions
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"

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
    return choose(inter, protocol).name


def make_split(
    inter: Interactions,
    protocol: str = "auto",
    max_users: int | None = 5000,
    seed: int = 0,
    history: int | None = None,
    decay: float = 1.0,
    per_user: int = 1,
) -> Split:
    """Held-out cases for ``protocol`` (chosen from the log when "auto").

    Parameters
    ----------
    inter : Interactions
    protocol : {"auto", "leave-last-out", "basket"}, default "auto"
    max_users : int or None, default 5000
        At most this many evaluated users (leave-last-out) or baskets, a seeded sample.
    seed : int, default 0
        Seeds the sample, the tie draws and, for baskets, which item is held out.
    history : int, optional
        Leave-last-out only: item-based methods score from the user's last ``history`` items
        (default: as the log's item context says, :func:`core.logs.shape.query_items`: the
        last 5 for a history-context log, else the last one).
    decay : float, default 1.0
        Weight of the i-th most recent of those items is ``decay ** i`` (1.0: a plain mean).
    per_user : int, default 1
        Leave-last-out only: held-out events per user (see
        :func:`core.evaluate.holdout.leave_last_out`).

    Returns
    -------
    Split
        With ``protocol``, ``unit``, ``ties``, ``why``, ``context`` and ``exclude`` set.

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
    choice = choose(inter, protocol)
    if history is None:
        history = query_items(choice.shape)
    if int(history) != history or history < 1:
        raise ParameterError(f"history({history}) must be a whole number >= 1")
    if not 0 < decay <= 1:
        raise ParameterError(f"decay({decay}) must be in (0, 1]")
    if choice.name == "basket":
        split = basket_completion(inter, max_users, seed)
    else:
        split = leave_last_out(inter, max_users, seed, per_user, int(history), float(decay))
    return replace(split, why=choice.why, shape=choice.shape.to_dict())


def validation_split(
    test: Split, seed: int = 0, max_users: int | None = 5000, per_user: int = VALIDATION_EVENTS
) -> Split:
    """The validation split inside ``test.train``, by ``test``'s protocol: each user's last
    ``per_user`` training events (leave-last-out; ties drawn as in the test split), or one item
    of each basket.  No test event is in it.

    Parameters
    ----------
    test : Split
    seed : int, default 0
    max_users : int or None, default 5000
    per_user : int, default :data:`VALIDATION_EVENTS`

    Returns
    -------
    Split
        Its ``exclude`` is always set (the cases' training items, and for several cases per user
        the user's other held-out items).

    Raises
    ------
    DataError
        No validation case (users need three or more events).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> test = make_split(prepare("sample_data/interactions.csv"))
    >>> val = validation_split(test)
    >>> len(val.users) > 3 * len(test.users), val.exclude is not None
    (True, True)
    """
    from ..logs.matrix import user_item_matrix

    val = make_split(
        test.train, test.protocol, max_users, seed, test.history, test.decay, per_user=per_user
    )
    if val.exclude is None:  # seen items, computed once instead of once per scoring
        val = replace(val, exclude=user_item_matrix(val.train, binary=True).tocsr()[val.users])
    return replace(val, why=test.why, shape=test.shape)


def recent_items(
    train: Interactions, users: np.ndarray, history: int, decay: float = 1.0
) -> sp.csr_matrix:
    """Rows of query weights: each user's last ``history`` training items, the i-th most recent
    weighted ``decay ** i`` (rows follow ``users``; ``train`` in its own order).

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
    return recent_rows(train.item, end, start, train.n_items, history, decay)


def describe(split: Split) -> dict:
    """The protocol as reports state it.

    Parameters
    ----------
    split : Split

    Returns
    -------
    dict
        ``name``, ``unit`` ("users" or "baskets"), ``cases``, ``why`` (the choice's reason),
        ``ties`` (``cases`` tied at their held-out moment, their ``share`` and the ``rule``),
        a one-line ``description``, the log's ``shape`` and, for leave-last-out, ``history`` and
        ``decay``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> d = describe(make_split(prepare("sample_data/interactions.csv")))
    >>> d["name"], d["unit"], d["ties"]["cases"]
    ('leave-last-out', 'users', 0)
    """
    cases = int(len(split.users))
    out = {
        "name": split.protocol,
        "unit": split.unit,
        "cases": cases,
        "why": split.why,
        "ties": {
            "cases": int(split.ties),
            "share": round(split.ties / cases, 4) if cases else 0.0,
            "rule": TIE_RULES[split.protocol],
        },
    }
    if split.protocol == "basket":
        text = (
            "One random item of each basket of 2+ items is held out and ranked against the whole "
            "catalog from the basket's other items (which are excluded)"
        )
        return {**out, "description": text, "shape": split.shape}
    query = (
        "the last item"
        if split.history == 1
        else (
            f"the mean of the last {split.history} items"
            + (f" weighted {split.decay:g}^age" if split.decay < 1 else "")
        )
    )
    text = (
        "Each user's last event in time is held out and ranked against the whole catalog, items "
        f"the user has already seen excluded; item-based methods score from {query}"
    )
    return {
        **out,
        "history": split.history,
        "decay": split.decay,
        "description": text,
        "shape": split.shape,
    }
