"""Atomic outputs: a file or folder is either complete or absent, never half written.

Files are written to a temporary name in the target folder and renamed over the target
(``os.replace`` is atomic on one file system).  Folders (``embedlab train --out``) are written as a
new sibling folder and swapped in.  Nothing the user made is replaced without ``force``: a
training folder is recognised as embedlab's by its marker file (:data:`MARKER`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError
from .ownership import (
    LEGACY_TRAIN_FILES,
    MARKER,
    describe,
    is_ours,
    listed,
    records_text,
    refuse_input_file,
    refuse_inputs,
    split,
    write_marker,
)

FORCE_HINT = "pass --force to replace it, or choose another name"


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write here ({exc.strerror or exc})",
        path=path,
        hint="check that the folder exists and is writable, and that the disk is not full",
    )


log = logging.getLogger("embedlab")


def _hidden(path: Path, kind: str) -> str:
    """The prefix of the hidden names beside ``path``: ``.NAME.tmp-PID-`` (the writer's process id,
    so a leftover of a killed writer can be told from a writer still running)."""
    return f".{path.name}.{kind}-"


def _leftovers(path: Path, kind: str) -> list[Path]:
    """The hidden ``.NAME.KIND-PID-XXXXXXXX`` entries beside ``path`` whose writer has ended and
    that are ours: a file of that exact shape, or a folder holding our marker (a user's folder of
    that name, without it, is never touched)."""
    shape = re.compile(re.escape(_hidden(path, kind)) + r"(\d+)-[a-z0-9_]{8}")
    try:
        found = [(p, shape.fullmatch(p.name)) for p in path.parent.iterdir()]
    except OSError:
        return []
    return [p for p, m in found if m and _writer_gone(int(m.group(1))) and _ours(p, kind)]


def _ours(p: Path, kind: str) -> bool:
    if p.is_symlink() or not p.is_dir():
        return not p.is_symlink() and p.is_file()
    if kind == "tmp":  # a folder being filled: marked incomplete when it was made (or still empty)
        return listed(p) is not None or not any(p.iterdir())
    return is_ours(p)


def _writer_gone(pid: int) -> bool:
    """Whether the process ``pid`` (which made a hidden leftover) has ended."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # someone else's process: alive
        return False
    return False


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        p.unlink(missing_ok=True)


def remove_stale_temps(path: Path) -> None:
    """Delete the ``.NAME.tmp-*`` leftovers of writers that were killed, and, once ``path`` exists
    again, the ``.NAME.old-*`` copies of swaps that completed (a writer still running is never
    disturbed; only leftovers of ours are removed)."""
    for p in _leftovers(path, "tmp") + (_leftovers(path, "old") if path.exists() else []):
        _remove(p)


def interrupted_copy(out: Path) -> Path | None:
    """The whole old copy of ``out`` that a folder write killed between its two renames left
    (``.NAME.old-*``, ours, its writer gone), when ``out`` is absent and there is exactly one;
    readers read it where it is, only a writer puts it back (:func:`restore_interrupted`).

    Examples
    --------
    >>> interrupted_copy(Path("no/such/model")) is None
    True
    """
    out = Path(out)
    if out.exists() or out.is_symlink():
        return None
    olds = [p for p in _leftovers(out, "old") if p.is_dir()]
    return olds[0] if len(olds) == 1 else None


def restore_interrupted(out: Path) -> str | None:
    """Put ``out`` back when a folder write was killed between its two renames: ``out`` is absent
    and exactly one whole old copy of ours (``.NAME.old-*``, moved there by one rename) is left.
    Only writers call this; a read never renames anything.

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
    old = interrupted_copy(out)
    if old is None:
        return None
    try:
        os.rename(old, out)
    except OSError:
        return None
    return (
        f"{out.name} was restored from {old.name}, where a write killed mid-swap had left it "
        "(the interrupted write's output was discarded)"
    )


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: Path) -> None:
    """Give a file or folder made by ``mkstemp``/``mkdtemp`` (0600/0700) the modes every other
    output gets: 0666/0777 less the user's umask."""
    base = 0o777 if path.is_dir() else 0o666
    try:
        os.chmod(path, base & ~_umask())
    except OSError:
        pass


