"""Atomic outputs: a file or folder is either complete or absent, never half written.

Files are written to a temporary name in the target folder and renamed over the target
(``os.replace`` is atomic on one file system).  Folders (``embedlab train --out``) are written as a
new sibling folder and swapped in.  Nothing the user made is replaced without ``force``: a
training folder is recognised as embedlab's by its marker file (:data:`MARKER`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError

MARKER = ".embedlab-output"
# what a training folder written before the marker existed holds; such a folder is ours too
LEGACY_TRAIN_FILES = {"items.parquet", "items.txt", "users.parquet", "report.json"}
FORCE_HINT = "pass --force to replace it, or choose another name"


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write here ({exc.strerror or exc})",
        path=path,
        hint="check that the folder exists and is writable, and that the disk is not full",
    )


STALE_SECONDS = 3600
log = logging.getLogger("embedlab")


def _hidden(path: Path, kind: str) -> str:
    """The prefix of the hidden names beside ``path``: ``.NAME.tmp-PID-`` (the writer's process id,
    so a leftover of a killed writer can be told from a writer still running)."""
    return f".{path.name}.{kind}-"


def _leftovers(path: Path, kind: str) -> list[Path]:
    prefix = _hidden(path, kind)
    try:
        return [
            p
            for p in path.parent.iterdir()
            if p.name.startswith(prefix) and _writer_gone(p, prefix)
        ]
    except OSError:
        return []


def _writer_gone(p: Path, prefix: str) -> bool:
    """Whether the process that made ``p`` has ended (or, for a name without a process id, ``p``
    is over an hour old)."""
    import time

    pid = p.name[len(prefix) :].split("-", 1)[0]
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:  # someone else's process: alive
            return False
        return False
    try:
        return not pid.isdigit() and time.time() - p.lstat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)


def remove_stale_temps(path: Path) -> None:
    """Delete the ``.NAME.tmp-*`` leftovers of writers that were killed, and, once ``path`` exists
    again, the ``.NAME.old-*`` copies of swaps that completed (a writer still running is never
    disturbed)."""
    for p in _leftovers(path, "tmp") + (_leftovers(path, "old") if path.exists() else []):
        _remove(p)


def restore_interrupted(out: Path) -> str | None:
    """Put ``out`` back when a folder write was killed between its two renames: ``out`` is absent
    and exactly one whole old copy (``.NAME.old-*``, moved there by one rename) is left.

    Parameters
    ----------
    out : Path

    Returns
    -------
    str or None
        A one-line note saying what was restored, or None when nothing was.

    Examples
    --------
    >>> restore_interrupted(Path("no/such/model")) is None
    True
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        return None
    olds = [p for p in _leftovers(out, "old") if p.is_dir() and not p.is_symlink()]
    if len(olds) != 1:
        return None
    try:
        os.rename(olds[0], out)
    except OSError:
        return None
    return (
        f"{out.name} was restored from {olds[0].name}, where a write killed mid-swap had left it "
        "(the interrupted write's output was discarded)"
    )


def temp_name(path: Path, kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``path`` (same folder, so a rename is atomic)."""
    if kind == "tmp":
        remove_stale_temps(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f"{_hidden(path, kind)}{os.getpid()}-", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    return Path(name)


def check_file_target(path: Path, force: bool = False) -> None:
    """Refuse a folder, and an existing file unless ``force``; make the parent folder."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(
            "is a folder; the output must be a file",
            path=path,
            hint=f"give a file name inside it, e.g. {path / 'vectors.txt'}",
        )
    if path.exists() and not force:
        raise OutputError("already exists", path=path, hint=FORCE_HINT)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename, on
    any failure it is removed and ``path`` is untouched.

    Parameters
    ----------
    path : Path
        The final file.  Check it first with :func:`check_file_target` (exists? --force?).

    Yields
    ------
    Path
        A fresh hidden file in the same folder (``.NAME.tmp-XXXX``) to write completely.

    Raises
    ------
    OutputError
        The folder is not writable, or the disk is full.

    Examples
    --------
    >>> out = tmp_path / "rows.csv"
    >>> with atomic_file(out) as tmp:
    ...     _ = tmp.write_text("a,1")
    >>> out.read_text(), [p.name for p in tmp_path.glob("*rows.csv*")]  # no temporary file left
    ('a,1', ['rows.csv'])
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def commit_pair(pairs: list[tuple[Path, Path]]) -> None:
    """Move several finished temporary files into place so that no mix of old and new files
    ever loads: the first target (the one readers open, e.g. vectors.tsv) is removed first and
    renamed into place last, so a reader sees the old set, nothing, or the new set."""
    (tmp0, target0), rest = pairs[0], pairs[1:]
    try:
        target0.unlink(missing_ok=True)
        for tmp, target in rest:
            os.replace(tmp, target)
        os.replace(tmp0, target0)
    except OSError as exc:
        raise _cannot_write(target0, exc) from None


def is_embedlab_folder(folder: Path) -> bool:
    """A folder embedlab wrote: it holds the marker (or only the files of an older training run)."""
    names = {p.name for p in folder.iterdir()}
    return MARKER in names or (bool(names) and names <= LEGACY_TRAIN_FILES)


def check_folder_target(out: Path, force: bool = False) -> None:
    """Before long work: refuse a file, or a folder holding someone else's files unless ``force`` (a
    folder left absent by a write killed mid-swap is first put back: see
    :func:`restore_interrupted`)."""
    out = Path(out)
    restored = restore_interrupted(out)
    if (
        restored
    ):  # said once, on stderr (a command's notes carry it when it loads the folder instead)
        log.warning("embedlab: note: %s", restored)
    if out.exists() and not out.is_dir():
        raise OutputError(
            "is a file, but the output is a folder",
            path=out,
            hint="give a folder name that does not exist yet",
        )
    if out.is_dir() and any(out.iterdir()) and not force and not is_embedlab_folder(out):
        raise OutputError(
            "folder holds files embedlab did not write",
            path=out,
            hint="choose a new folder, or pass --force to replace the whole folder",
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(out, exc) from None


@contextmanager
def atomic_folder(out: Path, force: bool = False) -> Iterator[Path]:
    """Yield a new empty sibling folder to fill; on success it takes ``out``'s place whole (the
    old folder is removed after the swap), on failure it is removed and ``out`` is untouched.

    Parameters
    ----------
    out : Path
        The final folder.
    force : bool, default False
        Replace a folder holding files embedlab did not write.

    Yields
    ------
    Path
        A new hidden folder beside ``out`` (``.NAME.tmp-XXXX``); a marker file is added on success.

    Raises
    ------
    OutputError
        ``out`` is a file, holds someone else's files (without ``force``), or is not writable.

    Examples
    --------
    >>> out = tmp_path / "i2v"
    >>> with atomic_folder(out) as tmp:
    ...     _ = (tmp / "items.txt").write_text("a")
    >>> sorted(p.name for p in out.iterdir())  # with the marker that says embedlab wrote it
    ['.embedlab-output', 'items.txt']
    """
    out = Path(out)
    check_folder_target(out, force)
    remove_stale_temps(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{_hidden(out, 'tmp')}{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        yield tmp
        (tmp / MARKER).write_text(
            "written by embedlab; the folder is replaced whole on the next run\n", encoding="utf-8"
        )
        _swap_in(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot_write(out, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, out: Path) -> None:
    """Between the two renames ``out`` is absent (never a mix); the old folder is kept under a
    hidden name until the new one is in place."""
    old = None
    if out.exists():
        old = temp_name(out, "old")
        old.unlink()
        os.rename(out, old)
    os.rename(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
