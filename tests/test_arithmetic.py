import numpy as np
import pytest

from embedlab.core import ExpressionError, UnknownKeyError
from embedlab.core.arithmetic import solve


def test_madrid_spain_france_is_paris(glove):
    res = solve(glove, "madrid - spain + france")
    assert res.neighbours.keys[0] == "paris"
    assert res.excluded == ["madrid", "spain", "france"]
    assert set(res.input_similarity) == {"madrid", "spain", "france"}


def test_king_man_woman_is_queen_both_methods(glove):
    assert solve(glove, "king - man + woman").neighbours.keys[0] == "queen"
    assert solve(glove, "King - Man + Woman", method="3cosmul").neighbours.keys[0] == "queen"


def test_include_inputs_ranks_them(glove):
    res = solve(glove, "madrid - spain + france", k=5, include_inputs=True)
    assert res.excluded == [] and "madrid" in res.neighbours.keys


def test_3cosadd_and_3cosmul_match_gensim(glove):
    from gensim.models import KeyedVectors

    small = glove.head(20000)
    kv = KeyedVectors(small.dim)
    kv.add_vectors(small.keys, np.asarray(small.vectors))
    add = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=5)
    mul = kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=5)
    ours_add = solve(small, "king - man + woman", k=5)
    ours_mul = solve(small, "king - man + woman", k=5, method="3cosmul")
    assert ours_add.neighbours.keys == [k for k, _ in add]
    assert ours_mul.neighbours.keys == [k for k, _ in mul]
    np.testing.assert_allclose(ours_mul.neighbours.scores, [s for _, s in mul], rtol=1e-4)


def test_exact_geometry(square):
    # north - east + west points straight at west+north; nearest unit direction among the rest
    res = solve(square, "northeast - east", k=2, include_inputs=False)
    assert res.neighbours.keys[0] == "north"


def test_unknown_words_are_named_with_suggestions(glove):
    with pytest.raises(UnknownKeyError) as err:
        solve(glove, "madird - spain + frnace")
    text = str(err.value)
    assert "'madird'" in text and "'frnace'" in text and "madrid" in text and "france" in text


def test_only_unknown_and_cancelling(glove):
    with pytest.raises(UnknownKeyError):
        solve(glove, "qqxqq")
    with pytest.raises(ExpressionError, match="cancel"):
        solve(glove, "king - king")


def test_restrict_limits_answers(glove):
    res = solve(glove, "madrid - spain + france", k=10, restrict=1000)
    assert all(glove.key_to_index[k] < 1000 for k in res.neighbours.keys)
