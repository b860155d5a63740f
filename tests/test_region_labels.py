"""Map regions named so that they differ: which metadata columns can name them
(core.clusters.label_columns), their most distinctive value with its share, the distinctive words
of their titles, and their central items by title."""

import numpy as np
import pandas as pd

from embedlab.core import Embeddings
from embedlab.core.clusters import label_columns, metadata_labels, name_labels, word_labels


def test_columns_with_two_to_max_distinct_values_once_multi_values_are_split():
    meta = pd.DataFrame(
        {
            "title": [f"film {i}" for i in range(300)],  # 300 distinct: names too few each
            "genres": ["Comedy|Drama", "Drama", "Horror;Comedy", None] * 75,  # 3 values split
            "country": ["UK"] * 300,  # one value names every region alike
            "empty": [None] * 300,
            "decade": [1990, 2000, 2010] * 100,  # numbers count as text values
        }
    )
    assert label_columns(meta) == ["genres", "decade"]
    assert label_columns(meta, max_values=2) == []
    assert label_columns(meta, max_values=300) == ["title", "genres", "decade"]
    assert label_columns(None) == []


def test_a_column_of_more_distinct_cells_than_scanned_is_skipped():
    meta = pd.DataFrame({"tag": ["a", "b", "c", "d", "e", "f"]})
    assert label_columns(meta) == ["tag"]
    assert label_columns(meta, scanned=5) == []  # six distinct cells: never split


def test_a_value_most_regions_share_leads_one_label_only():
    # five regions of 10 items: every item of the first three is a Drama, with one Romance, Crime
    # or Comedy each; the last two are 6 of 10 Horror and 6 of 10 War
    cells = []
    for other in ("Romance", "Crime", "Comedy"):
        cells += ["Drama|" + other] + ["Drama"] * 9
    for other in ("Horror", "War"):
        cells += [other] * 6 + [""] * 4
    clusters = np.repeat(np.arange(5), 10)
    labels = metadata_labels(pd.DataFrame({"genres": cells}), "genres", np.arange(50), clusters)
    # c-TF-IDF by hand: A = 45 values / 5 regions = 9; Drama 1.0 * log(1 + 9/30) = 0.26 beats
    # Romance 0.1 * log(1 + 9/1) = 0.23 in each of the first three, so Drama is each one's best;
    # Horror and War score 0.6 * log(1 + 9/6) = 0.55 and choose first.  Drama leads once (the
    # first region, in order); the other two lead with their own genre and say Drama's share.
    assert labels == [
        "Drama 100%",
        "Crime 10% · Drama 100%",
        "Comedy 10% · Drama 100%",
        "Horror 60%",
        "War 60%",
    ]


def test_words_that_set_a_region_apart_name_it_and_words_every_region_has_do_not():
    titles = [
        "Christmas Tree Hanging Heart",
        "Christmas Star Hanging",
        "Christmas Bauble Heart",
        "Lunch Bag Red Heart",
        "Lunch Bag Spaceboy",
        "Lunch Box Heart",
    ]
    labels = word_labels(titles, np.array([0, 0, 0, 1, 1, 1]))
    # "heart" is in both regions (2 of 3 and 2 of 3): less distinctive than christmas or lunch
    assert labels[0].split(" · ")[0] == "christmas" and labels[1].split(" · ")[0] == "lunch"
    assert "heart" not in labels[0].split(" · ")[:1]
    assert word_labels(["123", "456"], np.array([0, 1])) == ["", ""]  # no words: no labels


def test_central_items_are_named_by_their_titles_cut_at_a_word():
    meta = pd.DataFrame(
        {"title": ["Willy Wonka and the Chocolate Factory (1971)", "Heat (1995)", "Heat 2"]}
    )
    vectors = np.array([[1, 0], [0, 1], [0.1, 1]], dtype=np.float32)
    emb = Embeddings(["151", "6", "7"], vectors, metadata=meta)
    labels = name_labels(emb, np.arange(3), np.array([0, 1, 1]), n_keys=1)
    assert labels == ["Willy Wonka and the…", "Heat (1995)"]
    bare = Embeddings(["a", "b", "c"], vectors)  # no titles: the keys, as before
    assert name_labels(bare, np.arange(3), np.array([0, 1, 1]), n_keys=1) == ["a", "b"]


def test_placeholders_and_rare_values_do_not_name_a_region():
    import numpy as np
    import pandas as pd

    from embedlab.core.clusters import metadata_labels

    # two regions of Thriller: the second must not lead with a value 1 of its 20 points has, nor
    # with MovieLens' "(no genres listed)"
    genres = ["Thriller"] * 20 + ["Thriller"] * 17 + ["Comedy", "(no genres listed)", "Drama"]
    meta = pd.DataFrame({"genres": genres})
    clusters = np.array([0] * 20 + [1] * 20)
    labels = metadata_labels(meta, "genres", np.arange(40), clusters)
    assert labels == ["Thriller 100%", "Thriller 85%"]
    assert not any("no genres" in label or " 0%" in label or " 5%" in label for label in labels)
