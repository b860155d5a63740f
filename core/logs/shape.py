"""The measured shape of a log, and the item context it implies.

What a log *is* (a rating log of long histories, invoices, a basket file) and how it was made
decide both how it is evaluated and what an item's context is: a shopping basket (every item of
it goes with every other), a browsing session (the next click follows the current one), or a
user's whole history when a session says little (a rating log: hundreds of films rated in one
sitting, at one timestamp).  :func:`log_shape` measures the facts once, for everyone: the
protocol choice (``core.evaluate.protocols.choose``) and :func:`choose_context`, the one rule
that turns them into an item context, with the reason in words.  Trainers that learn from item
sequences (item2vec, graph walks) read it for their ``context="auto"``; evaluation reads it
(:func:`query_items`) to score item-based methods from the same kind of context.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .clean import Interactions

CONTEXTS = ("sessions", "history", "baskets")
"""What an item's context can be: the other items of its time-gap session (in order), of its
user's whole history (in order), or of its basket (unordered, every pair)."""


@dataclass(frozen=True)
class LogShape:
    """Facts measured on a log (the time facts are 0 where the log has no timestamps).

    Attributes
    ----------
    events, users, items, sessions : int
    timed : bool
        The log has timestamps.
    basket_file : bool
        Read as a basket file (one unordered basket per line).
    session_column : bool
        Sessions come from a column of the file (not from time gaps).
    history_median : float
        Events per user, median over users.
    moments_median : float
        Distinct timestamps per user, median over users: how many ordered steps a history has.
    tied_share : float
        Share of events that share their timestamp with another event of the same user: their
        order is the file's, not the user's.
    session_median : float
        Events per session, median over sessions.
    sessions_per_user : float
        Sessions per user, mean.
    lone_share : float
        Share of events alone in their session (a session of one event is no context).
    instant_sessions : float
        Share of the sessions of two or more events whose events all carry one timestamp
        (invoices, orders: a basket).
    """

    events: int
    users: int
    items: int
    sessions: int
    timed: bool
    basket_file: bool
    session_column: bool
    history_median: float
    moments_median: float
    tied_share: float
    session_median: float
    sessions_per_user: float
    lone_share: float
    instant_sessions: float

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ContextChoice:
    """A context and why: ``chosen_by`` is "auto" (the rule) or "given" (a parameter)."""

    name: str
    reason: str
    chosen_by: str = "auto"

    def to_dict(self) -> dict:
        return asdict(self)


def log_shape(inter: Interactions) -> LogShape:
    """Measure ``inter`` (sorted by user then time, as every ``Interactions`` is).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    LogShape

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> shape = log_shape(prepare("sample_data/interactions.csv"))
    >>> shape.users, shape.history_median, shape.session_median, shape.tied_share
    (3000, 24.0, 4.0, 0.0)
    >>> shape.instant_sessions
    0.0
    """
    per_user = np.bincount(inter.user, minlength=inter.n_users)
    per_session = np.bincount(inter.session) if len(inter) else np.zeros(0, np.int64)
    column = bool(inter.report.columns.get("session")) and not inter.baskets
    moments = tied = instant = 0.0
    if inter.time is not None and len(inter) > 1:
        moments, tied, instant = _time_facts(inter, per_session)
    users, sessions = int((per_user > 0).sum()), int((per_session > 0).sum())
    return LogShape(
        events=len(inter),
        users=users,
        items=int(inter.n_items),
        sessions=sessions,
        timed=inter.time is not None,
        basket_file=bool(inter.baskets),
        session_column=column,
        history_median=_median(per_user[per_user > 0]),
        moments_median=moments,
        tied_share=tied,
        session_median=_median(per_session[per_session > 0]),
        sessions_per_user=sessions / max(users, 1),
        lone_share=float(per_session[per_session == 1].sum() / max(len(inter), 1)),
        instant_sessions=instant,
    )


