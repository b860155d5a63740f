"""Item metadata (titles, genres) joined to a log's items: one join for both engines.

The file is read like a log (``core.logs.read``: separator, header, encoding decided or given; a
file without a header gets its columns named by ``columns``, else ``column1``...), then mapped:

- the **item-id** column: given, else by name (``item_id``, ``movieId``...), else (no header) the
  column whose values are most often the log's item ids;
- the **title** column: given, else by name (``title``, ``name``...), else (no header) the first
  column of text; it is named ``title`` in the joined table, so every view finds it;
- the **label** column: given, else by name (``genre``, ``genres``, ``category``...), else a run of
  three or more 0/1 columns (one-hot genres, as MovieLens' ``u.item``), read as one multi-value
  label ``Comedy|Drama`` named after the columns holding 1 (``core.labels`` reads it);
  it is named ``genres`` in the joined table when no label name finds it.

The join's meaning: the item-id column is read as text and stripped, like the log's ids, and
matched to the log's item ids as text; the first row of a duplicated id is kept and the duplicates
counted; items without a row get empty strings; both counted, and the metadata ids not in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..labels import label_column
from .columns import GUESSES, TITLE_COLUMNS, _norm
from .dialect import _is_number
from .ingest import id_texts
from .options import MetadataOptions
from .read import open_log, read_log
from .rules import check_ragged

FLAG_RUN = 3
"""Consecutive 0/1 columns read as one multi-value label."""


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
    title_column, label_column : str or None
        The table's title and label columns (as named in ``table``), and in the file
        (``mapped``).
    flags : dict or None
        The 0/1 columns read as one label: ``{"columns": [...], "label": name, "names": [...]}``
        (``names``: what each column's 1 reads as, the columns' own names unless given).
    reading : dict
        How the file was read (``core.logs.read.LogChunks.reading``), rows read and skipped.
    mapped : dict
        The file's title and label columns (``{"title": ..., "label": ...}``), before renaming.
    source_columns : tuple of str
        The file's columns as read (0/1 flag columns already joined), for choosing among.
    """

    table: pd.DataFrame
    file: str
    item_column: str
    duplicates_dropped: int
    title_column: str | None = None
    label_column: str | None = None
    flags: dict | None = None
    reading: dict = field(default_factory=dict)
    mapped: dict = field(default_factory=dict)
    source_columns: tuple = ()

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
        ids = pd.Index(pd.Series(item_ids).astype(str))
        aligned = self.table.reindex(ids)
        missing = int((~ids.isin(self.table.index)).sum())
        return aligned.reset_index(drop=True).fillna(""), missing

    def unmatched(self, item_ids) -> int:
        """How many of this table's ids are not among ``item_ids``."""
        return int((~self.table.index.isin(pd.Index(pd.Series(item_ids).astype(str)))).sum())

    def attach(self, inter):
        """``inter`` (Interactions) with this table aligned to its items and the join counted in
        its report: the one place a log gets its metadata."""
        aligned, missing = self.align(inter.items)
        report = self.report(missing, len(inter.items), self.unmatched(inter.items))
        return inter.with_metadata(aligned, report)

    def report(self, missing: int, items: int | None = None, unmatched: int | None = None) -> dict:
        """The ``LogReport.metadata`` entry for a join that left ``missing`` of ``items`` items
        without a row, with ``unmatched`` metadata ids not in the log."""
        out = {
            "file": self.file,
            "item_column": self.item_column,
            "columns": list(self.table.columns),
            "items_without_metadata": int(missing),
            "duplicate_metadata_rows_dropped": self.duplicates_dropped,
            "title_column": self.mapped.get("title"),
            "label_column": self.mapped.get("label"),
            "flags": self.flags,
            "reading": self.reading,
        }
        if items is not None:
            out["items_with_metadata"] = int(items - missing)
        if unmatched is not None:
            out["unmatched_metadata_ids"] = int(unmatched)
        return out


