"""embedlab dashboard: a router of pages over ``core``.  Run ``embedlab dashboard``."""

import streamlit as st

from dashboard import state
from dashboard.text import md

st.set_page_config(page_title="embedlab", page_icon="🧭", layout="wide")

TITLES = {"home": "Start", "map": "Map", "neighbours": "Neighbours", "arithmetic": "Arithmetic", "data": "Data", "train": "Train",
          "compare": "Compare", "catalog": "Catalog size", "lookup": "Lookup"}
PAGES = {name: st.Page(f"views/{name}.py", title=title, url_path=name, default=name == "home")
         for name, title in TITLES.items()}
st.session_state["pages"] = PAGES


def sidebar() -> None:
    options = state.choices()
    current = state.param("ds", state.BUILTIN)
    with st.sidebar:
        st.title("embedlab")
        picked = st.selectbox("Embedding set", options, format_func=state.describe,
                              index=options.index(current) if current in options else 0)
        if picked != current:
            state.set_params(ds=None if picked == state.BUILTIN else picked, n=None)
        _, emb = state.active()
        st.caption(f"{len(emb):,} keys × {emb.dim} dims")
        st.caption(md(emb.provenance.caption()))
        if emb.notes:
            st.caption(md(" · ".join(emb.notes)))
        from dashboard.export import export_buttons
        export_buttons(emb)


nav = st.navigation(list(PAGES.values()))
sidebar()
nav.run()
