"""Read interaction logs as they come: CSV/TSV (delimiter sniffed), Parquet, JSON Lines, baskets,
each plain or compressed (gzip, bzip2, xz, zstandard: told by the file's first bytes).

Every format is read in chunks of rows (:func:`open_log`), so a cleaner can keep only what it
needs of each chunk (integer codes, times, weights) and memory follows the events kept, not the
bytes read: a flood of comment, blank or garbage lines costs a constant amount of memory.
:func:`read_log` joins the chunks into one DataFrame for the dashboard's preview and small files.

Basket files (one basket per line, items comma-separated, padded with empty fields, like the
groceries data) become one row per (basket, item), with the basket number as both user and
session, so everything downstream sees one shape.
"""

from __future__ import annotations

import csv
import io as _io
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from ..compression import compression_of, logical_suffix, open_binary, read_head
from ..errors import DataError, FormatError
from ..io.safety import refuse_pickles
from ..io.stream import nonblank_line_blocks, raw_lines, scan_text
from ..io.tables import check_parquet_size

LOG_FORMATS = ("auto", "csv", "tsv", "parquet", "jsonl", "baskets")
HEAD = 65536
CHUNK_ROWS = 200_000


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

    Chunks are indexed by a row key: a 0-based row number, or the file line for baskets.
    ``lines(keys)`` turns keys into the file lines users see; call it after the last chunk.
    """

    def __init__(
        self,
        path: Path,
        chunks: Iterator[pd.DataFrame],
        lines: Callable[[np.ndarray, int], np.ndarray],
        baskets: bool = False,
    ):
        self.path, self.baskets, self._lines = path, baskets, lines
        self._iter = chunks
        self.first = next(chunks)
        self.columns = list(self.first.columns)
        self.rows = 0

    def chunks(self) -> Iterator[pd.DataFrame]:
        for chunk in _chain(self.first, self._iter):
            self.rows += len(chunk)
            yield chunk

    def lines(self, keys: np.ndarray) -> np.ndarray:
        """File line numbers of row ``keys`` (any order); valid once every chunk was read.  An
        int64 ``keys`` array may be overwritten with the result (no second copy of a big log)."""
        keys = np.asarray(keys, dtype=np.int64)
        return self._lines(keys, self.rows) if len(keys) else keys

    def frame(self) -> pd.DataFrame:
        """An empty frame with the log's columns (and the basket flag), for column guessing."""
        out = self.first.iloc[:0]
        out.attrs["baskets"] = self.baskets
        return out


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest


def open_log(path: str | Path, format: str = "auto") -> LogChunks:
    """``path`` opened for chunked reading (see :class:`LogChunks`).

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"

    Returns
    -------
    LogChunks

    Raises
    ------
    FormatError
        The file is missing, unreadable, binary, not UTF-8, ragged or has one column.
    UnsafeFileError
        The file is a pickle.
    DataError
        The file is empty.

    Examples
    --------
    >>> log = open_log("sample_data/interactions.csv")
    >>> log.columns[:2]
    ['user_id', 'item_id']
    """
    path = Path(path)
    if path.is_dir():
        raise FormatError(
            "is a folder, not a log file", path=path, hint="give the log file inside it"
        )
    if not path.exists():
        raise FormatError("no such file", path=path)
    if format not in LOG_FORMATS:
        raise FormatError(
            f"log format '{format}' must be one of {', '.join(LOG_FORMATS)}", path=path
        )
    head = read_head(path, HEAD)
    refuse_pickles(path, head)
    if not head.strip():
        raise DataError("the log is empty", path=path, hint="it needs rows of user and item ids")
    fmt = format if format != "auto" else _detect(path, head)
    if fmt == "parquet":
        return LogChunks(path, _parquet_chunks(path), _plus(1))
    lines = scan_text(
        path
    )  # line-length and decompressed-size caps at C speed, before pandas buffers a line
    if fmt == "jsonl":
        return LogChunks(path, _jsonl_chunks(path), _numbering(path, lines, header=0))
    if fmt == "baskets":
        return LogChunks(path, _basket_chunks(path), lambda keys, rows: keys, baskets=True)  # noqa: ARG005 - a LogChunks numbering
    sep = "\t" if fmt == "tsv" else None
    return LogChunks(path, _delimited_chunks(path, head, sep), _numbering(path, lines, header=1))


