"""Nearest neighbours of one key, with metadata and popularity, highlighted on a map."""

import numpy as np
import streamlit as st

from core.plots import map_figure
from core.project import project, sample_rows
from core.search import METRICS, neighbours

from dashboard import share, state
from dashboard.text import md
from dashboard.views import guarded

SEARCHES = ("exact", "hnsw")
QUERY = state.Control("neighbours.q", "q", "frog")
K = state.Control("neighbours.k", "k", 10)
METRIC = state.Control("neighbours.metric", "metric", "cosine")
SEARCH = state.Control("neighbours.search", "search", "exact")
SCORES = {"cosine": "score = cosine similarity", "dot": "score = dot product",
          "euclidean": "score = euclidean distance (smaller is nearer)"}


@guarded
def page():
    choice, emb = state.active()
    st.header("Nearest neighbours")
    default = QUERY.default if choice == state.BUILTIN else emb.keys[0]
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    q = c1.text_input("Key", key=QUERY.init(default=default, valid=lambda v: emb.find(v) is not None))
    k = int(c2.number_input("k", 1, 200, key=K.init()))
    metric = c3.selectbox("Metric", METRICS, key=METRIC.init(METRICS))
    search = c4.selectbox("Search", SEARCHES, key=SEARCH.init(SEARCHES),
                          help="hnsw: approximate (faiss HNSW); its recall against exact search is measured and shown")
    index = state.hnsw(choice, emb, metric) if search == "hnsw" else None
    nb = neighbours(emb, q, k=k, metric=metric, method=search, index=index)
    table = nb.to_frame()
    if nb.metadata is not None:
        table = table.join(nb.metadata)
    left, right = st.columns([2, 3])
    left.subheader(md(nb.query))
    left.caption(SCORES[metric] + ("" if index is None else f" · approximate (HNSW, efSearch={index.ef_search_}): "
                                                            f"measured recall@{index.k} against exact search "
                                                            f"{index.recall:.3f}"))
    left.dataframe(table, hide_index=True, width="stretch")  # a grid draws text, never Markdown
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
