"""The embedding-layer identity, live: one_hot(ids) @ W == W[ids]."""

import numpy as np
import pandas as pd
import streamlit as st

from embedlab.dashboard import state
from embedlab.dashboard.views import guarded

MAX_COLUMNS = 12
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
    picked = st.multiselect(
        f"Keys (the first {MAX_OPTIONS:,} are offered; type to search them)", options, key=key
    )
    if not picked:
        st.info("Pick at least one key.")
        return
    ids = [emb.index(k) for k in picked]
    one_hot = emb.one_hot(ids)
    product = one_hot @ emb.vectors
    rows = emb.lookup(ids)
    shown = sorted(set(ids))[:MAX_COLUMNS]
    st.subheader(f"one_hot(ids): {one_hot.shape[0]} × {one_hot.shape[1]:,}")
    hidden = one_hot.shape[1] - len(shown)
    st.caption(f"Only the columns of the chosen ids are shown; the other {hidden:,} are all zero.")
    st.dataframe(
        pd.DataFrame(
            one_hot[:, shown].astype(int),
            index=picked,
            columns=[f"{emb.keys[i]} (#{i})" for i in shown],
        ),
        width="stretch",
    )
    dims = min(emb.dim, 8)
    c = st.columns(2)
    c[0].subheader("one_hot @ W")
    c[0].dataframe(pd.DataFrame(product[:, :dims], index=picked), width="stretch")
    c[1].subheader("W[ids] (row lookup)")
    c[1].dataframe(pd.DataFrame(rows[:, :dims], index=picked), width="stretch")
    same = np.array_equal(product, rows)
    (st.success if same else st.error)(
        f"one_hot(ids) @ W {'equals' if same else 'differs from'} W[ids] "
        f"in all {emb.dim} dimensions (first {dims} shown)."
    )


page()
