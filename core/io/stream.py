"""Bounded reading: plain or compressed bytes, lines of capped length, blank-line floods skipped
in C.

Every reader opens files through :func:`open_binary` and splits text through :func:`raw_lines`,
so a damaged ``.gz``, a "zip bomb", a 10 GB line or 200 MB of blank lines becomes one typed error
(or is skipped quickly) instead of a traceback, a MemoryError or minutes of CPU.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..compression import BoundedStream, compression_of, open_binary  # noqa: F401  (re-exported)
from ..errors import FormatError
from ..limits import MB, check_encoding, max_line_bytes

BLOCK = 1 << 20
_NONBLANK = re.compile(rb"[^ \t\r\n\f\v]")
_BLANK_STARTS = (b"", b" ", b"\t", b"\r", b"\n", b"\f", b"\v")


def _too_long(path: Path, line: int, limit: int) -> FormatError:
    return FormatError(
        f"line is longer than {limit // MB} MB",
        path=path,
        line=line,
        hint="is this really a text file of vectors or rows? Raise EMBEDLAB_MAX_LINE_MB "
        "if the line is genuine",
    )


def _refill(
    fh, buf: bytes, start: int, path: Path, line: int, limit: int
) -> tuple[bytes, int, bool]:
    """Keep ``buf[start:]`` (the open line, refused once longer than ``limit``) and append the next
    block; returns the new buffer, position 0 and whether the file has ended."""
    if len(buf) - start > limit:
        raise _too_long(path, line, limit)
    more = fh.read(BLOCK)
    return buf[start:] + more, 0, not more


def raw_lines(
    path: Path, skip_blank: bool = True, keep_first: int = 0, filler: bytes = b""
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_no, bytes)`` (1-based, newline kept) without ever holding more than one
    capped line; whitespace-only lines after the first ``keep_first`` lines are skipped by
    searching in C, not line by line.  ``filler`` bytes count as whitespace for skipping (``b","``:
    a line of commas is an empty row of a CSV)."""
    limit = max_line_bytes()
    nonblank, starts, blank = _blank_rules(filler)
    with open_binary(path) as fh:
        buf, pos, no, eof = b"", 0, 0, False
        while True:
            if skip_blank and no >= keep_first and buf[pos : pos + 1] in starts:
                rest = buf[pos:] if pos else buf
                m = (
                    None if not rest or blank(rest) else nonblank.search(buf, pos)
                )  # isspace: 15x a regex
                if m is None:  # only whitespace left: count its lines, keep the open one
                    cut = buf.rfind(b"\n", pos) + 1 or pos
                    no += buf.count(b"\n", pos, cut)
                    if eof:
                        return
                    buf, pos, eof = _refill(fh, buf, cut, path, no + 1, limit)
                    continue
                start = buf.rfind(b"\n", pos, m.start()) + 1 or pos
                no += buf.count(b"\n", pos, start)
                pos = start
            end = buf.find(b"\n", pos)
            if end < 0:
                if eof:
                    if pos < len(buf):
                        yield no + 1, buf[pos:]
                    return
                buf, pos, eof = _refill(fh, buf, pos, path, no + 1, limit)
                continue
            if end - pos > limit:
                raise _too_long(path, no + 1, limit)
            no += 1
            yield no, buf[pos : end + 1]
            pos = end + 1


@functools.cache
def _blank_rules(filler: bytes):
    """(a regex finding the first non-blank byte, the bytes a blank run may start with, a C-speed
    test that a block is all blank) for whitespace plus ``filler``."""
    if not filler:
        return _NONBLANK, _BLANK_STARTS, bytes.isspace
    drop = b" \t\r\n\f\v" + filler
    return (
        re.compile(rb"[^ \t\r\n\f\v" + re.escape(filler) + rb"]"),
        _BLANK_STARTS + tuple(bytes([c]) for c in filler),
        lambda block: not block.translate(None, drop),
    )


def decoded_lines(
    path: Path,
    encoding: str = "utf-8",
    skip_blank: bool = True,
    keep_first: int = 0,
    filler: bytes = b"",
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_no, text)``; undecodable bytes name their line and how to pick an encoding.
    Blank lines (and lines of ``filler``, see :func:`raw_lines`) are skipped (after the first
    ``keep_first``) unless ``skip_blank`` is False."""
    encoding = check_encoding(encoding)
    for no, raw in raw_lines(path, skip_blank, keep_first, filler):
        try:
            yield no, raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"bytes at offset {exc.start} are not valid {encoding} (tried {encoding})",
                path=path,
                line=no,
                hint="re-save the file as UTF-8, or choose its encoding (latin-1, if that is what "
                "it is)",
                options=("encoding",),
            ) from None


def scan_text(path: Path) -> int:
    """Read the whole (decompressed) file once in blocks, checking line length and the size
    budget: a cheap guard before handing a file to a parser (pandas) that would buffer a giant
    line.  Runs at block speed, not line speed (a 200 MB blank-line flood takes a second).
    Returns the number of lines (a last line without a newline counts)."""
    limit = max_line_bytes()
    size = max(1, min(BLOCK, limit // 2))  # a run inside one block can then never exceed the limit
    since_newline, lines = 0, 0
    with open_binary(path) as fh:
        while block := fh.read(size):
            first = block.find(b"\n")
            if first < 0:
                since_newline += len(block)
            else:
                since_newline += first
            if since_newline > limit:
                raise _too_long(path, lines + 1, limit)
            if first >= 0:
                lines += block.count(b"\n")
                since_newline = len(block) - block.rfind(b"\n") - 1
    return lines + (since_newline > 0)


_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\r\f\v\n")] = True


def nonblank_line_blocks(path: Path) -> Iterator[np.ndarray]:
    """Yield, block by block, the 1-based numbers of the lines that hold more than whitespace
    (the rows pandas keeps with ``skip_blank_lines``).  Blocks of only whitespace are counted in
    C; only blocks mixing blank and full lines are split with numpy.  One block of numbers is held
    at a time, so a flood of lines costs no more memory than a few."""
    state = _LineState()
    with open_binary(path) as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            numbers = state.block(block)
            if len(numbers):
                yield numbers
    if state.open_content:
        yield np.array([state.lines + 1], dtype=np.int64)


class _LineState:
    """The line still open at the end of one block (has it content?) carried into the next."""

    def __init__(self):
        self.lines, self.open_content = 0, False

    def block(self, block: bytes) -> np.ndarray:
        if block.isspace():  # only whitespace: count its line breaks
            newlines = block.count(b"\n")
            out = [self.lines + 1] if newlines and self.open_content else []
            self.lines += newlines
            self.open_content = self.open_content and not newlines
            return np.array(out, dtype=np.int64)
        arr = np.frombuffer(block, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        content = np.concatenate(([0], np.cumsum(~_WHITESPACE[arr], dtype=np.int64)))
        starts = np.concatenate(([0], nl[:-1] + 1))
        has = content[nl] - content[starts] > 0
        if len(nl):
            has[0] |= self.open_content
            self.open_content = bool(content[-1] - content[nl[-1] + 1] > 0)
        else:
            self.open_content = True
        numbers = self.lines + 1 + np.flatnonzero(has)
        self.lines += len(nl)
        return numbers


def is_compressed(path: Path) -> bool:
    """True when ``path``'s bytes are gzip, bzip2, xz or zstandard (whatever its name says)."""
    try:
        return compression_of(path) is not None
    except OSError:
        return False
