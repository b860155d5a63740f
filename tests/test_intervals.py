"""Bootstrap intervals over users: inside [0, 1], seeded, shared resamples, the right width."""

import numpy as np
import pytest

from embedlab.core import ParameterError
from embedlab.core.evaluate.intervals import (
    bootstrap_interval,
    bootstrap_means,
    metric_intervals,
    with_intervals,
)


def test_interval_of_a_proportion_matches_the_binomial_width():
    hits = np.r_[np.ones(300), np.zeros(700)]
    mean, lo, hi = bootstrap_interval(hits, seed=0)
    half = 1.96 * np.sqrt(
        0.3 * 0.7 / 1000
    )  # normal approximation: the bootstrap should agree closely
    assert mean == pytest.approx(0.3)
    assert lo == pytest.approx(0.3 - half, abs=0.006) and hi == pytest.approx(0.3 + half, abs=0.006)


@pytest.mark.parametrize(
    "values", [np.zeros(5), np.ones(5), np.r_[1.0, np.zeros(9)], np.array([0.999, 1.0])]
)
def test_interval_never_leaves_the_range_of_the_values(values):
    mean, lo, hi = bootstrap_interval(values, seed=3)
    assert values.min() <= lo <= mean <= hi <= values.max()
    assert 0.0 <= lo and hi <= 1.0


def test_same_seed_same_interval_other_seed_differs():
    rng = np.random.default_rng(1)
    v = rng.random(200)
    assert bootstrap_interval(v, seed=5) == bootstrap_interval(v, seed=5)
    assert bootstrap_interval(v, seed=5) != bootstrap_interval(v, seed=6)


def test_metrics_share_the_resampled_users():
    v = np.random.default_rng(2).random(50)
    means = bootstrap_means({"a": v, "b": 2 * v}, n_boot=200, seed=0)
    assert np.allclose(means["b"], 2 * means["a"])  # the same users in every resample


def test_chunked_resampling_equals_one_chunk(monkeypatch):
    import embedlab.core.evaluate.intervals as mod

    v = np.random.default_rng(3).random(100)
    whole = bootstrap_means({"v": v}, n_boot=50, seed=1)["v"]
    monkeypatch.setattr(mod, "CELLS", 100 * 7)  # 7 resamples per chunk
    chunked = bootstrap_means({"v": v}, n_boot=50, seed=1)["v"]
    assert np.array_equal(whole, chunked)  # chunking bounds memory, not the answer


def test_empty_and_bad_input():
    assert all(np.isnan(x) for x in bootstrap_interval(np.array([])))
    with pytest.raises(ParameterError, match="one length"):
        metric_intervals({"a": np.zeros(3), "b": np.zeros(4)})
    with pytest.raises(ParameterError, match=r"level\(1.5\)"):
        bootstrap_interval(np.zeros(3), level=1.5)


def test_with_intervals_adds_lo_hi_and_keeps_metrics():
    out = with_intervals({"hr": 0.5, "other": 1}, {"hr": np.array([0.0, 1.0] * 20)})
    assert out["hr"] == 0.5 and out["other"] == 1 and out["hr_lo"] < 0.5 < out["hr_hi"]
