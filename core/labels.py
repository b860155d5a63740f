"""Metadata labels that people write as one cell: ``"Comedy|Drama"``, ``"red, blue"``.

Shared by colour-by on the map, genre agreement on the Compare page and the catalog sweep's
consistency, so every view reads a multi-value column the same way.
"""

from __future__ import annotations

import re

import pandas as pd

LABEL_COLUMNS = ("genre", "genres", "category", "categories", "label", "labels", "tags")
_SEPARATORS = ("|", ",", ";")


def separator(values: pd.Series) -> str | None:
    """The separator of a multi-value text column (``|``, ``,`` or ``;``), or None.

    A separator counts when at least 5% of non-empty cells contain it and the parts are short
    (labels, not sentences): "Comedy|Drama" is two labels, "Hello, world" in a title is not.

    Examples
    --------
    >>> separator(pd.Series(["Comedy|Drama", "Horror"]))
    '|'
    """
    text = values.dropna().astype(str)
    text = text[text != ""]
    if text.empty:
        return None
    for sep in _SEPARATORS:
        has = text.str.contains(sep, regex=False)
        if has.mean() >= 0.05:
            parts = text[has].str.split(re.escape(sep), regex=True).explode().str.strip()
            if parts.str.len().max() <= 40 and parts.str.split().str.len().max() <= 4:
                return sep
    return None


def label_sets(values: pd.Series) -> list[frozenset[str]]:
    """Each cell as a set of labels, split on the column's separator; empty cells give empty sets.

    Examples
    --------
    >>> [sorted(s) for s in label_sets(pd.Series(["Comedy|Drama", "Drama", None]))]
    [['Comedy', 'Drama'], ['Drama'], []]
    """
    sep = separator(values)
    out = []
    for cell in values:
        if cell is None or (isinstance(cell, float) and pd.isna(cell)) or str(cell).strip() == "":
            out.append(frozenset())
        else:
            parts = str(cell).split(sep) if sep else [str(cell)]
            out.append(frozenset(p.strip() for p in parts if p.strip()))
    return out


def first_label(values: pd.Series) -> pd.Series:
    """The first label of each cell ("Comedy|Drama" → "Comedy"): one colour per point."""
    sep = separator(values)
    text = values.fillna("").astype(str)
    return text.str.split(sep, n=1).str[0].str.strip() if sep else text


def label_column(metadata: pd.DataFrame | None, preferred: str | None = None) -> str | None:
    """The metadata column that holds labels: ``preferred`` when given, else the first of
    genre/genres/category/label/tags present (case-insensitive), else None."""
    if metadata is None:
        return None
    if preferred is not None:
        return preferred if preferred in metadata.columns else None
    lower = {str(c).lower(): c for c in metadata.columns}
    return next((lower[name] for name in LABEL_COLUMNS if name in lower), None)
