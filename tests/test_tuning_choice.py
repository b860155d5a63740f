"""Tuning never leaves the user worse off: the winner is kept only when it beats the defaults
beyond noise on validation cases the search did not rank (core.experiments.choice)."""

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
import pytest

from embedlab.core.evaluate.protocols import make_split, validation_split
from embedlab.core.experiments.choice import choose, halves, paired_gain
from embedlab.core.experiments.tune import tune
from embedlab.core.logs import prepare
from embedlab.core.logs.matrix import user_item_matrix
from embedlab.core.sample import generate
from embedlab.core.train import registry
from embedlab.core.train.base import (
    DeclaredTrainer,
    Dimension,
    Timer,
    TrainResult,
    item_embeddings,
    no_progress,
    param,
)


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    generate(users=300, items=80, seed=5, events_per_user=15).write(out)
    return prepare(out / "interactions.csv")


def unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=1, keepdims=True).clip(1e-12)


def svd_items(inter, k: int = 16) -> np.ndarray:
    """Item vectors of the binary user × item matrix's truncated SVD (deterministic)."""
    from scipy.sparse.linalg import svds

    _, s, vt = svds(user_item_matrix(inter, binary=True).astype(np.float64), k=k, random_state=0)
    return vt.T * s


@dataclass(frozen=True)
class JitterParams:
    salt: int = param(0, low=0, high=10**6, help="which random jitter")


class JitterVectors(DeclaredTrainer):
    """The same item vectors (an SVD of the log) plus a little seeded jitter, whose only
    parameter picks which jitter: no setting is better than another, so any winner is noise."""

    name = "jitter-vectors"
    Params = JitterParams
    space = (Dimension("salt", 0, 10**6),)
    contexts = ("sessions",)
    rate = 1e6
    cost_drivers = ("salt",)
    jitter = 0.3

    def work_units(self, params, inter) -> float:
        return float(inter.n_items)

    def memory_bytes(self, params, inter) -> float:
        return float(inter.n_items * 16 * 8)

    def vectors(self, inter, params, seed) -> np.ndarray:
        noise = np.random.default_rng((seed, params.salt)).normal(size=(inter.n_items, 16))
        return unit(svd_items(inter)) + self.jitter * unit(noise)

    def fit(self, inter, params, seed=0, progress=no_progress, checkpoint=None) -> TrainResult:
        p = dataclasses.asdict(params)
        with Timer() as t:
            vectors = self.vectors(inter, params, seed)
        items = item_embeddings(inter, vectors, np.arange(inter.n_items), self.name, p, seed)
        return TrainResult(self.name, items, None, p, seed, t.seconds)


@dataclass(frozen=True)
class MixParams:
    signal: float = param(0.0, low=0.0, high=1.0, help="share of real co-occurrence vectors")


class MixVectors(JitterVectors):
    """``signal`` × the SVD's item vectors + the rest noise: the defaults (signal 0) are pure
    noise, so a search that finds a large signal really gains."""

    name = "mix-vectors"
    Params = MixParams
    space = (Dimension("signal", 0.0, 1.0),)
    cost_drivers = ("signal",)

    def vectors(self, inter, params, seed) -> np.ndarray:
        noise = np.random.default_rng(seed).normal(size=(inter.n_items, 16))
        return params.signal * unit(svd_items(inter)) + (1 - params.signal) * unit(noise)


@pytest.fixture
def trainers():
    made = [registry.register(JitterVectors()), registry.register(MixVectors())]
    yield made
    for t in made:
        registry.unregister(t.name)


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_a_winner_that_is_noise_leaves_the_defaults(log, trainers, two_cores):
    res = tune(log, "jitter-vectors", trials=12, seed=0, metric="hr", workers=2)
    done = res.trials[res.trials["state"] == "complete"]
    # the search did pick a lucky draw on its half: the winner looks better than the defaults...
    assert res.choice.winner != 0 and done["hr"].max() > done["hr"].iloc[0]
    # ...but on the held-back half it is not beyond noise, so the defaults are kept, and said
    assert res.choice.choice == "defaults" and res.choice.gain_lo <= 0
    assert res.best_params == {"salt": 0} and res.winner_params["salt"] != 0
    assert res.test["params"]["salt"] == 0  # the final model and the test score: the defaults'
    record = res.to_dict()
    assert (
        record["choice"] == "defaults" and record["gain_lo"] <= record["gain"] <= record["gain_hi"]
    )
    assert any("kept: the defaults" in line for line in res.lines())
    said = [line for line in res.lines() if line.startswith("kept: the defaults")]
    assert len(said) == 1 and said[0].endswith(
        ": not beyond noise, so the final model and its test score are the defaults'."
    )
    # one worker gives the same trials and the same choice
    one = tune(log, "jitter-vectors", trials=12, seed=0, metric="hr", workers=1)
    assert one.choice == res.choice and one.best_params == res.best_params


def test_a_real_gain_is_kept(log, trainers, two_cores):
    res = tune(log, "mix-vectors", trials=6, seed=0, metric="hr", workers=2)
    c = res.choice
    assert c.choice == "tuned" and c.winner != 0 and 0 < c.gain_lo <= c.gain <= c.gain_hi
    assert res.best_params == res.winner_params and res.best_params["signal"] > 0.3
    assert res.test["params"]["signal"] == res.best_params["signal"]
    assert any(line.startswith("kept: the tuned parameters") for line in res.lines())


def test_paired_gain_is_the_mean_difference_with_a_bootstrap_interval_over_groups():
    rng = np.random.default_rng(0)
    base = rng.random(400)
    gain, lo, hi = paired_gain(base + 0.05, base)  # every group gains exactly 0.05
    assert gain == pytest.approx(0.05) and lo == pytest.approx(0.05) and hi == pytest.approx(0.05)
    noisy = base + rng.normal(0, 0.3, 400)  # no gain on average, much noise
    gain, lo, hi = paired_gain(noisy, base)
    assert lo < gain < hi and lo < 0 < hi
    # pairing matters: the groups' own spread (base) cancels, the interval is the difference's
    d = noisy - base
    half = 1.96 * d.std() / np.sqrt(len(d))
    assert hi - lo == pytest.approx(2 * half, rel=0.15)


def test_choose_keeps_the_defaults_when_they_were_the_best_or_the_gain_is_not_sure():
    v = {0: [np.full(50, 0.2)] * 2, 3: [np.full(50, 0.2)] * 2}
    assert choose(0, {}, "ndcg", 50).choice == "defaults"
    assert choose(3, v, "ndcg", 50).choice == "defaults"  # no gain at all
    assert choose(3, {3: [np.ones(50)] * 2}, "ndcg", 50).choice == "tuned"  # the defaults failed
    # a gain under one fresh seed but not under the other is not kept: the envelope spans 0
    mixed = {0: [np.zeros(50)] * 2, 3: [np.ones(50), np.r_[np.ones(25), -np.ones(25)]]}
    c = choose(3, mixed, "ndcg", 50)
    assert c.choice == "defaults" and c.gain == pytest.approx(0.5) and c.gain_lo < 0 < c.gain_hi


def test_the_halves_split_users_and_keep_each_users_cases_together(log):
    val = validation_split(make_split(log, max_users=None))
    search, check = halves(val, seed=4)
    assert not set(search.group) & set(check.group)
    assert abs(len(set(search.group)) - len(set(check.group))) <= 1
    assert sorted(np.r_[search.users, check.users]) == sorted(val.users)
    again = halves(val, seed=4)[1]
    assert np.array_equal(again.users, check.users)  # seeded
