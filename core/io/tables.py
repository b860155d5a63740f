"""Parquet: a key column plus either one list/array column or one numeric column per dimension."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FormatError
from ..limits import MB, budget_hint, decompressed_budget
from .rows import Parsed
from .stream import is_compressed
from .text import dedupe

KEY_NAMES = ("key", "word", "item", "item_id", "id", "token", "label")


def read_parquet(path: Path, key_column: str | None = None) -> Parsed:
    """Keys, vectors and metadata of a Parquet file or dataset folder (its size checked first).

    Raises
    ------
    FormatError
        An unreadable file, no rows, no key or vector column, bad keys, or a non-finite value.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    check_parquet_size(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"not a readable Parquet file ({exc})", path=path) from None
    if table.num_rows == 0:
        raise FormatError("table has no rows", path=path)
    names = table.column_names
    key_col = key_column or _pick_key(table, names, path)
    if key_col not in names:
        raise FormatError(f"key column '{key_col}' not found; columns are {names}", path=path)
    mat, rest = _vector_columns(table, key_col, path)
    keys = _key_column(table, key_col, path)
    bad = ~np.isfinite(mat).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise FormatError(f"row {i + 1} ('{keys[i]}') has NaN, Inf or missing values", path=path)
    metadata = table.select(rest).to_pandas() if rest else None
    return dedupe(keys, mat, metadata, path)


def _vector_columns(table, key_col: str, path: Path) -> tuple[np.ndarray, list[str]]:
    """The vectors (from the list column named ``vector``, or the first list column, or every
    numeric column) and the names of the other columns (metadata)."""
    import pyarrow as pa

    names = table.column_names
    list_cols = [
        n
        for n in names
        if pa.types.is_list(table[n].type)
        or pa.types.is_fixed_size_list(table[n].type)
        or pa.types.is_large_list(table[n].type)
    ]
    if list_cols:
        vec_col = "vector" if "vector" in list_cols else list_cols[0]
        mat = _list_to_matrix(table[vec_col].combine_chunks(), path, vec_col)
        return mat, [n for n in names if n not in (key_col, vec_col)]
    num = [
        n
        for n in names
        if n != key_col
        and (pa.types.is_floating(table[n].type) or pa.types.is_integer(table[n].type))
    ]
    if not num:
        raise FormatError(
            "no vector column: expected a list column or numeric columns",
            path=path,
            hint=f"columns are {names}",
        )
    mat = np.column_stack([table[n].to_numpy(zero_copy_only=False) for n in num]).astype(np.float32)
    return mat, [n for n in names if n != key_col and n not in num]


def _key_column(table, key_col: str, path: Path) -> list[str]:
    """The keys as text; an error for a column of another type or with empty values."""
    import pyarrow as pa

    key_type = table[key_col].type
    if not (
        pa.types.is_string(key_type)
        or pa.types.is_large_string(key_type)
        or pa.types.is_integer(key_type)
        or pa.types.is_dictionary(key_type)
    ):
        raise FormatError(
            f"key column '{key_col}' holds {key_type}, not text or whole numbers",
            path=path,
            column=key_col,
            hint="keys must be strings (or integers)",
        )
    keys = table[key_col].to_pandas().astype(str).tolist()
    if table[key_col].null_count:
        raise FormatError(
            f"key column '{key_col}' has {table[key_col].null_count} empty values",
            path=path,
            column=key_col,
        )
    return keys


def check_parquet_size(path: Path, source=None) -> None:
    """Refuse a Parquet file whose row groups decompress beyond the budget (a "Parquet bomb"),
    from its footer, before reading any data.  ``source`` is the file's bytes (a file object) when
    ``path`` itself is compressed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.is_dir() or is_compressed(path):  # a compressed one is read within the stream's budget
        return
    try:
        meta = pq.ParquetFile(path if source is None else source).metadata
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise FormatError(f"not a readable Parquet file ({exc})", path=path) from None
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    budget = decompressed_budget(path)
    if size > budget:
        raise FormatError(
            f"decompresses to {size // MB:,} MB, more than the {budget // MB:,} MB allowed",
            path=path,
            hint=budget_hint(),
        )


def _pick_key(table, names, path) -> str:
    import pyarrow as pa

    for n in names:
        if n.lower() in KEY_NAMES:
            return n
    for n in names:
        if pa.types.is_string(table[n].type) or pa.types.is_large_string(table[n].type):
            return n
    raise FormatError(
        "no key column: expected a string column such as 'key' or 'word'",
        path=path,
        hint=f"columns are {names}; pass key_column=...",
    )


def _list_to_matrix(arr, path: Path, name: str) -> np.ndarray:
    import pyarrow.compute as pc

    if arr.null_count:
        raise FormatError(
            f"vector column '{name}' has {arr.null_count} empty rows", path=path, column=name
        )
    import pyarrow as pa

    value_type = arr.type.value_type
    if not (pa.types.is_floating(value_type) or pa.types.is_integer(value_type)):
        raise FormatError(
            f"vector column '{name}' holds lists of {value_type}, not numbers",
            path=path,
            column=name,
            hint="store each vector as a list of floats",
        )
    lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False)
    if len(lengths) and lengths[0] == 0:
        raise FormatError(
            f"vector column '{name}' holds empty lists (0 dimensions)", path=path, column=name
        )
    if len(set(lengths.tolist())) != 1:
        i = int(np.argmax(lengths != lengths[0]))
        raise FormatError(
            f"row {i + 1} has {lengths[i]} values, expected {lengths[0]} like row 1",
            path=path,
            column=name,
        )
    flat = arr.flatten().to_numpy(zero_copy_only=False)
    return np.asarray(flat, dtype=np.float32).reshape(len(arr), int(lengths[0]))


def write_parquet(path: Path, keys, vectors: np.ndarray, metadata: pd.DataFrame | None) -> None:
    """``key`` (string), ``vector`` (fixed-size list of float32) and the metadata columns; a
    metadata column mixing types (numbers and text) is written as text rather than failing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    vec = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), vectors.shape[1])
    cols = {"key": pa.array(list(keys), pa.string()), "vector": vec}
    table = pa.table(cols)
    if metadata is not None:
        meta = metadata.drop(columns=["key", "vector"], errors="ignore")
        meta.columns = [str(c) for c in meta.columns]
        try:
            extra = pa.Table.from_pandas(meta, preserve_index=False)
        except (
            pa.ArrowException,
            ValueError,
            TypeError,
        ):  # a column mixing types (numbers and text)
            extra = pa.Table.from_pandas(meta.astype(str), preserve_index=False)
        for name in extra.column_names:
            table = table.append_column(name, extra[name])
    pq.write_table(table, path)
