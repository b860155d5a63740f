"""The catalog-size study: seeded shrinking with its invariants, intervals, the generated
reading."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from embedlab.core import ParameterError
from embedlab.core.cli import main
from embedlab.core.experiments import (
    default_values,
    interval,
    reading,
    run_sweep,
    shrink,
    summarise,
)
from embedlab.core.experiments.sweep import chance_jaccard
from embedlab.core.logs import prepare
from tests.paths import BASKETS, SAMPLE_ITEMS, SAMPLE_LOG


@pytest.fixture(scope="module")
def sample():
    return prepare(SAMPLE_LOG, metadata=SAMPLE_ITEMS)


def session_lengths(inter):
    return np.bincount(inter.session)


@pytest.mark.parametrize("axis,value", [("items", 50), ("events", 0.2), ("users", 300)])
def test_shrinking_is_reproducible_and_keeps_invariants(sample, axis, value):
    a, b = shrink(sample, axis, value, seed=3), shrink(sample, axis, value, seed=3)
    assert a.inter.items.tolist() == b.inter.items.tolist() and np.array_equal(
        a.inter.item, b.inter.item
    )
    c = shrink(sample, axis, value, seed=4)
    assert a.inter.items.tolist() != c.inter.items.tolist() or not np.array_equal(
        a.inter.user, c.inter.user
    )
    small = a.inter
    assert session_lengths(small).min() >= 2, "no session of length < 2"
    assert set(small.items) <= set(sample.items)
    assert (a.kept_items, a.kept_users, a.kept_events) == (small.n_items, small.n_users, len(small))
    assert a.kept_events + a.dropped_short_sessions <= len(sample)
    if axis == "items":
        assert small.n_items <= value
    if axis == "users":
        assert small.n_users <= value


def test_items_axis_counts_what_it_drops(sample):
    s = shrink(sample, "items", 50, seed=0)
    kept = set(s.inter.items)
    # every event of a kept item survives unless its session fell under two events
    full = np.isin(sample.items[sample.item], list(kept)).sum()
    assert full == s.kept_events + s.dropped_short_sessions


def test_popular_mode_keeps_the_head(sample):
    s = shrink(sample, "items", 30, mode="popular")
    top = set(sample.items[np.argsort(-sample.item_counts(), kind="stable")[:30]])
    assert set(s.inter.items) <= top


def test_bad_values(sample):
    with pytest.raises(ParameterError, match="fraction"):
        shrink(sample, "events", 3)
    with pytest.raises(ParameterError, match="axis 'genres'"):
        shrink(sample, "genres", 3)


def test_interval_is_a_bootstrap_inside_the_data_range():
    vals = np.array([0.2, 0.25, 0.31, 0.22])
    mean, lo, hi = interval(vals)
    assert mean == pytest.approx(vals.mean()) and vals.min() <= lo < mean < hi <= vals.max()
    assert interval(np.array([0.5])) == (0.5, 0.5, 0.5)
    # two seeds far apart: a t-interval would reach below 0 (−1.8 here); the bootstrap stays in
    # range
    t_lo = 0.1 - stats.t.ppf(0.975, 1) * stats.sem([0.0, 0.2])
    assert t_lo < 0 and interval(np.array([0.0, 0.2]))[1] >= 0.0


def summary_rows():
    return pd.DataFrame(
        {
            "axis": "items",
            "value": [10, 10, 10, 20, 20, 20],
            "method": "als",
            "seed": [0, 1, 2] * 2,
            "hr": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            "ndcg": 0.1,
            "lift": [0.5, 0.6, 0.7, 1.5, 1.6, 1.7],
            "stability": 0.3,
            "consistency": np.nan,
            "items": [10] * 3 + [20] * 3,
            "events_per_item": 5.0,
            "pop_hr": 0.2,
            "stability_chance": 0.1,
            "lost_share": 0.0,
            "hr_lo": [0.05, 0.1, 0.2, 0.3, 0.4, 0.5],
            "hr_hi": [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
        }
    )


def test_summary_groups_seeds_and_reads_intervals_from_rows():
    s = summarise(summary_rows())
    assert s.hr.tolist() == pytest.approx([0.2, 0.5]) and s.seeds.tolist() == [3, 3]
    assert (s.hr_lo.tolist(), s.hr_hi.tolist()) == (
        [0.05, 0.3],
        [0.4, 0.7],
    )  # envelope of the seeds' intervals
    assert (
        s.lift_lo.isna().all()
    )  # rows re-opened from a CSV carry no interval for lift: none is invented
    text = reading(s, "items")
    assert (
        "Below ~20 items als's lift over popularity falls under 1.0 (0.60 at 10, 1.60 at 20)"
        in text
    )


def test_summary_bootstraps_the_samples_users_and_pairs_lift():
    rng = np.random.default_rng(0)
    hr = (rng.random(400) < 0.3).astype(float)
    pop = (rng.random(400) < 0.15).astype(float)
    samples = {
        ("items", "random", 10, "als"): {
            "hr": hr,
            "ndcg": hr / 2,
            "pop_hr": pop,
            "stability": rng.random(30),
            "consistency": np.array([]),
        }
    }
    rows = summary_rows().iloc[:3].assign(mode="random")
    s = summarise(rows, samples).iloc[0]
    assert s.hr == pytest.approx(hr.mean()) and s.lift == pytest.approx(hr.mean() / pop.mean())
    for m in ("hr", "ndcg", "lift", "stability"):
        assert s[f"{m}_lo"] < s[m] < s[f"{m}_hi"]
    for m in ("hr", "ndcg", "stability"):
        assert 0 <= s[f"{m}_lo"] and s[f"{m}_hi"] <= 1
    assert s.hr_hi - s.hr_lo == pytest.approx(2 * 1.96 * np.sqrt(0.3 * 0.7 / 400), abs=0.02)


def test_reading_when_a_method_never_or_always_wins():
    s = pd.DataFrame(
        {
            "axis": "items",
            "value": [10, 20, 10, 20],
            "method": ["a", "a", "b", "b"],
            "hr": [0.1, 0.2, 0.3, 0.4],
            "lift": [0.5, 0.9, 1.2, 1.3],
            "stability": np.nan,
            "stability_chance": 0.1,
        }
    )
    text = reading(s, "items")
    assert "a never beats the popularity baseline here (lift at most 0.90)" in text
    assert "b beats the popularity baseline at every size tried, down to 10 items" in text
    assert "At the largest setting (20 items) b has the best HR (0.400 vs 0.200 for a)" in text


def test_chance_jaccard_by_hand():
    # 3 items: a key's k=1 neighbour is one of the 2 others; two random picks agree half the time,
    # and the Jaccard index is 1 when they agree, 0 when not: 0.5
    assert chance_jaccard(3, 1) == pytest.approx(0.5)
    # 11 items, k=10: both sets are all 10 other items
    assert chance_jaccard(11, 10) == 1.0


@pytest.mark.parametrize("items, k", [(20, 10), (12, 10), (100, 10), (5, 2), (40, 5)])
def test_chance_jaccard_matches_a_simulation(items, k):
    """Two independent random k-sets of the other items - 1 items, drawn many times."""
    rng = np.random.default_rng(0)
    n = 20_000
    others = items - 1
    a = np.argsort(rng.random((n, others)), axis=1)[:, :k]
    b = np.argsort(rng.random((n, others)), axis=1)[:, :k]
    in_a = np.zeros((n, others), dtype=bool)
    in_a[np.arange(n)[:, None], a] = True
    shared = in_a[np.arange(n)[:, None], b].sum(axis=1)
    jaccard = shared / (2 * k - shared)
    standard_error = jaccard.std() / np.sqrt(n)
    assert abs(chance_jaccard(items, k) - jaccard.mean()) < 4 * standard_error + 1e-12


def test_sample_sweep_shows_quality_rising_with_catalog_size(sample):
    """Done-means: on the sample log, lift over popularity and neighbour stability both rise
    from a small catalog (96 items) to the whole one, for each method."""
    result = run_sweep(sample, "items", [96, 1000], ["item2vec", "als"], seeds=2)
    s = result.summary.set_index(["method", "value"])
    for method in ("item2vec", "als"):
        assert s.loc[(method, 1000), "lift"] > 2 * s.loc[(method, 96), "lift"]
        assert s.loc[(method, 1000), "stability"] > s.loc[(method, 96), "stability"]
        assert s.loc[(method, 1000), "consistency"] > s.loc[(method, 96), "consistency"]
    assert len(result.rows) == 2 * 2 * 2 and set(result.rows.seed) == {0, 1}
    why = result.why.set_index("value")
    assert why.loc[96, "cooccurring_items_per_item"] < why.loc[1000, "cooccurring_items_per_item"]


def test_basket_sweep_runs_and_says_why():
    inter = prepare(BASKETS)
    result = run_sweep(inter, "items", [20, 98], ["item2vec"], seeds=2)
    assert set(result.summary.value) == {20, 98}
    # in a 98-item basket catalog most negatives are items that do co-occur with the target
    assert (result.why.false_negative_rate > 0.5).all()
    assert "item2vec" in result.reading


def test_cli_sweep_json(tmp_path, capsys):
    out = tmp_path / "rows.csv"
    code = main(
        [
            "sweep",
            "--log",
            str(SAMPLE_LOG),
            "--metadata",
            str(SAMPLE_ITEMS),
            "--axis",
            "users",
            "--values",
            "300,3000",
            "--methods",
            "als",
            "--seeds",
            "2",
            "--out",
            str(out),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and set(data) == {"rows", "summary", "why", "reading", "skipped", "driver"}
    assert data["skipped"] == []
    row_keys = {
        "axis",
        "value",
        "method",
        "seed",
        "hr",
        "ndcg",
        "lift",
        "stability",
        "consistency",
        "trivial",
    }
    assert row_keys <= set(data["rows"][0]) and len(data["rows"]) == 4
    assert {
        "hr",
        "hr_lo",
        "hr_hi",
        "lift",
        "lift_lo",
        "lift_hi",
        "stability",
        "stability_lo",
        "stability_hi",
    } <= set(data["summary"][0])
    for point in data["summary"]:  # every interval of a share is inside [0, 1]; lift's is >= 0
        for m in ("hr", "ndcg", "stability", "consistency"):
            assert 0 <= point[f"{m}_lo"] <= point[m] <= point[f"{m}_hi"] <= 1
        assert 0 <= point["lift_lo"] <= point["lift"] <= point["lift_hi"]
    assert pd.read_csv(out).shape[0] == 4 and "als" in data["reading"]


def test_default_grids_reach_the_whole_catalog(sample):
    assert default_values(sample, "items") == [50, 91, 166, 302, 549, 1000]
    assert (
        default_values(sample, "items", k=20)[0] == 100
        and default_values(sample, "items", points=3)[-1] == 1000
    )
    assert default_values(sample, "events")[-1] == 1.0
    assert default_values(sample, "users")[-1] == sample.n_users


def test_points_that_cannot_be_evaluated_are_reported_not_dropped(sample):
    result = run_sweep(sample, "events", [0.00002, 1.0], ["als"], seeds=1)
    assert len(result.skipped) == 1 and result.skipped[0].startswith("events=2e-05")
    assert "Not evaluated: events=2e-05" in result.reading
    assert set(result.rows.value) == {1.0}


def test_cli_sweep_takes_per_method_parameters(capsys):
    base = [
        "sweep",
        "--log",
        str(SAMPLE_LOG),
        "--axis",
        "users",
        "--values",
        "3000",
        "--methods",
        "als",
        "--seeds",
        "1",
        "--json",
    ]
    assert main(base + ["--param", "epochs=3"]) == 2
    assert "--param als.epochs=3" in capsys.readouterr().err
    assert main(base + ["--param", "als.factors=4"]) == 0
    few = json.loads(capsys.readouterr().out)["summary"][0]["hr"]
    assert main(base) == 0
    assert (
        json.loads(capsys.readouterr().out)["summary"][0]["hr"] != few
    )  # the parameter reached ALS
