"""Next-item evaluation: the split, the ranking against the whole catalog, the baselines."""

import json

import numpy as np
import pytest

from embedlab.core import Embeddings
from embedlab.core.cli import main
from embedlab.core.evaluate.holdout import leave_last_out
from embedlab.core.evaluate.recs import (
    Scorer,
    metadata_consistency,
    popularity_buckets,
    rank_metrics,
)
from embedlab.core.logs import prepare
from tests.paths import SAMPLE_LOG


@pytest.fixture
def tiny(tmp_path):
    rows = [
        ("u1", "a", 1),
        ("u1", "b", 2),
        ("u1", "c", 3),
        ("u2", "a", 1),
        ("u2", "c", 2),
        ("u3", "b", 1),
        ("u3", "b", 2),  # repeat: skipped and counted
        ("u4", "d", 1),
    ]  # one event: not evaluated
    (tmp_path / "l.csv").write_text(
        "user_id,item_id,timestamp\n" + "".join(f"{u},{i},{t}\n" for u, i, t in rows)
    )
    return prepare(tmp_path / "l.csv")


def test_leave_last_out(tiny):
    split = leave_last_out(tiny, max_users=None)
    items = tiny.items
    assert [tiny.users[u] for u in split.users] == ["u1", "u2"]
    assert [items[i] for i in split.held_out] == ["c", "c"] and [items[i] for i in split.last] == [
        "b",
        "a",
    ]
    assert split.skipped_repeat == 1 and len(split.train) == len(tiny) - 3


def test_rank_is_against_whole_catalog_with_seen_excluded(tiny):
    split = leave_last_out(tiny, max_users=None)
    n = tiny.n_items
    # a scorer that puts the held-out item 'c' below one unseen item and below seen items
    order = {name: s for name, s in zip(tiny.items, [9.0, 8.0, 5.0, 7.0])}  # a b c d
    s = np.array([order[k] for k in tiny.items], dtype=np.float32)
    scorer = Scorer(
        "fixed",
        n,
        lambda users, last: np.tile(s, (len(users), 1)),  # noqa: ARG005 - a Scorer's signature
    )
    m = rank_metrics(scorer, split, split.train.item_counts(), k=1)
    # u1 has seen a, b → only d outranks c → rank 2; u2 has seen a → b and d outrank c → rank 3
    assert m["_ranks"].tolist() == [2.0, 3.0]
    assert m["hr"] == 0 and m["mrr"] == pytest.approx((1 / 2 + 1 / 3) / 2)
    m3 = rank_metrics(scorer, split, split.train.item_counts(), k=3)
    assert m3["hr"] == 1.0 and m3["ndcg"] == pytest.approx((1 / np.log2(3) + 1 / np.log2(4)) / 2)


def test_popularity_buckets():
    b = popularity_buckets(np.array([50, 30, 10, 5, 3, 2]))
    assert b.tolist() == ["head", "mid", "tail", "tail", "tail", "tail"]


def test_report_shape_and_mf_popularity_bias(capsys):
    code = main(
        [
            "evaluate",
            "recs",
            "--log",
            str(SAMPLE_LOG),
            "--method",
            "als",
            "--param",
            "query=user",  # the MF bias lives in the user vector's dot product
            "--json",
            "--max-users",
            "1500",
        ]
    )
    als = json.loads(capsys.readouterr().out)
    assert code == 0
    assert als["query"] == {
        "name": "user",
        "reason": "set as a parameter (or by tuning)",
        "chosen_by": "given",
    }
    keys = {
        "method",
        "k",
        "hr",
        "ndcg",
        "mrr",
        "coverage",
        "mean_rec_popularity",
        "users_evaluated",
    }
    assert keys <= set(als) and set(als["baselines"]) == {"popularity", "random", "itemcf", "ease"}
    assert keys - {"method", "k", "users_evaluated"} <= set(als["baselines"]["random"])
    assert keys - {"method", "k", "users_evaluated"} <= set(als["baselines"]["ease"])
    assert als["baselines"]["ease"]["lambda"] in (10, 30, 100, 300, 1000, 3000)
    assert als["unit"] == "users" and als["cases"] == als["users_evaluated"] == 1500
    assert set(als["by_popularity_bucket"]["als"]) == {"head", "mid", "tail"}
    for rep in (
        als,
        *als["baselines"].values(),
    ):  # 95% bootstrap intervals over users, inside [0, 1]
        for m in ("hr", "ndcg", "mrr"):
            assert 0 <= rep[f"{m}_lo"] <= rep[m] <= rep[f"{m}_hi"] <= 1
    assert als["hr_hi"] - als["hr_lo"] < 0.1
    assert (
        als["hr"] > 2 * als["baselines"]["popularity"]["hr"] > 4 * als["baselines"]["random"]["hr"]
    )
    main(
        [
            "evaluate",
            "recs",
            "--log",
            str(SAMPLE_LOG),
            "--method",
            "item2vec",
            "--json",
            "--max-users",
            "1500",
        ]
    )
    i2v = json.loads(capsys.readouterr().out)
    assert i2v["hr"] > i2v["baselines"]["popularity"]["hr"]
    # the MF popularity bias made measurable: MF recommends far more popular items than item2vec
    assert als["mean_rec_popularity"] > 1.5 * i2v["mean_rec_popularity"]
    assert als["baselines"]["popularity"]["coverage"] < 0.05 < i2v["coverage"]


def test_metadata_consistency_exact():
    emb = Embeddings(
        list("abcdef"),
        np.array([[1, 0], [0.9, 0.1], [0.95, 0.05], [0, 1], [0.1, 0.9], [0.05, 0.95]]),
        __import__("pandas").DataFrame({"g": ["x", "x", "x", "y", "y", "y"]}),
    )
    r = metadata_consistency(emb, "g", k=2)
    assert r["consistency"] == 1.0 and r["chance"] == pytest.approx(0.5)


def test_itemcf_scores_the_same_with_and_without_the_cooccurrence_matrix(monkeypatch):
    from embedlab.core.evaluate import recs

    inter = prepare(SAMPLE_LOG)
    split = leave_last_out(inter, max_users=300)
    direct = recs.itemcf_scorer(split.train)  # small log: the co-occurrence matrix is built
    monkeypatch.setattr(recs, "ITEMCF_PAIRS", -1)  # over the cap: the two-step product
    two_step = recs.itemcf_scorer(split.train)
    a = direct.fn(split.users, split.last, split.context)
    b = two_step.fn(split.users, split.last, split.context)
    assert a.shape == (len(split.users), inter.n_items) and np.allclose(a, b, rtol=1e-5, atol=1e-6)
    # the cosine is symmetric: the score of j from i alone equals the score of i from j alone
    i, j = int(split.last[0]), int(split.last[1])
    single = direct.fn(None, np.array([i, j]), None)
    assert np.isclose(single[0, j], single[1, i])
