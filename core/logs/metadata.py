"""Item metadata (titles, genres) joined to a log's items: one join for both engines.

The join's meaning: the metadata file's item-id column is read as text and stripped, like the
log's ids, and matched to the log's item ids as text; the first row of a duplicated id is kept
and the duplicates counted; items without a row get empty strings and are counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .ingest import id_texts
from .read import open_log, read_log


@dataclass(frozen=True)
class ItemMetadata:
    """A metadata table indexed by stripped item id (text), one row per id.

    Attributes
    ----------
    table : DataFrame
        The metadata columns, index = item id.
    file : str
    item_column : str
        The file's item-id column.
    duplicates_dropped : int
        Rows dropped because their id appeared earlier in the file.
    """

    table: pd.DataFrame
    file: str
    item_column: str
    duplicates_dropped: int

    def align(self, item_ids) -> tuple[pd.DataFrame, int]:
        """One metadata row per id of ``item_ids`` (as text), in order, and how many had none.

        Parameters
        ----------
        item_ids : array-like
            The log's item ids.

        Returns
        -------
        (DataFrame, int)
            Rows aligned with ``item_ids`` (a default RangeIndex; missing cells are ``""``), and
            the count of ids without a metadata row.
        """
        aligned = self.table.reindex(pd.Index(pd.Series(item_ids).astype(str)))
        missing = int(aligned.isna().all(axis=1).sum())
        return aligned.reset_index(drop=True).fillna(""), missing

    def attach(self, inter):
        """``inter`` (Interactions) with this table aligned to its items and the join counted in
        its report: the one place a log gets its metadata."""
        aligned, missing = self.align(inter.items)
        return inter.with_metadata(aligned, self.report(missing))

    def report(self, missing: int) -> dict:
        """The ``LogReport.metadata`` entry for a join that left ``missing`` items without a row."""
        return {
            "file": self.file,
            "item_column": self.item_column,
            "columns": list(self.table.columns),
            "items_without_metadata": int(missing),
            "duplicate_metadata_rows_dropped": self.duplicates_dropped,
        }


def read_metadata(path: str | Path, item_col: str | None = None) -> ItemMetadata:
    """Read an item metadata file for joining on item id.

    Parameters
    ----------
    path : str or Path
        CSV/TSV/Parquet/JSON Lines, one row per item.
    item_col : str, optional
        The item-id column; guessed from its name (``item_id``, ``movieId``, ...) when omitted.

    Returns
    -------
    ItemMetadata

    Raises
    ------
    FormatError
        The file is missing or unreadable.
    DataError
        No column looks like an item id (pass ``item_col``).

    Examples
    --------
    >>> meta = read_metadata("sample_data/items.csv")
    >>> meta.item_column, meta.table.loc["i0000", "genre"]
    ('item_id', 'Adventure')
    """
    meta = read_log(path)
    col = item_col or guess_item_column(meta)
    if col not in meta.columns:
        raise DataError(
            f"the metadata file has no column '{col}'",
            path=path,
            hint=f"columns are {list(meta.columns)}; pass --metadata-item-col NAME",
        )
    ids = id_texts(meta[col], col, path)
    dups = ids.duplicated()
    table = meta.drop(columns=[col])[~dups.to_numpy()]
    table.index = pd.Index(ids[~dups].to_numpy())
    return ItemMetadata(table, str(path), col, int(dups.sum()))


def guess_item_column(meta: pd.DataFrame) -> str:
    """The column of ``meta`` whose name says item id (never ``title``).

    Raises
    ------
    DataError
        No column name looks like an item id.
    """
    from .columns import GUESSES, _norm

    by_norm = {_norm(c): c for c in meta.columns}
    for g in GUESSES["item"]:
        if g in by_norm and g != "title":
            return by_norm[g]
    raise DataError(
        "cannot tell which metadata column is the item id",
        hint=f"columns are {list(meta.columns)}; pass --metadata-item-col NAME",
    )


def metadata_from_log(
    path: str | Path, item_col: str, columns, items, format: str = "auto"
) -> ItemMetadata:
    """Item metadata taken from the log's own columns (e.g. online-retail's ``Description``
    beside ``StockCode``): each item's first row with a value, read in chunks, kept only for
    ``items``.

    Parameters
    ----------
    path : str or Path
        The log.
    item_col : str
        The log's item column.
    columns : sequence of str
        The columns to keep as metadata.
    items : array-like
        The item ids kept in the log (text); memory follows them, not the file.
    format : str, default "auto"

    Returns
    -------
    ItemMetadata

    Raises
    ------
    DataError
        A column is not in the log, or is the item column itself.

    Examples
    --------
    >>> meta = metadata_from_log("sample_data/items.csv", "item_id", ["title"], ["i0000"])
    >>> meta.table.loc["i0000", "title"]
    'The Wild Garden (1984)'
    """
    log = open_log(path, format)
    wanted = list(dict.fromkeys(columns))
    unknown = [c for c in wanted if c not in log.columns or c == item_col]
    if unknown:
        raise DataError(
            f"cannot take item metadata from column(s) {unknown}",
            path=path,
            hint=f"pick among {[c for c in log.columns if c != item_col]}",
        )
    keep, parts, seen = set(map(str, items)), [], set()
    for chunk in log.chunks():
        ids = id_texts(chunk[item_col], item_col, path)
        filled = (chunk[wanted].fillna("").astype(str).apply(lambda c: c.str.strip()) != "").any(
            axis=1
        )
        first = (
            ids.isin(keep - seen).to_numpy() & filled.to_numpy()
        )  # an item's first row that says something
        first &= ~(ids.where(first).duplicated() & first).to_numpy()
        if first.any():
            part = chunk.loc[first, wanted].fillna("").astype(str)
            part.index = pd.Index(ids[first].to_numpy())
            parts.append(part)
            seen.update(part.index)
    table = pd.concat(parts) if parts else pd.DataFrame(columns=wanted)
    return ItemMetadata(table, str(path), item_col, 0)
