"""Which metadata columns can name map regions (core.clusters.label_columns)."""

import pandas as pd

from embedlab.core.clusters import label_columns


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
