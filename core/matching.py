"""Find items by what people know: a key, a title, or any text of their metadata.

Logs name items by ids ("1", "i0042", "85123A"); people know "Toy Story (1995)".  Every key box
resolves its text here, so the dashboard and the CLI accept the same things.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .errors import ParameterError, UnknownKeyError
from .logs.columns import TITLE_COLUMNS


def title_column(metadata: pd.DataFrame | None) -> str | None:
    """The metadata column that names items for people (title, name, description…), or None."""
    if metadata is None:
        return None
    lower = {str(c).lower(): c for c in metadata.columns}
    return next((lower[n] for n in TITLE_COLUMNS if n in lower), None)


@dataclass(frozen=True)
class Match:
    """One item a text matched: its key, its title (or the key), and the column that matched."""

    key: str
    title: str
    column: str


def find_items(emb: Embeddings, text: str, limit: int = 10) -> list[Match]:
    """Items whose key or metadata text contains ``text`` (case-insensitive), exact matches first,
    then those that start with it, then the rest, each group in row order.

    Examples
    --------
    >>> meta = pd.DataFrame({"title": ["Toy Story (1995)", "Toy Story 2 (1999)", "Heat (1995)"]})
    >>> emb = Embeddings(["1", "3114", "6"], np.eye(3, dtype=np.float32), metadata=meta)
    >>> [m.key for m in find_items(emb, "toy story")]
    ['1', '3114']
    """
    needle = str(text).strip().lower()
    if not needle:
        return []
    title = title_column(emb.metadata)
    titles = _titles(emb, title)
    columns = [("key", pd.Series(emb.keys))]
    if emb.metadata is not None:
        columns += [
            (str(c), emb.metadata[c])
            for c in emb.metadata.columns
            if emb.metadata[c].dtype == object or pd.api.types.is_string_dtype(emb.metadata[c])
        ]
    rank: dict[int, tuple[int, str]] = {}
    for name, values in columns:
        low = values.fillna("").astype(str).str.lower()
        for grade, hits in (
            (0, low == needle),
            (1, low.str.startswith(needle, na=False)),
            (2, low.str.contains(needle, regex=False, na=False)),
        ):
            for row in np.flatnonzero(hits.to_numpy()):
                if row not in rank or rank[row][0] > grade:
                    rank[row] = (grade, name)
    order = sorted(rank, key=lambda r: (rank[r][0], r))[:limit]
    return [Match(emb.keys[r], titles[r], rank[r][1]) for r in order]


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
    import re

    if not text:
        return np.empty(0, dtype=np.int64)
    if regex:
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            raise ParameterError(f"'{text}' is not a valid regular expression ({exc})") from None
        hits = [i for i, k in enumerate(emb.keys) if pattern.search(k)]
    else:
        low = text.lower()
        hits = [i for i, k in enumerate(emb.keys) if low in k.lower()]
    return np.asarray(hits, dtype=np.int64)


def resolve_item(emb: Embeddings, text: str) -> str:
    """The key ``text`` names: the key itself (exact, then case-insensitive), else the one item
    whose metadata text (e.g. its title) equals ``text`` case-insensitively.

    Raises
    ------
    UnknownKeyError
        Nothing, or several items, match; the message lists the closest titles with their keys.
    """
    found = emb.find(text)
    if found is not None:
        return emb.keys[found]
    matches = find_items(emb, text, limit=6)
    exact = [
        m
        for m in matches
        if m.title.lower() == text.strip().lower() or m.key.lower() == text.strip().lower()
    ]
    if len(exact) == 1:
        return exact[0].key
    suggestions = [
        f"{m.title} [{m.key}]" if m.title != m.key else m.key for m in matches[:5]
    ] or emb.suggest(text)
    raise UnknownKeyError(text, suggestions)


def names_item(emb: Embeddings, text: str) -> bool:
    """Whether ``text`` resolves to one item of ``emb`` (see :func:`resolve_item`)."""
    try:
        resolve_item(emb, text)
    except UnknownKeyError:
        return False
    return True


def lead_with_title(table: pd.DataFrame, metadata: pd.DataFrame | None) -> pd.DataFrame:
    """``table`` (one row per result) joined with its metadata, the title column first."""
    if metadata is None:
        return table
    table = table.join(metadata)
    column = title_column(metadata)
    return table if column is None else table[[column] + [c for c in table.columns if c != column]]


def with_titles(emb: Embeddings, keys: list[str]) -> list[str]:
    """The title of each key (the key itself when the set has no title column)."""
    column = title_column(emb.metadata)
    if column is None:
        return list(keys)
    titles = emb.metadata[column].fillna("").astype(str).to_numpy()
    return [titles[emb.key_to_index[k]] or k for k in keys]


def _titles(emb: Embeddings, column: str | None) -> list[str]:
    if column is None:
        return list(emb.keys)
    titles = emb.metadata[column].fillna("").astype(str).tolist()
    return [t or k for t, k in zip(titles, emb.keys)]
