"""The examples in public docstrings run and print what they say: none is skipped, so every number
a docstring shows is checked here.  Examples that write files write under ``tmp_path`` (a name
the examples may use, given to them here)."""

import doctest
import importlib

import pytest

from tests.paths import ROOT

MODULES = [
    "embedlab.core.embeddings",
    "embedlab.core.search",
    "embedlab.core.arithmetic",
    "embedlab.core.cli.main",
    "embedlab.core.compare",
    "embedlab.core.matching",
    "embedlab.core.workspace",
    "embedlab.core.experiments.estimate",
    "embedlab.core.logs",
    "embedlab.core.logs.rules",
    "embedlab.core.logs.metadata",
    "embedlab.core.logs.columns",
    "embedlab.core.logs.ingest",
    "embedlab.core.logs.matrix",
    "embedlab.core.logs.read",
    "embedlab.core.engines",
    "embedlab.core.engines.local",
    "embedlab.core.engines.run",
    "embedlab.core.spark.session",
    "embedlab.core.cli.dashboard",
    "embedlab.core.clusters",
    "embedlab.core.compression",
    "embedlab.core.evaluate.intervals",
    "embedlab.core.evaluate.protocols",
    "embedlab.core.evaluate.holdout",
    "embedlab.core.evaluate.ease",
    "embedlab.core.evaluate.baselines",
    "embedlab.core.logs.shape",
    "embedlab.core.experiments.reading",
    "embedlab.core.experiments.recs",
    "embedlab.core.experiments.shrink",
    "embedlab.core.experiments.sweep",
    "embedlab.core.experiments.tune",
    "embedlab.core.experiments.choice",
    "embedlab.core.io",
    "embedlab.core.io.atomic",
    "embedlab.core.io.keycheck",
    "embedlab.core.visible",
    "embedlab.core.fonts",
    "embedlab.core.export",
    "embedlab.core.labels",
    "embedlab.core.layouts.spec",
    "embedlab.core.jobs",
    "embedlab.core.jobstore",
    "embedlab.core.runnames",
    "embedlab.core.work",
    "embedlab.core.cache",
    "embedlab.core.limits",
    "embedlab.core.marks",
    "embedlab.core.naming",
    "embedlab.core.colouring",
    "embedlab.core.cli.common",
    "embedlab.core.pointmap",
    "embedlab.core.sample_files",
    "embedlab.core.train",
    "embedlab.core.train.base",
    "embedlab.core.train.limits",
    "embedlab.core.train.registry",
    "embedlab.core.workspace",
    "embedlab.core.logs.options",
    "embedlab.core.engines.base",
    "embedlab.core.recommend",
    "embedlab.core.runs",
    "embedlab.core.serving",
    "embedlab.core.recommend_figure",
    "embedlab.core.logs.history",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)  # examples name files under sample_data/
    module = importlib.import_module(name)
    result = doctest.testmod(
        module,
        extraglobs={"tmp_path": tmp_path},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0 and result.attempted > 0, result


def test_no_docstring_example_is_skipped():
    """A skipped example shows output nobody checks (it went stale unseen before)."""
    sources = [*ROOT.glob("core/**/*.py"), *ROOT.glob("dashboard/**/*.py")]
    skipped = [str(p.relative_to(ROOT)) for p in sources if "doctest: +SKIP" in p.read_text()]
    assert skipped == []
