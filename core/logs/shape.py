"""A log's shape, measured, and the item context it implies.

What an item's context is depends on how the log was made: a shopping basket (every item of it
goes with every other), a browsing session (the next click follows the current one), or a user's
whole history when a session says little (a rating log: hundreds of films rated in one sitting,
at one timestamp).  :func:`log_shape` measures the facts; :func:`choose_context` is the one rule
that turns them into a context, with the reason in words.  Trainers that learn from item
sequences (item2vec, graph walks) read it for their ``context="auto"``; evaluation reads it to
score item-based methods from the same kind of context.
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
    """The facts about a log that decide its item context.

    Attributes
    ----------
    events, users, items, sessions : int
    baskets : bool
        Read from a basket file (one basket per line).
    history_median : float
        Median events per user.
    session_median : float
        Median events per session.
    sessions_per_user : float
        Mean sessions per user.
    tied_share : float
        Share of events that carry the same timestamp as another event of the same user (0
        without time): their order is the file's, not the user's.
    lone_share : float
        Share of events alone in their session (a session of one event is no context).
    """

    events: int
    users: int
    items: int
    sessions: int
    baskets: bool
    history_median: float
    session_median: float
    sessions_per_user: float
    tied_share: float
    lone_share: float

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


def tied_share(inter: Interactions) -> float:
    """Share of events whose timestamp another event of the same user shares (0 without time).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    float

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> tied_share(prepare("sample_data/interactions.csv"))
    0.0
    """
    if inter.time is None or len(inter) < 2:
        return 0.0
    same = (inter.user[1:] == inter.user[:-1]) & (inter.time[1:] == inter.time[:-1])
    tied = np.r_[False, same] | np.r_[same, False]  # the log is sorted by user, then time
    return float(tied.mean())


def log_shape(inter: Interactions) -> LogShape:
    """Measure what decides ``inter``'s item context.

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
    """
    per_user = np.bincount(inter.user) if len(inter) else np.zeros(1)
    per_session = np.bincount(inter.session) if len(inter) else np.zeros(1)
    per_user, per_session = per_user[per_user > 0], per_session[per_session > 0]
    return LogShape(
        events=len(inter),
        users=int(len(per_user)),
        items=int(inter.n_items),
        sessions=int(len(per_session)),
        baskets=bool(inter.baskets),
        history_median=float(np.median(per_user)) if len(per_user) else 0.0,
        session_median=float(np.median(per_session)) if len(per_session) else 0.0,
        sessions_per_user=float(len(per_session) / max(len(per_user), 1)),
        tied_share=tied_share(inter),
        lone_share=float(per_session[per_session == 1].sum() / max(len(inter), 1)),
    )


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
    if shape.baskets:
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
    suggests = "too" if auto.name == given else f"{auto.name} ({auto.reason})"
    return ContextChoice(
        given, f"set as a parameter (or by tuning); the log's shape suggests {suggests}", "given"
    )


RECENT_ITEMS = 5
"""Under leave-last-out, item-based methods score a user of a history-context log from the mean
of the last 5 items' vectors (measured: docs/TRAINING.md, "Scoring from recent items")."""


def query_items(inter: Interactions) -> int:
    """How many of a user's last items an item-based method scores from under leave-last-out,
    following the log's context: the mean of the last :data:`RECENT_ITEMS` when the context is
    the whole history (vectors learned from a history say what a user likes, and the very last
    of several tied events is the file's pick), else the last item (a session's next event
    follows the current one).

    Parameters
    ----------
    inter : Interactions

    Returns
    -------
    int

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> query_items(prepare("sample_data/interactions.csv"))
    1
    """
    return RECENT_ITEMS if context_for(inter).name == "history" else 1
