"""Compare two embedding sets of the same items: neighbours side by side, overlap, popularity."""

import numpy as np
import pandas as pd
import streamlit as st

from core.errors import ParameterError
from core.search import neighbours, top_k

from dashboard import state
from dashboard.views import guarded


@guarded
def page():
    st.header("Compare")
    options = state.choices()
    defaults = ["sample:item2vec", "sample:als"]
    c = st.columns(2)
    a = c[0].selectbox("Set A", options, format_func=state.describe,
                       index=options.index(state.param("a", defaults[0])) if state.param("a", defaults[0]) in options else 0)
    b = c[1].selectbox("Set B", options, format_func=state.describe,
                       index=options.index(state.param("b", defaults[1])) if state.param("b", defaults[1]) in options else 1)
    ea, eb = state.load(a), state.load(b)
    common = [k for k in ea.keys if k in eb.key_to_index]
    if len(common) < 2:
        raise ParameterError(f"the two sets share {len(common)} keys; compare sets of the same items",
                             hint="e.g. item2vec and ALS trained on the same log")
    d = st.columns([3, 1])
    q = d[0].text_input("Key", value=state.param("q", common[0]))
    k = int(d[1].number_input("k", 1, 100, state.int_param("k", 10)))
    state.set_params(a=a, b=b, q=q, k=None if k == 10 else k)
    na, nb = neighbours(ea, q, k), neighbours(eb, q, k)
    overlap = len(set(na.keys) & set(nb.keys)) / k
    st.metric(f"overlap@{k} for {q}", f"{overlap:.0%}")
    cols = st.columns(2)
    for col, name, emb, nbr in ((cols[0], a, ea, na), (cols[1], b, eb, nb)):
        col.caption(state.describe(name))
        table = nbr.to_frame()
        if nbr.metadata is not None:
            table = table.join(nbr.metadata)
        col.dataframe(table, hide_index=True, width="stretch")
    st.subheader("Across many keys")
    st.dataframe(_summary(ea, eb, a, b, common, k), hide_index=True, width="stretch")
    st.caption(f"Over {min(300, len(common))} random shared keys. Popularity = mean events of the neighbours in "
               "the training log (for word vectors: mean frequency rank, lower = more frequent). MF's popularity "
               "bias shows in what it recommends to users (see the Train page's mean popularity of "
               "recommendations), not necessarily in item-to-item neighbours.")


def _summary(ea, eb, a, b, common, k, sample=300) -> pd.DataFrame:
    """Neighbours of the same random keys in both sets, found once per set in one batch."""
    rng = np.random.default_rng(0)
    keys = [common[i] for i in rng.choice(len(common), min(sample, len(common)), replace=False)]
    rows, found = [], []
    for name, emb in ((a, ea), (b, eb)):
        rows_of = np.array([emb.index(key) for key in keys])
        ids, _, _ = top_k(emb, np.asarray(emb.vectors[rows_of]), k, exclude=[[r] for r in rows_of], method="exact")
        found.append([{emb.keys[j] for j in row if j >= 0} for row in ids])
        agree = None
        if emb.metadata is not None and "genre" in emb.metadata.columns:
            genre = emb.metadata.genre.to_numpy()
            agree = float(np.mean([np.mean(genre[row[row >= 0]] == genre[r]) for r, row in zip(rows_of, ids)]))
        rows.append({"set": state.describe(name), "keys compared": len(keys),
                     "mean neighbour popularity": float(np.mean([_popularity(emb, row[row >= 0]) for row in ids])),
                     "genre agreement@k": agree})
    out = pd.DataFrame(rows)
    out["mean overlap@k"] = float(np.mean([len(x & y) / k for x, y in zip(*found)]))
    return out


def _popularity(emb, ids) -> float:
    if emb.metadata is not None and "events" in emb.metadata.columns:
        return float(emb.metadata.events.iloc[ids].mean())
    return float(np.mean(ids))


page()
