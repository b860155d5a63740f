"""Compare two sets of the same items, read in titles: one item's neighbours side by side, where
on the map the two sets agree (each item's neighbour overlap, Jaccard@k), and agreement, label
agreement and popularity over many items."""

import numpy as np
import pandas as pd
import streamlit as st

from embedlab.core import layouts
from embedlab.core.compare import (
    agreement,
    agreement_colouring,
    compare_sets,
    jaccard,
    overlap,
    shared_keys,
)
from embedlab.core.matching import names_item, resolve_item
from embedlab.core.naming import label, labels
from embedlab.core.plots import compare_figure
from embedlab.core.project import sample_rows
from embedlab.core.search import neighbours
from embedlab.dashboard import maps, share, state
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded
from embedlab.dashboard.widgets import result_table

SET_A = state.Control("compare.a", "a", "sample:item2vec")
SET_B = state.Control("compare.b", "b", "sample:als")
QUERY = state.Control("compare.q", "q", "")
K = state.Control("compare.k", "k", 10)
SCORED = 200_000_000  # key × key products the agreement map may cost (neighbours of all items)


@guarded
def page():
    st.header("Compare")
    stored = state.stored_sets()  # read once: both the options and the opening pair use them
    options = state.choices(stored)
    first_a, first_b = state.pair_to_compare(stored)  # the active set and one of the same data
    c = st.columns(2)
    a = c[0].selectbox(
        "Set A", options, format_func=state.describe, key=SET_A.init(options, default=first_a)
    )
    b = c[1].selectbox(
        "Set B", options, format_func=state.describe, key=SET_B.init(options, default=first_b)
    )
    ea, eb = state.load(a), state.load(b)
    common = shared_keys(ea, eb)
    _follow_sets(a, b, ea, common[0])
    d = st.columns([3, 1])
    text = d[0].text_input(
        "Key or title",
        key=QUERY.init(default=common[0], valid=lambda v: names_item(ea, v)),
        help="A key, or any text of the items' metadata (a title) that names one item of set A",
    )
    k = int(d[1].number_input("k", 1, 100, key=K.init()))
    q = resolve_item(ea, text)
    names = (state.set_name(a), state.set_name(b))
    _side_by_side(ea, eb, q, k, names)
    _agreement_map(ea, eb, a, b, k, names)
    _many_keys(ea, eb, names, k)
    share.copy_link("compare")


def _follow_sets(a: str, b: str, ea, default: str) -> None:
    """A query kept from other sets that set A cannot resolve gives way to A's first shared key
    (instead of an error about a stale key)."""
    if keys.COMPARE_PAIR.get() != (a, b):
        keys.COMPARE_PAIR.set((a, b))
        current = QUERY.upcoming()
        if current and not names_item(ea, current):
            QUERY.set(default)


def _side_by_side(ea, eb, q: str, k: int, names: tuple[str, str]) -> None:
    na, nb = neighbours(ea, q, k), neighbours(eb, eb.resolve(q), k)
    shared = len(set(na.keys) & set(nb.keys))
    heading = label(ea, q)
    st.subheader(md(heading))
    c = st.columns(3)
    c[0].metric(f"Overlap@{k}", f"{overlap(na.keys, nb.keys, k):.0%}", help="shared / k")
    c[1].metric(f"Shared of {k}", f"{shared}")
    c[2].metric(f"Jaccard@{k}", f"{jaccard(na.keys, nb.keys):.2f}", help="shared / (2k − shared)")
    left = labels(ea, na.keys, limit=32)  # the title cut, never the key
    right = labels(eb, nb.keys, limit=32)
    table = pd.DataFrame(
        {
            "rank": np.arange(1, k + 1),
            f"A · {names[0]}": _padded(labels(ea, na.keys), k),
            "score A": _padded(list(na.scores.astype(float)), k, np.nan),
            f"B · {names[1]}": _padded(labels(eb, nb.keys), k),
            "score B": _padded(list(nb.scores.astype(float)), k, np.nan),
        }
    )
    share.chart(
        compare_figure(left, right, names, f"Neighbours of {heading}"),
        "compare",
        ea,
        f"neighbours of {heading} (k={k}, cosine) in {names[0]} (left) and {names[1]} (right); "
        f"lines join the {shared} items both list",
        tables=[("neighbours in both sets", table)],
        key="compare.chart",
        set_name=f"{names[0]} vs {names[1]}",
    )
    result_table(table)


def _padded(values: list, k: int, fill="") -> list:
    """``values`` made ``k`` long (a set with fewer neighbours leaves blanks)."""
    return list(values[:k]) + [fill] * (k - len(values))


def _agreement_map(ea, eb, a: str, b: str, k: int, names: tuple[str, str]) -> None:
    """Set A's map coloured by each item's Jaccard@k with set B: where the two sets agree."""
    st.subheader("Where the two sets agree")
    ids, note = sample_rows(ea, maps.default_points(ea))
    layout = maps.layout_of(ea, ids, layouts.LayoutSpec("tsne"), note)
    if layout is None:
        return
    limit = int(max(100, min(len(layout.ids), SCORED // max(len(ea), len(eb)))))
    scores = _scores(a, b, k, limit, ea, eb)
    values = np.full(len(ea), np.nan)
    values[scores["row"].to_numpy()] = scores["jaccard"].to_numpy()
    colouring = agreement_colouring(values[layout.ids], k)
    scored = (
        f"all {len(scores):,} shared items"
        if len(scores) == len(shared_keys(ea, eb))
        else f"the first {len(scores):,} shared items (neighbours of more would take minutes)"
    )
    text = (
        f"The map of {names[0]} ({note}), each item coloured by how many of its {k} nearest "
        f"neighbours {names[1]} also lists ({scored}; mean Jaccard@{k} "
        f"{scores['jaccard'].mean():.2f}). {colouring.note}"
    )
    st.caption(md(text))
    provenance = share.provenance_line(ea, text, f"{names[0]} vs {names[1]}")
    maps.draw(
        ea,
        layout,
        colouring,
        [""] * len(layout.centres),
        [],
        provenance,
        "compare-map",
        "compare.map",
        colour_key=f"agreement:{b}:{k}",
    )


@st.cache_resource(max_entries=8, show_spinner="Finding every item's neighbours in both sets…")
def _scores(a: str, b: str, k: int, limit: int, _ea, _eb):  # noqa: ARG001 - the cache's key
    """Jaccard@k of the first ``limit`` shared items, once per pair of sets (shared, read-only)."""
    return agreement(_ea, _eb, k, limit)


def _many_keys(ea, eb, names: tuple[str, str], k: int) -> None:
    st.subheader("Across many keys")
    result = compare_sets(ea, eb, names, k)
    summary = result.summary.rename(columns=lambda c: c.replace("@k", f"@{k}"))
    result_table(summary)
    agreement_text = (
        f"Label agreement: share of neighbours sharing a label in '{md(result.label)}' "
        "with the key (multi-value cells split). "
        if result.label
        else "No label column (genre, category…), so no label agreement. "
    )
    popularity = (
        f"Popularity: {result.popularity}. "
        if result.popularity
        else "Popularity is unknown for these sets (no event counts, keys not in frequency order). "
    )
    st.caption(
        f"Over {result.summary['keys compared'].iloc[0]} random shared keys. "
        + agreement_text
        + popularity
        + "MF's popularity bias shows in what it recommends to users "
        "(the Train page's mean popularity of recommendations), "
        "not necessarily in item-to-item neighbours."
    )


page()
