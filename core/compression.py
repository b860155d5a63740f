"""Open a file that may be compressed (gzip, bzip2, xz, zstandard) as if it were plain.

The compression is told by the file's first bytes, not its name, so ``log.csv`` that is really
gzip and ``log.csv.gz`` both read.  ``logical_suffix`` names the format under the compression
(``events.tsv.zst`` → ``.tsv``).  Any reader of user files (logs, vector files) can share this.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import FormatError
from .limits import MB, budget_hint, decompressed_budget

MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd"}
SUFFIXES = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zst": "zstd",
    ".zstd": "zstd",
}


def compression_of(path: str | Path) -> str | None:
    """The compression of ``path`` from its magic bytes: "gzip", "bzip2", "xz", "zstd" or None.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    str or None

    Examples
    --------
    >>> compression_of("sample_data/interactions.csv") is None
    True
    """
    check_regular(path)
    with open(path, "rb") as fh:
        head = fh.read(6)
    return next((name for magic, name in MAGIC.items() if head.startswith(magic)), None)


def check_regular(path: str | Path) -> None:
    """Refuse what is not a regular file before opening it: reading a named pipe (FIFO) would wait
    forever for a writer, and a device (``/dev/zero``) never ends.

    Raises
    ------
    FormatError
        ``path`` is a folder, a pipe, a socket or a device.
    OSError
        ``path`` cannot be looked at (missing, a symlink loop): callers turn it into their message.

    Examples
    --------
    >>> check_regular("sample_data/interactions.csv")
    """
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise FormatError("is a folder, not a file", path=path, hint="give a file inside it")
    if not stat.S_ISREG(mode):
        raise FormatError(
            "is not a regular file (a pipe, socket or device)",
            path=path,
            hint="save the data to a file first and give that file",
        )


def logical_suffix(path: str | Path) -> str:
    """The suffix of the content: ``a.csv.gz`` → ``.csv``; ``a.csv`` → ``.csv``.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    str
        Lower-case, with the dot; "" when there is none.

    Examples
    --------
    >>> logical_suffix("events.TSV.zst")
    '.tsv'
    """
    path = Path(path)
    if path.suffix.lower() in SUFFIXES:
        path = path.with_suffix("")
    return path.suffix.lower()


def open_binary(path: str | Path) -> BoundedStream:
    """``path`` opened for reading bytes, decompressed on the fly when it is compressed, within
    the decompressed-size budget (``core.limits``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    BoundedStream
        Use it as a context manager; ``read`` yields the decompressed bytes.

    Raises
    ------
    FormatError
        The file cannot be opened, its archive is damaged or truncated, it decompresses beyond the
        budget, or it is zstandard-compressed and the ``zstandard`` package is missing.

    Examples
    --------
    >>> with open_binary("sample_data/interactions.csv") as fh:
    ...     fh.read(7)
    b'user_id'
    """
    return BoundedStream(Path(path))


class BoundedStream(io.RawIOBase):
    """A read-only byte stream that turns archive damage into FormatError and stops at a budget."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        try:
            self.compression = compression_of(path)
            named = SUFFIXES.get(path.suffix.lower())
            if named and self.compression is None:
                raise FormatError(
                    f"the name says {named} but the bytes are not {named}-compressed",
                    path=path,
                    hint="the file is damaged, or rename it without the compression extension",
                )
            self._fh = _open_raw(path, self.compression)
        except OSError as exc:
            raise FormatError(f"cannot open the file ({exc.strerror or exc})", path=path) from None
        self.compressed = self.compression is not None
        self.budget = decompressed_budget(path) if self.compressed else None
        self.consumed = 0

    def read(self, n: int = -1) -> bytes:
        if self.budget is not None and (n is None or n < 0):
            n = self.budget + 1 - self.consumed
        try:
            data = self._fh.read(n)
        except decompression_errors() as exc:
            raise FormatError(
                f"not a readable {self.compression} file ({exc})",
                path=self.path,
                hint="the file is damaged or truncated: re-download or re-compress it, "
                "or drop the compression extension if it is not compressed",
            ) from None
        self.consumed += len(data)
        if self.budget is not None and self.consumed > self.budget:
            raise FormatError(
                f"decompresses to more than {self.budget // MB} MB",
                path=self.path,
                hint=budget_hint(),
            )
        return data

    def readinto(self, buf) -> int:
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._fh.close()
        super().close()


def _open_raw(path: str | Path, kind: str | None) -> BinaryIO:
    if kind == "gzip":
        return gzip.open(path, "rb")
    if kind == "bzip2":
        return bz2.open(path, "rb")
    if kind == "xz":
        return lzma.open(path, "rb")
    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            raise FormatError(
                "this file is zstandard-compressed and the 'zstandard' package is missing",
                path=path,
                hint="pip install zstandard, or decompress the file first",
            ) from None
        return io.BufferedReader(_ZstdReader(path, zstandard.ZstdDecompressor()), 1 << 16)
    return open(path, "rb")


class _ZstdReader(io.RawIOBase):
    """zstandard's own reader stops quietly at a truncated frame; this one raises EOFError like
    gzip, bz2 and lzma do, so a cut-off log is never read as a shorter one."""

    def __init__(self, path, decompressor):
        self._fh = open(path, "rb")
        self._dctx = decompressor
        self._obj = decompressor.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        while not self._pending:
            chunk = self._fh.read(1 << 16)
            if not chunk:
                if not self._obj.eof:
                    raise EOFError(
                        "Compressed file ended before the end-of-stream marker was reached"
                    )
                return 0
            self._pending = self._decompress(chunk)
        n = min(len(buf), len(self._pending))
        buf[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _decompress(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            if self._obj.eof:  # a further frame follows the one just finished
                self._obj = self._dctx.decompressobj()
            out.append(self._obj.decompress(chunk))
            chunk = self._obj.unused_data if self._obj.eof else b""
        return b"".join(out)

    def close(self) -> None:
        self._fh.close()
        super().close()


def read_head(path: str | Path, size: int) -> bytes:
    """The first ``size`` decompressed bytes of ``path``; a damaged archive says so.

    Parameters
    ----------
    path : str or Path
    size : int

    Returns
    -------
    bytes

    Raises
    ------
    FormatError
        The file claims a compression its bytes do not hold (truncated or corrupt archive).

    Examples
    --------
    >>> read_head("sample_data/interactions.csv", 7)
    b'user_id'
    """
    with open_binary(path) as fh:  # damage becomes a FormatError inside BoundedStream.read
        return fh.read(size)


def decompression_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a decompressing reader raises on a damaged archive (for ``except`` clauses).

    Returns
    -------
    tuple of exception types

    Examples
    --------
    >>> EOFError in decompression_errors()
    True
    """
    import zlib

    errors: list[type[BaseException]] = [
        EOFError,
        lzma.LZMAError,
        gzip.BadGzipFile,
        OSError,
        zlib.error,
    ]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errors)
