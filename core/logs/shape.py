"""The measured shape of a log: how long users' histories are, how often their events share a
timestamp, how long sessions are and whether they happen at one instant.

What a log *is* (a rating log of long histories, invoices, a basket file) decides how it is
evaluated (``core.evaluate.protocols.choose``) and what item2vec should learn from; both read
these numbers instead of guessing from the file's name or format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .clean import Interactions


@dataclass(frozen=True)
class LogShape:
    """Facts measured on a log (all 0 where the log has no timestamps).

    Attributes
    ----------
    events, users : int
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
        Share of events that share their timestamp with another event of the same user.
    session_median : float
        Events per session, median over sessions.
    instant_sessions : float
        Share of the sessions of two or more events whose events all carry one timestamp
        (invoices, orders: a basket).
    """

    events: int
    users: int
    timed: bool
    basket_file: bool
    session_column: bool
    history_median: float
    moments_median: float
    tied_share: float
    session_median: float
    instant_sessions: float

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
    >>> shape.history_median, shape.tied_share, shape.instant_sessions
    (24.0, 0.0, 0.0)
    """
    per_user = np.bincount(inter.user, minlength=inter.n_users)
    per_session = np.bincount(inter.session) if len(inter) else np.zeros(0, np.int64)
    column = bool(inter.report.columns.get("session")) and not inter.baskets
    moments = tied = instant = 0.0
    if inter.time is not None and len(inter) > 1:
        moments, tied, instant = _time_facts(inter, per_session)
    return LogShape(
        events=len(inter),
        users=int((per_user > 0).sum()),
        timed=inter.time is not None,
        basket_file=bool(inter.baskets),
        session_column=column,
        history_median=_median(per_user[per_user > 0]),
        moments_median=moments,
        tied_share=tied,
        session_median=_median(per_session),
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
