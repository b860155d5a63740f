"""The Recommend page's popularity chart (core.recommend_figure): its log axis of event counts is
labelled with enough whole-number ticks to read, whatever range the recommendations span."""

import pandas as pd
import pytest

from embedlab.core.recommend_figure import count_ticks, popularity_figure


def _table(events: list[int]) -> pd.DataFrame:
    n = len(events)
    return pd.DataFrame(
        {
            "rank": range(1, n + 1),
            "key": [f"k{i}" for i in range(n)],
            "title": [f"T{i}" for i in range(n)],
            "events": events,
        }
    )


@pytest.mark.parametrize(
    "als, item2vec",
    [
        ([340, 120, 40, 12], [300, 90, 15, 13]),  # within 10..1,000: Plotly's default ticks 10, 100
        ([4000, 2500, 1200], [3900, 1800, 1300]),  # within one decade: no power of ten at all
        ([49, 45, 41], [48, 44, 42]),  # a narrow range
        ([9, 5, 2], [8, 3, 1]),
    ],
)
def test_the_popularity_axis_has_at_least_three_whole_number_ticks_inside_the_data(als, item2vec):
    fig = popularity_figure({"als": _table(als), "item2vec": _table(item2vec)})
    y = fig.layout.yaxis
    values = als + item2vec
    assert y.type == "log" and y.dtick is None  # no longer one tick per power of ten
    ticks = list(y.tickvals)
    assert len(ticks) >= 3
    assert all(isinstance(t, int) for t in ticks)  # counts: whole numbers
    assert all(min(values) <= t <= max(values) for t in ticks)  # all of them on the plot
    assert ticks == sorted(set(ticks))
    assert list(y.ticktext) == [f"{t:,}" for t in ticks]


def test_counts_that_cannot_be_drawn_on_a_log_axis_leave_plotlys_ticks():
    assert count_ticks([0, 0.5]) == {}
    fig = popularity_figure({"als": _table([0, 0])})
    assert fig.layout.yaxis.tickvals is None and fig.layout.yaxis.type == "log"
