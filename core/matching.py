"""Find items by what people know: a key, a title, or any text of their metadata.

Logs name items by ids ("1", "i0042", "85123A"); people know "Toy Story (1995)".  Every key box
resolves its text here (the dashboard's key boxes and highlight, the CLI's ``neighbours``,
``analogy`` and ``compare``), so every face accepts the same things.  How a found item is shown
lives in :mod:`core.naming`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .errors import ParameterError, UnknownKeyError
from .naming import join, names, title_column

__all__ = [
    "Match",
    "find_items",
    "items_matching",
    "keys_matching",
    "lead_with_title",
    "names_item",
    "resolve_item",
    "title_column",
    "with_titles",
]
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    """One item a text matched: its key, its title (or the key), and the column that matched."""

    key: str
    title: str
    column: str


def find_items(emb: Embeddings, text: str, limit: int = 10) -> list[Match]:
    """Items whose key or metadata text matches ``text`` (case-insensitive), best first: exact
    matches, then those that start with it, then those that contain it, then those that hold all
    its words ("star wars 1977" finds "Star Wars (1977)"); each group in row order.

    Parameters
    ----------
    emb : Embeddings
    text : str
        Empty text matches nothing.
    limit : int, default 10

    Returns
    -------
    list of Match

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["Toy Story (1995)", "Toy Story 2 (1999)", "Heat (1995)"]})
    >>> emb = Embeddings(["1", "3114", "6"], np.eye(3, dtype=np.float32), metadata=meta)
    >>> [m.key for m in find_items(emb, "toy story")]
    ['1', '3114']
    >>> [m.title for m in find_items(emb, "heat 1995")]
    ['Heat (1995)']
    """
    needle = str(text).strip().lower()
    if not needle:
        return []
    words = WORD.findall(needle)
    rank: dict[int, tuple[int, str]] = {}
    for name, values in _text_columns(emb):
        low = values.fillna("").astype(str).str.lower()
        grades = [
            low == needle,
            low.str.startswith(needle, na=False),
            low.str.contains(needle, regex=False, na=False),
        ]
        if len(words) > 1:
            grades.append(_all_words(low, words))
        for grade, hits in enumerate(grades):
            for row in np.flatnonzero(np.asarray(hits, dtype=bool)):
                if row not in rank or rank[row][0] > grade:
                    rank[row] = (grade, name)
    order = sorted(rank, key=lambda r: (rank[r][0], r))[:limit]
    titles = names(emb, order)
    return [Match(emb.keys[r], t, rank[r][1]) for r, t in zip(order, titles)]


def _text_columns(emb: Embeddings) -> list[tuple[str, pd.Series]]:
    """The key and every text column of the metadata, as (name, values)."""
    columns = [("key", pd.Series(emb.keys))]
    if emb.metadata is not None:
        columns += [
            (str(c), emb.metadata[c].reset_index(drop=True))
            for c in emb.metadata.columns
            if emb.metadata[c].dtype == object or pd.api.types.is_string_dtype(emb.metadata[c])
        ]
    return columns


def _all_words(low: pd.Series, words: list[str]) -> np.ndarray:
    """Rows whose text holds every word of ``words`` as a word."""
    hit = np.ones(len(low), dtype=bool)
    for word in words:
        hit &= low.str.contains(rf"\b{re.escape(word)}\b", regex=True, na=False).to_numpy()
    return hit


def items_matching(emb: Embeddings, text: str, regex: bool = False) -> np.ndarray:
    r"""Rows of ``emb`` whose key or any metadata text (title, genres, description…) contains
    ``text`` (case-insensitive), or matches it as a regular expression, in row order.

    This is what the map's highlight finds: "Star Wars" finds the items titled so, "Horror" the
    items whose genres name it.

    Parameters
    ----------
    emb : Embeddings
    text : str
        Empty text matches nothing.
    regex : bool, default False
        Read ``text`` as a Python regular expression (searched anywhere, case-insensitive).

    Returns
    -------
    ndarray of int64

    Raises
    ------
    ParameterError
        ``regex`` and ``text`` is not a valid regular expression; the message quotes it.

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["Star Wars (1977)", "Heat (1995)", "Alien (1979)"],
    ...                      "genres": ["Sci-Fi|War", "Crime", "Horror|Sci-Fi"]})
    >>> emb = Embeddings(["50", "6", "183"], np.eye(3, dtype=np.float32), metadata=meta)
    >>> items_matching(emb, "star wars").tolist(), items_matching(emb, "sci-fi").tolist()
    ([0], [0, 2])
    >>> items_matching(emb, r"\(19[78]\d\)", regex=True).tolist()
    [0, 2]
    """
    if not text:
        return np.empty(0, dtype=np.int64)
    pattern = _pattern(text, regex)
    hit = np.zeros(len(emb), dtype=bool)
    for _, values in _text_columns(emb):
        hit |= values.fillna("").astype(str).str.contains(pattern, na=False).to_numpy()
    return np.flatnonzero(hit).astype(np.int64)


def _pattern(text: str, regex: bool) -> re.Pattern:
    try:
        return re.compile(text if regex else re.escape(text), re.IGNORECASE)
    except re.error as exc:
        raise ParameterError(f"'{text}' is not a valid regular expression ({exc})") from None


def keys_matching(emb: Embeddings, text: str, regex: bool = False) -> np.ndarray:
    """Rows of ``emb`` whose key contains ``text`` (case-insensitive), or matches it as a regular
    expression (searched anywhere in the key, case-insensitive), in row order.

    Parameters
    ----------
    emb : Embeddings
    text : str
        Empty text matches nothing.
    regex : bool, default False
        Read ``text`` as a Python regular expression.

    Returns
    -------
    ndarray of int64
        The matching rows.

    Raises
    ------
    ParameterError
        ``regex`` and ``text`` is not a valid regular expression; the message quotes it.

    Examples
    --------
    >>> emb = Embeddings(["Frog", "toad", "frogspawn"], np.eye(3))
    >>> keys_matching(emb, "FROG").tolist()
    [0, 2]
    >>> keys_matching(emb, "^to", regex=True).tolist()
    [1]
    """
    if not text:
        return np.empty(0, dtype=np.int64)
    pattern = _pattern(text, regex)
    return np.asarray([i for i, k in enumerate(emb.keys) if pattern.search(k)], dtype=np.int64)


def resolve_item(emb: Embeddings, text: str) -> str:
    """The key ``text`` names: the key itself (exact, then case-insensitive), else the one item
    whose metadata text (e.g. its title) equals ``text`` case-insensitively, else the one item
    whose title does once its trailing year is dropped (``star wars`` → ``Star Wars (1977)``).

    Parameters
    ----------
    emb : Embeddings
    text : str
        A key, a title, or any metadata text that names one item.

    Returns
    -------
    str
        The key as stored.

    Raises
    ------
    UnknownKeyError
        Nothing, or several items, match exactly; the message suggests the closest items as
        ``title · key`` (the items whose text contains it or all its words, else close
        spellings of keys).

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["Star Wars (1977)", "Return of the Jedi (1983)"]})
    >>> emb = Embeddings(["50", "181"], np.eye(2, dtype=np.float32), metadata=meta)
    >>> resolve_item(emb, "star wars (1977)"), resolve_item(emb, "181")
    ('50', '181')
    >>> resolve_item(emb, "star wars")
    '50'
    >>> resolve_item(emb, "Star")
    Traceback (most recent call last):
    ...
    embedlab.core.errors.UnknownKeyError: 'Star' is neither a key nor a title of this set \
