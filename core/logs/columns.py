"""Which column is the user, the item, the time...: guessed from common names, overridable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..errors import DataError
from .suspect import MS_FROM

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
    guessed: dict = field(default_factory=dict, compare=False, repr=False)
    """The roles guessed from a headerless file's content (role → column), empty otherwise."""

    def to_dict(self) -> dict:
        return {role: getattr(self, role) for role in ("user", "item", "time", "weight", "session")}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


NONE = ""
"""An optional role (time, weight, session) given as ``""`` is off: no column, and none guessed."""


def guess_columns(df: pd.DataFrame, **override: str | None) -> ColumnMap:
    """Guess each role from column names; ``override`` (user=..., item=...) wins, and ``""`` for
    time, weight or session means "none" (not guessed).  A file without a header
    (``df.attrs["header"] is False``) whose column names say nothing has its roles guessed from
    its rows (:func:`guess_from_content`; ``ColumnMap.guessed`` names them).  Raises a DataError
    naming the columns when user or item cannot be found.

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
    guessed = _from_rows(df, chosen, override)
    chosen.update(guessed)
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
    return ColumnMap(**chosen, guessed=guessed)


def guessed_text(guessed: dict) -> str:
    """The roles guessed from content, in words.

    Examples
    --------
    >>> guessed_text({"user": "column1", "item": "column2"})
    'guessed from content: user=column1, item=column2'
    """
    return "guessed from content: " + ", ".join(f"{r}={c}" for r, c in guessed.items())


def _from_rows(df: pd.DataFrame, chosen: dict, override: dict) -> dict[str, str]:
    """Roles guessed from the rows of a headerless file none of whose names was recognised."""
    by_name = [r for r, c in chosen.items() if c and not override.get(r)]
    if df.attrs.get("header") is False and not by_name:
        return guess_from_content(df, chosen, override)
    return {}


CONTENT_ROWS = 1000
"""Rows of a headerless file looked at to guess its columns' roles."""
EPOCH_RANGES = ((1e8, 4e9), (MS_FROM, 4e12))
"""Plausible epoch numbers: seconds (1973–2096), milliseconds (the same years)."""
SMALL_RANGE = 10
"""Whole numbers within this range (ratings 1–5, 0–10) are a weight; fractions always are."""


def guess_from_content(df: pd.DataFrame, chosen: dict, override: dict) -> dict[str, str]:
    """The roles of a headerless file's columns guessed from its first rows, in file order: a
    time column holds epoch numbers or dates, the first two id-like columns are user and item, a
    later column of fractions or of whole numbers in a small range is the weight.  Roles already
    chosen or given (``""`` for none) are kept; nothing is guessed unless user and item both are
    (text or empty cells before them: nothing is).

    Examples
    --------
    >>> df = pd.DataFrame([["196", "242", "3", "881250949"], ["186", "302", "5", "891717742"],
    ...                    ["22", "377", "1", "878887116"]], columns=["c1", "c2", "c3", "c4"])
    >>> guess_from_content(df, dict.fromkeys(["user", "item", "time", "weight"]), {})
    {'user': 'c1', 'item': 'c2', 'weight': 'c3', 'time': 'c4'}
    """
    rows = df.iloc[:CONTENT_ROWS]
    if len(rows) < 2 or df.attrs.get("baskets"):
        return {}
    free = [c for c in rows.columns if c not in chosen.values()]
    kinds = {c: _content_kind(rows[c]) for c in free}
    out: dict[str, str] = {}
    wanted = [r for r in ("user", "item") if not chosen.get(r)]
    for c in free:
        if wanted and kinds[c] is None:
            return {}  # text or gaps before the ids: not a plain rating log
        if wanted and kinds[c] in ("id", "weight"):
            out[wanted.pop(0)] = c
        elif kinds[c] in ("weight", "time"):
            role = kinds[c]
            if not chosen.get(role) and override.get(role) != NONE and role not in out:
                out[role] = c
    if not (chosen.get("user") or "user" in out) or not (chosen.get("item") or "item" in out):
        return {}
    return out


def _content_kind(values: pd.Series) -> str | None:
    """ "time", "weight", "id" or None (empty cells, free text) for one column's first rows."""
    text = values.astype(str).str.strip()
    if (text == "").any() or values.isna().any():
        return None
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        if any(((numbers >= lo) & (numbers <= hi)).all() for lo, hi in EPOCH_RANGES):
            return "time"
        whole = bool((numbers == numbers.round()).all())
        return "weight" if not whole or numbers.max() - numbers.min() <= SMALL_RANGE else "id"
    if _dates(text):
        return "time"
    return "id" if not text.str.contains(r"\s").any() else None


def _dates(text: pd.Series) -> bool:
    """Whether every value parses as a date (with a year: ``2024-05-01``, ``01/05/2024 10:00``)."""
    if not text.str.contains(r"\d{4}").all():
        return False
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return bool(parsed.notna().all())


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
