"""Nearest neighbours of one key, with metadata and popularity, highlighted on a map."""

import numpy as np
import streamlit as st

from core.plots import map_figure
from core.project import project, sample_rows
from core.search import METRICS, neighbours

SEARCHES = ("exact", "hnsw")

from dashboard import share, state
from dashboard.text import md
from dashboard.views import guarded


@guarded
def page():
    choice, emb = state.active()
    st.header("Nearest neighbours")
    default = "frog" if choice == state.BUILTIN else emb.keys[0]
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    q = c1.text_input("Key", value=state.param("q", default))
    k = c2.number_input("k", 1, 200, state.int_param("k", 10))
    metric = c3.selectbox("Metric", METRICS, index=state.choice_index(METRICS, "metric"))
    search = c4.selectbox("Search", SEARCHES, index=state.choice_index(SEARCHES, "search"),
                          help="hnsw: approximate (faiss HNSW); its recall against exact search is measured and shown")
    state.set_params(q=q, k=None if k == 10 else k, metric=None if metric == "cosine" else metric,
                     search=None if search == "exact" else search)
    index = state.hnsw(choice, emb, metric) if search == "hnsw" else None
    nb = neighbours(emb, q, k=int(k), metric=metric, method=search, index=index)
    table = nb.to_frame()
    if nb.metadata is not None:
        table = table.join(nb.metadata)
    left, right = st.columns([2, 3])
    left.subheader(md(nb.query))
    left.caption(("score = cosine similarity" if metric == "cosine" else
                  "score = dot product" if metric == "dot" else "score = euclidean distance (smaller is nearer)")
                 + ("" if index is None else f" · approximate (HNSW, efSearch={index.ef_search_}): measured "
                                             f"recall@{index.k} against exact search {index.recall:.3f}"))
    left.table(table.set_index("rank"))
    ids, note = sample_rows(emb, 3000, include=np.r_[emb.index(q), nb.ids])
    proj = project(emb, ids, "pca", quality=False)
    frame = proj.frame(emb)
    highlight = frame.key.isin(set(nb.keys) | {nb.query}).to_numpy()
    with right:
        share.chart(map_figure(frame, highlight=highlight, title=f"neighbours of {nb.query} (PCA of {note})"),
                    "neighbours", emb, f"query {nb.query}, k={k}, {metric}", tables=[("neighbours", table)],
                    key="nbmap")
    share.copy_link("neighbours")


page()
