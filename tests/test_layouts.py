"""Layouts: cached by content, computed once per process, labelled, and able to place new points."""

import json

import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings, layouts
from embedlab.core.clusters import cluster_map, key_labels, metadata_labels, split_values
from embedlab.core.errors import ParameterError


def blobs(n_per: int = 40, seed: int = 3) -> tuple[Embeddings, np.ndarray]:
    """Four well separated blobs in 10-d, centred at 10·(±e0) and 10·(±e1) (so PCA keeps them
    apart); the first key of each blob is its centre word."""
    rng = np.random.default_rng(seed)
    centres = np.zeros((4, 10), dtype=np.float32)
    centres[[0, 1, 2, 3], [0, 1, 0, 1]] = [10, 10, -10, -10]
    vecs, keys, blob = [], [], []
    for b, c in enumerate(centres):
        vecs.append(c + 0.0)
        keys.append(f"centre{b}")
        blob.append(b)
        for i in range(n_per - 1):
            vecs.append(c + rng.normal(scale=1.0, size=10).astype(np.float32))
            keys.append(f"b{b}_{i}")
            blob.append(b)
    return Embeddings(keys, np.array(vecs, dtype=np.float32)), np.array(blob)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path))
    layouts.RUNNER.forget_finished()
    return tmp_path


def test_cache_hit_returns_identical_coordinates_without_recomputing(cache, monkeypatch):
    emb, _ = blobs()
    spec = layouts.LayoutSpec("tsne", seed=1)
    first = layouts.request(emb, None, spec).wait(60)
    assert first.source == "computed" and (cache / "layouts" / f"{first.key}.npz").exists()
    layouts.RUNNER.forget_finished()  # a fresh process: nothing in memory, only the cache folder

    def forbidden(*args, **kwargs):
        raise AssertionError("recomputed a cached layout")

    monkeypatch.setattr(layouts, "compute", forbidden)
    monkeypatch.setattr(layouts, "tsne", forbidden)
    again = layouts.request(Embeddings(list(emb.keys), np.array(emb.vectors)), None, spec)
    assert again.done and again.layout.source == "cache"
    np.testing.assert_array_equal(again.layout.coords, first.coords)
    np.testing.assert_array_equal(again.layout.clusters, first.clusters)
    assert again.layout.labels == first.labels


def test_layout_key_changes_with_content_params_and_seed():
    emb, _ = blobs(10)
    digest = layouts.content_hash(emb)
    base = layouts.layout_key(digest, layouts.LayoutSpec("tsne"))
    moved = Embeddings(list(emb.keys), np.array(emb.vectors) + 1e-3)
    renamed = Embeddings(["x"] + list(emb.keys[1:]), np.array(emb.vectors))
    assert layouts.layout_key(layouts.content_hash(moved), layouts.LayoutSpec("tsne")) != base
    assert layouts.layout_key(layouts.content_hash(renamed), layouts.LayoutSpec("tsne")) != base
    assert layouts.layout_key(digest, layouts.LayoutSpec("tsne", {"perplexity": 10})) != base
    assert layouts.layout_key(digest, layouts.LayoutSpec("tsne", seed=2)) != base
    assert layouts.layout_key(digest, layouts.LayoutSpec("tsne", {"perplexity": 30.0})) == base


def test_every_visitor_shares_one_running_computation(cache):
    emb, _ = blobs(30)
    spec = layouts.LayoutSpec("pca")
    a = layouts.request(emb, None, spec)
    b = layouts.request(emb, None, spec)
    assert a is b
    assert a.wait(60) is b.layout and a.fraction == 1.0