def read_metadata(
    path: str | Path,
    item_col: str | None = None,
    *,
    options: MetadataOptions | None = None,
    item_ids=None,
) -> ItemMetadata:
    """Read an item metadata file for joining on item id (see the module docstring).

    Parameters
    ----------
    path : str or Path
        Delimited text, Parquet or JSON Lines, one row per item.
    item_col : str, optional
        The item-id column (overrides ``options.item_col``); guessed when omitted.
    options : MetadataOptions, optional
        How the file is read and mapped.
    item_ids : array-like, optional
        The log's item ids: a file without a header finds its id column by them.

    Returns
    -------
    ItemMetadata

    Raises
    ------
    FormatError
        The file is missing or unreadable.
    DataError
        No column looks like an item id, or a column named in ``options`` is not in the file.

    Examples
    --------
    >>> meta = read_metadata("sample_data/items.csv")
    >>> meta.item_column, meta.table.loc["i0000", "genre"]
    ('item_id', 'Adventure')
    """
    opts = options or MetadataOptions()
    item_col = item_col or opts.item_col
    expect = tuple(c for c in (item_col, opts.title_col, opts.label_col) if c)
    meta = read_log(path, expect=expect, **opts.reading())
    _check_skipped(meta, path)
    header = meta.attrs["reading"].get("header", True) or bool(opts.columns)
    meta, flags = _flags(meta, opts.flag_names, path) if opts.flags else (meta, None)
    col = _item_column(meta, item_col, header, item_ids, path)
    ids = id_texts(meta[col], col, path)
    dups = ids.duplicated()
    table = meta.drop(columns=[col])[~dups.to_numpy()]
    table.index = pd.Index(ids[~dups].to_numpy())
    title, label = _title_and_label(table, opts, header, flags, path)
    table, mapped = _promoted(table, title, label)
    reading = {**meta.attrs["reading"], "rows_read": len(meta) + _skipped_count(meta)}
    reading["skipped"] = {why: n for why, (n, _) in meta.attrs.get("skipped", {}).items()}
    titled, labelled = mapped["title_as"], mapped["label_as"]
    return ItemMetadata(
        table, str(path), col, int(dups.sum()), titled, labelled, flags, reading,
        {"title": title, "label": label}, tuple(map(str, meta.columns)),
    )  # fmt: skip


def _title_and_label(table: pd.DataFrame, opts, header: bool, flags, path):
    """The title and label columns: given ("" for none), else found by name, else (no header)
    the first text column and the 0/1 columns' label."""
    if opts.title_col is not None:
        title = _chosen(table, opts.title_col, "title", path)
    else:
        title = _title_by_name(table.columns) or (None if header else _first_text(table))
    if opts.label_col is not None:
        label = _chosen(table, opts.label_col, "label", path)
    else:
        label = label_column(table) or (flags["label"] if flags else None)
    return title, label


def _skipped_count(meta: pd.DataFrame) -> int:
    return sum(n for n, _ in meta.attrs.get("skipped", {}).values())


def _check_skipped(meta: pd.DataFrame, path) -> None:
    """A metadata file may skip wide rows as a log may (counted), within the same share."""
    rows = len(meta) + _skipped_count(meta)
    for why, (n, first) in meta.attrs.get("skipped", {}).items():
        check_ragged(n, rows, why, first, path)


def _chosen(table: pd.DataFrame, name: str, role: str, path) -> str | None:
    """A title or label column as given ("" for none), refused when not in the file."""
    if name == "":
        return None
    if name not in table.columns:
        raise DataError(
            f"the metadata file has no column '{name}' (given for the {role})",
            path=path,
            hint=f"columns are {', '.join(map(str, table.columns))}",
            options=(f"metadata_{role}_col",),
        )
    return name


def _title_by_name(columns) -> str | None:
    lower = {str(c).lower(): c for c in columns}
    return next((lower[n] for n in TITLE_COLUMNS if n in lower), None)


