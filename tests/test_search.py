import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings, ParameterError
from embedlab.core.search import HnswIndex, neighbours, recall_at_k, rows_where, top_k


def brute(emb, q, k, metric):
    X = np.asarray(emb.vectors, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if metric == "cosine":
        s = (X / np.linalg.norm(X, axis=1, keepdims=True)) @ (q / np.linalg.norm(q))
        order = np.argsort(-s)
    elif metric == "dot":
        s = X @ q
        order = np.argsort(-s)
    else:
        s = np.linalg.norm(X - q, axis=1)
        order = np.argsort(s)
    return order[:k], s[order[:k]]


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(3)
    return Embeddings([f"k{i}" for i in range(3000)], rng.normal(size=(3000, 16)))


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
@pytest.mark.parametrize("n_queries", [1, 50])  # numpy path and faiss path
def test_exact_matches_brute_force(cloud, metric, n_queries):
    rng = np.random.default_rng(1)
    queries = rng.normal(size=(n_queries, 16)).astype(np.float32)
    ids, scores, recall = top_k(cloud, queries, 7, metric)
    assert recall is None
    for q, got, sc in zip(queries, ids, scores):
        want, wscore = brute(cloud, q, 7, metric)
        assert got.tolist() == want.tolist()
        np.testing.assert_allclose(sc, wscore, rtol=1e-4, atol=1e-4)


def test_known_geometry(square):
    nb = neighbours(square, "east", k=2)
    assert nb.keys == ["far-east", "northeast"] and "east" not in nb.keys
    assert neighbours(square, "east", k=1, metric="euclidean").keys == ["northeast"]
    assert neighbours(square, "north", k=1, metric="dot").keys == ["northeast"]


def test_exclusion_and_restrict(cloud):
    q = cloud.vectors[:5]
    ids, _, _ = top_k(cloud, q, 3, exclude=[[i] for i in range(5)])
    assert all(i not in row for i, row in enumerate(ids))
    ids, _, _ = top_k(cloud, q, 3, restrict=100)
    assert ids.max() < 100
    subset = np.arange(1000, 1200)
    ids, _, _ = top_k(cloud, q, 3, restrict=subset)
    assert set(ids.ravel()) <= set(subset)


def test_batch_never_needs_the_full_score_matrix(glove):
    queries = np.asarray(glove.vectors[:300])
    ids, scores, _ = top_k(glove, queries, 10, exclude=[[i] for i in range(300)])
    assert ids.shape == (300, 10)
    single = neighbours(glove, glove.keys[42], k=10)
    assert ids[42].tolist() == single.ids.tolist()


def test_hnsw_reports_measured_recall(cloud):
    index = HnswIndex(cloud, target_recall=0.95, sample=200).build()
    assert 0.95 <= index.recall <= 1.0
    nb = neighbours(cloud, "k5", k=10, method="hnsw", index=index)
    assert nb.method == "hnsw" and nb.recall == index.recall
    exact = neighbours(cloud, "k5", k=10)
    assert len(set(nb.keys) & set(exact.keys)) >= 7


def test_recall_at_k_counts_hits():
    assert recall_at_k(np.array([[1, 2, 3]]), np.array([[3, 2, 9]])) == pytest.approx(2 / 3)


def test_bad_parameters(cloud):
    with pytest.raises(ParameterError, match="metric 'manhattan'"):
        neighbours(cloud, "k1", metric="manhattan")
    with pytest.raises(ParameterError, match=r"k\(0\) must be > 0"):
        neighbours(cloud, "k1", k=0)


def test_restrict_to_a_metadata_value():
    emb = Embeddings(
        ["a", "b", "c", "d"],
        np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0, 1]]),
        pd.DataFrame({"genre": ["x", "Comedy|Drama", "y", "Comedy"]}),
    )
    ids = rows_where(emb, "genre", "Comedy")
    assert ids.tolist() == [1, 3]
    assert neighbours(emb, "a", k=5, restrict=ids).keys == ["b", "d"]
    with pytest.raises(ParameterError, match="no metadata column 'year'"):
        rows_where(emb, "year", "1")


def test_hnsw_index_is_cached_by_data_hash(tmp_path, monkeypatch):
    from embedlab.core import Provenance
    from embedlab.core.search import cached_hnsw

    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path))
    rng = np.random.default_rng(5)
    emb = Embeddings(
        [f"k{i}" for i in range(2000)],
        rng.normal(size=(2000, 8)),
        provenance=Provenance(source="t", data_hash="sha256:abc"),
    )
    first = cached_hnsw(emb)
    files = sorted(p.suffix for p in (tmp_path / "hnsw").iterdir())
    assert files == [".faiss", ".json"]
    again = cached_hnsw(emb)
    assert (
        again is not first and again.recall == first.recall and again.ef_search_ == first.ef_search_
    )
    q = np.asarray(emb.vectors[:20])
    assert np.array_equal(again.search(q, 5)[0], first.search(q, 5)[0])
    other = Embeddings(
        emb.keys,
        np.asarray(emb.vectors) * 2,
        provenance=Provenance(source="t", data_hash="sha256:def"),
    )
    assert HnswIndex.load(other, next((tmp_path / "hnsw").glob("*.faiss"))) is None
