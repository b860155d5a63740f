"""Read interaction logs as they come: delimited text (separator, header, encoding and decimal mark
decided by :mod:`.dialect`), Parquet, JSON Lines, baskets, each plain or compressed (gzip, bzip2,
xz, zstandard: told by the file's first bytes).

Every format is read in chunks of rows (:func:`open_log`), so a cleaner can keep only what it
needs of each chunk (integer codes, times, weights) and memory follows the events kept, not the
bytes read: a flood of comment, blank or garbage lines costs a constant amount of memory.
:func:`read_log` joins the chunks into one DataFrame for the dashboard's preview and small files.

Rows of delimited text with more fields than the columns are skipped and counted
(:class:`Ragged`); empty trailing fields (a trailing separator) are not extra fields.  Rows with
fewer fields are read with the missing fields empty, as every CSV reader does (the cleaning rules
then drop a row without a user or an item, by that reason).

Basket files (one basket per line, items comma-separated, padded with empty fields, like the
groceries data) become one row per (basket, item), with the basket number as both user and
session, so everything downstream sees one shape.
"""

from __future__ import annotations

import csv
import io as _io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from ..compression import compression_of, logical_suffix, open_binary, read_head
from ..errors import DataError, FormatError
from ..io.safety import refuse_pickles
from ..io.stream import nonblank_line_blocks, raw_lines, scan_text
from ..io.tables import check_parquet_size
from .columns import CONTENT_ROWS
from .dialect import (
    BOM,
    HEAD,
    Dialect,
    choose_encoding,
    detect,
    parse_columns,
    parse_header,
    parse_separator,
    separator_word,
)
from .rules import reason
from .scan import open_text, scan

LOG_FORMATS = ("auto", "csv", "tsv", "parquet", "jsonl", "baskets")
CHUNK_ROWS = 200_000
CHUNK_CELLS = 2_000_000
"""Fields parsed at once: a chunk holds at most this many (a Python string each, ~60 bytes), so a
log of 10,000 columns is read ~200 rows at a time, not 200,000 (2.7 GB before, for 180 MB)."""
PROJECT_FROM = 16
"""A delimited log of more columns than this is parsed for the columns the cleaning uses only."""
CHUNK_BYTES = 32 << 20
"""Text parsed at once: a chunk of long rows holds about this many bytes of them."""


