"""Shared fixtures: the isolation of every per-user location, Hypothesis' CI profile, tiny
embeddings with exactly known geometry, and the built-in GloVe.

The redirection of ``HOME``, the XDG folders, ``EMBEDLAB_WORKSPACE``, ``EMBEDLAB_CACHE`` and the
tools' folders (``tests/isolation.py``) happens when pytest imports this file: before it imports
any test module, hence before the first import of the app, so nothing (a cached workspace, a
cache folder read once, numba's or matplotlib's configuration read at import) can see the user's
own folders.  The session fixture ``user_folders`` checks that the redirection still holds for
the whole session; ``tests/test_isolation.py`` checks, last, that the user's folders were left as
they were.  No module-level import of the app here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

from tests import isolation

ISOLATION = isolation.redirect()
# what the user's own folders held before anything ran (test_isolation.py compares at the end)
BEFORE = isolation.snapshot(ISOLATION.real_locations(), top=ISOLATION.real_home)
# ...and the names at the top of the repository (a test writing there adds one)
REPOSITORY = Path(__file__).resolve().parents[1]
REPOSITORY_BEFORE = sorted(p.name for p in REPOSITORY.iterdir())

# Fuzz tests are reproducible: the same examples on every run (derandomize), no example database
# written into the repository, no deadline (a loaded machine is not a failure).  Their example
# counts are fixed by each test's own @settings.  HYPOTHESIS_PROFILE=explore searches at random.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# ...and its own cache (unicode tables) goes to the temporary root, not .hypothesis/ here
set_hypothesis_home_dir(ISOLATION.root / "hypothesis")


@pytest.fixture(scope="session", autouse=True)
def user_folders() -> isolation.Isolation:
    """Every per-user location points into the session's temporary root (set at import, see the
    module docstring); a test module that changed one at import time fails here, not later."""
    moved = {
        name: os.environ.get(name)
        for name in isolation.VARIABLES
        if name != "SPARK_SUBMIT_OPTS"
        and not str(os.environ.get(name, "")).startswith(str(ISOLATION.root))
    }
    assert not moved, f"per-user locations outside {ISOLATION.root}: {moved}"
    return ISOLATION


def pytest_collection_modifyitems(items) -> None:
    """Tests marked ``last`` run after every other test (the check that the user's folders are
    untouched must see the whole run)."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "last: run after every other test of the session")


def pytest_unconfigure() -> None:
    isolation.remove(ISOLATION)


@pytest.fixture
def square():
    """Points on a plane whose nearest neighbours are known by construction."""
    import numpy as np

    from embedlab.core import Embeddings

    keys = ["east", "north", "west", "south", "northeast", "far-east"]
    vectors = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [0.7, 0.7], [10, 0.5]], dtype=np.float32)
    return Embeddings(keys, vectors)


@pytest.fixture(scope="session")
def glove():
    from embedlab.core import io

    return io.load("glove-6b-50d")


@pytest.fixture
def small():
    import numpy as np

    from embedlab.core import Embeddings

    rng = np.random.default_rng(7)
    keys = [f"w{i}" for i in range(40)] + ["Toy Story (1995)", "naïve café", "x-ray"]
    return Embeddings(keys, rng.normal(size=(len(keys), 8)).astype(np.float32))
