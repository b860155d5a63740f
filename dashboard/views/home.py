"""Start: what embedlab is, what is loaded, and one click into each thing to try."""

import streamlit as st

from embedlab.dashboard import state
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded


@guarded
def page():
    choice, emb = state.active()
    st.title("embedlab")
    st.write(
        "Load or train embeddings and see what they learned: "
        "a map, nearest neighbours, vector arithmetic, "
        "quality against baselines, and how small catalogs degrade them."
    )
    st.caption(
        f"Active set: {md(state.describe(choice))} — {len(emb):,} keys × {emb.dim} dims · "
        f"{md(emb.provenance.caption(public=True))}"
    )
    if choice == state.BUILTIN:
        c = st.columns(3)
        c[0].page_link(
            "views/arithmetic.py",
            label="madrid − spain + france",
            icon="➕",
            query_params={"q": "madrid - spain + france"},
        )
        c[1].page_link(
            "views/neighbours.py", label="Neighbours of frog", icon="🐸", query_params={"q": "frog"}
        )
        c[2].page_link(
            "views/map.py", label="All 400,000 words on one map, with labelled regions", icon="🗺️"
        )
    d = st.columns(3)
    d[0].page_link("views/data.py", label="Upload your vectors or an interaction log", icon="📤")
    d[1].page_link("views/train.py", label="Train item2vec and ALS on the sample log", icon="🏋️")
    d[2].page_link("views/compare.py", label="Compare MF and item2vec neighbours", icon="⚖️")


page()
