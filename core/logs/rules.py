"""The rules both engines apply to a log, and the words they use for what they drop.

One table of drop/filter reasons (``reason``) and one check that a cleaned log can be trained on
(``check_counts``), so the local engine (pandas) and the Spark engine report the same lines.
"""

from __future__ import annotations

from ..errors import DataError

REASONS = {
    "missing_user": "missing user id",
    "missing_item": "missing item id",
    "bad_time": "unparsable timestamp in '{column}'",
    "bad_weight": "unparsable weight in '{column}'",
    "low_weight": "{column} below {minimum:g}",
    "rare_items": "items with fewer than {minimum} events",
    "rare_users": "users with fewer than {minimum} events",
}


def reason(kind: str, **fields) -> str:
    """The report line for a kind of dropped or filtered row.

    Parameters
    ----------
    kind : str
        One of {"missing_user", "missing_item", "bad_time", "bad_weight", "low_weight",
        "rare_items", "rare_users"}.
    **fields
        ``column`` (the log's column name) and/or ``minimum`` (the threshold), as the kind needs.

    Returns
    -------
    str

    Examples
    --------
    >>> reason("bad_time", column="ts")
    "unparsable timestamp in 'ts'"
    >>> reason("rare_items", minimum=5)
    'items with fewer than 5 events'
    """
    return REASONS[kind].format(**fields)


def check_counts(rows: int, items: int, most_events_per_user: int, source: str) -> None:
    """Refuse a cleaned log nothing can be learned from.

    Parameters
    ----------
    rows : int
        Events left after validation and filters.
    items : int
        Distinct items among them.
    most_events_per_user : int
        The longest history (events of the busiest user or basket).
    source : str
        The log's name, for the message.

    Raises
    ------
    DataError
        No rows, fewer than 2 items, or no user with two events.

    Examples
    --------
    >>> check_counts(rows=10, items=3, most_events_per_user=4, source="log.csv")
    """
    if rows == 0:
        raise DataError(
            "no rows left after filtering",
            path=source,
            hint="lower --min-count or the rating threshold",
        )
    if items < 2:
        raise DataError(
            f"the log has {items} distinct item(s); embeddings need at least 2", path=source
        )
    if most_events_per_user < 2:
        raise DataError(
            "no user (or basket) has two or more events, so nothing co-occurs",
            path=source,
            hint="check the user column: each user needs a history of at least two items",
        )