def _first_text(table: pd.DataFrame) -> str | None:
    """The first column of text (not numbers), mostly distinct: a title in a file without names."""
    for name in table.columns:
        values = table[name].astype(str).str.strip()
        values = values[values != ""]
        if len(values) and not values.map(lambda v: _is_number(v, ".")).mean() > 0.5:
            if values.nunique() >= 0.5 * len(values):
                return name
    return None


def _promoted(table: pd.DataFrame, title: str | None, label: str | None):
    """The title column named ``title`` and the label column ``genres`` when the views would not
    find them by their own names (another column of that name is renamed ``<name>_2``)."""
    mapped = {"title_as": title, "label_as": label}
    renames: dict[str, str] = {}
    if title is not None and _title_by_name(table.columns) != title:
        renames.update(_rename(table.columns, title, "title"))
        mapped["title_as"] = "title"
    if label is not None and label_column(table) != label:
        renames.update(_rename(table.columns, label, "genres"))
        mapped["label_as"] = "genres"
    return (table.rename(columns=renames) if renames else table), mapped


def _rename(columns, chosen: str, name: str) -> dict[str, str]:
    out = {chosen: name}
    if name in columns and name != chosen:
        out[name] = f"{name}_2"
    return out


def _item_column(meta: pd.DataFrame, item_col, header: bool, item_ids, path) -> str:
    if item_col:
        if item_col not in meta.columns:
            raise DataError(
                f"the metadata file has no column '{item_col}'",
                path=path,
                hint=f"columns are {', '.join(map(str, meta.columns))}",
                options=("metadata_item_col",),
            )
        return item_col
    try:
        return guess_item_column(meta)
    except DataError:
        if header:
            raise DataError(
                "cannot tell which metadata column is the item id",
                path=path,
                hint=f"columns are {', '.join(map(str, meta.columns))}: say which is the item id",
                options=("metadata_item_col",),
            ) from None
    return _item_column_by_content(meta, item_ids, path)


def _item_column_by_content(meta: pd.DataFrame, item_ids, path) -> str:
    """In a file without a header: the column holding most of the log's item ids, else the first
    whose values are all distinct."""
    scores = {}
    wanted = None if item_ids is None else set(map(str, item_ids))
    for name in meta.columns:
        ids = id_texts(meta[name], name, path)
        ids = ids[ids != ""]
        if wanted is not None:
            scores[name] = int(ids.isin(wanted).sum())
        elif len(ids) and not ids.duplicated().any():
            return name
    if scores and max(scores.values()) > 0:
        return max(scores, key=lambda n: (scores[n], -list(meta.columns).index(n)))
    raise DataError(
        "cannot tell which metadata column is the item id (the file has no header and no column "
        "holds the log's item ids)",
        path=path,
        hint=f"columns are {', '.join(map(str, meta.columns))}: name them or say which is the id",
        options=("metadata_columns", "metadata_item_col"),
    )


def _flags(meta: pd.DataFrame, names: tuple[str, ...], path) -> tuple[pd.DataFrame, dict | None]:
    """The first run of :data:`FLAG_RUN` or more 0/1 columns replaced by one label column whose
    cells name the columns holding 1 (``"Comedy|Drama"``), or ``names`` in their place."""
    columns = list(meta.columns)
    is_flag = [_is_flag(meta[c]) for c in columns]
    start = 0
    while start < len(columns):
        end = start
        while end < len(columns) and is_flag[end]:
            end += 1
        if end - start >= FLAG_RUN:
            return _joined(meta, columns[start:end], _flag_labels(columns[start:end], names, path))
        start = end + 1
    if names:
        raise ParameterError(
            f"{Path(path).name} has no run of {FLAG_RUN} or more 0/1 columns to give the "
            f"{len(names)} names to",
            hint="leave the names of the 0/1 columns empty",
            options=("metadata_flag_names",),
        )
    return meta, None


