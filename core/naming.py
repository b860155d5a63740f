"""How an item is named for people: its title when the set has one, its key otherwise.

Logs name items by ids ("50", "i0042", "85123A"); people know "Star Wars (1977)".  Every face
(map hover and labels, tables, charts, captions, the CLI) names items through these functions, so
an item reads the same everywhere: its title, and, where the id helps, ``Star Wars (1977) · 50``.
Sets without a title column (GloVe, a vector file) read as their keys, unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .embeddings import Embeddings
from .logs.columns import TITLE_COLUMNS

SEPARATOR = " · "  # between a title and its key: "Star Wars (1977) · 50"
ELLIPSIS = "…"


def title_column(metadata: pd.DataFrame | None) -> str | None:
    """The metadata column that names items for people (title, name, description…), or None.

    Parameters
    ----------
    metadata : DataFrame or None

    Returns
    -------
    str or None
        The first of :data:`core.logs.columns.TITLE_COLUMNS` present (case-insensitive).

    Examples
    --------
    >>> title_column(pd.DataFrame({"Description": ["WHITE MUG"], "genre": ["home"]}))
    'Description'
    >>> title_column(None) is None
    True
    """
    if metadata is None:
        return None
    lower = {str(c).lower(): c for c in metadata.columns}
    return next((lower[n] for n in TITLE_COLUMNS if n in lower), None)


def names(emb: Embeddings, rows: Sequence[int] | None = None) -> list[str]:
    """The name of each row (all rows by default): its title, or its key when it has none.

    Parameters
    ----------
    emb : Embeddings
    rows : sequence of int, optional
        Rows of ``emb``; default all, in row order.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import numpy as np
    >>> meta = pd.DataFrame({"title": ["Star Wars (1977)", None]})
    >>> emb = Embeddings(["50", "51"], np.eye(2, dtype=np.float32), metadata=meta)
    >>> names(emb)
    ['Star Wars (1977)', '51']
    """
    keys = emb.keys if rows is None else [emb.keys[int(r)] for r in rows]
    column = title_column(emb.metadata)
    if column is None:
        return list(keys)
    values = emb.metadata[column]
    if rows is not None:
        values = values.iloc[list(map(int, rows))]
    titles = values.fillna("").astype(str).str.strip().tolist()
    return [t or k for t, k in zip(titles, keys)]


def labels(emb: Embeddings, keys: Sequence[str], limit: int | None = None) -> list[str]:
    """Each key as people read it: ``"Star Wars (1977) · 50"`` when the set has a title for it,
    else the key alone.

    Parameters
    ----------
    emb : Embeddings
    keys : sequence of str
        Keys of ``emb``, as stored.
    limit : int, optional
        Cut each title to this many characters (:func:`short`), never the key after it.

    Returns
    -------
    list of str

    Raises
    ------
    UnknownKeyError
        A key is not in ``emb``.

    Examples
    --------
    >>> import numpy as np
    >>> meta = pd.DataFrame({"title": ["Star Wars (1977)", ""]})
    >>> emb = Embeddings(["50", "51"], np.eye(2, dtype=np.float32), metadata=meta)
    >>> labels(emb, ["50", "51"])
    ['Star Wars (1977) · 50', '51']
    >>> labels(emb, ["50"], limit=9)
    ['Star… · 50']
    """
    rows = [emb.index(k) for k in keys]
    named = names(emb, rows)
    if limit is not None:
        named = [n if n == k else short(n, limit) for n, k in zip(named, keys)]
    return [join(n, k) for n, k in zip(named, keys)]


def label(emb: Embeddings, key: str) -> str:
    """One key as people read it (see :func:`labels`)."""
    return labels(emb, [key])[0]


def join(name: str, key: str) -> str:
    """``name · key``, or the key alone when the name is the key.

    Examples
    --------
    >>> join("Toy Story (1995)", "1"), join("frog", "frog")
    ('Toy Story (1995) · 1', 'frog')
    """
    return key if name == key else f"{name}{SEPARATOR}{key}"


def has_titles(emb: Embeddings) -> bool:
    """Whether the set names its items by a title column (so names differ from keys)."""
    return title_column(emb.metadata) is not None


def short(text: str, limit: int = 40) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, marked with "…"; a text
    that fits is returned whole.

    Parameters
    ----------
    text : str
    limit : int, default 40
        At least 2.

    Returns
    -------
    str

    Examples
    --------
    >>> short("Willy Wonka and the Chocolate Factory (1971)", 24)
    'Willy Wonka and the…'
    >>> short("Heat (1995)", 24)
    'Heat (1995)'
    """
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-·") + ELLIPSIS