def test_unreadable_cache_file_is_recomputed_not_trusted(cache):
    emb, _ = blobs(20)
    spec = layouts.LayoutSpec("pca")
    path = layouts.cache_path(layouts.content_hash(emb), spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip")
    path.with_suffix(".json").write_text(json.dumps({"format": layouts.FORMAT}))
    job = layouts.request(emb, None, spec)
    assert job.wait(60).source == "computed" and job.error is None


def test_clusters_follow_the_blobs_and_are_labelled_by_their_central_keys():
    emb, blob = blobs()
    layout = layouts.compute(emb, None, layouts.LayoutSpec("pca"))
    clusters, _ = cluster_map(layout.coords, 4, seed=0)
    # each k-means region is exactly one blob
    assert all(len(set(blob[clusters == c])) == 1 for c in range(4))
    labels = key_labels(emb, np.arange(len(emb)), clusters, n_keys=1)
    assert sorted(labels) == ["centre0", "centre1", "centre2", "centre3"]
    for c, label in enumerate(labels):
        assert blob[emb.index(label)] == blob[clusters == c][0]


def test_metadata_labels_split_multi_values_and_prefer_what_is_distinctive():
    clusters = np.array([0, 0, 0, 1, 1, 1])
    meta = pd.DataFrame(
        {
            "genres": [
                "Comedy|Drama",
                "Comedy",
                "Drama|Comedy",
                "Horror|Drama",
                "Horror",
                "Drama, Horror",
            ]
        }
    )
    # Drama is in 4 of 6 items everywhere; Comedy and Horror each own one region
    assert metadata_labels(meta, "genres", np.arange(6), clusters) == ["Comedy 100%", "Horror 100%"]
    assert split_values("Comedy|Drama") == ["Comedy", "Drama"] and split_values(float("nan")) == []


def test_transform_places_a_new_point_near_its_neighbours():
    emb, blob = blobs()
    layout = layouts.compute(emb, None, layouts.LayoutSpec("tsne"))
    rng = np.random.default_rng(0)
    new = np.array(emb["centre2"])[None, :] + rng.normal(scale=0.5, size=(1, 10)).astype(np.float32)
    placed = layouts.place(layout, emb, new)[0]
    centres = np.array([layout.coords[blob == b].mean(axis=0) for b in range(4)])
    assert np.argmin(np.linalg.norm(centres - placed, axis=1)) == 2
    spread = np.linalg.norm(layout.coords[blob == 2] - centres[2], axis=1).max()
    assert np.linalg.norm(placed - centres[2]) <= spread


def test_pca_placement_is_the_exact_projection():
    emb, _ = blobs(15)
    layout = layouts.compute(emb, None, layouts.LayoutSpec("pca"))
    placed = layouts.place(layout, emb, np.array(emb.vectors[:5]))
    np.testing.assert_allclose(placed, layout.coords[:5], atol=1e-4)


def test_subset_layouts_keep_their_rows_and_refuse_bad_input(cache):
    emb, _ = blobs(20)
    ids = np.arange(0, len(emb), 2)
    layout = layouts.request(emb, ids, layouts.LayoutSpec("pca")).wait(60)
    np.testing.assert_array_equal(layout.ids, ids)
    loaded = layouts.load(layouts.cache_path(layout.digest, layout.spec))
    np.testing.assert_array_equal(loaded.ids, ids)
    with pytest.raises(ParameterError, match="at least 3"):
        layouts.compute(emb, np.array([0, 1]), layouts.LayoutSpec("pca"))
    with pytest.raises(ParameterError, match="perplexity"):
        layouts.LayoutSpec("pca", {"perplexity": 5})
    with pytest.raises(ParameterError, match="dimensions"):
        layouts.place(layout, emb, np.zeros((1, 3)))


def test_shipped_glove_layout_matches_the_builtin_vectors(glove):
    """The precomputed map of all 400,000 words is found for the built-in set (hash, seed,
    method)."""
    found = layouts.cached(glove, None, layouts.LayoutSpec("tsne"))
    assert found is not None and found.source == "shipped"
    assert found.coords.shape == (len(glove), 2) and np.isfinite(found.coords).all()
    assert len(found.labels) == len(found.centres) >= 10 and all(found.labels)
    assert found.clusters.min() == 0 and found.clusters.max() == len(found.labels) - 1


def test_large_sets_lay_out_the_first_rows_and_place_the_rest_by_their_neighbours():
    rng = np.random.default_rng(5)
    emb = Embeddings([f"k{i}" for i in range(300)], rng.normal(size=(300, 6)).astype(np.float32))
    layout = layouts.compute(emb, None, layouts.LayoutSpec("tsne", {"anchors": 200}))
    assert layout.extra == {"anchors": 200, "placed": 100} and layout.coords.shape == (300, 2)
    unit = np.asarray(emb.unit)
    for row in (200, 250, 299):
        near = np.argsort(-(unit[:200] @ unit[row]), kind="stable")[:10]
        np.testing.assert_allclose(
            layout.coords[row], np.median(layout.coords[near], axis=0), atol=1e-5
        )


def test_a_cache_folder_that_cannot_be_written_still_serves_the_layout(cache, monkeypatch):
    from embedlab.core.io import atomic

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(
        atomic.os, "replace", refuse
    )  # (root ignores chmod: refuse the rename instead)
    emb, _ = blobs(seed=11)
    job = layouts.request(emb, spec=layouts.LayoutSpec("pca"))
    layout = job.wait(60)
    assert job.error is None and layout is not None and layout.coords.shape == (len(emb), 2)
    assert not list(cache.rglob("*.npz")) and not [
        p for p in cache.rglob("*") if p.name.startswith(".")
    ]
