import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings, ParameterError, UnknownKeyError


def test_lookup_equals_one_hot_times_matrix(small):
    ids = [3, 0, 41, 3]
    assert np.array_equal(small.lookup(ids), small.one_hot(ids) @ small.vectors)
    assert small.one_hot(ids).sum(axis=1).tolist() == [1, 1, 1, 1]


def test_lookup_rejects_out_of_range_ids(small):
    with pytest.raises(ParameterError, match=r"id\(43\) must be in \[0, 43\)"):
        small.lookup([43])


def test_len_contains_and_key_lookup(square):
    assert len(square) == 6 and square.dim == 2
    assert "north" in square and "up" not in square
    assert square["north"].tolist() == [0.0, 1.0]


def test_resolve_is_case_insensitive_after_exact(square):
    assert square.resolve("NORTH") == "north"
    with pytest.raises(UnknownKeyError) as err:
        square.resolve("nrth")
    assert "north" in err.value.suggestions
    assert isinstance(err.value, ValueError)


def test_unit_is_cached_normalised_and_read_only(square):
    unit = square.unit
    assert unit is square.unit
    assert np.allclose(np.linalg.norm(unit, axis=1), 1.0)
    with pytest.raises(ValueError):
        unit[0, 0] = 3
    with pytest.raises(ValueError):
        square.vectors[0, 0] = 3


def test_subset_keeps_order_and_metadata():
    emb = Embeddings(["a", "b", "c"], np.eye(3), pd.DataFrame({"genre": ["x", "y", "z"]}))
    sub = emb.subset(["c", "a"])
    assert sub.keys == ["c", "a"]
    assert sub.metadata["genre"].tolist() == ["z", "x"]
    assert np.array_equal(sub.vectors, np.eye(3, dtype=np.float32)[[2, 0]])
    assert emb.subset([1]).keys == ["b"]


def test_head_is_a_view(glove):
    top = glove.head(1000)
    assert len(top) == 1000 and top.keys[0] == "the"
    assert np.shares_memory(top.vectors, glove.vectors)


def test_constructor_validates_shapes():
    with pytest.raises(ParameterError, match=r"len\(keys\)\(2\) must equal vectors rows\(3\)"):
        Embeddings(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="metadata rows"):
        Embeddings(["a"], np.zeros((1, 2)), pd.DataFrame({"x": [1, 2]}))


def test_provenance_and_notes_are_not_changed_after_building():
    from embedlab.core.embeddings import Provenance

    emb = Embeddings(["a", "b"], np.array([[3, 4], [0, 0]]), notes=["loaded"])
    unit = emb.unit  # computed once; the variants below share it
    with pytest.raises(AttributeError):
        emb.provenance = Provenance("elsewhere")
    with pytest.raises(AttributeError):
        emb.notes = ["replaced"]
    noted = emb.with_notes("one zero vector")
    moved = noted.with_provenance(Provenance("renamed.vec"))
    assert emb.notes == ("loaded",) and emb.provenance.source == "in-memory"
    assert noted.notes == ("loaded", "one zero vector") and moved.notes == noted.notes
    assert moved.provenance.source == "renamed.vec" and noted.provenance is emb.provenance
    assert moved.unit is unit and moved.vectors is emb.vectors
    np.testing.assert_allclose(moved.unit, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_a_built_split_is_not_changed_and_its_variants_are_new():
    import dataclasses

    from embedlab.core.evaluate.protocols import make_split
    from embedlab.core.logs import prepare
    from tests.paths import SAMPLE_LOG

    inter = prepare(SAMPLE_LOG)
    plain = make_split(inter, max_users=50)
    recent = make_split(inter, max_users=50, history=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.exclude = None
    assert plain.history == 1 and recent.history == 3
    # the last three training items of each case, each weighted 1 (no decay)
    assert recent.context.sum(axis=1).A1.tolist() == [3.0] * 50
    assert plain.context.sum(axis=1).A1.tolist() == [1.0] * 50
