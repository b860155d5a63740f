"""Text vector formats: word2vec text (and fastText .vec), GloVe, CSV, TensorFlow-projector TSV."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FormatError, OutputError
from .rows import Parsed, build_matrix, decoded_lines


def parse_header(line: str) -> tuple[int, int] | None:
    """A word2vec header is exactly two positive ASCII integers: rows and dimensions."""
    parts = line.split()
    if len(parts) == 2 and all(p.isascii() and p.isdigit() for p in parts):
        rows, dim = int(parts[0]), int(parts[1])
        if rows > 0 and dim > 0:
            return rows, dim
    return None


def _space_records(lines: Iterator[tuple[int, str]], path: Path, dim: int | None = None):
    """Key is everything before the first space (only U+0020 separates, as in gensim, so tabs,
    CR, U+2028, U+0085 or no-break spaces inside a key are kept); blank lines are skipped.

    With a known ``dim`` (word2vec header) the key is everything before the last ``dim`` values
    when the extra words are not numbers, so keys containing spaces ("Toy Story (1995)") survive a
    round trip exactly, while a row with too many numbers is still reported as ragged.
    """
    for no, text in lines:
        text = text.rstrip("\r\n").rstrip(" ")
        if not text.strip():
            continue
        if dim is not None:
            parts = text.split(" ")
            if len(parts) == dim + 1 and "" not in parts:
                yield no, parts[0], parts[1:]
                continue
            if (
                len(parts) > dim + 1
                and "" not in parts[-dim:]
                and not all(is_number(p) for p in parts[1:-dim])
            ):
                yield no, " ".join(parts[:-dim]).rstrip(" "), parts[-dim:]
                continue
        key, _, rest = text.partition(" ")
        values = rest.split()
        if not values:
            raise FormatError("row has a key but no vector values", path=path, line=no)
        yield no, key, values


def read_word2vec_text(path: Path, encoding: str = "utf-8"):
    """word2vec text: a ``rows dims`` header, then ``key v1 ... vd`` per line (fastText .vec
    too)."""
    lines = decoded_lines(path, encoding)
    first = next(lines, None)
    if first is None:
        raise FormatError("file is empty", path=path)
    header = parse_header(first[1])
    if header is None:
        raise FormatError(
            f"first line {first[1].strip()[:40]!r} is not a word2vec header ('<rows> <dims>')",
            path=path,
            line=1,
            hint="for GloVe files without a header choose the format glove",
            options=("format",),
        )
    rows, dim = header
    parsed = build_matrix(_space_records(lines, path, dim), path, dim=dim)
    found = len(parsed.keys) + parsed.duplicates
    if found != rows:
        raise FormatError(
            f"header says {rows} rows but the file has {found}",
            path=path,
            line=1,
            hint="fix the header's first number, or the file is truncated",
        )
    return parsed


def read_glove(path: Path, encoding: str = "utf-8"):
    """GloVe text: ``key v1 ... vd`` per line, no header."""
    return build_matrix(_space_records(decoded_lines(path, encoding), path), path)


ASCII_COMPATIBLE = {"utf-8", "iso8859-1", "cp1252", "ascii", "utf-8-sig", "latin-1"}


def _csv_rows(path: Path, encoding: str, delimiter: str, skip_blank: bool = True):
    """CSV is quoted; the projector's TSV is not (a quote is part of a label).  Line numbers are
    the file's own (blank lines are skipped before the csv module sees them)."""
    last = [0]

    def numbered():
        # a line of only delimiters is an empty row: skipped in C with the blank ones (an ASCII
        # comma)
        commas = (
            b"," if delimiter == "," and codecs.lookup(encoding).name in ASCII_COMPATIBLE else b""
        )
        for no, text in decoded_lines(path, encoding, skip_blank, filler=commas):
            last[0] = no
            yield text

    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(numbered(), delimiter=delimiter, quoting=quoting)
    try:
        for row in reader:
            yield last[0], row
    except csv.Error as exc:
        raise FormatError(
            f"not readable as {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})",
            path=path,
            line=last[0],
            hint="check quotes and line endings on that line",
        ) from None


def is_number(cell: str) -> bool:
    """Whether ``cell`` parses as a float (a vector component, not part of a key)."""
    try:
        float(cell)
        return True
    except ValueError:
        return False


def read_csv_vectors(path: Path, encoding: str = "utf-8"):
    """CSV of ``key, v1, ..., vd``; a first row whose values are not numbers is a header."""
    rows = _csv_rows(path, encoding, ",")
    first = next(rows, None)
    while first is not None and not any(c.strip() for c in first[1]):
        first = next(rows, None)
    if first is None:
        raise FormatError("file is empty", path=path)
    if len(first[1]) < 2:
        raise FormatError(
            "a vector CSV needs a key column and at least one number column",
            path=path,
            line=first[0],
        )

    def records():
        if all(is_number(c) for c in first[1][1:]):
            yield first[0], first[1][0], first[1][1:]
        for no, row in rows:
            if any(c.strip() for c in row):
                yield no, row[0], row[1:]

    return build_matrix(records(), path)


