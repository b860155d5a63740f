"""Nearest neighbours of one key, with metadata and popularity, highlighted on a map."""

import numpy as np
import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.core.matching import (
    find_items,
    lead_with_title,
    names_item,
    resolve_item,
    with_titles,
)
from embedlab.core.plots import map_figure
from embedlab.core.project import project, sample_rows
from embedlab.core.search import SEARCH_METRICS, neighbours
from embedlab.dashboard import share, state
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded

SEARCHES = ("exact", "hnsw")
QUERY = state.Control("neighbours.q", "q", "frog")
K = state.Control("neighbours.k", "k", 10)
METRIC = state.Control("neighbours.metric", "metric", "cosine")
SEARCH = state.Control("neighbours.search", "search", "exact")
SCORES = {
    "cosine": "score = cosine similarity",
    "dot": "score = dot product",
    "euclidean": "score = euclidean distance (smaller is nearer)",
}


@guarded
def page():
    choice, emb = state.active()
    st.header("Nearest neighbours")
    default = QUERY.default if choice == state.BUILTIN else emb.keys[0]
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    text = c1.text_input(
        "Key or title",
        key=QUERY.init(default=default, valid=lambda v: names_item(emb, v)),
        help="A key, or any text of the items' metadata (a title, a description)",
    )
    k = int(c2.number_input("k", 1, 200, key=K.init()))
    metric = c3.selectbox("Metric", SEARCH_METRICS, key=METRIC.init(SEARCH_METRICS))
    search = c4.selectbox(
        "Search",
        SEARCHES,
        key=SEARCH.init(SEARCHES),
        help="hnsw: approximate (faiss HNSW); "
        "its recall against exact search is measured and shown",
    )
    q = _key_or_suggestions(emb, text)
    index = state.hnsw(choice, emb, metric) if search == "hnsw" else None
    nb = neighbours(emb, q, k=k, metric=metric, method=search, index=index)
    table = lead_with_title(nb.to_frame(), nb.metadata)
    left, right = st.columns([2, 3])
    title = with_titles(emb, [nb.query])[0]
    left.subheader(md(title if title == nb.query else f"{title} [{nb.query}]"))
    left.caption(
        SCORES[metric]
        + (
            ""
            if index is None
            else f" · approximate (HNSW, efSearch={index.ef_search_}): "
            f"measured recall@{index.k} against exact search "
            f"{index.recall:.3f}"
        )
    )
    left.dataframe(table, hide_index=True, width="stretch")  # a grid draws text, never Markdown
    ids, note = sample_rows(emb, 3000, include=np.r_[emb.index(q), nb.ids])
    proj = project(emb, ids, "pca", quality=False)
    frame = proj.frame(emb)
    highlight = frame.key.isin(set(nb.keys) | {nb.query}).to_numpy()
    with right:
        share.chart(
            map_figure(
                frame, highlight=highlight, title=f"neighbours of {nb.query} (PCA of {note})"
            ),
            "neighbours",
            emb,
            f"query {nb.query}, k={k}, {metric}",
            tables=[("neighbours", table)],
            key="neighbours.chart",
        )
    share.copy_link("neighbours")


def _key_or_suggestions(emb, text: str) -> str:
    """The key ``text`` names; otherwise the items it matches, offered as buttons, and the error."""
    try:
        return resolve_item(emb, text)
    except EmbedlabError:
        matches = find_items(emb, text, limit=8)
        if matches:
            st.caption("Items matching what you typed:")
            for col, m in zip(st.columns(4) * 2, matches):
                col.button(
                    m.title if m.title == m.key else f"{m.title} [{m.key}]",
                    key=f"neighbours.pick.{m.key}",
                    on_click=QUERY.set,
                    args=(m.key,),
                )
        raise


page()
