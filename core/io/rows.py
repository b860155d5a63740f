"""Turn parsed text rows into keys + a float32 matrix, saying exactly what is wrong where.

Every text loader (word2vec text, GloVe, projector TSV, CSV) feeds ``(line_no, key, values)``
records through :func:`build_matrix`, so all of them report errors the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import FormatError
from ..limits import max_vectors, too_many_vectors
from .stream import decoded_lines, open_binary  # noqa: F401  (re-exported: readers import them from here)

CHUNK = 20000
CHUNK_VALUES = 2_000_000  # convert to float32 at least this often, so lists of strings stay small


class Parsed(NamedTuple):
    keys: list[str]
    vectors: np.ndarray
    notes: list[str]
    duplicates: int = 0
    metadata: pd.DataFrame | None = None


def build_matrix(
    records: Iterable[tuple[int, str, list[str]]],
    path: Path,
    dim: int | None = None,
    first_column: int = 2,
) -> Parsed:
    """Collect records into (keys, matrix, notes); duplicates keep the first and are counted.

    Values are converted in chunks with numpy; only a chunk that fails is re-walked row by row to
    find the exact line and column.  ``first_column`` is the 1-based file column of the first value
    (2 when a key column comes first), so reported columns match what the user sees in the file.
    """
    keys: list[str] = []
    seen: dict[str, int] = {}
    dup_count, dup_example = 0, None
    chunks: list[np.ndarray] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    pending, most = 0, max_vectors()
    for no, key, values in records:
        if dim is None:
            dim = len(values)
            if dim == 0:
                raise FormatError("row has a key but no vector values", path=path, line=no)
        if len(values) != dim:
            raise FormatError(
                f"row has {len(values)} values, expected {dim} like the rows before it",
                path=path,
                line=no,
                hint="every row must have the same number of dimensions",
            )
        if key in seen:
            dup_count += 1
            dup_example = dup_example or (key, no, seen[key])
            continue
        if len(keys) >= most:
            raise too_many_vectors(len(keys), path, no)
        seen[key] = no
        keys.append(key)
        rows.append(values)
        lines.append(no)
        pending += dim
        if len(rows) >= CHUNK or pending >= CHUNK_VALUES:
            chunks.append(_convert(rows, lines, path, first_column))
            rows, lines, pending = [], [], 0
    if rows:
        chunks.append(_convert(rows, lines, path, first_column))
    if not keys:
        raise FormatError("no vectors found: the file is empty or holds only a header", path=path)
    notes = []
    if dup_count:
        key, line, first = dup_example
        notes.append(
            f"{path.name}: dropped {dup_count} duplicate key(s), keeping the first occurrence "
            f"(e.g. '{key}' on line {line}, first seen on line {first})"
        )
    return Parsed(keys, np.concatenate(chunks) if len(chunks) > 1 else chunks[0], notes, dup_count)


def _convert(rows: list[list[str]], lines: list[int], path: Path, first_column: int) -> np.ndarray:
    try:
        mat = np.array(rows, dtype=np.float32)
    except ValueError:
        for row, no in zip(rows, lines):
            for col, cell in enumerate(row, start=first_column):
                try:
                    float(cell)
                except ValueError:
                    raise FormatError(
                        f"value {cell[:30]!r} is not a number", path=path, line=no, column=col
                    ) from None
        raise  # pragma: no cover - numpy and float() disagree: a bug, not user input
    finite = np.isfinite(mat)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise FormatError(
            f"value {rows[r][c]!r} is not finite (NaN or Inf)",
            path=path,
            line=lines[r],
            column=int(c) + first_column,
            hint="remove or fix that row",
        )
    return mat