def _flag_labels(flags: list, names: tuple[str, ...], path) -> list[str]:
    """The labels of the 0/1 columns ``flags``: ``names`` when given (as many), else the columns'
    own names."""
    if names and len(names) != len(flags):
        raise ParameterError(
            f"{len(names)} names were given for the {len(flags)} 0/1 columns of "
            f"{Path(path).name} ({flags[0]} … {flags[-1]})",
            hint=f"give {len(flags)} names, in the order of the columns",
            options=("metadata_flag_names",),
        )
    return list(names) if names else [str(f) for f in flags]


def _is_flag(values: pd.Series) -> bool:
    text = values.astype(str).str.strip()
    return bool(len(text)) and bool(text.isin(["0", "1"]).all())


def _joined(meta: pd.DataFrame, flags: list, names: list[str]) -> tuple[pd.DataFrame, dict]:
    on = meta[flags].astype(str).apply(lambda c: c.str.strip() == "1").to_numpy()
    labels = np.array(names, dtype=object)
    cells = ["|".join(labels[row]) for row in on]
    taken = {str(c).lower() for c in meta.columns if c not in flags}
    name = next(n for n in ("genres", "labels", "flags") if n not in taken)
    at = list(meta.columns).index(flags[0])
    out = meta.drop(columns=flags)
    out.insert(at, name, cells)
    out.attrs = meta.attrs
    return out, {"columns": [str(f) for f in flags], "label": name, "names": names}


def guess_item_column(meta: pd.DataFrame) -> str:
    """The column of ``meta`` whose name says item id (never ``title``; a bare ``id`` last).

    Raises
    ------
    DataError
        No column name looks like an item id.
    """
    by_norm = {_norm(c): c for c in meta.columns}
    for g in [*GUESSES["item"], "id"]:
        if g in by_norm and g != "title":
            return by_norm[g]
    raise DataError(
        "cannot tell which metadata column is the item id",
        hint=f"columns are {', '.join(map(str, meta.columns))}: say which is the item id",
        options=("metadata_item_col",),
    )


def _first_rows(log, item_col: str, wanted: list[str], kept: set, path) -> pd.DataFrame:
    """Each kept item's first row with a value in ``wanted``, chunk by chunk."""
    parts, seen = [], set()
    for chunk in log.chunks():
        ids = id_texts(chunk[item_col], item_col, path)
        filled = (chunk[wanted].fillna("").astype(str).apply(lambda c: c.str.strip()) != "").any(
            axis=1
        )
        first = ids.isin(kept - seen).to_numpy() & filled.to_numpy()  # an item's first row
        first &= ~(ids.where(first).duplicated() & first).to_numpy()
        if first.any():
            part = chunk.loc[first, wanted].fillna("").astype(str)
            part.index = pd.Index(ids[first].to_numpy())
            parts.append(part)
            seen.update(part.index)
    return pd.concat(parts) if parts else pd.DataFrame(columns=wanted)


def metadata_from_log(
    path: str | Path, item_col: str, keep, items, format: str = "auto", **reading
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
    keep : sequence of str
        The columns to keep as metadata.
    items : array-like
        The item ids kept in the log (text); memory follows them, not the file.
    format : str, default "auto"
    **reading
        How the log is read (``encoding``, ``separator``, ``header``, ``columns``).

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
    log = open_log(path, format, **reading)
    wanted = list(dict.fromkeys(keep))
    unknown = [c for c in wanted if c not in log.columns or c == item_col]
    if unknown:
        raise DataError(
            f"cannot take item metadata from column(s) {unknown}",
            path=path,
            hint=f"pick among {[c for c in log.columns if c != item_col]}",
        )
    table = _first_rows(log, item_col, wanted, set(map(str, items)), path)
    title, label = _title_by_name(table.columns), label_column(table)
    mapped = {"title": title, "label": label}
    return ItemMetadata(table, str(path), item_col, 0, title, label, mapped=mapped)
