"""core.compare, core.labels, core.matching: what the Compare, Train and key boxes read."""

import numpy as np
import pandas as pd

from embedlab.core import Embeddings
from embedlab.core.compare import compare_sets, verdicts
from embedlab.core.labels import first_label, label_column, label_sets, separator
from embedlab.core.matching import find_items, resolve_item


def test_multi_value_labels_are_split_and_titles_are_not():
    assert separator(pd.Series(["Comedy|Drama", "Horror", "Drama"])) == "|"
    assert separator(pd.Series(["Hello, my dear old world of many words", "x"])) is None
    assert label_sets(pd.Series(["Comedy|Drama", None]))[0] == {"Comedy", "Drama"}
    assert first_label(pd.Series(["Comedy|Drama"])).iloc[0] == "Comedy"
    assert label_column(pd.DataFrame({"title": [], "Genres": []})) == "Genres"


GENRES = pd.DataFrame({"genres": ["Comedy|Drama", "Drama", "Horror", "Horror|Sci-Fi"]})


def two_sets() -> tuple[Embeddings, Embeddings]:
    """The same four keys in two geometries.  Nearest neighbours (cosine), worked by hand:
    A: a→b, b→a, c→d, d→c.  B: a→b, b→a, c→b (c·b = 0.1/|b| > c·a = c·d = 0), d→c (d·c = 0 > d·b
    > d·a = −1).  So three of four keys keep their neighbour: overlap@1 is 0.75."""
    keys = ["a", "b", "c", "d"]
    a = np.array([[1, 0], [0.99, 0.1], [0, 1], [0.1, 0.99]], dtype=np.float32)
    b = np.array([[1, 0], [0.99, 0.1], [0, 1], [-1, 0]], dtype=np.float32)
    return Embeddings(keys, a, metadata=GENRES), Embeddings(keys, b, metadata=GENRES)


def test_label_agreement_counts_a_shared_genre_among_several():
    # a and b are neighbours and share "Drama" only through a multi-value cell; in B, c's
    # neighbour b shares no genre with it (Horror vs Drama), the other three share one
    a, b = two_sets()
    result = compare_sets(a, b, ("x", "y"), k=1)
    assert result.label == "genres"
    assert result.summary["label agreement@k"].tolist() == [1.0, 0.75]
    assert result.summary["mean overlap@k"].iloc[0] == 0.75


def test_verdicts_call_a_difference_within_noise_a_tie_and_a_clear_one_better():
    report = {
        "hr": 0.034,
        "hr_lo": 0.02,
        "hr_hi": 0.05,
        "baselines": {
            "popularity": {"hr": 0.041, "hr_lo": 0.03, "hr_hi": 0.052},
            "itemcf": {"hr": 0.079, "hr_lo": 0.07, "hr_hi": 0.09},
        },
    }
    by = {v.baseline: v for v in verdicts(report)}
    assert by["popularity"].relation == "tie"
    assert "within noise (the difference, -0.007, has a 95% interval [-0.026, +0.012]" in by[
        "popularity"
    ].sentence("item2vec")
    assert by["itemcf"].relation == "worse" and verdicts(report)[0].baseline == "itemcf"
    # intervals that touch but a difference well clear of noise (ml-latest-small's ALS): better
    clear = {"hr": 0.075, "hr_lo": 0.056, "hr_hi": 0.097, "baselines": {
        "popularity": {"hr": 0.039, "hr_lo": 0.025, "hr_hi": 0.056}}}  # fmt: skip
    assert verdicts(clear)[0].relation == "better"


def test_a_title_resolves_to_its_key_and_an_ambiguous_text_lists_candidates():
    meta = pd.DataFrame({"title": ["Toy Story (1995)", "Toy Story 2 (1999)", "Heat (1995)"]})
    emb = Embeddings(["1", "3114", "6"], np.eye(3, dtype=np.float32), metadata=meta)
    assert resolve_item(emb, "toy story (1995)") == "1"
    assert resolve_item(emb, "6") == "6"
    assert [m.key for m in find_items(emb, "toy story")] == ["1", "3114"]
    try:
        resolve_item(emb, "toy")
    except ValueError as exc:
        assert "Toy Story (1995) · 1" in str(exc) and "Toy Story 2 (1999) · 3114" in str(exc)
    else:
        raise AssertionError("an ambiguous title must not pick an item")


def test_consistency_reads_multi_value_genres():
    from embedlab.core.evaluate.recs import label_agreement

    keys = list("abcdef")
    vectors = np.array(
        [[1, 0], [0.99, 0.1], [0.98, 0.2], [0, 1], [0.1, 0.99], [0.2, 0.98]], dtype=np.float32
    )
    genres = ["Comedy|Drama", "Drama", "Drama|Action", "Horror", "Horror|Sci-Fi", "Sci-Fi|Horror"]
    agree, _ = label_agreement(
        Embeddings(keys, vectors, metadata=pd.DataFrame({"genres": genres})), "genres", 2
    )
    assert agree.all()  # read as whole strings, "Comedy|Drama" would agree with nobody
