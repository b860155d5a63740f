"""Compare two embedding sets of the same items: neighbours side by side, overlap, popularity."""

import streamlit as st

from embedlab.core.compare import compare_sets, overlap, shared_keys
from embedlab.core.matching import lead_with_title, names_item, resolve_item
from embedlab.core.search import neighbours
from embedlab.dashboard import state
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded

SET_A = state.Control("compare.a", "a", "sample:item2vec")
SET_B = state.Control("compare.b", "b", "sample:als")
QUERY = state.Control("compare.q", "q", "")
K = state.Control("compare.k", "k", 10)


@guarded
def page():
    st.header("Compare")
    options = state.choices()
    c = st.columns(2)
    a = c[0].selectbox("Set A", options, format_func=state.describe, key=SET_A.init(options))
    b = c[1].selectbox("Set B", options, format_func=state.describe, key=SET_B.init(options))
    ea, eb = state.load(a), state.load(b)
    common = shared_keys(ea, eb)
    d = st.columns([3, 1])
    text = d[0].text_input(
        "Key or title", key=QUERY.init(default=common[0], valid=lambda v: names_item(ea, v))
    )
    k = int(d[1].number_input("k", 1, 100, key=K.init()))
    q = resolve_item(ea, text)
    na, nb = neighbours(ea, q, k), neighbours(eb, q, k)
    st.metric(f"overlap@{k} for {md(na.query)}", f"{overlap(na.keys, nb.keys, k):.0%}")
    cols = st.columns(2)
    for col, name, nbr in ((cols[0], a, na), (cols[1], b, nb)):
        col.caption(md(state.describe(name)))
        table = lead_with_title(nbr.to_frame(), nbr.metadata)
        col.dataframe(table, hide_index=True, width="stretch")
    st.subheader("Across many keys")
    result = compare_sets(ea, eb, (state.describe(a), state.describe(b)), k)
    st.dataframe(result.summary, hide_index=True, width="stretch")
    agreement = (
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
        + agreement
        + popularity
        + "MF's popularity bias shows in what it recommends to users "
        "(the Train page's mean popularity of recommendations), "
        "not necessarily in item-to-item neighbours."
    )


page()
