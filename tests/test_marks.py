"""Marks over a map layout (core.marks) and the key search the map highlights with
(core.matching.keys_matching): positions worked out by hand on tiny layouts."""

import numpy as np
import pytest

from embedlab.core import Embeddings
from embedlab.core.errors import ParameterError, UnknownKeyError
from embedlab.core.layouts import Layout, LayoutSpec
from embedlab.core.marks import mark, neighbourhood, placing
from embedlab.core.matching import keys_matching


def layout_of(ids, coords, method="umap", extra=None) -> Layout:
    return Layout(
        np.asarray(coords, dtype=np.float32),
        np.asarray(ids, dtype=np.int64),
        LayoutSpec(method),
        "digest",
        0.0,
        np.zeros(len(ids), np.int16),
        np.zeros((1, 2), np.float32),
        ["region"],
        extra=extra or {},
    )


def test_rows_on_the_layout_keep_their_positions_in_mark_order():
    emb = Embeddings(["a", "b", "c", "d"], np.eye(4))
    layout = layout_of([3, 1, 0], [[9, 9], [5, 6], [-1, 2]])
    m = mark(layout, emb, np.array([0, 3, 1]), "hits", "#D62728")
    assert m.xy.tolist() == [[-1, 2], [9, 9], [5, 6]]
    assert m.keys == ["a", "d", "b"] and m.rows.tolist() == [0, 3, 1]
    assert m.n_placed == 0 and not m.lines and (m.name, m.colour) == ("hits", "#D62728")


def test_a_row_outside_the_sample_is_placed_at_its_neighbours_median():
    # laid out: rows 0, 1, 2 (3 anchors, so k = 3: the median of all three positions)
    emb = Embeddings(["a", "b", "c", "x"], [[1, 0], [0.9, 0.1], [0, 1], [1, 0.05]])
    layout = layout_of([0, 1, 2], [[0, 0], [2, 4], [10, 1]])
    m = mark(layout, emb, np.array([3, 1]), "hits", "red")
    assert m.placed.tolist() == [True, False] and m.n_placed == 1
    assert m.xy.tolist() == [[2.0, 1.0], [2.0, 4.0]]  # median of x (0, 2, 10), of y (0, 4, 1)


def test_on_a_pca_layout_a_placed_row_gets_the_exact_projection():
    vectors = np.array([[3, 4], [1, 0], [0, 2]], dtype=np.float32)
    mean, components = np.array([0.1, 0.2]), np.array([[0.6, 0.8], [-0.8, 0.6]])
    emb = Embeddings(["a", "b", "c"], vectors)
    layout = layout_of([1, 2], [[0, 0], [1, 1]], "pca", {"mean": mean, "components": components})
    m = mark(layout, emb, np.array([0]), "a", "red")
    unit = np.array([0.6, 0.8])  # (3, 4) / 5
    expected = (unit - mean) @ components.T  # [0.6*0.5 + 0.8*0.6, -0.8*0.5 + 0.6*0.6]
    assert np.allclose(m.xy[0], [0.78, -0.04]) and np.allclose(m.xy[0], expected)


def test_neighbourhood_is_the_key_then_its_nearest_by_cosine():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(30, 5)).astype(np.float32)
    emb = Embeddings([f"k{i}" for i in range(30)], vectors)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit[7]
    sims[7] = -np.inf
    brute = np.argsort(-sims)[:4]
    assert neighbourhood(emb, "k7", k=4).tolist() == [7, *brute.tolist()]
    assert neighbourhood(emb, "K7", k=1)[0] == 7  # matched as neighbours() matches keys
    with pytest.raises(UnknownKeyError):
        neighbourhood(emb, "nope")


def test_placing_names_the_method_of_layouts_place():
    assert placing("tsne") == "openTSNE transform"
    assert placing("pca") == "exact PCA projection"
    assert placing("umap") == "median of their laid-out neighbours"


def test_keys_matching_substring_and_regex_ignore_case():
    emb = Embeddings(["Frog", "toad", "frogspawn", "bullfrog", "newt"], np.eye(5))
    assert keys_matching(emb, "frog").tolist() == [0, 2, 3]
    assert keys_matching(emb, "FROG").tolist() == [0, 2, 3]
    assert keys_matching(emb, "^frog", regex=True).tolist() == [0, 2]
    assert keys_matching(emb, "t$", regex=True).tolist() == [4]
    assert keys_matching(emb, "").dtype == np.int64 and len(keys_matching(emb, "", True)) == 0
    assert keys_matching(emb, "f.og").tolist() == []  # not a pattern unless regex
    with pytest.raises(ParameterError, match=r"'\(frog' is not a valid regular expression"):
        keys_matching(emb, "(frog", regex=True)
