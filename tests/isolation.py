"""Keep the test suite out of the user's own folders (imported by conftest.py before anything else).

:func:`redirect` points every per-user location the app and the tools under it read at folders of
one temporary root, in ``os.environ``, so the test process and every process it starts (the CLI,
Streamlit servers, Chromium through Playwright or kaleido, Spark's JVM) agree:

- ``HOME`` (Streamlit's ``~/.streamlit``, Chromium's ``~/.pki``, anything that expands ``~``),
  the XDG base folders (platformdirs, Chromium's profile and crash folders, dconf, matplotlib,
  numba's user-wide cache), and ``XDG_RUNTIME_DIR``;
- embedlab's own: ``EMBEDLAB_WORKSPACE`` (stored sets; default the user's data folder) and
  ``EMBEDLAB_CACHE`` (HNSW indexes, layouts, and the numba cache core.layouts puts there);
- variables that name a tool's folder outright when a user has set them (``MPLCONFIGDIR``,
  ``NUMBA_CACHE_DIR``), Spark's scratch folders (``SPARK_LOCAL_DIRS``), and the JVM's
  ``user.home`` (Java reads it from the password database, not ``HOME``), through
  ``SPARK_SUBMIT_OPTS``.

:func:`snapshot` records what the user's real folders hold, so a test can show that a whole run
left them as they were.  Standard library only: nothing here may import the app.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# every variable redirect() sets; the user's own values are kept in Isolation.real
VARIABLES = (
    "HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
    "EMBEDLAB_WORKSPACE",
    "EMBEDLAB_CACHE",
    "MPLCONFIGDIR",
    "NUMBA_CACHE_DIR",
    "SPARK_LOCAL_DIRS",
    "SPARK_SUBMIT_OPTS",
)


@dataclass
class Isolation:
    """The temporary root, the folders under it, and the user's environment before."""

    root: Path
    home: Path
    workspace: Path
    cache: Path
    real: dict[str, str | None] = field(default_factory=dict)

    @property
    def real_home(self) -> Path:
        return Path(self.real.get("HOME") or os.path.expanduser("~"))

    def real_locations(self) -> list[Path]:
        """The user's own folders that the app or a tool of the test suite would write to without
        the redirection: embedlab's workspace and cache, and the tools' per-user folders."""
        env, home = self.real, self.real_home
        data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
        cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
        config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        state = Path(env.get("XDG_STATE_HOME") or home / ".local" / "state")
        named = [env.get(name) for name in ("EMBEDLAB_WORKSPACE", "EMBEDLAB_CACHE", "MPLCONFIGDIR")]
        return [
            *(Path(p) for p in named if p),
            data / "embedlab",  # the workspace's default (platformdirs.user_data_dir)
            home / ".cache" / "embedlab",  # EMBEDLAB_CACHE's default (core.search.cache_dir)
            cache / "embedlab",
            home / ".streamlit",
            config / "chromium",
            cache / "chromium",
            home / ".pki",
            cache / "dconf",
            config / "matplotlib",
            cache / "matplotlib",
            cache / "numba",
            home / ".ivy2",
            home / ".ivy2.5.2",
            home / ".java",
            state / "embedlab",
        ]


def redirect() -> Isolation:
    """Point every per-user location at a fresh temporary root (see the module docstring)."""
    root = Path(tempfile.mkdtemp(prefix="embedlab-tests-"))
    home = root / "home"
    iso = Isolation(root, home, root / "workspace", root / "cache")
    iso.real = {name: os.environ.get(name) for name in VARIABLES}
    runtime = root / "runtime"
    folders = {
        "HOME": home,
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_RUNTIME_DIR": runtime,
        "EMBEDLAB_WORKSPACE": iso.workspace,
        "EMBEDLAB_CACHE": iso.cache,
        "MPLCONFIGDIR": home / ".config" / "matplotlib",
        "NUMBA_CACHE_DIR": iso.cache / "numba",
        "SPARK_LOCAL_DIRS": root / "spark",
    }
    for name, path in folders.items():
        path.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(path)
    runtime.chmod(stat.S_IRWXU)  # the XDG spec: owned by the user, mode 0700
    java = f"-Duser.home={home} -Djava.io.tmpdir={root / 'spark'}"
    os.environ["SPARK_SUBMIT_OPTS"] = " ".join(filter(None, [iso.real["SPARK_SUBMIT_OPTS"], java]))
    return iso


def remove(iso: Isolation) -> None:
    """Delete the temporary root (at the end of the session)."""
    shutil.rmtree(iso.root, ignore_errors=True)


def snapshot(paths: list[Path], top: Path | None = None) -> dict[str, tuple]:
    """Every file and folder under ``paths`` with its kind, size and modification time, plus the
    names directly in ``top`` (the user's home: a new entry there is a write too)."""
    seen: dict[str, tuple] = {}
    for base in paths:
        if not base.exists() and not base.is_symlink():
            continue
        for current, dirs, files in os.walk(base):
            for name in [".", *dirs, *files]:
                path = Path(current) / name if name != "." else Path(current)
                try:
                    st = path.lstat()
                except OSError:
                    continue
                seen[str(path)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns)
    if top is not None and top.is_dir():
        for entry in top.iterdir():
            seen.setdefault(str(entry), ("entry",))
    return seen


def differences(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """Paths added, removed or changed between two snapshots, for an assertion message."""
    added = [f"added {p}" for p in sorted(after.keys() - before.keys())]
    removed = [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    changed = [
        f"changed {p}"
        for p in sorted(before.keys() & after.keys())
        if before[p] != after[p] and before[p][0] != "entry"
    ]
    return added + removed + changed
