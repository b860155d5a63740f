"""The embedding-layer identity, live: one_hot(ids) @ W == W[ids], items named by title."""

import numpy as np
import pandas as pd
import streamlit as st

from embedlab.core.naming import has_titles, labels
from embedlab.dashboard import state
from embedlab.dashboard.views import guarded

MAX_COLUMNS = 12
MAX_DIMS = 8  # dimensions of W shown (the caption says how many)
MAX_OPTIONS = 5000
KEYS = state.Control("lookup.keys", "keys", ["king", "queen", "paris"])


@guarded
def page():
    choice, emb = state.active()
    st.header("Lookup = one-hot × matrix")
    st.write(
        "An embedding layer is a fully connected layer over a one-hot input: "
        "multiplying the one-hot row of an id by the embedding matrix W selects row id of W."
    )
    default = KEYS.default if choice == state.BUILTIN else emb.keys[:3]
    key = KEYS.init(default=default, valid=lambda ks: all(emb.find(k) is not None for k in ks))
    kept = [
        emb.resolve(k) for k in KEYS.value if emb.find(k) is not None
    ]  # unknown URL keys dropped
    KEYS.set(kept)
    options = list(dict.fromkeys(kept + emb.keys[:MAX_OPTIONS]))
    titled = dict(zip(options, labels(emb, options))) if has_titles(emb) else {}
    picked = st.multiselect(
        f"{'Items' if titled else 'Keys'} (the first {MAX_OPTIONS:,} are offered; "
        f"type to search their {'titles and keys' if titled else 'keys'})",
        options,
        format_func=lambda k: titled.get(k, k),
        key=key,
    )
    if not picked:
        st.info("Pick at least one key.")
        return
    ids = [emb.index(k) for k in picked]
    rows = labels(emb, picked)
    one_hot = emb.one_hot(ids)
    product = one_hot @ emb.vectors
    looked_up = emb.lookup(ids)
    shown = sorted(set(ids))[:MAX_COLUMNS]
    st.subheader(f"one_hot(ids): {one_hot.shape[0]} × {one_hot.shape[1]:,}")
    hidden = one_hot.shape[1] - len(shown)
    st.caption(f"Only the columns of the chosen ids are shown; the other {hidden:,} are all zero.")
    st.dataframe(
        pd.DataFrame(
            one_hot[:, shown].astype(int),
            index=rows,
            columns=[
                f"{name} (#{i})"
                for name, i in zip(labels(emb, [emb.keys[i] for i in shown]), shown)
            ],
        ),
        width="stretch",
    )
    dims = min(emb.dim, MAX_DIMS)
    for heading, values in (("one_hot @ W", product), ("W[ids] (row lookup)", looked_up)):
        # one under the other, full width: every sliced dimension fits without a scroll bar (side
        # by side, half width, a title-labelled table showed 4 or 5 of the 8)
        st.subheader(heading)
        st.dataframe(pd.DataFrame(values[:, :dims], index=rows), width="stretch")
    same = np.array_equal(product, looked_up)
    (st.success if same else st.error)(
        f"one_hot(ids) @ W {'equals' if same else 'differs from'} W[ids] "
        f"in all {emb.dim} dimensions (first {dims} shown)."
    )


page()
