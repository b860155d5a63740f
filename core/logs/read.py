"""Read interaction logs as they come: CSV/TSV (delimiter sniffed), Parquet, JSON Lines, baskets,
each plain or compressed (gzip, bzip2, xz, zstandard: told by the file's first bytes).

Basket files (one basket per line, items comma-separated, padded with empty fields, like the
groceries data) become one row per (basket, item), with the basket number as both user and
session, so everything downstream sees one shape.
"""

from __future__ import annotations

import csv
import io as _io
from pathlib import Path

import numpy as np
import pandas as pd

from ..compression import compression_of, logical_suffix, open_binary, read_head
from ..errors import DataError, FormatError
from ..io.safety import refuse_pickles
from ..io.stream import nonblank_line_numbers, raw_lines, scan_text
from ..io.tables import check_parquet_size

LOG_FORMATS = ("auto", "csv", "tsv", "parquet", "jsonl", "baskets")


def read_log(path: str | Path, format: str = "auto") -> pd.DataFrame:
    """Read ``path`` into a DataFrame of strings/numbers; the row numbers users see are kept in
    the index (1-based file lines for text files)."""
    path = Path(path)
    if not path.exists():
        raise FormatError("no such file", path=path)
    if format not in LOG_FORMATS:
        raise FormatError(f"log format '{format}' must be one of {', '.join(LOG_FORMATS)}", path=path)
    head = read_head(path, HEAD)
    refuse_pickles(path, head)
    if not head.strip():
        raise DataError("the log is empty", path=path, hint="it needs rows of user and item ids")
    fmt = format if format != "auto" else _detect(path, head)
    if fmt == "parquet":
        return _read_parquet(path)
    lines = scan_text(path)  # line-length and decompressed-size caps at C speed, before pandas buffers a line
    if fmt == "jsonl":
        return _number_rows(_read_jsonl(path), path, lines, header=False)
    if fmt == "baskets":
        return read_baskets(path)
    return _number_rows(_read_delimited(path, head, "\t" if fmt == "tsv" else None), path, lines, header=True)


def _number_rows(df: pd.DataFrame, path: Path, lines: int, header: bool) -> pd.DataFrame:
    """Index rows by their real file line when blank lines were skipped (the parsers number
    rows as if there were none); a quoted field spanning lines keeps the plain numbering."""
    if lines != len(df) + header:
        numbers = nonblank_line_numbers(path)
        if len(numbers) == len(df) + header:
            df.index = numbers[int(header):]
    return df


def _detect(path: Path, head: bytes) -> str:
    ext = logical_suffix(path)
    if head.startswith(b"PAR1") or ext in (".parquet", ".pq"):
        return "parquet"
    if ext in (".jsonl", ".ndjson") or head.lstrip().startswith(b"{"):
        return "jsonl"
    if ext == ".tsv":
        return "tsv"
    if b"\x00" in head:
        raise FormatError("this is not a text log (it holds binary bytes)", path=path,
                          hint="give a CSV, TSV, JSON Lines, Parquet or basket file")
    return "csv"


HEAD = 65536


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
            raise FormatError(f"bytes at column {exc.start + 1} are not valid utf-8 (tried utf-8)",
                              path=path, line=no, hint="re-save the log as UTF-8") from None
    raise FormatError("bytes are not valid utf-8 (tried utf-8)", path=path, hint="re-save the log as UTF-8")


def sniff_delimiter(head: bytes, encoding: str = "utf-8") -> str:
    """The delimiter of a text log from its first bytes (comma when nothing else fits); the local
    and Spark engines share it so they split a file the same way."""
    sample = head.decode(encoding, "ignore")
    try:
        return csv.Sniffer().sniff(sample.split("\n", 20)[-2] if sample.count("\n") > 20 else sample,
                                   delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_delimited(path: Path, head: bytes, sep: str | None) -> pd.DataFrame:
    enc = _decode(path, head)
    sep = sep or sniff_delimiter(head, enc)
    try:
        with open_binary(path) as fh:
            df = pd.read_csv(fh, sep=sep, dtype=str, keep_default_na=False, encoding=enc,
                             skip_blank_lines=True, on_bad_lines="error", engine="c")
    except UnicodeDecodeError:
        _raise_not_utf8(path)
    except pd.errors.ParserError as exc:
        raise FormatError(f"rows have different numbers of fields ({exc})", path=path,
                          hint=f"the delimiter looked like {sep!r}; check quoting, or use --format") from None
    except pd.errors.EmptyDataError:
        raise DataError("the log is empty", path=path) from None
    if df.shape[1] < 2:
        raise FormatError(f"found only one column ({list(df.columns)[0]!r}) with delimiter {sep!r}", path=path,
                          hint="a log needs at least a user and an item column; is the delimiter right? "
                               "For one basket per line use --format baskets")
    df.index = np.arange(2, len(df) + 2)  # file line numbers (line 1 is the header)
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        if compression_of(path):
            with open_binary(path) as fh:
                source = _io.BytesIO(fh.read())
        else:
            source = None
        check_parquet_size(path, source)
        df = pd.read_parquet(path if source is None else source)
    except FormatError:
        raise
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise FormatError(f"not a readable Parquet file ({type(exc).__name__}: {exc})", path=path) from None
    df.index = np.arange(1, len(df) + 1)
    return df


def _read_jsonl(path: Path) -> pd.DataFrame:
    try:
        with open_binary(path) as fh:
            df = pd.read_json(fh, lines=True, dtype=False)
    except ValueError as exc:
        line = _first_bad_json_line(path)
        raise FormatError(f"not valid JSON Lines ({exc})", path=path, line=line,
                          hint="one JSON object per line") from None
    df.index = np.arange(1, len(df) + 1)
    return df


def _first_bad_json_line(path: Path) -> int | None:
    import json
    with open_binary(path) as raw, _io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as fh:
        for no, line in enumerate(fh, 1):
            if line.strip():
                try:
                    json.loads(line)
                except ValueError:
                    return no
    return None


def read_baskets(path: Path) -> pd.DataFrame:
    """One basket per line → rows (basket, item); empty padding fields are ignored."""
    enc = _decode(path, read_head(path, HEAD))
    try:
        with open_binary(path) as fh:
            text = fh.read().decode(enc)
    except UnicodeDecodeError:
        _raise_not_utf8(path)
    rows = list(csv.reader(_io.StringIO(text)))
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    basket = np.repeat(np.arange(1, len(rows) + 1), lengths)
    items = pd.Series([c for r in rows for c in r], dtype=object).str.strip()
    keep = (items != "").to_numpy()
    if not keep.any():
        raise DataError("no items found in the basket file", path=path)
    df = pd.DataFrame({"basket": basket[keep].astype(str), "item": items[keep].to_numpy()})
    df.index = basket[keep]  # the file line of each item
    df.attrs["baskets"] = True
    return df
