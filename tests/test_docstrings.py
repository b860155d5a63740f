"""The examples in public docstrings run and print what they say (those that need no large data)."""

import doctest
import importlib

import pytest

from tests.paths import ROOT

MODULES = ["core.embeddings", "core.search", "core.arithmetic", "core.logs", "core.logs.rules", "core.logs.metadata",
           "core.logs.columns", "core.logs.ingest", "core.logs.matrix", "core.logs.read", "core.engines",
           "core.engines.local", "core.engines.run", "core.spark.session", "core.clusters", "core.compression",
           "core.evaluate.intervals", "core.evaluate.protocols", "core.experiments.reading", "core.experiments.recs",
           "core.experiments.shrink", "core.experiments.sweep", "core.experiments.tune", "core.io", "core.io.atomic",
           "core.io.keycheck", "core.labels", "core.layouts", "core.limits", "core.pointmap", "core.train",
           "core.train.base", "core.train.limits"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples name files under sample_data/
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0, result
