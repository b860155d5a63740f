"""How a log is read, cleaned and sessionised: the options every face passes, in one list.

:class:`LogOptions` is that list with its defaults.  ``core.logs.prepare`` (local) and
``core.spark.logs.prepare`` take these names as keywords, ``core.engines.LogSpec`` adds the path
and the metadata to them, the CLI's log options are named after them and the dashboard stores
them with a validated log, so a stored log is read again exactly.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

from ..errors import ParameterError

SESSION_GAP = "30m"
"""A new session after 30 minutes without an event (Airbnb, KDD 2018)."""


@dataclass(frozen=True, kw_only=True)
class LogOptions:
    """The reading and cleaning options of a log.

    Attributes
    ----------
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
        ``core.logs.read.LOG_FORMATS``; "auto" detects the format (and baskets).
    user_col, item_col, time_col, weight_col, session_col : str, optional
        Column names; guessed from the header when omitted (user and item are required); ""
        for none.
    session_gap : str or float, default :data:`SESSION_GAP` ("30m")
        A new session after this gap (ignored when a session column is mapped).
    min_item_count, min_user_count : int, default 1
        Drop rare items, then users with fewer events (counted in the report).
    min_weight : float, optional
        Drop events below this weight (counted).

    Examples
    --------
    >>> LogOptions(min_item_count=5).session_gap
    '30m'
    """

    format: str = "auto"
    user_col: str | None = None
    item_col: str | None = None
    time_col: str | None = None
    weight_col: str | None = None
    session_col: str | None = None
    session_gap: str | float = SESSION_GAP
    min_item_count: int = 1
    min_user_count: int = 1
    min_weight: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def roles(self) -> dict[str, str | None]:
        """The column names given, by role (``core.logs.columns.guess_columns``'s keywords)."""
        return {
            "user": self.user_col,
            "item": self.item_col,
            "time": self.time_col,
            "weight": self.weight_col,
            "session": self.session_col,
        }


LOG_OPTIONS = tuple(f.name for f in fields(LogOptions))
"""The option names, in order."""


def log_options(**given) -> LogOptions:
    """``LogOptions`` from keywords, an unknown name being a clear error.

    Raises
    ------
    ParameterError
        A name that is not a log option; the message lists the known ones.

    Examples
    --------
    >>> log_options(session_gap="2h").session_gap
    '2h'
    >>> log_options(gap="2h")
    Traceback (most recent call last):
    embedlab.core.errors.ParameterError: unknown log option(s): gap — known: format, user_col, ...
    """
    unknown = sorted(set(given) - set(LOG_OPTIONS))
    if unknown:
        raise ParameterError(
            f"unknown log option(s): {', '.join(unknown)}", hint=f"known: {', '.join(LOG_OPTIONS)}"
        )
    return LogOptions(**given)


def parse_duration(text: str | float | int) -> float:
    """A duration as seconds: ``30m``, ``2h``, ``90s``, ``1d`` or a number of seconds.

    Parameters
    ----------
    text : str or float

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Text that is not a number with an optional s/m/h/d unit.

    Examples
    --------
    >>> parse_duration("30m"), parse_duration(45)
    (1800.0, 45.0)
    """
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text).lower())
    if not m:
        raise ParameterError(f"duration '{text}' must look like 30m, 2h, 90s or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
