"""The suite touches nothing of the user's: every per-user location of the app, of the processes it
starts and of the tools under them resolves inside the session's temporary root, and the user's
own folders hold, after the whole run, exactly what they held before it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import isolation
from tests.conftest import BEFORE, REPOSITORY_BEFORE
from tests.paths import ROOT


def inside(path, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root.resolve())


def test_the_apps_folders_are_the_sessions_temporary_ones(user_folders):
    from platformdirs import user_cache_dir, user_config_dir, user_data_dir

    from embedlab.core.search import cache_dir
    from embedlab.core.workspace import Workspace

    root = user_folders.root
    assert Path(os.environ["EMBEDLAB_WORKSPACE"]) == user_folders.workspace
    assert cache_dir() == user_folders.cache
    for path in (
        Workspace.default_root(),
        user_data_dir("embedlab"),
        user_cache_dir("x"),
        user_config_dir("chromium"),
        Path.home(),
        Path("~").expanduser(),
    ):
        assert inside(path, root), (path, root)
    assert not inside(user_folders.real_home, root)  # (the user's home is elsewhere)


def test_the_dashboards_workspace_is_the_sessions():
    from embedlab.dashboard.state import workspace

    assert Path(workspace().root) == Path(os.environ["EMBEDLAB_WORKSPACE"])


def test_a_started_process_sees_the_same_folders(user_folders):
    """What the CLI, a Streamlit server, Chromium or Spark would read: they inherit the
    environment (Java reads user.home from SPARK_SUBMIT_OPTS, not HOME)."""
    code = (
        "import json, os, pathlib, platformdirs; print(json.dumps([str(pathlib.Path.home()), "
        "platformdirs.user_data_dir('embedlab'), platformdirs.user_cache_dir('x'), "
        "os.environ['EMBEDLAB_CACHE'], os.environ['SPARK_SUBMIT_OPTS']]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    home, data, cache, embedlab_cache, java = json.loads(out.stdout)
    for path in (home, data, cache, embedlab_cache):
        assert inside(path, user_folders.root), path
    assert f"-Duser.home={user_folders.home}" in java.split()


@pytest.mark.last
def test_the_users_own_folders_are_untouched_after_the_run(user_folders):
    """Runs after every other test (conftest's ``last`` marker): the user's embedlab workspace
    and cache, Streamlit's, Chromium's, dconf's, matplotlib's, numba's, Ivy's and Java's folders
    and the names in the user's home are as they were when the session started."""
    after = isolation.snapshot(user_folders.real_locations(), top=user_folders.real_home)
    assert isolation.differences(BEFORE, after) == []
    # nothing new in the repository either (never-written, .hypothesis, artifacts, spark-warehouse)
    assert sorted(p.name for p in ROOT.iterdir()) == REPOSITORY_BEFORE
