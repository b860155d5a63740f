"""Which files of a folder embedlab wrote: ownership by a marker that lists them, never by names.

A folder is embedlab's only when it holds the marker (:data:`MARKER`) and nothing the marker does
not list; a listed file whose size or content changed since is the user's again (an edited
``items.txt`` is their work).  Anything else in the folder is the user's: it is never removed,
moved or replaced (``--force`` only replaces what the marker lists).  Inputs are protected by
path, at any depth: an output folder may not be, hold, or sit inside a folder given as input.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import OutputError

MARKER = ".embedlab-output"
MARKER_NOTE = (
    "written by embedlab: the files listed here are replaced on the next run into this folder; "
    "any other file is yours and is kept"
)
# the text of the marker written before it listed its files: such a folder held only these
LEGACY_MARKER_PREFIX = "written by embedlab"
LEGACY_TRAIN_FILES = ("items.parquet", "items.txt", "users.parquet", "report.json")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe(path: Path) -> dict:
    """What the marker records of one entry: a file's size and SHA-256, a folder's files' sizes."""
    if path.is_dir() and not path.is_symlink():
        return {
            "tree": {
                str(p.relative_to(path)): p.stat().st_size
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.is_symlink()
            }
        }
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def marker_text(folder: Path, names=None, incomplete: bool = False) -> str:
    """The marker for ``folder`` as it is now, listing ``names`` (default: every entry but the
    marker)."""
    if names is None:
        names = [p.name for p in folder.iterdir() if p.name != MARKER]
    return records_text({n: describe(folder / n) for n in sorted(names)}, incomplete)


def records_text(files: dict, incomplete: bool = False) -> str:
    """A marker's text listing ``files`` (name → what :func:`describe` said of it)."""
    body = {"written_by": "embedlab", "note": MARKER_NOTE, "files": files}
    if incomplete:
        body["incomplete"] = True
    return json.dumps(body, indent=1) + "\n"


def write_marker(folder: Path, names=None, incomplete: bool = False) -> None:
    """Write (or rewrite) ``folder``'s marker listing ``names`` (default: all it holds now)."""
    (folder / MARKER).write_text(marker_text(folder, names, incomplete), encoding="utf-8")


def listed(folder: Path) -> dict | None:
    """What ``folder``'s marker lists (name → record; ``None`` records for a legacy marker), or
    None when there is no marker of ours."""
    marker = folder / MARKER
    try:
        if not marker.is_file() or marker.is_symlink() or marker.stat().st_size > 1 << 20:
            return None
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if text.startswith(LEGACY_MARKER_PREFIX):
        return dict.fromkeys(LEGACY_TRAIN_FILES)
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("written_by") != "embedlab":
        return None
    files = body.get("files")
    return {str(k): v for k, v in files.items()} if isinstance(files, dict) else None


def _unchanged(path: Path, record: dict | None) -> bool:
    """Whether ``path`` is still what the marker recorded (a legacy record: any regular file)."""
    try:
        if record is None:
            return path.is_file() and not path.is_symlink()
        if "tree" in record:
            return path.is_dir() and not path.is_symlink() and describe(path) == record
        if not path.is_file() or path.is_symlink() or path.stat().st_size != record.get("size"):
            return False
        return _sha256(path) == record.get("sha256")
    except OSError:
        return False


def split(folder: Path) -> tuple[list[str], list[str]]:
    """(ours, theirs): the names in ``folder`` embedlab wrote and unchanged (with the marker), and
    every other name (all of them when there is no marker)."""
    names = sorted(p.name for p in folder.iterdir())
    records = listed(folder)
    if records is None:
        return [], names
    ours = [n for n in names if n in records and _unchanged(folder / n, records[n])]
    ours_set = set(ours)
    theirs = [n for n in names if n != MARKER and n not in ours_set]
    return ours + [MARKER], theirs


def is_ours(folder: Path) -> bool:
    """A folder embedlab wrote and nobody changed: the marker and only what it lists."""
    try:
        return (
            folder.is_dir()
            and not folder.is_symlink()
            and not split(folder)[1]
            and (listed(folder) is not None)
        )
    except OSError:
        return False


def _real(path) -> Path:
    """``path`` absolute with its symlinks followed; a symlink loop stays as it is (pathlib's
    ``resolve`` raises RuntimeError on one in Python 3.11; the reader then says what is wrong)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def refuse_inputs(out: Path, inputs) -> None:
    """Refuse an output folder that is an input, holds one (at any depth) or lies inside a folder
    given as input.

    Raises
    ------
    OutputError
        Naming the input and what to do.
    """
    target = _real(out)
    for given in inputs:
        if given is None or str(given) == "":
            continue
        p = _real(given)
        if _within(p, target):
            what = "is" if p == target else "holds"
            raise OutputError(
                f"{what} the input {given}; an input is never replaced, moved or removed",
                path=out,
                hint="choose an output folder outside the input's folder",
            )
        if p.is_dir() and _within(target, p):
            raise OutputError(
                f"is inside the input folder {given}; writing there would change the input",
                path=out,
                hint="choose an output folder outside the input folder",
            )


def refuse_input_file(path: Path, inputs) -> None:
    """Refuse an output file that is one of the inputs (or lies inside an input folder)."""
    target = _real(path)
    for given in inputs:
        if given is None or str(given) == "":
            continue
        p = _real(given)
        if target == p or (p.is_dir() and p in target.parents):
            raise OutputError(
                "is one of the inputs; writing it would destroy the input",
                path=path,
                hint="choose another output name",
            )