def _time_facts(inter: Interactions, per_session: np.ndarray) -> tuple[float, float, float]:
    """(distinct timestamps per user, median; share of tied events; share of instant sessions)."""
    same_user = inter.user[1:] == inter.user[:-1]
    same_time = inter.time[1:] == inter.time[:-1]
    tie = same_user & same_time  # rows are sorted by user then time: ties are neighbours
    tied_rows = np.zeros(len(inter), dtype=bool)
    tied_rows[1:] |= tie
    tied_rows[:-1] |= tie
    new_moment = np.r_[True, ~tie]
    moments = np.bincount(inter.user[new_moment], minlength=inter.n_users)
    same_session = inter.session[1:] == inter.session[:-1]
    changes = np.bincount(inter.session[1:][same_session & ~same_time], minlength=len(per_session))
    multi = per_session >= 2
    instant = float((changes[multi] == 0).sum() / multi.sum()) if multi.any() else 0.0
    return _median(moments[moments > 0]), float(tied_rows.mean()), instant


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if len(values) else 0.0


TIED_SHARE = 0.1
"""Above this share of tied events, a user's order within a sitting is the file's: the context is
the whole history (measured: 0 on the synthetic sample log, 0.23 on MovieLens latest-small, 0.76
on MovieLens 100K, 0.99 on online-retail's invoices; docs/TRAINING.md)."""
LONE_SHARE = 0.5  # above this share of events alone in their session, sessions say too little


def choose_context(shape: LogShape) -> ContextChoice:
    """The item context a log's shape implies (the thresholds and the grids that chose them:
    docs/TRAINING.md, "Context").

    - a basket file: **baskets** (every item of a basket goes with the rest);
    - a timed log whose events often share their timestamp (:data:`TIED_SHARE`: ratings entered
      in bulk, the lines of an invoice), or whose sessions are mostly single events
      (:data:`LONE_SHARE`): each user's whole **history** in time order;
    - otherwise ordered time-gap **sessions** (clicks, plays, views).

    Parameters
    ----------
    shape : LogShape

    Returns
    -------
    ContextChoice

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> choose_context(log_shape(prepare("sample_data/interactions.csv"))).name
    'sessions'
    """
    if shape.basket_file:
        return ContextChoice("baskets", "a basket file: every item of a basket goes with the rest")
    if shape.tied_share >= TIED_SHARE:
        return ContextChoice(
            "history",
            f"{shape.tied_share:.0%} of events share their timestamp with another event of the "
            f"same user (at least {TIED_SHARE:.0%}): their order within a sitting is the file's, "
            "so each user's whole history is the context",
        )
    if shape.lone_share >= LONE_SHARE:
        return ContextChoice(
            "history",
            f"{shape.lone_share:.0%} of events are alone in their session (at least "
            f"{LONE_SHARE:.0%}): sessions are too short, so each user's whole history is the "
            "context",
        )
    return ContextChoice(
        "sessions",
        f"ordered sessions: {shape.tied_share:.0%} of events tied in time (under "
        f"{TIED_SHARE:.0%}), {shape.lone_share:.0%} alone in their session (under "
        f"{LONE_SHARE:.0%})",
    )


def context_for(inter: Interactions, given: str = "auto") -> ContextChoice:
    """``given`` when it names a context, else the one ``inter``'s shape implies.

    Parameters
    ----------
    inter : Interactions
    given : {"auto", "sessions", "history", "baskets"}, default "auto"

    Returns
    -------
    ContextChoice

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> context_for(prepare("sample_data/interactions.csv"), "history").chosen_by
    'given'
    """
    auto = choose_context(log_shape(inter))
    if given == "auto":
        return auto
    suggests = "it too" if auto.name == given else f"{auto.name} ({auto.reason})"
    return ContextChoice(
        given, f"set as a parameter (or by tuning); the log's shape suggests {suggests}", "given"
    )


RECENT_ITEMS = 5
"""Under leave-last-out, item-based methods score a user of a history-context log from the mean
of the last 5 items' vectors (measured: docs/TRAINING.md, "Scoring from recent items")."""


def query_items(shape: LogShape) -> int:
    """How many of a user's last items an item-based method scores from under leave-last-out,
    following the log's item context: the mean of the last :data:`RECENT_ITEMS` when the context
    is the whole history (vectors learned from a history say what a user likes, and the very last
    of several tied events is the file's pick), else the last item (a session's next event
    follows the current one).

    Parameters
    ----------
    shape : LogShape
        The log's measured shape (:func:`log_shape`).

    Returns
    -------
    int

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> query_items(log_shape(prepare("sample_data/interactions.csv")))
    1
    """
    return RECENT_ITEMS if choose_context(shape).name == "history" else 1
