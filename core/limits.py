"""The caps that keep memory and time bounded by what a file really holds (README: Limits).

Each cap can be raised with an environment variable for a genuine file that exceeds it:

- ``EMBEDLAB_MAX_LINE_MB`` (default 8): the longest text line read (a 300-dimension vector line
  is about 3 kB).  A longer line is refused with its line number, without reading it whole.
- ``EMBEDLAB_MAX_DECOMPRESSED_MB`` (default 4096): the most a compressed (``.gz``) input may
  decompress to.
- ``EMBEDLAB_MAX_GZIP_RATIO`` (default 20): a ``.gz`` may decompress to at most this many times
  its own size (at least 16 MB), which stops a small "zip bomb" long before the absolute cap.
  Real vector files and logs compress 2-10 times (the UCI Online Retail log: 6.3 times).
- ``EMBEDLAB_MAX_EVENTS`` (default 10,000,000): the most usable events (rows with a user and an
  item) a log may hold.  Logs are read in chunks keeping 16-40 bytes per event (about 50 at
  the peak, while sorting), so the default stays under 1 GB whatever the file's size; rows
  that are dropped (comments, blanks, garbage) cost nothing.
- ``EMBEDLAB_MAX_IDS`` (default 2,000,000): the most distinct ids (users, items and session ids
  together) a log may hold: each costs about 170 bytes in the tables that code them.
- ``EMBEDLAB_MAX_VECTORS`` (default 3,000,000, the size of word2vec's GoogleNews set): the most
  vectors a text or word2vec-binary file may hold.  Text vectors cost Python objects per row, so
  a file of millions of tiny rows would otherwise take gigabytes and minutes.
- ``EMBEDLAB_MAX_TRAIN_MINUTES`` and ``EMBEDLAB_MAX_TRAIN_MB``: the longest a training run may
  be estimated to take and the most memory a trainer's own arrays may be estimated to need
  (``core.train.limits``, checked before the run starts).  Where they apply depends on where the
  work runs (:func:`train_limits`): the dashboard server (shared, untrusted uploads) caps every
  run at 3 minutes and 400 MB unless its admin sets other values (``embedlab dashboard
  --max-train-minutes N --max-train-mb M``, which set the variables); on a user's own machine
  (the CLI, a notebook) a run is never refused for its time unless the variable is set, and its
  memory is checked against what the machine has available.
- ``EMBEDLAB_EASE_MAX_ITEMS`` (default 10,000) and ``EMBEDLAB_EASE_MAX_MB`` (default 1024): the
  EASE baseline holds a dense items × items matrix (10,000 items: 400 MB in float32) and inverts
  it (``n³`` work); a larger catalog is fit on its most popular items, as many as both caps allow,
  and the report says so (``core.evaluate.ease``).
- ``EMBEDLAB_PARALLEL_READS`` (default 1): logs a dashboard server parses at once
  (:func:`reading_slot`), whatever the number of visitors.
"""

from __future__ import annotations

import codecs
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError

MB = 1 << 20
RATIO_FLOOR = 16 * MB


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(
            f"environment variable {name}={raw!r} must be a whole number"
        ) from None
    if value <= 0:
        raise ParameterError(f"environment variable {name}({value}) must be > 0")
    return value