def chunk_rows(fields: int, line_bytes: float = 0.0) -> int:
    """Rows per chunk for rows of ``fields`` fields and ``line_bytes`` bytes on average: bounded
    by bytes and by fields, not only by rows (at least 16 rows, at most :data:`CHUNK_ROWS`).

    Examples
    --------
    >>> chunk_rows(4, 26.0), chunk_rows(10_000, 20_000.0), chunk_rows(3, 4_000_000.0)
    (200000, 200, 16)
    """
    by_cells = CHUNK_CELLS // max(int(fields), 1)
    by_bytes = int(CHUNK_BYTES // line_bytes) if line_bytes > 0 else CHUNK_ROWS
    return max(16, min(CHUNK_ROWS, by_cells, by_bytes))


READING = ("encoding", "separator", "header", "columns")
"""The reading options ``open_log`` takes besides the format (``core.logs.options``)."""


@dataclass
class Ragged:
    """Rows with more fields than the columns, skipped while reading: counted, first lines kept.

    Attributes
    ----------
    width : int
        The columns.
    rows : int
        Rows the parser returned (the skipped wide ones among them).
    count : int
        Wide rows: those the parser returned and those skipped by line before it (``lines``).
    keys : list of int
        Row keys of the first wide rows the parser returned.
    lines : list of int
        1-based lines of the first wide rows skipped by line.
    """

    width: int
    rows: int = 0
    count: int = 0
    keys: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def reason(self) -> str:
        return reason("too_many_fields", width=self.width)


class LogChunks:
    """A log opened for reading in chunks of rows.

    Attributes
    ----------
    path : Path
    columns : list of str
        The log's columns (known before any chunk is consumed).
    baskets : bool
        True for a basket file read as (basket, item) rows.
    first : DataFrame
        The first chunk (possibly empty); ``chunks()`` yields it again first.
    dialect : Dialect or None
        How a delimited text file is read (encoding, separator, header...); None for Parquet,
        JSON Lines and baskets.
    ragged : Ragged or None
        The wide rows skipped (delimited text).
    sample : list of list of str
        The first rows as split, header included (delimited text).
    encoding : str or None
        The encoding of a text file, and why (``encoding_note``).

    Chunks are indexed by a row key: a 0-based row number, or the file line for baskets.
    ``lines(keys)`` turns keys into the file lines users see; call it after the last chunk.
    """

    def __init__(
        self,
        path: Path,
        chunks: Iterator[pd.DataFrame],
        lines: Callable[[np.ndarray, int], np.ndarray],
        baskets: bool = False,
        dialect: Dialect | None = None,
        ragged: Ragged | None = None,
    ):
        self.path, self.baskets, self._lines = path, baskets, lines
        self.dialect, self.ragged, self.sample, self.format = dialect, ragged, [], "csv"
        self.encoding = dialect.encoding if dialect else None
        self.encoding_note = dialect.encoding_note if dialect else None
        self._iter = chunks
        self.first = next(chunks)
        self.columns = list(self.first.columns)
        self.rows = 0
        # delimited text: the chunks again from the start, parsing only some columns (their indices)
        self.restart: Callable[[list[int]], Iterator[pd.DataFrame]] | None = None

    def chunks(self, columns=None) -> Iterator[pd.DataFrame]:
        """The chunks, the first one first; with ``columns`` (names) before any chunk was read,
        a delimited file of many columns is parsed for those only (a 10,000-column log reads its
        few id columns, not 10,000 string columns)."""
        source = _chain(self.first, self._iter)
        if columns is not None and self.restart is not None and self.rows == 0:
            keep = sorted({self.columns.index(c) for c in columns if c in self.columns})
            if keep and len(keep) < len(self.columns) and len(self.columns) > PROJECT_FROM:
                self._iter.close()
                source = self.restart(keep)
        for chunk in source:
            self.rows += len(chunk)
            yield chunk

    def lines(self, keys: np.ndarray) -> np.ndarray:
        """File line numbers of row ``keys`` (any order); valid once every chunk was read.  An
        int64 ``keys`` array may be overwritten with the result (no second copy of a big log)."""
        keys = np.asarray(keys, dtype=np.int64)
        rows = self.ragged.rows if self.ragged else self.rows
        return self._lines(keys, rows) if len(keys) else keys

    def skipped(self) -> dict[str, tuple[int, list[int]]]:
        """The rows skipped while reading, by reason: (count, their first file lines); valid once
        every chunk was read."""
        r = self.ragged
        if r is None or not r.count:
            return {}
        lines = self.lines(np.array(r.keys, dtype=np.int64)).tolist() if r.keys else []
        return {r.reason(): (r.count, sorted(lines + r.lines)[:5])}

    def reading(self) -> dict:
        """How the file was read, for the report: format, encoding, separator, header, names."""
        out = {"format": self.format}
        if self.dialect is not None:
            out.update(self.dialect.to_dict(), described=self.dialect.describe())
        elif self.encoding:
            out.update(encoding=self.encoding, encoding_note=self.encoding_note)
            out["described"] = f"one basket per line · {self.encoding} ({self.encoding_note})"
        return out

    def frame(self) -> pd.DataFrame:
        """The log's columns (and the basket and header flags), for column guessing: empty, or
        the first rows of a file without a header (its roles are guessed from content)."""
        headerless = self.dialect is not None and not self.dialect.header
        out = self.first.iloc[: CONTENT_ROWS if headerless else 0]
        out.attrs["baskets"] = self.baskets
        out.attrs["header"] = self.dialect.header if self.dialect else True
        return out


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest


def open_log(
    path: str | Path,
    format: str = "auto",
    *,
    encoding: str = "auto",
    separator: str = "auto",
    header: str = "auto",
    columns: tuple[str, ...] = (),
    expect: tuple[str, ...] = (),
) -> LogChunks:
    """``path`` opened for chunked reading (see :class:`LogChunks`).

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
    encoding, separator, header, columns
        How text is read (:class:`core.logs.options.LogOptions`; "auto" decides: see
        :mod:`core.logs.dialect`); baskets take the encoding and a one-character separator.
    expect : tuple of str
        Column names the caller looks for (a first row holding one is a header).

    Returns
    -------
    LogChunks

    Raises
    ------
    FormatError
        The file is missing, unreadable, binary, not in the chosen encoding, has one column, or a
        row the parser cannot split.
    UnsafeFileError, DataError
        The file is a pickle; the file is empty.
    ParameterError
        An unknown encoding, a malformed separator, header or column list.

    Examples
    --------
    >>> log = open_log("sample_data/interactions.csv")
    >>> log.columns[:2], log.dialect.separator
    (['user_id', 'item_id'], ',')
    """
    path = Path(path)
    head = _checked_head(path, format)
    fmt = format if format != "auto" else _detect(path, head)
    if fmt == "parquet":
        log = LogChunks(path, _parquet_chunks(path), _plus(1))
    elif fmt == "jsonl":
        lines = scan_text(path)  # line-length and size caps at C speed, before pandas buffers
        log = LogChunks(path, _jsonl_chunks(path), line_numbering(path, lines, []))
    elif fmt == "baskets":
        log = _baskets(path, head, encoding, separator)
    else:
        sep = "\t" if fmt == "tsv" and separator == "auto" else parse_separator(separator)
        reading = {"encoding": encoding, "separator": sep}
        reading.update(header=parse_header(header), columns=parse_columns(columns))
        log = _delimited(path, head, reading, expect)
    log.format = fmt
    return log


def _checked_head(path: Path, format: str) -> bytes:
    """The file's first bytes, once it is known to be a file, not a pickle, not empty."""
    if path.is_dir():
        raise FormatError(
            "is a folder, not a log file", path=path, hint="give the log file inside it"
        )
    if not path.exists():
        if path.is_symlink():
            raise FormatError(
                "is a symbolic link that leads to no file (a loop, or its target is gone)",
                path=path,
                hint="give the file itself",
            )
        raise FormatError("no such file", path=path)
    if format not in LOG_FORMATS:
        raise FormatError(
            f"log format '{format}' must be one of {', '.join(LOG_FORMATS)}",
            path=path,
            options=("format",),
        )
    head = read_head(path, HEAD)
    refuse_pickles(path, head)
    if not head.removeprefix(BOM).strip():
        raise DataError("the log is empty", path=path, hint="it needs rows of user and item ids")
    return head


def _delimited(path: Path, head: bytes, reading: dict, expect) -> LogChunks:
    """Delimited text: its dialect decided (one pass over the bytes), then parsed in chunks."""
    dialect, scanned, sample = detect(path, head, expect=expect, **reading)
    if not dialect.names:
        raise DataError("the log has no rows with a value", path=path, hint="it needs rows of ids")
    if len(dialect.names) < 2:
        raise FormatError(
            f"found only one column ({dialect.names[0]!r}) with the separator "
            f"{separator_word(dialect.separator)}",
            path=path,
            hint="a log needs at least a user and an item column: is the separator right? "
            "Or is it one basket per line (the format baskets)?",
            options=("separator", "format"),
        )
    ragged = Ragged(len(dialect.names))
    ragged.count, ragged.lines = len(scanned.wide), [int(n) + 1 for n in scanned.wide[:5]]
    skipped = np.union1d([dialect.header_line] if dialect.header else [], scanned.wide)
    rows = chunk_rows(dialect.fields, scanned.bytes / max(scanned.lines, 1))
    skipped = skipped.astype(np.int64)
    chunks = _delimited_chunks(path, dialect, skipped, ragged, rows)
    lines = line_numbering(path, scanned.lines, skipped)
    log = LogChunks(path, chunks, lines, dialect=dialect, ragged=ragged)
    log.sample = sample
    counted = ragged.count

    def restart(usecols: list[int]) -> Iterator[pd.DataFrame]:
        ragged.rows, ragged.count, ragged.keys = 0, counted, []  # the first chunk is read again
        few = chunk_rows(len(usecols) + dialect.fields - len(dialect.names))
        return _delimited_chunks(path, dialect, skipped, ragged, few, usecols)

    log.restart = restart
    return log


def _baskets(path: Path, head: bytes, encoding: str, separator: str) -> LogChunks:
    """One basket per line, in the encoding given or found (one pass over the bytes)."""
    sep = parse_separator(separator)
    enc, note = choose_encoding(path, encoding, scan(path), head)
    log = LogChunks(
        path,
        _basket_chunks(path, enc, "," if len(sep) != 1 else sep),
        lambda keys, rows: keys,  # noqa: ARG005 - a LogChunks numbering
        baskets=True,
    )
    log.encoding, log.encoding_note = enc, note
    return log


def read_log(path: str | Path, format: str = "auto", **reading) -> pd.DataFrame:
    """Read ``path`` into one DataFrame of strings/numbers; the row numbers users see are kept in
    the index (1-based file lines for text files).  Holds the whole log: use :func:`open_log` to
    stream a big one.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"
    **reading
        ``encoding``, ``separator``, ``header``, ``columns`` (as :func:`open_log`).

    Returns
    -------
    DataFrame
        ``attrs`` holds ``baskets``, ``skipped`` (rows skipped while reading, by reason: count and
        first lines), ``decimal`` and ``reading`` (how the file was read).

    Raises
    ------
    FormatError, UnsafeFileError, DataError, ParameterError
        As :func:`open_log`.

    Examples
    --------
    >>> int(read_log("sample_data/interactions.csv").index[0])
    2
    """
    log = open_log(path, format, **reading)
    parts = list(log.chunks())
    df = pd.concat(parts) if len(parts) > 1 else parts[0]
    df.index = log.lines(df.index.to_numpy(dtype=np.int64, copy=True))
    df.attrs.update(
        baskets=log.baskets,
        skipped=log.skipped(),
        decimal=log.dialect.decimal if log.dialect else ".",
        reading=log.reading(),
    )
    return df


def _plus(offset: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def shifted(keys: np.ndarray, rows: int) -> np.ndarray:  # noqa: ARG001 - every row is a line
        keys += offset
        return keys

    return shifted


def line_numbering(path: Path, lines: int, skipped) -> Callable[[np.ndarray, int], np.ndarray]:
    """Row numbers → file lines.  Rows are the file's lines but blank ones and ``skipped`` (0-based
    lines that are no row: the header, rows too wide to parse).  When the file has more lines than
    that, the blank lines are found (streaming) and rows take the numbers of the other lines (if
    those are exactly as many; a quoted field spanning lines keeps the plain numbering)."""
    skipped = np.unique(np.asarray(skipped, dtype=np.int64)) + 1  # 1-based, sorted

    def lines_of(keys: np.ndarray, rows: int) -> np.ndarray:
        if lines != rows + len(skipped):
            mapped, count = _nonblank_lines(path, keys, skipped)
            if count == rows:
                return mapped
        bounds = skipped - np.arange(len(skipped)) - 1  # row k is shifted by the bounds <= k
        if not len(bounds) or bounds[-1] <= 0:  # only lines before the first row (a header)
            keys += 1 + len(bounds)
            return keys
        keys += np.searchsorted(bounds, keys, side="right")
        keys += 1
        return keys

    return lines_of


def _nonblank_lines(path: Path, wanted: np.ndarray, skipped: np.ndarray) -> tuple[np.ndarray, int]:
    """(the file line of the ``wanted``-th lines (0-based) that are neither blank nor ``skipped``,
    how many such lines the file has), streaming: only one block of line numbers is held."""
    order = np.argsort(wanted, kind="stable")
    out = np.empty(len(wanted), dtype=np.int64)
    sorted_keys = wanted[order]
    seen, pos = 0, 0
    for block in nonblank_line_blocks(path):
        if len(skipped):
            block = block[~np.isin(block, skipped)]
        end = pos + int(np.searchsorted(sorted_keys[pos:], seen + len(block)))
        out[order[pos:end]] = block[sorted_keys[pos:end] - seen]
        pos, seen = end, seen + len(block)
    return (out, seen) if pos == len(wanted) else (out, -1)


def _detect(path: Path, head: bytes) -> str:
    ext = logical_suffix(path)
    if head.startswith(b"PAR1") or ext in (".parquet", ".pq"):
        return "parquet"
    if ext in (".jsonl", ".ndjson") or head.lstrip().startswith(b"{"):
        return "jsonl"
    if ext == ".tsv":
        return "tsv"
    if b"\x00" in head:
        raise FormatError(
            "this is not a text log (it holds binary bytes)",
            path=path,
            hint="give a CSV, TSV, JSON Lines, Parquet or basket file",
        )
    return "csv"


def _not_decodable(path: Path, encoding: str) -> FormatError:
    """The first line whose bytes ``encoding`` cannot decode, as an error."""
    for no, raw in raw_lines(path):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as exc:
            return FormatError(
                f"byte 0x{raw[exc.start]:02X} at column {exc.start + 1} is not valid {encoding}",
                path=path,
                line=no,
                hint="choose the encoding auto (UTF-8, else cp1252, else latin-1), or the one "
                "the file was saved in",
                options=("encoding",),
            )
    return FormatError(f"bytes are not valid {encoding}", path=path, options=("encoding",))


def _delimited_chunks(
    path: Path,
    dialect: Dialect,
    skipped: np.ndarray,
    ragged: Ragged,
    rows: int = CHUNK_ROWS,
    usecols: list[int] | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of delimited text, in chunks: names given, the header and the lines too wide to
    parse skipped by line, wide rows dropped (counted in ``ragged``); with ``usecols``, only
    those columns (and the room past the last column, which tells a wide row) are parsed."""
    width = len(dialect.names)
    names = list(dialect.names) + [f"\x1fextra{k}" for k in range(dialect.fields - width)]
    parsed = None if usecols is None else [*usecols, *range(width, len(names))]
    kept = width if usecols is None else len(usecols)
    try:
        with open_text(path, dialect.separator) as fh:
            reader = pd.read_csv(
                fh,
                sep=dialect.parser_separator,
                header=None,
                names=names,
                skiprows=skipped.tolist() or None,
                dtype=str,
                keep_default_na=False,
                encoding=dialect.encoding,
                chunksize=rows,
                skip_blank_lines=True,
                on_bad_lines="error",
                engine="c",
                quoting=csv.QUOTE_MINIMAL if dialect.quoting else csv.QUOTE_NONE,
                index_col=False,
                usecols=parsed,
            )
            for chunk in reader:
                chunk.index = np.arange(ragged.rows, ragged.rows + len(chunk))
                ragged.rows += len(chunk)
                yield _without_wide(chunk, kept, ragged)
    except UnicodeDecodeError:
        raise _not_decodable(path, dialect.encoding) from None
    except pd.errors.ParserError as exc:
        raise _unsplittable(path, exc, dialect) from None
    except pd.errors.EmptyDataError:
        raise DataError("the log is empty", path=path) from None


def _without_wide(chunk: pd.DataFrame, width: int, ragged: Ragged) -> pd.DataFrame:
    """The chunk's columns, without the rows that hold a value past them (counted)."""
    if chunk.shape[1] == width:
        return chunk
    extra = chunk.iloc[:, width:]
    wide = (extra != "").to_numpy().any(axis=1)
    if wide.any():  # a field of blanks is empty too
        rows = np.flatnonzero(wide)
        blank = extra.iloc[rows].apply(lambda c: c.str.strip() == "").to_numpy().all(axis=1)
        wide[rows[blank]] = False
    out = chunk.iloc[:, :width]
    if not wide.any():
        return out
    ragged.count += int(wide.sum())
    ragged.keys.extend(int(k) for k in chunk.index[wide][: 5 - len(ragged.keys)])
    return out[~wide]


_PARSER_LINE = re.compile(r"line (\d+), saw (\d+)|row (\d+)")


def _unsplittable(path: Path, exc: Exception, dialect: Dialect) -> FormatError:
    """pandas' parser error in our words: which line, how many fields, what to check."""
    m = _PARSER_LINE.search(str(exc))
    if m and m.group(1):
        return FormatError(
            f"a row has {m.group(2)} fields, more than the {len(dialect.names)} columns can "
            "take even with empty trailing fields",
            path=path,
            line=int(m.group(1)),
            hint="a quoted field may be left open, or the separator is not "
            f"{separator_word(dialect.separator)}",
            options=("separator",),
        )
    return FormatError(
        "a quoted field is never closed" if "EOF" in str(exc) else "the rows cannot be split",
        path=path,
        hint=f"check the quotes; is the separator {separator_word(dialect.separator)}?",
        options=("separator",),
    )


def _parquet_chunks(path: Path) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        if compression_of(path):  # read within the stream's decompressed-size budget
            with open_binary(path) as fh:
                source = _io.BytesIO(fh.read())
        else:
            source = None
        check_parquet_size(path, source)
        pf = pq.ParquetFile(path if source is None else source)
        yield pf.schema_arrow.empty_table().to_pandas()
        rows = 0
        for batch in pf.iter_batches(batch_size=CHUNK_ROWS):
            chunk = batch.to_pandas()
            chunk.index = np.arange(rows, rows + len(chunk))
            rows += len(chunk)
            yield chunk
    except (FormatError, DataError):
        raise
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise FormatError(
            f"not a readable Parquet file ({type(exc).__name__}: {exc})", path=path
        ) from None


def _jsonl_chunks(path: Path) -> Iterator[pd.DataFrame]:
    rows, columns = 0, None
    try:
        with open_binary(path) as fh:
            for chunk in pd.read_json(fh, lines=True, dtype=False, chunksize=CHUNK_ROWS):
                chunk.index = np.arange(rows, rows + len(chunk))
                rows += len(chunk)
                if columns is None:
                    columns = list(chunk.columns)
                yield chunk.reindex(
                    columns=columns + [c for c in chunk.columns if c not in columns]
                )
    except ValueError as exc:
        line = _first_bad_json_line(path)
        raise FormatError(
            f"not valid JSON Lines ({exc})", path=path, line=line, hint="one JSON object per line"
        ) from None
    if columns is None:
        yield pd.DataFrame()


def _first_bad_json_line(path: Path) -> int | None:
    import json

    for no, line in raw_lines(path):
        try:
            json.loads(line)
        except ValueError:
            return no
    return None


def _basket_chunks(path: Path, enc: str, sep: str = ",") -> Iterator[pd.DataFrame]:
    """One basket per line → rows (basket, item), indexed by the basket's line; empty padding
    fields are ignored, and blank lines are skipped in C (a flood of them costs seconds)."""
    last, found = [0], False

    def text() -> Iterator[str]:
        filler = sep.encode("latin-1") if sep.isascii() else b""
        for no, raw in raw_lines(path, filler=filler):  # a line of commas is an empty basket
            last[0] = no
            try:
                yield raw.decode(enc)
            except UnicodeDecodeError:
                raise _not_decodable(path, enc) from None

    reader = csv.reader(text(), delimiter=sep)
    try:
        while True:
            rows, lines = [], []
            for row in islice(reader, CHUNK_ROWS):
                rows.append(row)
                lines.append(last[0])
            if not rows:
                break
            chunk = _basket_rows(rows, np.array(lines, dtype=np.int64))
            if len(chunk):
                found = True
                yield chunk
    except csv.Error as exc:
        raise FormatError(
            f"not readable as a basket file ({exc})", path=path, line=last[0]
        ) from None
    if not found:
        raise DataError("no items found in the basket file", path=path)


def _basket_rows(rows: list[list[str]], lines: np.ndarray) -> pd.DataFrame:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    basket = np.repeat(lines, lengths)
    items = pd.Series([c for r in rows for c in r], dtype=object).str.strip()
    keep = (items != "").to_numpy()
    df = pd.DataFrame({"basket": basket[keep].astype(str), "item": items[keep].to_numpy()})
    df.index = basket[keep]  # the file line of each item
    return df


def detached(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns own buffers of their own size.

    pandas keeps text in Arrow arrays, and a slice of one (``frame.iloc[:20]``, even copied)
    shares the whole array's buffers: twenty preview rows of a chunk of a wide file would keep
    the chunk's hundreds of MB alive for as long as the preview is kept (a dashboard session).

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        Same values, index, dtypes and ``attrs``; text columns rebuilt from their values.

    Examples
    --------
    >>> big = pd.DataFrame({"a": [f"x{i}" for i in range(100_000)], "b": range(100_000)})
    >>> head = detached(big.iloc[:2])
    >>> head["a"].tolist(), head["a"].array._pa_array.get_total_buffer_size() < 100
    (['x0', 'x1'], True)
    """
    out = frame.copy()
    for i, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, (pd.StringDtype, pd.ArrowDtype)):
            values = frame.iloc[:, i].to_numpy(dtype=object)
            out.isetitem(i, pd.Series(pd.array(values, dtype=dtype), index=frame.index))
    out.attrs = frame.attrs
    return out
