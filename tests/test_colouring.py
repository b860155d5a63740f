"""Colouring a map by metadata (core.colouring): which columns qualify, the legend's counts, a
multi-value cell's colour, numbers in bins; every figure worked out by hand."""

import numpy as np
import pandas as pd

from embedlab.core.colouring import NONE, OTHER, by_column, by_number, colour_columns


def test_columns_that_qualify_repeat_a_value_or_hold_numbers():
    meta = pd.DataFrame(
        {
            "title": ["Heat", "Alien", "Fargo", "Babe"],  # every value once: nothing to colour
            "genres": ["Crime|Drama", "Horror|Sci-Fi", "Crime", "Children's"],
            "events": [508, 291, 508, 117],
            "constant": [1, 1, 1, 1],
        }
    )
    assert colour_columns(meta) == ["genres", "events"]
    assert colour_columns(None) == []


def test_a_point_with_several_values_takes_its_rarest_coloured_one():
    # counts: Drama 4, Crime 2, War 1 -> colours for Drama and Crime (max 2); War is "other"
    meta = pd.DataFrame({"genres": ["Drama", "Crime|Drama", "Drama|War", "Crime", "Drama", ""]})
    c = by_column(meta, "genres", np.arange(6), max_colours=2)
    assert c.groups.tolist() == [0, 1, 0, 1, 0, 3]
    assert [(text, n) for _, text, n in c.legend] == [
        ("Drama", 3),
        ("Crime", 2),
        ("other", 0),
        ("no value", 1),
    ]
    assert c.palette[2:] == [OTHER, NONE]
    assert "rarest" in c.note


def test_only_the_rows_drawn_count():
    meta = pd.DataFrame({"genres": ["War", "Drama", "Drama", "War", "War"]})
    c = by_column(meta, "genres", np.array([1, 2, 0]))  # War is in one of the three points
    assert [(text, n) for _, text, n in c.legend][:2] == [("Drama", 2), ("War", 1)]
    assert c.groups.tolist() == [0, 0, 1]


def test_counts_fall_into_whole_number_bins_of_about_equal_size():
    values = np.array([1, 1, 2, 2, 3, 3, 10, 10, 50, 50, 400, 400], dtype=float)
    c = by_number(values, "events", colours=["a", "b", "c"])
    # tertiles of the 12 sorted values (linear): positions 3.67 and 7.33, so 2 + 0.67 * (3 - 2)
    # = 2.67 -> 3 and 10 + 0.33 * (50 - 10) = 23.3 -> 23, rounded to whole edges
    assert [text for _, text, _ in c.legend] == ["≤ 3", "4 – 23", "24 – 400"]
    assert [n for _, _, n in c.legend] == [6, 2, 4]
    assert c.groups.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2]


def test_fixed_edges_and_missing_values():
    values = np.array([0.0, 0.05, 0.25, 0.3, 1.0, np.nan])
    c = by_number(values, "Jaccard@10", edges=[0, 0, 0.25, 1], colours=["r", "o", "b"])
    assert c.groups.tolist() == [0, 1, 1, 2, 2, 3]
    assert [text for _, text, _ in c.legend] == ["≤ 0", "0 – 0.25", "0.25 – 1", "no value"]
