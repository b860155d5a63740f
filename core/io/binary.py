"""Binary vector formats: word2vec binary and ``.npy`` (+ a keys file). Never with pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FormatError, UnsafeFileError
from ..limits import check_encoding, max_vectors, too_many_vectors
from .rows import Parsed, decoded_lines, open_binary
from .safety import SAFE_ALTERNATIVE
from .stream import is_compressed
from .text import dedupe, parse_header

MAX_KEY_BYTES = 1 << 16
ROWS_PER_CHUNK = 65536


def read_word2vec_binary(path: Path, encoding: str = "utf-8") -> Parsed:
    """Header line ``rows dims``, then per row: key bytes, a space, dims little-endian float32.

    Streams the file: the header's promise is checked against what the file can hold before
    anything is allocated, and rows are read in blocks, never the whole file at once.
    """
    encoding = check_encoding(encoding)
    with open_binary(path) as fh:
        rows, dim, pending = _binary_header(fh, path)
        reader = _RowReader(fh, path, dim, pending)
        keys: list[str] = []
        chunks: list[np.ndarray] = []
        for start in range(0, rows, ROWS_PER_CHUNK):
            n = min(ROWS_PER_CHUNK, rows - start)
            block = np.empty((n, dim), dtype="<f4")
            for j in range(n):
                key, block[j] = reader.row(start + j, rows)
                try:
                    keys.append(key.decode(encoding))
                except UnicodeDecodeError:
                    raise FormatError(
                        f"key of row {start + j + 1} is not valid {encoding} (tried {encoding})",
                        path=path,
                        hint="choose the encoding latin-1 if the keys are Latin-1",
                        options=("encoding",),
                    ) from None
            chunks.append(block)
        if reader.rest().strip():
            raise FormatError(
                f"header says {rows} rows but bytes remain after row {rows}",
                path=path,
                line=1,
                hint="fix the header's first number",
            )
    mat = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    mat = mat.astype(np.float32, copy=False)
    _check_finite(mat, keys, path)
    return dedupe(keys, mat, None, path)


def _binary_header(fh, path: Path) -> tuple[int, int, bytes]:
    head = fh.read(64)
    if not head:
        raise FormatError("file is empty", path=path)
    end = head.find(b"\n")
    header = parse_header(head[:end].decode("ascii", "replace")) if end > 0 else None
    if header is None:
        raise FormatError(
            "first line is not a word2vec header ('<rows> <dims>')", path=path, line=1
        )
    rows, dim = header
    room = (fh.budget if fh.compressed else path.stat().st_size) - end - 1
    need = rows * (4 * dim + 2)  # at least a one-byte key and its space per row
    if need > room:
        raise FormatError(
            f"header promises {rows} rows × {dim} dimensions ({need:,} bytes) but the file "
            f"can hold at most {max(room, 0):,} bytes",
            path=path,
            line=1,
            hint="the header is wrong or the file is truncated",
        )
    if rows > max_vectors():
        raise too_many_vectors(rows, path, 1)
    return rows, dim, head[end + 1 :]


class _RowReader:
    """Reads ``key SPACE floats`` rows from a bounded stream through a small buffer."""

    def __init__(self, fh, path: Path, dim: int, pending: bytes):
        self.fh, self.path, self.width = fh, path, 4 * dim
        self.buf, self.pos = pending, 0

    def _fill(self, need: int) -> bool:
        """Make at least ``need`` bytes available after pos; False at end of file."""
        while len(self.buf) - self.pos < need:
            more = self.fh.read(max(1 << 20, need))
            if not more:
                return False
            self.buf = self.buf[self.pos :] + more
            self.pos = 0
        return True

    def row(self, i: int, rows: int) -> tuple[bytes, np.ndarray]:
        while self._fill(1) and self.buf[self.pos] in b"\n\r":
            self.pos += 1
        space = self.buf.find(b" ", self.pos)
        while (
            space < 0
            and len(self.buf) - self.pos <= MAX_KEY_BYTES
            and self._fill(len(self.buf) - self.pos + 1)
        ):
            space = self.buf.find(b" ", self.pos)
        if space < 0:
            raise FormatError(
                f"file ends inside row {i + 1} of the {rows} the header promises "
                "(or a key is longer than 64 kB)",
                path=self.path,
                hint="the file is truncated, or the header's row count is wrong",
            )
        key = self.buf[self.pos : space]
        self.pos = space + 1
        if not self._fill(self.width):
            raise FormatError(
                f"file ends inside row {i + 1} of the {rows} the header promises",
                path=self.path,
                hint="the file is truncated, or the header's row count is wrong",
            )
        values = np.frombuffer(self.buf, dtype="<f4", count=self.width // 4, offset=self.pos)
        self.pos += self.width
        return key, values

    def rest(self) -> bytes:
        """Up to 1 kB of what follows the last row."""
        self._fill(1024)
        return self.buf[self.pos : self.pos + 1024]


def _check_finite(mat: np.ndarray, keys: list[str], path: Path, offset: int = 0) -> None:
    bad = ~np.isfinite(mat).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise FormatError(
            f"row {offset + i + 1} ('{keys[i]}') has NaN or Inf values",
            path=path,
            hint="remove or fix that row",
        )


def write_word2vec_binary(path: Path, keys, vectors: np.ndarray) -> None:
    """Keys end at the first space in this format (``keycheck`` refuses keys it cannot hold)."""
    vectors = np.asarray(vectors, dtype="<f4")
    with open(path, "wb") as fh:
        fh.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            fh.write(key.encode("utf-8") + b" " + row.tobytes() + b"\n")


def find_keys_file(path: Path) -> Path | None:
    """``NAME.npy`` takes its keys only from its own ``NAME.keys.txt`` (never from an unrelated
    ``NAME.txt`` that happens to have as many lines)."""
    name = path.name.lower().removesuffix(".gz")
    cand = path.with_name(path.name[: len(name) - 4] + ".keys.txt")
    return cand if cand.exists() else None


def read_npy(path: Path, keys_path: Path | None = None, encoding: str = "utf-8") -> Parsed:
    """A 2-D float array, memory-mapped when it is already float32, and one key per line."""
    arr = _read_npy_gz(path) if is_compressed(path) else _map_npy(path)
    if arr.ndim != 2 or arr.dtype.kind not in "fiu":
        raise FormatError(
            f"expected a 2-D numeric array, got shape {arr.shape} of {arr.dtype}", path=path
        )
    if arr.shape[0] == 0:
        raise FormatError("array has no rows", path=path)
    notes: list[str] = []
    keys_path = keys_path or find_keys_file(path)
    if keys_path is None:
        keys = [str(i) for i in range(arr.shape[0])]
        notes.append(
            f"{path.name}: no keys file found beside it; keys are row numbers "
            f"(put one key per line in {path.with_suffix('').name}.keys.txt)"
        )
    else:
        keys = _read_keys(keys_path, encoding, arr.shape[0])
    mat = arr if arr.dtype == np.float32 else np.asarray(arr, dtype=np.float32)
    _check_finite_chunked(mat, keys, path)
    parsed = dedupe(keys, mat, None, path)
    return parsed._replace(notes=notes + parsed.notes)


def _read_keys(path: Path, encoding: str, rows: int) -> list[str]:
    """One key per line, exactly as written (only the line ending is removed); stops reading as
    soon as the file holds more keys than the array has rows."""
    keys: list[str] = []
    for no, text in decoded_lines(path, encoding, keep_first=rows):
        if len(keys) == rows:
            raise FormatError(
                f"keys file has more lines than the array's {rows} rows",
                path=path,
                line=no,
                hint="one key per line, in row order",
            )
        keys.append(text.removesuffix("\n").removesuffix("\r"))
    if len(keys) != rows:
        raise FormatError(
            f"keys file has {len(keys)} lines but the array has {rows} rows",
            path=path,
            hint="one key per line, in row order",
        )
    return keys


def _map_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError, OSError, TypeError) as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise UnsafeFileError(
                "refusing to load an object array: it needs pickle, which can execute "
                "arbitrary code",
                path=path,
                hint=SAFE_ALTERNATIVE,
            ) from None
        raise FormatError(
            f"not a readable .npy file ({exc})",
            path=path,
            hint="the file is damaged or truncated, or its header is wrong",
        ) from None


def _read_npy_gz(path: Path) -> np.ndarray:
    """A compressed .npy: the header's shape is checked against the decompression budget first."""
    fmt = np.lib.format
    with open_binary(path) as fh:
        try:
            version = fmt.read_magic(fh)
            read_header = {
                (1, 0): fmt.read_array_header_1_0,
                (2, 0): fmt.read_array_header_2_0,
            }.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy version {version}")
            shape, fortran, dtype = read_header(fh)
        except (ValueError, EOFError, OSError, TypeError, SyntaxError, KeyError) as exc:
            raise FormatError(f"not a readable .npy file ({exc})", path=path) from None
        if dtype.hasobject:
            raise UnsafeFileError(
                "refusing to load an object array: it needs pickle, which can execute "
                "arbitrary code",
                path=path,
                hint=SAFE_ALTERNATIVE,
            )
        need = int(np.prod(shape, dtype=np.float64) * dtype.itemsize)
        if len(shape) != 2 or need > fh.budget:
            raise FormatError(
                f"header promises shape {shape} of {dtype} ({need:,} bytes); expected a 2-D array "
                f"within {fh.budget:,} bytes",
                path=path,
            )
        data = fh.read(need)
    if len(data) != need:
        raise FormatError(
            f"file ends after {len(data):,} of the {need:,} bytes its header promises",
            path=path,
            hint="the file is truncated",
        )
    arr = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return arr


def _check_finite_chunked(
    mat: np.ndarray, keys: list[str], path: Path, chunk: int = 100_000
) -> None:
    for start in range(0, mat.shape[0], chunk):
        part = np.asarray(mat[start : start + chunk])
        if not np.isfinite(part).all():
            _check_finite(part, keys[start : start + chunk], path, offset=start)
