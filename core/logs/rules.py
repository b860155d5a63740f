"""The rules both engines apply to a log, and the words they use for what they drop.

One table of drop/filter reasons (``reason``) and one check that a cleaned log can be trained on
(``check_counts``), so the local engine (pandas) and the Spark engine report the same lines.
"""

from __future__ import annotations

from ..errors import DataError

REASONS = {
    "too_many_fields": "more fields than the {width} columns",
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
        One of {"too_many_fields", "missing_user", "missing_item", "bad_time", "bad_weight",
        "low_weight", "rare_items", "rare_users"}.
    **fields
        ``column`` (the log's column name), ``minimum`` (the threshold) or ``width`` (the
        columns), as the kind needs.

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


MAX_RAGGED = 0.01
"""The share of rows with more fields than the columns a log may have (they are skipped and
counted); past it (and past :data:`RAGGED_FLOOR` rows) the file is refused: the separator or the
quoting is likely wrong."""
RAGGED_FLOOR = 10


def ragged_allowed(rows_read: int, max_share: float = MAX_RAGGED) -> int:
    """How many wide rows a log of ``rows_read`` rows may skip.

    Examples
    --------
    >>> ragged_allowed(100_003), ragged_allowed(50), ragged_allowed(50, 0.5)
    (1000, 10, 25)
    """
    return max(RAGGED_FLOOR, int(max_share * rows_read))


def check_ragged(
    count: int, rows_read: int, what: str, lines: list[int], source, max_share: float = MAX_RAGGED
) -> None:
    """Refuse a log with too many rows wider than its columns (see :data:`MAX_RAGGED`).

    Parameters
    ----------
    count : int
        Rows skipped for having more fields than the columns.
    rows_read : int
        Rows read (the skipped ones among them).
    what : str
        The reason, as :func:`reason` words it ("more fields than the 4 columns").
    lines : list of int
        The first skipped rows' file lines.
    source : str
    max_share : float, default :data:`MAX_RAGGED`

    Raises
    ------
    DataError
        ``count`` is above :func:`ragged_allowed`.

    Examples
    --------
    >>> check_ragged(1, 100_003, reason("too_many_fields", width=4), [3], "u.data")
    """
    if count <= ragged_allowed(rows_read, max_share):
        return
    raise DataError(
        f"{count:,} of {rows_read:,} rows ({count / max(rows_read, 1):.0%}) have {what} "
        f"(e.g. lines {', '.join(map(str, lines))}); a log may skip {max_share:.0%} of its rows "
        f"(at least {RAGGED_FLOOR}) for that",
        path=source,
        hint="is the separator right, are fields holding it quoted? Or allow a larger share of "
        "such rows",
        options=("separator", "max_ragged"),
    )


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
            hint="lower the minimum events per item or the weight threshold",
            options=("min_item_count", "min_weight"),
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