def temp_name(path: Path, kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``path`` (same folder, so a rename is atomic)."""
    if kind == "tmp":
        remove_stale_temps(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f"{_hidden(path, kind)}{os.getpid()}-", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    follow_umask(Path(name))
    return Path(name)


def check_file_target(path: Path, force: bool = False, inputs=()) -> None:
    """Refuse a folder, one of ``inputs`` (even with ``force``), and an existing file unless
    ``force``; make the parent folder."""
    path = Path(path)
    refuse_input_file(path, inputs)
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
    """A folder embedlab wrote and nobody added to or changed: its marker and only what it lists."""
    return is_ours(Path(folder))


# the names a training folder may be given: a file of the user's with one of them is never replaced
RESERVED = {*LEGACY_TRAIN_FILES, MARKER}


def _theirs_line(theirs: list[str]) -> str:
    shown = ", ".join(theirs[:3]) + (f" and {len(theirs) - 3} more" if len(theirs) > 3 else "")
    return f"{len(theirs)} file(s) embedlab did not write or that changed since ({shown})"


def _plan(out: Path, force: bool, inputs) -> str:
    """How a folder write goes: ``"swap"`` (absent, empty or wholly ours: replaced whole) or
    ``"beside"`` (``force`` with the user's files in it: ours replaced, theirs kept)."""
    if out.is_symlink():
        raise OutputError(
            "is a symbolic link; an output folder is replaced whole, so it must be a real one",
            path=out,
            hint="give the folder the link points to, or a new folder",
        )
    if out.exists() and not out.is_dir():
        raise OutputError(
            "is a file, but the output is a folder",
            path=out,
            hint="give a folder name that does not exist yet",
        )
    refuse_inputs(out, inputs)
    if not out.exists() or not any(out.iterdir()):
        return "swap"
    theirs = split(out)[1]
    if not theirs:
        return "swap"
    if not force:
        raise OutputError(
            f"folder holds {_theirs_line(theirs)}",
            path=out,
            hint="choose a new folder, or pass --force to write beside them (they are kept)",
        )
    clash = sorted(set(theirs) & RESERVED)
    if clash:
        raise OutputError(
            f"holds {clash[0]}, which embedlab did not write (or which changed since); "
            "--force replaces only what embedlab wrote",
            path=out,
            hint=f"move {clash[0]} away, or choose another folder",
        )
    return "beside"


def check_folder_target(out: Path, force: bool = False, inputs=()) -> str:
    """Before long work: refuse a file, an input or a folder holding or inside one (even with
    ``force``), a folder holding someone else's files unless ``force`` (a folder left absent by a
    write killed mid-swap is first put back: see :func:`restore_interrupted`).

    Returns
    -------
    str
        ``"swap"`` (the folder is replaced whole) or ``"beside"`` (the user's files are kept).
    """
    out = Path(out)
    if not any(_within_input(out, i) for i in inputs):
        restored = restore_interrupted(out)
        if restored:  # said once, on stderr (a command's notes carry it when it loads the folder)
            log.warning("embedlab: note: %s", restored)
    plan = _plan(out, force, inputs)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    return plan


def _within_input(out: Path, given) -> bool:
    if given is None or str(given) == "":
        return False
    target, p = Path(os.path.abspath(out)), Path(os.path.abspath(given))
    return p == target or target in p.parents


@contextmanager
def atomic_folder(out: Path, force: bool = False, inputs=()) -> Iterator[Path]:
    """Yield a new empty sibling folder to fill; on success it takes ``out``'s place whole (the
    old folder is removed after the swap), on failure it is removed and ``out`` is untouched.
    With ``force``, a folder holding the user's files keeps them: only what embedlab wrote there
    is replaced, file by file.

    Parameters
    ----------
    out : Path
        The final folder.
    force : bool, default False
        Write into a folder that also holds files embedlab did not write (they are kept).
    inputs : sequence of path, optional
        The command's inputs: ``out`` may not be one, hold one or lie inside an input folder.

    Yields
    ------
    Path
        A new hidden folder beside ``out`` (``.NAME.tmp-XXXX``); a marker file listing what was
        written is added on success.

    Raises
    ------
    OutputError
        ``out`` is a file or an input, holds an input, holds someone else's files (without
        ``force``) or a file of theirs with an output's name, or is not writable.

    Examples
    --------
    >>> out = tmp_path / "i2v"
    >>> with atomic_folder(out) as tmp:
    ...     _ = (tmp / "items.txt").write_text("a")
    >>> sorted(p.name for p in out.iterdir())  # with the marker that says embedlab wrote it
    ['.embedlab-output', 'items.txt']
    """
    out = Path(out)
    check_folder_target(out, force, inputs)
    remove_stale_temps(out)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{_hidden(out, 'tmp')}{os.getpid()}-", dir=out.parent))
        follow_umask(tmp)
        write_marker(tmp, incomplete=True)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    try:
        yield tmp
        (tmp / MARKER).unlink()
        names = [p.name for p in tmp.iterdir()]
        write_marker(tmp, names)
        if _plan(out, force, inputs) == "swap":  # checked again: files may have come meanwhile
            _swap_in(tmp, out)
        else:
            _merge_beside(tmp, out, names)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _cannot_write(out, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, out: Path) -> None:
    """Between the two renames ``out`` is absent (never a mix); the old folder (wholly ours) is
    kept under a hidden name until the new one is in place."""
    old = None
    if out.exists():
        old = temp_name(out, "old")
        old.unlink()
        os.rename(out, old)
    os.rename(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _merge_beside(new: Path, out: Path, names: list[str]) -> None:
    """Move the new files into ``out`` one rename each, beside the user's files; remove the old
    files of ours the new run did not write.  The marker lists old and new while they mix, then
    only the new ones (a write killed midway leaves nothing of the user's touched)."""
    ours, theirs = split(out)
    clash = sorted(set(names) & set(theirs))
    if clash:
        raise OutputError(
            f"holds {clash[0]}, which embedlab did not write; --force replaces only what "
            "embedlab wrote",
            path=out,
            hint=f"move {clash[0]} away, or choose another folder",
        )
    ours = [n for n in ours if n != MARKER]
    names = [n for n in names if n != MARKER]
    new_records = {n: describe(new / n) for n in names}
    both = {**{n: describe(out / n) for n in ours}, **new_records}
    (out / MARKER).write_text(records_text(both, incomplete=True), encoding="utf-8")
    for name in names:
        if (out / name).is_dir() and not (out / name).is_symlink():
            shutil.rmtree(out / name)
        os.replace(new / name, out / name)
    for name in set(ours) - set(names):
        _remove(out / name)
    (out / MARKER).write_text(records_text(new_records), encoding="utf-8")
    shutil.rmtree(new, ignore_errors=True)