def read_log(path: str | Path, format: str = "auto") -> pd.DataFrame:
    """Read ``path`` into one DataFrame of strings/numbers; the row numbers users see are kept in
    the index (1-based file lines for text files).  Holds the whole log: use :func:`open_log` to
    stream a big one.

    Parameters
    ----------
    path : str or Path
    format : {"auto", "csv", "tsv", "parquet", "jsonl", "baskets"}, default "auto"

    Returns
    -------
    DataFrame

    Raises
    ------
    FormatError, UnsafeFileError, DataError
        As :func:`open_log`.

    Examples
    --------
    >>> int(read_log("sample_data/interactions.csv").index[0])
    2
    """
    log = open_log(path, format)
    parts = list(log.chunks())
    df = pd.concat(parts) if len(parts) > 1 else parts[0]
    df.index = log.lines(df.index.to_numpy(dtype=np.int64, copy=True))
    df.attrs["baskets"] = log.baskets
    return df


def _plus(offset: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def shifted(keys: np.ndarray, rows: int) -> np.ndarray:  # noqa: ARG001 - every row is a line
        keys += offset
        return keys

    return shifted


def _numbering(path: Path, lines: int, header: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """Row numbers → file lines.  The parsers number rows as if blank lines did not exist, so when
    the file has more lines than rows, rows take the numbers of the non-blank lines (if those are
    exactly as many; a quoted field spanning lines keeps the plain numbering)."""

    def lines_of(keys: np.ndarray, rows: int) -> np.ndarray:
        if lines != rows + header:
            mapped, count = _nonblank_lines(path, keys + header)
            if count == rows + header:
                return mapped
        keys += 1 + header
        return keys

    return lines_of


def _nonblank_lines(path: Path, wanted: np.ndarray) -> tuple[np.ndarray, int]:
    """(the file line of the ``wanted``-th non-blank lines (0-based), how many non-blank lines the
    file has), streaming: only one block of line numbers is held at a time."""
    order = np.argsort(wanted, kind="stable")
    out = np.empty(len(wanted), dtype=np.int64)
    sorted_keys = wanted[order]
    seen, pos = 0, 0
    for block in nonblank_line_blocks(path):
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


def _decode(path: Path, head: bytes) -> str:
    """Logs must be UTF-8; say on which line they are not."""
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if len(head) == HEAD and exc.start >= len(head) - 4:  # a character cut by the sample's end
            return "utf-8"
        _raise_not_utf8(path)


def _raise_not_utf8(path: Path):
    for no, raw in raw_lines(path):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"bytes at column {exc.start + 1} are not valid utf-8 (tried utf-8)",
                path=path,
                line=no,
                hint="re-save the log as UTF-8",
            ) from None
    raise FormatError(
        "bytes are not valid utf-8 (tried utf-8)", path=path, hint="re-save the log as UTF-8"
    )


def sniff_delimiter(head: bytes, encoding: str = "utf-8") -> str:
    """The delimiter of a text log from its first bytes (comma when nothing else fits); the local
    and Spark engines share it so they split a file the same way."""
    sample = head.decode(encoding, "ignore")
    try:
        return (
            csv.Sniffer()
            .sniff(
                sample.split("\n", 20)[-2] if sample.count("\n") > 20 else sample,
                delimiters=",;\t|",
            )
            .delimiter
        )
    except csv.Error:
        return ","


def _delimited_chunks(path: Path, head: bytes, sep: str | None) -> Iterator[pd.DataFrame]:
    enc = _decode(path, head)
    sep = sep or sniff_delimiter(head, enc)
    rows, first = 0, True
    try:
        with open_binary(path) as fh:
            reader = pd.read_csv(
                fh,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                encoding=enc,
                chunksize=CHUNK_ROWS,
                skip_blank_lines=True,
                on_bad_lines="error",
                engine="c",
            )
            for chunk in reader:
                if first and chunk.shape[1] < 2:
                    raise FormatError(
                        f"found only one column ({list(chunk.columns)[0]!r}) "
                        f"with delimiter {sep!r}",
                        path=path,
                        hint="a log needs at least a user and an item column; is the "
                        "delimiter right? For one basket per line use --format baskets",
                    )
                first = False
                chunk.index = np.arange(rows, rows + len(chunk))
                rows += len(chunk)
                yield chunk
    except UnicodeDecodeError:
        _raise_not_utf8(path)
    except pd.errors.ParserError as exc:
        raise FormatError(
            f"rows have different numbers of fields ({exc})",
            path=path,
            hint=f"the delimiter looked like {sep!r}; check quoting, or use --format",
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError("the log is empty", path=path) from None


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


def _basket_chunks(path: Path) -> Iterator[pd.DataFrame]:
    """One basket per line → rows (basket, item), indexed by the basket's line; empty padding
    fields are ignored, and blank lines are skipped in C (a flood of them costs seconds)."""
    enc = _decode(path, read_head(path, HEAD))
    last, found = [0], False

    def text() -> Iterator[str]:
        for no, raw in raw_lines(
            path, filler=b","
        ):  # a line of commas is an empty basket: skipped in C
            last[0] = no
            try:
                yield raw.decode(enc)
            except UnicodeDecodeError:
                _raise_not_utf8(path)

    reader = csv.reader(text())
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