def read_projector(path: Path, metadata_path: Path | None = None, encoding: str = "utf-8"):
    """TensorFlow-projector vectors.tsv (numbers only) and optional metadata.tsv.

    The projector's header rule: a one-column metadata file has no header; with several columns the
    first row is the header.  Keys are the first metadata column (row numbers if there is none).
    """

    def records():
        for no, row in _csv_rows(path, encoding, "\t"):
            if any(c.strip() for c in row):
                yield no, str(no), row

    mat = build_matrix(records(), path, first_column=1).vectors
    metadata = None
    keys = [str(i) for i in range(len(mat))]
    notes: list[str] = []
    if metadata_path is None:
        guess = projector_metadata_path(path)
        metadata_path = guess if guess.exists() else None
    if metadata_path is not None:
        metadata = read_projector_metadata(metadata_path, encoding)
        if len(metadata) != len(mat):
            raise FormatError(
                f"metadata has {len(metadata)} rows but {path.name} has {len(mat)} vectors",
                path=metadata_path,
                hint="the projector needs one metadata row per vector (plus a header row "
                "when there are several columns)",
            )
        keys = metadata.iloc[:, 0].astype(str).tolist()
        return dedupe(keys, mat, metadata, metadata_path)
    return Parsed(keys, mat, notes)


def projector_metadata_path(path: Path) -> Path:
    """``vectors.tsv`` pairs with ``metadata.tsv``; ``NAME.tsv`` with ``NAME.metadata.tsv``."""
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    if name == "vectors.tsv":
        return path.with_name("metadata.tsv")
    return path.with_name(path.name[: len(name) - 4] + ".metadata.tsv")


def read_projector_metadata(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    rows = [row for _, row in _csv_rows(path, encoding, "\t", skip_blank=False)]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FormatError("metadata file is empty", path=path)
    width = len(rows[0])
    if width == 1:
        return pd.DataFrame({"label": [r[0] if r else "" for r in rows]})
    header, body = rows[0], rows[1:]
    for i, r in enumerate(body, start=2):
        if len(r) != width:
            raise FormatError(
                f"row has {len(r)} columns, the header has {width}", path=path, line=i
            )
    return pd.DataFrame(body, columns=header)


def dedupe(keys, mat, metadata, path) -> Parsed:
    """Keep the first row of each key; say how many were dropped."""
    s = pd.Series(keys)
    dup = s.duplicated().to_numpy()
    if not dup.any():
        return Parsed(list(keys), mat, [], 0, metadata)
    keep = ~dup
    example = s[dup].iloc[0]
    note = (
        f"{Path(path).name}: dropped {int(dup.sum())} duplicate key(s), keeping the first "
        f"occurrence (e.g. '{example}')"
    )
    meta = None if metadata is None else metadata[keep].reset_index(drop=True)
    return Parsed([k for k, ok in zip(keys, keep) if ok], mat[keep], [note], int(dup.sum()), meta)


def write_word2vec_text(path: Path, keys, vectors: np.ndarray) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"{len(keys)} {vectors.shape[1]}\n")
        for key, row in zip(keys, vectors):
            fh.write(key + " " + " ".join(repr(float(v)) for v in row) + "\n")


def projector_metadata_text(keys, metadata: pd.DataFrame | None) -> str:
    """The metadata.tsv the projector reads: keys first; a header row only with several columns.
    A cell holding a tab or a line break cannot be written and is refused (never altered)."""
    meta = pd.DataFrame({"key": list(keys)})
    if metadata is not None:
        meta = pd.concat(
            [meta, metadata.drop(columns=["key"], errors="ignore").astype(str)], axis=1
        )
    meta = meta.astype(str)
    for col in meta.columns[1:]:
        bad = meta[col].str.contains(r"[\t\n\r]", regex=True)
        if bad.any():
            value = meta[col][bad].iloc[0]
            raise OutputError(
                f"metadata column '{col}' value {value[:40]!r} contains a tab or a line break, "
                "which metadata.tsv cannot hold",
                hint="write Parquet (.parquet) instead",
            )
    rows = meta.to_numpy().tolist()
    header = [] if meta.shape[1] == 1 else ["\t".join(str(c) for c in meta.columns)]
    return "".join(line + "\n" for line in header + ["\t".join(r) for r in rows])


def write_projector_vectors(path: Path, vectors: np.ndarray) -> None:
    np.savetxt(path, vectors, delimiter="\t", fmt="%.9g")
