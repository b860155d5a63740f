"""The one training seam every face goes through (core.engines.run): ``train_prepared`` (the
dashboard's Train page) and ``run_training`` (the CLI) give what evaluating and training
separately give, in the order the page shows them."""

import json

import numpy as np
import pytest

from embedlab.core import io
from embedlab.core.engines import LogSpec, get_engine, run_training, train_prepared
from embedlab.core.experiments.recs import evaluate_recs
from embedlab.core.logs import prepare
from embedlab.core.train import train
from tests.paths import SAMPLE_ITEMS, SAMPLE_LOG


@pytest.fixture(scope="module")
def sample():
    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


def _timeless(report: dict) -> str:
    """The report as JSON without its wall-clock fields (``seconds``, ``lambda_seconds``...)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not str(k).endswith("seconds")}
        return [strip(v) for v in value] if isinstance(value, list) else value

    return json.dumps(strip(report), sort_keys=True, default=str)


def test_evaluation_then_training_each_equal_to_running_them_alone(sample):
    calls = []
    engine = get_engine("local")
    run = train_prepared(
        engine,
        sample,
        "svd",
        seed=3,
        params={"factors": 16},
        evaluate=True,
        k=5,
        progress=lambda f, m: calls.append(("train", f, m)),
        evaluation_progress=lambda f, m: calls.append(("evaluate", f, m)),
    )
    alone = evaluate_recs(sample, "svd", k=5, seed=3, params={"factors": 16})
    assert _timeless(run.evaluation) == _timeless(alone)
    assert run.evaluation["k"] == 5 and run.tuning is None
    items = engine.items(run.trained)
    full = train(sample, "svd", seed=3, factors=16).items
    assert items.keys == full.keys and np.array_equal(items.vectors, full.vectors)
    assert "genre" in items.metadata.columns  # the log's item metadata travels with the vectors
    stages = [c[0] for c in calls]
    assert ("evaluate", 1.0, "done") in calls
    assert stages.index("train") > calls.index(("evaluate", 1.0, "done"))  # evaluation first
    assert all(s == "train" for s in stages[stages.index("train") :])


def test_a_tuner_chooses_the_parameters_and_its_test_report_is_the_evaluation(sample):
    seen = []

    def tuner(prepared):
        seen.append(prepared)
        return {"factors": 8}, {"hr": 0.5, "from": "tuner"}, {"trials": 3}

    done = []
    run = train_prepared(
        get_engine("local"),
        sample,
        "svd",
        params={"factors": 32},
        evaluate=True,
        tuner=tuner,
        evaluation_progress=lambda f, m: done.append((f, m)),
    )
    assert seen == [sample] and run.trained.dim == 8  # trained with the tuner's choice
    assert run.evaluation == {"hr": 0.5, "from": "tuner"} and run.tuning == {"trials": 3}
    assert done == [(1.0, "done")]  # no second evaluation


def test_without_evaluate_nothing_is_evaluated(sample):
    told = []
    run = train_prepared(
        get_engine("local"), sample, "svd", evaluation_progress=lambda f, m: told.append((f, m))
    )
    assert run.evaluation is None and run.tuning is None and told == []
    assert run.trained.items == sample.n_items


def test_the_cli_seam_writes_what_the_page_seam_trains(sample, tmp_path):
    report, log = run_training(
        get_engine("local"),
        LogSpec(str(SAMPLE_LOG), metadata=str(SAMPLE_ITEMS)),
        "svd",
        tmp_path / "out",
        seed=1,
        evaluate=True,
    )
    engine = get_engine("local")
    run = train_prepared(engine, sample, "svd", seed=1, evaluate=True)
    written = io.load(tmp_path / "out" / "items.parquet")
    assert written.keys == engine.items(run.trained).keys
    assert np.allclose(written.vectors, engine.items(run.trained).vectors)
    assert report["evaluation"]["hr"] == run.evaluation["hr"]
    assert list(report["timings"]) == ["ingest_s", "train_s", "total_s"]
    assert log.rows_kept == sample.report.rows_kept
