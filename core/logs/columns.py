"""Which column is the user, the item, the time...: guessed from common names, overridable."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from ..errors import DataError

GUESSES = {
    "user": [
        "userid",
        "user",
        "customerid",
        "customer",
        "visitorid",
        "visitor",
        "clientid",
        "memberid",
        "uid",
        "accountid",
        "sessionuser",
        "basket",
    ],
    "item": [
        "itemid",
        "item",
        "movieid",
        "productid",
        "product",
        "sku",
        "stockcode",
        "articleid",
        "trackid",
        "songid",
        "asin",
        "iid",
        "movie",
        "track",
        "song",
        "article",
        "title",
    ],
    "time": [
        "timestamp",
        "time",
        "ts",
        "datetime",
        "date",
        "eventtime",
        "createdat",
        "eventtimestamp",
        "eventdate",
        "unixtime",
    ],
    "weight": [
        "rating",
        "weight",
        "score",
        "count",
        "quantity",
        "qty",
        "value",
        "plays",
        "playcount",
        "stars",
    ],
    "session": ["sessionid", "session", "basketid", "orderid", "transactionid", "visitid"],
}


@dataclass
class ColumnMap:
    user: str
    item: str
    time: str | None = None
    weight: str | None = None
    session: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


NONE = ""
"""An optional role (time, weight, session) given as ``""`` is off: no column, and none guessed."""


def guess_columns(df: pd.DataFrame, **override: str | None) -> ColumnMap:
    """Guess each role from column names; ``override`` (user=..., item=...) wins, and ``""`` for
    time, weight or session means "none" (not guessed).  Raises a DataError naming the columns
    when user or item cannot be found.

    Examples
    --------
    >>> df = pd.DataFrame(columns=["CustomerID", "StockCode", "Quantity"])
    >>> guess_columns(df).weight, guess_columns(df, weight="").weight
    ('Quantity', None)
    """
    by_norm = {_norm(c): c for c in df.columns}
    chosen: dict[str, str | None] = {}
    taken: set[str] = set()
    for role in ("user", "item", "session", "time", "weight"):
        given = override.get(role)
        if given == NONE and role not in ("user", "item"):
            chosen[role] = None
        elif given:
            if given not in df.columns:
                raise DataError(
                    f"column '{given}' (given for {role}) is not in the log",
                    hint=f"columns are {', '.join(map(str, df.columns))}",
                    options=(f"{role}_col",),
                )
            chosen[role] = given
        else:
            chosen[role] = next(
                (
                    by_norm[g]
                    for g in GUESSES[role]
                    if g in by_norm
                    and by_norm[g] not in taken
                    and by_norm[g] not in override.values()
                ),
                None,
            )
        if chosen[role]:
            taken.add(chosen[role])
    if df.attrs.get("baskets"):
        chosen["session"] = chosen["session"] or "basket"
    for role in ("user", "item"):
        if not chosen[role]:
            raise DataError(
                f"cannot tell which column is the {role} id",
                hint=f"columns are {', '.join(map(str, df.columns))}: name the {role} column",
                options=(f"{role}_col",),
            )
    if chosen["user"] == chosen["item"]:
        raise DataError(
            f"user and item cannot both be column '{chosen['user']}'",
            options=("user_col", "item_col"),
        )
    return ColumnMap(**chosen)


TITLE_COLUMNS = ("title", "name", "description", "label", "product", "item_name")
"""Metadata column names that name items for people, in order of preference (core.matching)."""
OTHER_DESCRIBING = (
    "product_name",
    "category",
    "genre",
    "genres",
)  # also offered as a log's item metadata


KNOWN_NAMES = {n for names in GUESSES.values() for n in names} | {
    "id",
    "name",
    "productname",
    "category",
    "categories",
    "genre",
    "genres",
    "label",
    "labels",
    "tags",
    "tag",
    "price",
    "unitprice",
    "country",
    "url",
    "year",
    "releasedate",
    "invoiceno",
    "invoicedate",
    "description",
    "itemname",
}


def known_name(text: str) -> bool:
    """Whether ``text`` is a column name logs and metadata files commonly use (``userId``,
    ``Title``, ``genres``...), case and punctuation aside.

    Examples
    --------
    >>> known_name("userId"), known_name("Toy Story (1995)")
    (True, False)
    """
    return _norm(text) in KNOWN_NAMES


def describing_columns(columns) -> list[str]:
    """The columns whose names say they describe an item (a title, name, description, category),
    offered as the item metadata of a log that carries them.

    Examples
    --------
    >>> describing_columns(["InvoiceNo", "Description", "Quantity", "Country"])
    ['Description']
    """
    wanted = {_norm(n) for n in TITLE_COLUMNS + OTHER_DESCRIBING}
    return [c for c in columns if _norm(c) in wanted]