def _env_number(name: str) -> float | None:
    """A positive number from the environment variable ``name`` (None when unset or empty)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ParameterError(f"environment variable {name}={raw!r} must be a positive number")
    return value


def max_line_bytes() -> int:
    """The longest text line any reader accepts, in bytes."""
    return _env_int("EMBEDLAB_MAX_LINE_MB", 8) * MB


def max_events() -> int:
    """The most usable events one log may hold (``EMBEDLAB_MAX_EVENTS``)."""
    return _env_int("EMBEDLAB_MAX_EVENTS", 10_000_000)


def max_ids() -> int:
    """The most distinct user, item and session ids one log may hold (``EMBEDLAB_MAX_IDS``)."""
    return _env_int("EMBEDLAB_MAX_IDS", 2_000_000)


def max_vectors() -> int:
    """The most vectors one text or binary vector file may hold (``EMBEDLAB_MAX_VECTORS``)."""
    return _env_int("EMBEDLAB_MAX_VECTORS", 3_000_000)


def too_many_vectors(count: int, path: Path, line: int | None = None):  # noqa: ARG001 - public API
    """The error for a vector file over :func:`max_vectors` (``line`` where the count passed it)."""
    from .errors import FormatError

    return FormatError(
        f"holds more than {max_vectors():,} vectors (the limit)",
        path=path,
        line=line,
        hint="raise EMBEDLAB_MAX_VECTORS if the file is genuine and the memory allows, or keep the "
        "most frequent keys (head -n)",
    )


SERVER_TRAIN_MINUTES = 3  # a dashboard server's caps unless its admin sets others
SERVER_TRAIN_MB = 400
TRAIN_MINUTES_ENV, TRAIN_MB_ENV = "EMBEDLAB_MAX_TRAIN_MINUTES", "EMBEDLAB_MAX_TRAIN_MB"

_serving = False  # set once by the dashboard server: see serve_train_limits


@dataclass(frozen=True)
class TrainLimits:
    """The caps a training run is checked against before it starts.

    Attributes
    ----------
    minutes : float or None
        The longest estimated run accepted (None: no time limit; the estimate is shown).
    mb : float or None
        The most estimated memory accepted (None: unknown, not checked).
    where : {"server", "machine"}
        A shared dashboard server (its admin's caps) or the user's own machine.
    minutes_from, mb_from : str
        Where each cap comes from, said in a refusal: the variable, the server's default, or the
        machine's available memory.
    """

    minutes: float | None
    mb: float | None
    where: str
    minutes_from: str = ""
    mb_from: str = ""


def serve_train_limits() -> None:
    """Make this process a shared server: every later training run is held to the admin's caps
    (``EMBEDLAB_MAX_TRAIN_MINUTES`` / ``EMBEDLAB_MAX_TRAIN_MB``, default 3 minutes and 400 MB).
    The dashboard calls it when it starts; there is no way back within the process."""
    global _serving
    _serving = True


def train_limits(serving: bool | None = None) -> TrainLimits:
    """The caps that hold for a training run started in this process.

    On a server (after :func:`serve_train_limits`): the variables, or 3 minutes and 400 MB.  On
    the user's own machine: no time limit unless ``EMBEDLAB_MAX_TRAIN_MINUTES`` is set, and the
    memory the machine has available unless ``EMBEDLAB_MAX_TRAIN_MB`` is set.

    Parameters
    ----------
    serving : bool, optional
        Ask for a server's caps (True) or the user's machine's (False); default: this process's.

    Returns
    -------
    TrainLimits

    Raises
    ------
    ParameterError
        A variable that is not a positive whole number.

    Examples
    --------
    >>> train_limits(serving=False).where
    'machine'
    >>> train_limits(serving=True).where
    'server'
    """
    minutes, mb = _env_number(TRAIN_MINUTES_ENV), _env_number(TRAIN_MB_ENV)
    if _serving if serving is None else serving:
        return TrainLimits(
            minutes or SERVER_TRAIN_MINUTES,
            mb or SERVER_TRAIN_MB,
            "server",
            TRAIN_MINUTES_ENV if minutes else "server default",
            TRAIN_MB_ENV if mb else "server default",
        )
    if mb is None:
        free = available_memory_mb()
        return TrainLimits(minutes, free, "machine", TRAIN_MINUTES_ENV, "available memory")
    return TrainLimits(minutes, mb, "machine", TRAIN_MINUTES_ENV, TRAIN_MB_ENV)


def available_memory_mb(meminfo: str = "/proc/meminfo") -> float | None:
    """The memory this machine can give a new run without swapping, in MB: ``MemAvailable`` of
    ``/proc/meminfo`` (Linux), else the free physical pages (``os.sysconf``), else None.

    Parameters
    ----------
    meminfo : str, default "/proc/meminfo"

    Returns
    -------
    float or None

    Examples
    --------
    >>> available_memory_mb() > 0
    True
    """
    try:
        with open(meminfo, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 / MB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / MB
    except (AttributeError, ValueError, OSError):
        return None


def max_ease_items() -> int:
    """The most items the EASE baseline is fit on (``EMBEDLAB_EASE_MAX_ITEMS``)."""
    return _env_int("EMBEDLAB_EASE_MAX_ITEMS", 10_000)


def max_ease_mb() -> int:
    """The most memory the EASE baseline may be estimated to take, in MB
    (``EMBEDLAB_EASE_MAX_MB``)."""
    return _env_int("EMBEDLAB_EASE_MAX_MB", 1024)


def decompressed_budget(path: Path) -> int:
    """How many bytes a compressed ``path`` may decompress to."""
    absolute = _env_int("EMBEDLAB_MAX_DECOMPRESSED_MB", 4096) * MB
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return min(absolute, max(RATIO_FLOOR, _env_int("EMBEDLAB_MAX_GZIP_RATIO", 20) * size))


def budget_hint() -> str:
    return (
        "if the file is genuine, decompress it first, or raise EMBEDLAB_MAX_DECOMPRESSED_MB / "
        "EMBEDLAB_MAX_GZIP_RATIO"
    )


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; a typed error for an unknown or non-text codec.

    Parameters
    ----------
    encoding : str
        A Python codec name, e.g. ``"latin-1"``.

    Returns
    -------
    str
        The canonical name (``"iso8859-1"`` for ``"latin-1"``).

    Raises
    ------
    ParameterError
        Unknown (``"nonsense"``) or not a text codec (``"base64"``); the hint lists common names.

    Examples
    --------
    >>> check_encoding("UTF8")
    'utf-8'
    """
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError):
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ParameterError(
            f"encoding {str(encoding)[:40]!r} is not a known text encoding",
            hint="use a Python codec name such as utf-8, latin-1, cp1252 or utf-8-sig "
            "(see Python's 'Standard Encodings' list)",
        )
    return info.name


_READS = threading.BoundedSemaphore(max(1, _env_int("EMBEDLAB_PARALLEL_READS", 1)))


@contextmanager
def reading_slot():
    """A server's budget for reading logs: at most ``EMBEDLAB_PARALLEL_READS`` (default 1) logs are
    parsed at once in this process, whatever the number of visitors, so the memory a server takes
    for uploads is one reader's bound (by bytes and fields: ``core.logs.read.chunk_rows``), not
    one per visitor; the others wait their turn.

    Examples
    --------
    >>> with reading_slot():
    ...     pass
    """
    with _READS:
        try:
            yield
        finally:
            give_back_memory()


def give_back_memory() -> None:
    """Return the heap's free pages to the system (glibc ``malloc_trim``), so a server's memory
    falls back after a big parse instead of staying at its peak; nothing elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0) if name else None
    except (OSError, AttributeError):  # not glibc
        pass