— did you mean: Star Wars (1977) · 50
    """
    found = emb.find(text)
    if found is not None:
        return emb.keys[found]
    matches = find_items(emb, text, limit=6)
    wanted = text.strip().lower()
    exact = [m for m in matches if wanted in (m.title.lower(), m.key.lower())]
    if len(exact) == 1:
        return exact[0].key
    undated = [m for m in matches if _YEAR.sub("", m.title).strip().lower() == wanted]
    if not exact and len(undated) == 1:
        return undated[0].key
    exact = exact or undated  # several titles that read so: as several exact ones
    suggestions = [join(m.title, m.key) for m in (exact or matches)[:5]] or emb.suggest(text)
    if len(exact) > 1:
        message = f"'{text}' names {len(exact)} items"
        hint = "type one of their keys: " + ", ".join(suggestions)
        raise UnknownKeyError(text, suggestions, message=message, hint=hint)
    if title_column(emb.metadata) is not None:
        message = f"'{text}' is neither a key nor a title of this set"
        raise UnknownKeyError(text, suggestions, message=message)
    raise UnknownKeyError(text, suggestions)


_YEAR = re.compile(r"\s*\((1[89]|20)\d\d\)\s*$")  # a title's trailing "(1977)"


def names_item(emb: Embeddings, text: str) -> bool:
    """Whether ``text`` resolves to one item of ``emb`` (see :func:`resolve_item`)."""
    try:
        resolve_item(emb, text)
    except UnknownKeyError:
        return False
    return True


def lead_with_title(table: pd.DataFrame, metadata: pd.DataFrame | None) -> pd.DataFrame:
    """``table`` (one row per result) joined with its metadata, read as people read it: the rank
    (when there is one), the title, the key, then the rest; metadata columns empty in every row
    shown are left out (MovieLens' video-release date would push the genres off the screen).

    Examples
    --------
    >>> table = pd.DataFrame({"rank": [1], "key": ["181"], "score": [0.97]})
    >>> meta = pd.DataFrame({"genres": ["Sci-Fi"], "title": ["Return of the Jedi (1983)"],
    ...                      "video": [None]})
    >>> list(lead_with_title(table, meta).columns)
    ['rank', 'title', 'key', 'score', 'genres']
    """
    if metadata is None:
        return table
    extra = metadata.drop(columns=[c for c in metadata.columns if c in table.columns])
    extra = extra.reindex(table.index)
    blank = [c for c in extra.columns if _blank(extra[c])]
    table = table.join(extra.drop(columns=blank))
    column = title_column(metadata)
    first = [c for c in ("rank", column, "key") if c is not None and c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def _blank(values: pd.Series) -> bool:
    """Every value missing or empty text."""
    present = values.dropna()
    return present.empty or bool(present.astype(str).str.strip().eq("").all())


def with_titles(emb: Embeddings, keys: list[str]) -> list[str]:
    """The title of each key (the key itself when the set has no title column)."""
    return names(emb, [emb.index(k) for k in keys])
