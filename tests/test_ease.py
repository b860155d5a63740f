"""EASE (Steck 2019) against its closed form computed the plain way, its lambda chosen on the
validation split, its memory bound (top-N items, or a one-line refusal) said in the report."""

import json

import numpy as np
import pytest
import scipy.sparse as sp

from embedlab.core.cli import main
from embedlab.core.evaluate import ease
from embedlab.core.evaluate.baselines import baseline_reports
from embedlab.core.evaluate.protocols import make_split, validation_split
from embedlab.core.evaluate.recs import held_out_ranks, hit_ndcg
from embedlab.core.logs import prepare
from embedlab.core.logs.matrix import user_item_matrix
from tests.paths import SAMPLE_LOG


@pytest.fixture(scope="module")
def sample():
    return prepare(SAMPLE_LOG)


def random_binary(rows: int, items: int, density: float, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    return sp.csr_matrix((rng.random((rows, items)) < density).astype(np.float32))


def test_scores_are_the_closed_form_computed_the_plain_way(monkeypatch):
    monkeypatch.setattr(ease, "BLOCK_BYTES", 4 * 60 * 7)  # several blocks of columns
    x = random_binary(60, 25, 0.3, 0)
    lam = 5.0
    model = ease.fit(x, lam)
    xd = x.toarray().astype(np.float64)
    p = np.linalg.inv(xd.T @ xd + lam * np.eye(25))  # Steck (2019), eq. 8
    b = np.eye(25) - p / np.diag(p)  # B = I - P diag(1/diag P): a zero diagonal
    assert np.allclose(np.diag(b), 0)
    q = random_binary(7, 25, 0.2, 1)
    assert ease.scores(model, q) == pytest.approx(q.toarray() @ b, abs=1e-4)
    assert ease.gram(x) == pytest.approx(xd.T @ xd)


def test_a_subset_of_items_scores_only_them():
    x = random_binary(50, 12, 0.4, 2)
    items = np.array([0, 3, 4, 9])
    model = ease.fit(x, 2.0, items)
    xs = x[:, items].toarray().astype(np.float64)
    p = np.linalg.inv(xs.T @ xs + 2.0 * np.eye(4))
    b = np.eye(4) - p / np.diag(p)
    q = random_binary(3, 12, 0.5, 3)
    s = ease.scores(model, q)
    assert s[:, items] == pytest.approx(q.toarray()[:, items] @ b, abs=1e-4)
    others = np.setdiff1d(np.arange(12), items)
    assert np.isneginf(s[:, others]).all()  # outside the fitted items: never recommended


def test_lambda_is_chosen_on_the_validation_split_by_its_ndcg(sample):
    test = make_split(sample, max_users=400)
    val = validation_split(test, max_users=400)
    lam, grid, items = ease.choose_lambda(val, 10)
    assert items == sample.n_items and lam == max(grid, key=grid.get)
    x = user_item_matrix(val.train, binary=True).tocsr()
    for each in (10.0, 1000.0):  # the grid's figure is the plain evaluation of that lambda
        ranks = held_out_ranks(ease.ease_scorer(ease.fit(x, each), val), val)
        assert grid[each] == pytest.approx(hit_ndcg(ranks, 10)["ndcg"], abs=1e-5)


def test_on_a_large_catalog_lambda_is_chosen_on_the_most_popular_items(sample, monkeypatch):
    monkeypatch.setattr(ease, "SELECT_ITEMS", 40)
    test = make_split(sample, max_users=400)
    val = validation_split(test, max_users=400)
    lam, grid, items = ease.choose_lambda(val, 10)
    assert items == 40
    top = ease.popular_items(val.train, 40)
    x = user_item_matrix(val.train, binary=True).tocsr()
    # the same figure as ranking every case against the whole catalog with EASE fit on the top 40
    ranks = held_out_ranks(ease.ease_scorer(ease.fit(x, 300.0, top), val), val)
    assert grid[300.0] == pytest.approx(hit_ndcg(ranks, 10)["ndcg"], abs=1e-5)


def test_a_catalog_over_the_cap_is_fit_on_its_most_popular_items_and_said(sample, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_EASE_MAX_ITEMS", "50")
    split = make_split(sample, max_users=300)
    rep = baseline_reports(split, 10, 0, max_users=300)["baselines"]["ease"]
    assert rep["items"] == 50 and "50 most popular of 1,000 items" in rep["note"]
    assert 0 <= rep["hr_lo"] <= rep["hr"] <= rep["hr_hi"] <= 1


def test_too_little_memory_is_a_one_line_refusal_in_the_report(sample, monkeypatch, capsys):
    monkeypatch.setattr(ease, "available_bytes", lambda: 1 << 20)  # 1 MB left
    split = make_split(sample, max_users=300)
    base = baseline_reports(split, 10, 0, max_users=300)
    why = base["baselines"]["ease"]["skipped"]
    assert why.startswith("EASE on 1,000 items needs about") and "1 MB are available" in why
    assert "ease" not in base["by_popularity_bucket"]
    code = main(["evaluate", "recs", "--log", str(SAMPLE_LOG), "--method", "svd", "--max-users",
                 "300"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "EASE skipped: EASE on 1,000 items needs about" in out
    assert "\nEASE " not in out.split("EASE skipped")[0]  # no row for it in the table
    main(["evaluate", "recs", "--log", str(SAMPLE_LOG), "--method", "svd", "--max-users", "300",
          "--json"])  # fmt: skip
    rep = json.loads(capsys.readouterr().out)
    assert list(rep["baselines"]["ease"]) == ["skipped"]


def test_memory_estimate_covers_the_matrix_and_the_working_blocks(monkeypatch):
    n, rows = 10_000, 20_000
    est = ease.ease_bytes(n, rows)
    assert 4 * n * n < est < 4 * n * n + 256 * 2**20  # P, plus blocks bounded by BLOCK_BYTES
    assert ease.fitted_items(n, rows) == 10_000 and ease.fitted_items(40_000, rows) == 10_000
    monkeypatch.setenv("EMBEDLAB_EASE_MAX_MB", "100")  # as many items as 100 MB allow
    fitted = ease.fitted_items(n, rows)
    assert ease.ease_bytes(fitted, rows) <= 100 * 2**20 < ease.ease_bytes(int(fitted / 0.9), rows)
