"""One pass over a text log before it is parsed: its lines, what its bytes say about its encoding,
and the rows far wider than its columns.

The pass reads the (decompressed) file in blocks at C/numpy speed, never a line at a time:

- the number of lines, and the line-length cap (a 10 GB line is refused before pandas buffers it);
- the first byte that is not UTF-8 and the first byte cp1252 leaves undefined (with their lines),
  so an encoding is chosen for the whole file before any row is read (:mod:`.dialect`);
- the lines (without a quote character) that hold more fields than the parser is given columns
  for: they are skipped by line number and counted, instead of stopping the parser.

A separator of several characters (MovieLens' ``::``) is replaced by one byte the parser splits
on (:class:`SeparatorStream`); the pass and the parser read the same replaced stream.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..compression import open_binary
from ..errors import FormatError
from ..io.stream import BLOCK, _too_long
from ..limits import max_line_bytes

SUBSTITUTE = "\x1f"
"""The byte a separator of several characters is replaced with (ASCII unit separator)."""
CP1252_UNDEFINED = [bytes([b]) for b in b"\x81\x8d\x8f\x90\x9d"]
"""The bytes cp1252 leaves undefined: a file holding one is read as latin-1."""
MOST_WIDE = 1_000_000
"""Lines too wide to parse that are remembered by number; past this the file is refused."""


class SeparatorStream(io.RawIOBase):
    """A byte stream with every ``separator`` (several characters) replaced by :data:`SUBSTITUTE`,
    left to right as ``str.split`` matches them, across block boundaries.

    Examples
    --------
    >>> s = SeparatorStream(io.BytesIO(b"1::Toy Story (1995)::Comedy\\n"), "::")
    >>> s.read()
    b'1\\x1fToy Story (1995)\\x1fComedy\\n'
    """

    def __init__(self, raw, separator: str):
        super().__init__()
        self._raw, self._sep = raw, separator.encode("latin-1")
        self._carry, self._out, self._eof = b"", b"", False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n is None or n < 0 or len(self._out) < n):
            block = self._raw.read(BLOCK)
            if not block:
                self._eof = True
                self._out += self._carry.replace(self._sep, SUBSTITUTE.encode())
                self._carry = b""
                break
            done = (self._carry + block).replace(self._sep, SUBSTITUTE.encode())
            keep = _open_prefix(done, self._sep)
            self._out, self._carry = self._out + done[: len(done) - keep], done[len(done) - keep :]
        if n is None or n < 0:
            out, self._out = self._out, b""
        else:
            out, self._out = self._out[:n], self._out[n:]
        return out

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _open_prefix(data: bytes, sep: bytes) -> int:
    """How many last bytes of ``data`` could start a separator completed by the next block."""
    for size in range(len(sep) - 1, 0, -1):
        if data.endswith(sep[:size]):
            return size
    return 0


def open_text(path: str | Path, separator: str | None = None):
    """``path``'s bytes (decompressed), with a separator of several characters replaced by
    :data:`SUBSTITUTE` (see :class:`SeparatorStream`); a context manager.

    Raises
    ------
    FormatError
        As ``core.compression.open_binary``.
    """
    fh = open_binary(path)
    return SeparatorStream(fh, separator) if separator and len(separator) > 1 else fh


@dataclass
class TextScan:
    """What one pass over a text file found.

    Attributes
    ----------
    lines : int
        Lines in the file (a last line without a newline counts).
    not_utf8, not_cp1252 : (line, byte) or None
        The first byte that is not valid UTF-8 / that cp1252 leaves undefined, and its line.
    wide : ndarray of int64
        0-based lines (without a quote character) with more than ``width`` fields once their empty
        trailing fields are set aside, or with more than ``width`` + :data:`MOST_EXTRA` fields.
    wide_fields : list of int
        The number of fields of the first few of them (for messages).
    most_fields : int
        The most fields of any other line (an upper bound where quotes hide separators): how many
        columns the parser must take so that no row stops it.
    quoted_lines : bool
        A line holds an odd number of quote characters: a quoted field spans lines (then no line
        is listed as wide: the parser, which follows quotes, decides).
    """

    lines: int = 0
    not_utf8: tuple[int, int] | None = None
    not_cp1252: tuple[int, int] | None = None
    wide: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    wide_fields: list[int] = field(default_factory=list)
    most_fields: int = 0
    quoted_lines: bool = False


MOST_EXTRA = 64
"""Empty trailing fields a row may carry beyond its columns and still be read."""


def scan(path: str | Path, separator: str | None = None, width: int = 0, quoting: bool = True):
    """Read ``path`` once (see the module docstring).

    Parameters
    ----------
    path : str or Path
    separator : str, optional
        The separator; with ``width``, the fields of each line are counted.
    width : int, default 0
        The file's columns (0: do not count fields).
    quoting : bool, default True
        Whether a quote character can hide a separator (lines with one are left to the parser).

    Returns
    -------
    TextScan

    Raises
    ------
    FormatError
        A line longer than the cap (``EMBEDLAB_MAX_LINE_MB``), a damaged archive, a file past the
        decompressed budget, or more than :data:`MOST_WIDE` lines too wide to parse.

    Examples
    --------
    >>> s = scan("sample_data/interactions.csv", ",", width=4)
    >>> s.lines, s.not_utf8, len(s.wide), s.most_fields
    (87613, None, 0, 4)
    """
    sep = None
    if separator and width:
        sep = (SUBSTITUTE if len(separator) > 1 else separator).encode("latin-1")
    out, wide, limit, carry = TextScan(), [], max_line_bytes(), b""
    fields = _Fields(sep, width, quoting, wide, path)
    with open_text(path, separator) as fh:
        while True:
            block = fh.read(BLOCK)
            data = carry + block if block else carry + (b"\n" if carry else b"")
            if not data:
                break
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if len(carry) > limit:
                raise _too_long(Path(path), out.lines + 1, limit)
            if cut:
                _scan_lines(data[:cut], out, fields)
            if not block:
                break
    out.wide = np.concatenate(wide) if wide else out.wide
    if (
        out.quoted_lines
    ):  # a quoted field spans lines: line numbers are not rows, leave it to pandas
        out.wide = out.wide[:0]
    return out


def _scan_lines(data: bytes, out: TextScan, fields: _Fields) -> None:
    """One block of whole lines: encodings, then fields; ``out.lines`` moves past it."""
    if not data.isascii():
        _encodings(data, out)
    if fields.sep is not None:
        fields.count(data, out)
    out.lines += data.count(b"\n")


def _encodings(data: bytes, out: TextScan) -> None:
    """The first byte that is not UTF-8, and the first cp1252 leaves undefined, with their lines."""
    if out.not_utf8 is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.not_utf8 = (out.lines + data.count(b"\n", 0, exc.start) + 1, data[exc.start])
    if out.not_cp1252 is None:
        at = [i for i in map(data.find, CP1252_UNDEFINED) if i >= 0]
        if at:
            out.not_cp1252 = (out.lines + data.count(b"\n", 0, min(at)) + 1, data[min(at)])


class _Fields:
    """Counts the fields of each line of a block (numpy), in Python only for the rare lines wider
    than the columns (their empty trailing fields set aside)."""

    def __init__(self, sep: bytes | None, width: int, quoting: bool, wide: list, path):
        self.sep, self.width, self.quoting, self.wide, self.path = sep, width, quoting, wide, path

    def count(self, data: bytes, out: TextScan) -> None:
        arr = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], ends[:-1] + 1))
        count = _per_line(np.flatnonzero(arr == self.sep[0]), starts, ends) + 1
        over = count > self.width
        if not over.any():
            out.most_fields = max(out.most_fields, int(count.max(initial=0)))
            return
        if self.quoting and b'"' in data:
            quotes = _per_line(np.flatnonzero(arr == ord('"')), starts, ends)
            out.quoted_lines |= bool((quotes % 2).any())
            over &= quotes == 0  # quotes may hide separators: the parser decides
        skip, filled = np.zeros(len(ends), dtype=bool), count.copy()
        for i in np.flatnonzero(over):
            line = data[starts[i] : ends[i]].rstrip(b"\r").rstrip(self.sep + b" ")
            filled[i] = line.count(self.sep) + 1
            skip[i] = filled[i] > self.width or count[i] > self.width + MOST_EXTRA
        if not skip.all():
            out.most_fields = max(out.most_fields, int(count[~skip].max()))
        if skip.any():
            self._skipped(np.flatnonzero(skip), filled, out)

    def _skipped(self, found: np.ndarray, count: np.ndarray, out: TextScan) -> None:
        self.wide.append(out.lines + found)
        out.wide_fields.extend(int(c) for c in count[found[: 5 - len(out.wide_fields)]])
        if sum(map(len, self.wide)) > MOST_WIDE:
            raise FormatError(
                f"more than {MOST_WIDE:,} rows have more than {self.width} fields",
                path=self.path,
                hint="is the separator right?",
                options=("separator",),
            )


def _per_line(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many of the sorted byte ``positions`` fall in each line [start, end)."""
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)
