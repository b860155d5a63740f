"""Binary vector formats: word2vec binary and ``.npy`` (+ a keys file). Never with pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import FormatError, ParameterError, UnsafeFileError
from .rows import Parsed, decoded_lines, open_binary
from .safety import SAFE_ALTERNATIVE
from .text import dedupe, parse_header


def read_word2vec_binary(path: Path, encoding: str = "utf-8") -> Parsed:
    """Header line ``rows dims``, then per row: key bytes, a space, dims little-endian float32."""
    with open_binary(path) as fh:
        data = fh.read()
    if not data:
        raise FormatError("file is empty", path=path)
    end = data.find(b"\n")
    header = parse_header(data[:end].decode("ascii", "replace")) if end > 0 else None
    if header is None:
        raise FormatError("first line is not a word2vec header ('<rows> <dims>')", path=path, line=1)
    rows, dim = header
    width = 4 * dim
    pos = end + 1
    keys: list[str] = []
    offsets = np.empty(rows, dtype=np.int64)
    for i in range(rows):
        while pos < len(data) and data[pos] in b"\n\r":
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + width > len(data):
            raise FormatError(f"file ends inside row {i + 1} of the {rows} the header promises", path=path,
                              hint="the file is truncated, or the header's row count is wrong")
        try:
            keys.append(data[pos:space].decode(encoding))
        except UnicodeDecodeError:
            raise FormatError(f"key of row {i + 1} (byte offset {pos}) is not valid {encoding} "
                              f"(tried {encoding})", path=path, hint="pass --encoding latin-1 if the keys are Latin-1") from None
        offsets[i] = space + 1
        pos = space + 1 + width
    if data[pos:].strip():
        raise FormatError(f"header says {rows} rows but bytes remain after row {rows}", path=path, line=1,
                          hint="fix the header's first number")
    buf = np.frombuffer(data, dtype=np.uint8)
    mat = np.stack([buf[o:o + width] for o in offsets]).view("<f4").reshape(rows, dim).astype(np.float32)
    _check_finite(mat, keys, path)
    return dedupe(keys, mat, None, path)


def _check_finite(mat: np.ndarray, keys: list[str], path: Path, offset: int = 0) -> None:
    bad = ~np.isfinite(mat).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise FormatError(f"row {offset + i + 1} ('{keys[i]}') has NaN or Inf values", path=path,
                          hint="remove or fix that row")


def write_word2vec_binary(path: Path, keys, vectors: np.ndarray) -> None:
    """Keys end at the first space in this format, so a key holding one cannot be written."""
    bad = next((k for k in keys if " " in k or "\n" in k), None)
    if bad is not None:
        raise ParameterError(f"key '{bad}' contains a space or newline, which word2vec binary cannot hold",
                             hint="write word2vec text (.txt) or Parquet instead")
    vectors = np.asarray(vectors, dtype="<f4")
    with open(path, "wb") as fh:
        fh.write(f"{len(keys)} {vectors.shape[1]}\n".encode())
        for key, row in zip(keys, vectors):
            fh.write(key.encode("utf-8") + b" " + row.tobytes() + b"\n")


KEY_FILE_SUFFIXES = (".keys.txt", ".keys.tsv", ".txt", ".tsv")


def find_keys_file(path: Path) -> Path | None:
    """``vectors.npy`` pairs with ``vectors.keys.txt``, ``vectors.txt`` or ``keys.txt`` beside it."""
    stem = path.with_suffix("")
    for suffix in KEY_FILE_SUFFIXES:
        cand = stem.with_name(stem.name + suffix)
        if cand.exists():
            return cand
    cand = path.with_name("keys.txt")
    return cand if cand.exists() else None


def read_npy(path: Path, keys_path: Path | None = None, encoding: str = "utf-8") -> Parsed:
    """A 2-D float array, memory-mapped when it is already float32, and one key per line."""
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError, OSError, TypeError) as exc:
        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
            raise UnsafeFileError("refusing to load an object array: it needs pickle, which can execute "
                                  "arbitrary code", path=path, hint=SAFE_ALTERNATIVE) from None
        raise FormatError(f"not a readable .npy file ({exc})", path=path) from None
    if arr.ndim != 2 or arr.dtype.kind not in "fiu":
        raise FormatError(f"expected a 2-D numeric array, got shape {arr.shape} of {arr.dtype}", path=path)
    if arr.shape[0] == 0:
        raise FormatError("array has no rows", path=path)
    notes: list[str] = []
    keys_path = keys_path or find_keys_file(path)
    if keys_path is None:
        keys = [str(i) for i in range(arr.shape[0])]
        notes.append(f"{path.name}: no keys file found beside it; keys are row numbers "
                     f"(put one key per line in {path.with_suffix('').name}.keys.txt)")
    else:
        keys = [t.rstrip("\r\n") for _, t in decoded_lines(keys_path, encoding)]
        while keys and keys[-1] == "":
            keys.pop()
        if len(keys) != arr.shape[0]:
            raise FormatError(f"keys file has {len(keys)} lines but the array has {arr.shape[0]} rows",
                              path=keys_path, hint="one key per line, in row order")
    mat = arr if arr.dtype == np.float32 else np.asarray(arr, dtype=np.float32)
    _check_finite_chunked(mat, keys, path)
    parsed = dedupe(keys, mat, None, path)
    return parsed._replace(notes=notes + parsed.notes)


def _check_finite_chunked(mat: np.ndarray, keys: list[str], path: Path, chunk: int = 100_000) -> None:
    for start in range(0, mat.shape[0], chunk):
        part = np.asarray(mat[start:start + chunk])
        if not np.isfinite(part).all():
            _check_finite(part, keys[start:start + chunk], path, offset=start)
