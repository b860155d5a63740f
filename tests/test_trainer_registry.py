"""A trainer is one module plus one registry entry: a sixth trainer written here (random vectors)
runs through make_params, the work limit, train, evaluation and the CLI without touching any other
file; a trainer that forgets a declaration is refused; an unknown name is a typed error."""

import dataclasses
import json
from dataclasses import dataclass

import numpy as np
import pytest

from embedlab.core.errors import ParameterError, UnknownTrainerError
from embedlab.core.experiments.recs import evaluate_recs
from embedlab.core.experiments.sweep import fit_params
from embedlab.core.logs import prepare
from embedlab.core.train import make_params, registry, train, trainer
from embedlab.core.train.base import (
    CONTEXTS,
    DeclaredTrainer,
    Dimension,
    Timer,
    TrainResult,
    item_embeddings,
    no_progress,
    param,
)
from embedlab.core.train.limits import check_work
from tests.paths import ROOT

SAMPLE_LOG = ROOT / "sample_data" / "interactions.csv"


@dataclass(frozen=True)
class RandomParams:
    vector_size: int = param(8, low=1, high=4096, help="dimensions of the random vectors")


class RandomVectors(DeclaredTrainer):
    """The whole of a sixth trainer: seeded Gaussian vectors, one per item."""

    name = "random-vectors"
    Params = RandomParams
    space = (Dimension("vector_size", 2, 32, log=True),)
    contexts = ("sessions",)
    rate = 1e4  # work units per second
    cost_drivers = ("vector_size",)

    def work_units(self, params, inter) -> float:
        return float(inter.n_items * params.vector_size)

    def memory_bytes(self, params, inter) -> float:
        return float(inter.n_items * params.vector_size * 4)

    def fit(self, inter, params, seed=0, progress=no_progress, checkpoint=None) -> TrainResult:
        p = dataclasses.asdict(params)
        with Timer() as t:
            vectors = np.random.default_rng(seed).normal(size=(inter.n_items, params.vector_size))
        items = item_embeddings(inter, vectors, np.arange(inter.n_items), self.name, p, seed)
        progress(1.0, "random vectors drawn")
        return TrainResult(self.name, items, None, p, seed, t.seconds)


@pytest.fixture
def sixth():
    t = registry.register(RandomVectors())
    yield t
    registry.unregister(t.name)


@pytest.fixture(scope="module")
def inter():
    return prepare(SAMPLE_LOG)


def test_a_sixth_trainer_trains_and_is_limited_like_the_others(sixth, inter, monkeypatch):
    assert trainer("random-vectors") is sixth and "random-vectors" in registry.names()
    params = make_params(sixth, {"vector_size": "4"}, inter)
    assert params == RandomParams(vector_size=4)
    check_work(sixth, params, inter)  # 1,000 items × 4 = 4,000 units: well inside the limit
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MINUTES", "1")  # the defaults: 8,000 units, 0.8 s
    check_work(sixth, make_params(sixth, {}), inter)
    with pytest.raises(
        ParameterError,
        match="random-vectors with vector_size=4096 on 87,612 events would take about 7 minutes",
    ):
        make_params(sixth, {"vector_size": 4096}, inter)  # 4.1M units: 410 s at 1e4 a second
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MINUTES")
    a, b = train(inter, "random-vectors", seed=3), train(inter, "random-vectors", seed=3)
    assert a.items.dim == 8 and len(a.items) == inter.n_items and a.users is None
    np.testing.assert_array_equal(a.items.vectors, b.items.vectors)
    expected = np.random.default_rng(3).normal(size=(inter.n_items, 8)).astype(np.float32)
    np.testing.assert_array_equal(a.items.vectors, expected)


def test_a_sixth_trainer_is_scored_beside_the_baselines(sixth, inter):
    report = evaluate_recs(inter, "random-vectors", max_users=300)
    assert report["method"] == "random-vectors" and report["users_evaluated"] == 300
    assert set(report["baselines"]) == {"popularity", "random", "itemcf", "ease"}
    # random vectors know nothing: far below item-based CF, which learns from the same log
    assert report["hr"] < report["baselines"]["itemcf"]["hr"] / 2


def test_a_sixth_trainer_is_offered_by_the_cli(sixth, capsys):
    from embedlab.core.cli import main

    code = main(
        ["evaluate", "recs", "--log", str(SAMPLE_LOG), "--method", "random-vectors", "--json"]
        + ["--max-users", "200", "--param", "vector_size=3"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["method"] == "random-vectors"
    assert report["params"] == {"vector_size": 3}


def test_a_trainer_that_forgets_its_cost_is_refused_when_registered():
    class NoCost(DeclaredTrainer):
        name, Params, space = "no-cost", RandomParams, ()
        contexts, rate, cost_drivers = ("sessions",), 1e6, ()

        def fit(self, inter, params, seed=0, progress=no_progress, checkpoint=None):
            raise AssertionError("never trained")

    with pytest.raises(TypeError, match="does not declare work_units, memory_bytes"):
        registry.register(NoCost())
    with pytest.raises(UnknownTrainerError):
        trainer("no-cost")
    bad = RandomVectors()
    bad.contexts = ("clicks",)
    with pytest.raises(TypeError, match="contexts must be some of"):
        registry.register(bad)
    with pytest.raises(ValueError, match="already registered as 'svd'"):
        registry.register(registry.get("svd"))


def test_an_unknown_method_is_a_typed_error_everywhere(inter):
    for call in (
        lambda: trainer("word2vec"),
        lambda: train(inter, "word2vec"),
        lambda: evaluate_recs(inter, "word2vec"),
    ):
        with pytest.raises(UnknownTrainerError, match="method 'word2vec' must be one of item2vec"):
            call()
    assert issubclass(UnknownTrainerError, ParameterError)


def test_every_trainer_declares_its_facts(inter):
    for name, t in registry.trainers().items():
        assert set(t.contexts) <= set(CONTEXTS) and t.contexts, name
        params = t.defaults(inter)
        assert t.work_units(params, inter) > 0 and t.memory_bytes(params, inter) > 0, name
        assert all(hasattr(params, d) for d in t.cost_drivers), name
    # who learns user vectors is the trainer's word, and the result says the same
    assert {n for n, t in registry.trainers().items() if t.user_vectors} == {"als", "svd"}


def test_the_sweep_caps_parameters_at_the_trainers_log_bounds(inter):
    few = inter.select(inter.user < 30)  # 30 users: at most 29 factors
    assert fit_params("als", few, None) == {"factors": 29}
    assert fit_params("svd", few, {"svd": {"factors": 8}}) == {"factors": 8}
    assert fit_params("item2vec", few, {"item2vec": {"epochs": 2}}) == {"epochs": 2}
    assert train(few, "svd").params["factors"] == 29  # the defaults lowered to what the log allows
    with pytest.raises(ParameterError, match=r"factors\(64\) must be < min\(users, items\)\(30\)"):
        train(few, "svd", factors=64)  # a value given is checked, never lowered
