"""Load and save embeddings in the common formats, safely (never via pickle).

``load(spec)`` takes a built-in name (``glove-6b-50d``), a file, or a folder written by
``embedlab train``; the format is detected from the extension and the first bytes, and can be
forced with ``format=``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..embeddings import Embeddings, Provenance
from ..errors import FormatError, OutputError, ParameterError
from ..limits import check_encoding
from .atomic import (
    FORCE_HINT,
    atomic_file,
    check_file_target,
    commit_pair,
    restore_interrupted,
    temp_name,
)
from .binary import find_keys_file, read_npy, read_word2vec_binary, write_word2vec_binary
from .builtin import BUILTIN, is_builtin, load_builtin
from .keycheck import check_keys
from .rows import open_binary
from .safety import refuse_pickles
from .stream import is_compressed, raw_lines, scan_text
from .tables import read_parquet, write_parquet
from .text import (
    parse_header,
    projector_metadata_path,
    projector_metadata_text,
    read_csv_vectors,
    read_glove,
    read_projector,
    read_word2vec_text,
    write_projector_vectors,
    write_word2vec_text,
)

READ_FORMATS = ("word2vec", "word2vec-binary", "glove", "vec", "projector", "npy", "parquet", "csv")
TEXT_FORMATS = ("word2vec", "glove", "vec", "projector", "csv")
WRITE_FORMATS = ("word2vec", "word2vec-binary", "projector", "parquet")
TRAINED_ITEM_FILE = "items.parquet"

__all__ = ["load", "save", "detect_format", "READ_FORMATS", "WRITE_FORMATS", "BUILTIN"]


def _head(path: Path, n: int = 4096) -> bytes:
    """The first ``n`` bytes; when they are all blank, the first ``n`` from the first line that
    is not (a text file may start with a flood of blank lines)."""
    with open_binary(path) as fh:
        head = fh.read(n)
    if head and not head.strip():
        first = next(raw_lines(path), None)
        return b"" if first is None else first[1][:n]
    return head


def detect_format(path: str | Path, head: bytes | None = None) -> str:
    """The format of ``path``: from the extension, then from the content where the extension is
    vague.

    Parameters
    ----------
    path : str or Path
    head : bytes, optional
        The file's first bytes (read here when not given).

    Returns
    -------
    str
        One of the readable formats (``word2vec``, ``word2vec-binary``, ``glove``, ``projector``,
        ...).

    Raises
    ------
    UnsafeFileError
        The file is a pickle.
    FormatError
        The content matches no format.
    """
    path = Path(path)
    head = _head(path) if head is None else head
    refuse_pickles(path, head)
    name = path.name.lower().removesuffix(".gz")
    ext = Path(name).suffix
    if head.startswith(b"\x93NUMPY") or ext == ".npy":
        return "npy"
    if head.startswith(b"PAR1") or ext in (".parquet", ".pq"):
        return "parquet"
    if ext == ".csv":
        return "csv"
    if ext == ".tsv":
        return "projector"
    if not head.strip():
        raise FormatError("file is empty (or holds only blank lines)", path=path)
    first, _, rest = head.partition(b"\n")
    if parse_header(first.decode("ascii", "replace")):
        return "word2vec" if _is_text(rest) else "word2vec-binary"
    if ext == ".bin":
        raise FormatError("a .bin file without a word2vec header ('<rows> <dims>')", path=path)
    if not _is_text(head):
        raise FormatError(
            "cannot tell the format: the file is neither text vectors nor a known binary",
            path=path,
            hint=f"choose the format ({', '.join(READ_FORMATS)})",
            options=("format",),
        )
    return "glove"


def _is_text(sample: bytes) -> bool:
    """Binary word2vec rows hold raw float bytes, full of control bytes; text in any 8-bit
    encoding has next to none (its encoding is checked, line by line, while reading)."""
    if not sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return b"\x00" not in sample and control <= len(sample) // 100


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()[:16]


def load(
    spec: str | Path,
    format: str | None = None,
    limit: int | None = None,
    metadata: str | Path | None = None,
    keys: str | Path | None = None,
    encoding: str = "utf-8",
) -> Embeddings:
    """Load embeddings from a built-in name, a file, or a folder written by ``embedlab train``.

    Parameters
    ----------
    spec : str or Path
        ``glove-6b-50d``, a vector file (word2vec, GloVe, .vec, projector TSV, npy, Parquet) or a
        folder.
    format : str, optional
        Force the format instead of detecting it. ``limit`` keeps the first N keys.
    limit : int, optional
    metadata, keys : str or Path, optional
        Projector metadata TSV; a keys file for ``.npy`` vectors.
    encoding : str, default "utf-8"

    Returns
    -------
    Embeddings
        With ``provenance`` (source, format, data hash) and ``notes`` on anything skipped.

    Raises
    ------
    FormatError
        Missing, damaged or unrecognised file (the message gives the line where it can).
    UnsafeFileError
        A pickle (gensim ``.model``/``.kv``, ``.pkl``), by name or by bytes.
    ParameterError
        An unknown ``format`` or ``encoding``.

    Examples
    --------
    >>> load("glove-6b-50d", limit=10).dim
    50
    """
    _check_limit(limit)
    if is_builtin(str(spec)):
        return load_builtin(str(spec), limit)
    encoding = check_encoding(encoding)
    path, restored = _existing(Path(spec))
    if path.is_dir() and ((path / TRAINED_ITEM_FILE).exists() or not _is_parquet_dir(path)):
        path = _file_in_folder(path)
    if path.is_dir():  # a Parquet dataset written by Spark: part files read as one table
        fmt, parsed, digest = "parquet", read_parquet(path), _dir_hash(path)
    else:
        fmt = _checked_format(path, format)
        parsed, digest = _read(path, fmt, metadata, keys, encoding), file_hash(path)
    prov, notes = Provenance(str(path), fmt, data_hash=digest), [restored] * bool(restored)
    emb = Embeddings(parsed.keys, parsed.vectors, parsed.metadata, prov, notes + parsed.notes)
    emb = emb.head(limit) if limit is not None else emb
    return _note_zero_rows(emb, path)


def _existing(path: Path) -> tuple[Path, str | None]:
    """``path``, restored first when a killed write left it absent (with a note saying so).

    Raises
    ------
    FormatError
        Nothing is there.
    """
    restored = None
    if not path.exists() and not (restored := restore_interrupted(path)):
        raise FormatError(
            "no such file or folder",
            path=path,
            hint=f"give a vector file, a training output folder, or one of: {', '.join(BUILTIN)}",
        )
    return path, restored


def _checked_format(path: Path, format: str | None) -> str:
    """The file's format, forced or detected, after the pickle check (which a forced format never
    skips) and, for compressed text, the size and line caps (at C speed, before parsing)."""
    head = _head(path)
    refuse_pickles(path, head)
    fmt = format or detect_format(path, head)
    if fmt not in READ_FORMATS:
        raise ParameterError(f"format '{fmt}' is not one of {', '.join(READ_FORMATS)}")
    if fmt in TEXT_FORMATS and is_compressed(path):
        scan_text(path)
    return fmt


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit <= 0:
        raise ParameterError(f"limit({limit}) must be > 0", hint="omit --limit to keep every key")


def _note_zero_rows(emb: Embeddings, path: Path) -> Embeddings:
    """``emb``, with a note when some of its rows are zero vectors."""
    if emb.nonzero_rows is None:
        return emb
    zero = len(emb) - len(emb.nonzero_rows)
    first = next(k for k, n in zip(emb.keys, emb.norms) if n == 0)
    return emb.with_notes(
        f"{path.name}: {zero} zero vector(s) (e.g. '{first}'); cosine similarity is undefined "
        "for them, so cosine search leaves them out"
    )


def _read(path: Path, fmt: str, metadata, keys, encoding):
    if fmt in ("word2vec", "vec"):
        return read_word2vec_text(path, encoding)
    if fmt == "word2vec-binary":
        return read_word2vec_binary(path, encoding)
    if fmt == "glove":
        return read_glove(path, encoding)
    if fmt == "csv":
        return read_csv_vectors(path, encoding)
    if fmt == "projector":
        return read_projector(path, Path(metadata) if metadata else None, encoding)
    if fmt == "npy":
        return read_npy(path, Path(keys) if keys else None, encoding)
    return read_parquet(path)


def _is_parquet_dir(path: Path) -> bool:
    """A folder of Parquet part files (what Spark writes)."""
    return any(p.is_file() and p.suffix == ".parquet" for p in path.iterdir())


def _dir_hash(path: Path) -> str:
    h = hashlib.sha256()
    for part in sorted(p for p in path.iterdir() if p.suffix == ".parquet"):
        h.update(file_hash(part).encode())
    return "sha256:" + h.hexdigest()[:16]


def _file_in_folder(folder: Path) -> Path:
    for name in (TRAINED_ITEM_FILE, "vectors.tsv", "vectors.npy", "vectors.txt"):
        if (folder / name).exists():
            return folder / name
    raise FormatError(
        "folder holds no vectors I know (items.parquet, vectors.tsv, vectors.npy, vectors.txt)",
        path=folder,
    )


def format_for_output(path: Path) -> str:
    ext = path.suffix.lower()
    return {
        ".parquet": "parquet",
        ".pq": "parquet",
        ".tsv": "projector",
        ".bin": "word2vec-binary",
        ".txt": "word2vec",
        ".vec": "word2vec",
    }.get(ext, "")


def save(
    emb: Embeddings, path: str | Path, format: str | None = None, force: bool = False
) -> list[Path]:
    """Write ``emb`` atomically; returns the files written (the projector format writes two).

    Parameters
    ----------
    emb : Embeddings
    path : str or Path
        The output file; its extension picks the format unless ``format`` is given.
    format : {"word2vec", "word2vec-binary", "projector", "parquet"}, optional
    force : bool, default False
        Replace an existing output file (and, for the projector format, a different metadata.tsv).

    Returns
    -------
    list of Path

    Raises
    ------
    ParameterError
        The format cannot be told from the name.
    OutputError
        The output exists (without ``force``), is a folder, is one of the inputs, is not
        writable, or a key cannot be held by the format (e.g. a tab in projector TSV).

    Examples
    --------
    >>> out = tmp_path / "vectors.parquet"
    >>> save(load("glove-6b-50d", limit=100), out) == [out]
    True
    """
    path = Path(path)
    if path.is_dir():
        check_file_target(path, force)  # says: a folder, name a file inside it
    fmt = format or format_for_output(path)
    if fmt not in WRITE_FORMATS:
        raise ParameterError(
            f"cannot tell the output format of '{path.name}'",
            hint=f"use an extension (.txt .bin .tsv .parquet) or --to ({', '.join(WRITE_FORMATS)})",
        )
    targets = [path, projector_metadata_path(path)] if fmt == "projector" else [path]
    _refuse_inputs(emb, targets)
    check_keys(emb.keys, fmt)
    check_file_target(path, force)
    if fmt == "projector":
        return _save_projector(emb, path, targets[1], force)
    writer = {"word2vec": write_word2vec_text, "word2vec-binary": write_word2vec_binary}.get(fmt)
    with atomic_file(path) as tmp:
        if writer is not None:
            writer(tmp, emb.keys, emb.vectors)
        else:
            write_parquet(tmp, emb.keys, emb.vectors, emb.metadata)
    return [path]


def _save_projector(emb: Embeddings, path: Path, meta_path: Path, force: bool) -> list[Path]:
    """vectors.tsv and metadata.tsv are committed so that a reader sees the old pair, no
    vectors.tsv at all, or the new pair -- never new vectors with old keys."""
    text = projector_metadata_text(emb.keys, emb.metadata)
    if meta_path.exists() and not force and meta_path.read_bytes() != text.encode("utf-8"):
        raise OutputError(
            "exists and differs from the metadata of these vectors", path=meta_path, hint=FORCE_HINT
        )
    check_file_target(meta_path, force=True)
    vec_tmp, meta_tmp = temp_name(path), temp_name(meta_path)
    try:
        write_projector_vectors(vec_tmp, emb.vectors)
        meta_tmp.write_text(text, encoding="utf-8")
        commit_pair([(vec_tmp, path), (meta_tmp, meta_path)])
    finally:
        vec_tmp.unlink(missing_ok=True)
        meta_tmp.unlink(missing_ok=True)
    return [path, meta_path]


def input_files(emb: Embeddings) -> list[Path]:
    """The files ``emb`` was read from: its source and the sidecars the reader used."""
    source = Path(emb.provenance.source)
    if not source.is_file():
        return []
    files = [source]
    if emb.provenance.format == "npy":
        files.append(find_keys_file(source))
    if emb.provenance.format == "projector":
        files.append(projector_metadata_path(source))
    return [f for f in files if f is not None and f.exists()]


def _refuse_inputs(emb: Embeddings, targets: list[Path]) -> None:
    inputs = {f.resolve() for f in input_files(emb)}
    for target in targets:
        if target.resolve() in inputs:
            raise OutputError(
                "is one of the input files; writing it would destroy the input",
                path=target,
                hint="choose another output name",
            )
