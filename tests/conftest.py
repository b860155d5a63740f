"""Shared fixtures: tiny embeddings with exactly known geometry, and the built-in GloVe."""

from __future__ import annotations

import numpy as np
import pytest

from embedlab.core import Embeddings, io


@pytest.fixture
def square() -> Embeddings:
    """Points on a plane whose nearest neighbours are known by construction."""
    keys = ["east", "north", "west", "south", "northeast", "far-east"]
    vectors = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [0.7, 0.7], [10, 0.5]], dtype=np.float32)
    return Embeddings(keys, vectors)


@pytest.fixture(scope="session")
def glove() -> Embeddings:
    return io.load("glove-6b-50d")


@pytest.fixture
def small() -> Embeddings:
    rng = np.random.default_rng(7)
    keys = [f"w{i}" for i in range(40)] + ["Toy Story (1995)", "naïve café", "x-ray"]
    return Embeddings(keys, rng.normal(size=(len(keys), 8)).astype(np.float32))
