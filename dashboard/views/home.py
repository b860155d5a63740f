"""Start: what embedlab is, what is loaded, and one click into each thing to try."""

import streamlit as st

from embedlab.core.naming import has_titles, names
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
    if choice == state.BUILTIN:  # (a statement: Streamlit's magic would write an expression's None)
        _glove_links()
    else:
        _set_links(choice, emb)
    d = st.columns(3)
    d[0].page_link(
        "views/data.py",
        label="Upload your vectors or an interaction log",
        icon=":material/upload_file:",
    )
    d[1].page_link(
        "views/train.py",
        label="Train item2vec and ALS on the sample log",
        icon=":material/model_training:",
    )
    d[2].page_link(
        "views/compare.py",
        label="Compare MF and item2vec neighbours",
        icon=":material/compare_arrows:",
    )


def _glove_links() -> None:
    c = st.columns(3)
    c[0].page_link(
        "views/arithmetic.py",
        label="madrid − spain + france",
        icon=":material/calculate:",
        query_params={"q": "madrid - spain + france"},
    )
    c[1].page_link(
        "views/neighbours.py",
        label="Neighbours of frog",
        icon=":material/hub:",
        query_params={"q": "frog"},
    )
    c[2].page_link("views/map.py", label="All 400,000 words on one map", icon=":material/map:")


def _set_links(choice: str, emb) -> None:
    """Links into the chosen set, its first item named by its title."""
    first = names(emb, [0])[0] if has_titles(emb) else emb.keys[0]
    c = st.columns(3)
    c[0].page_link(
        "views/neighbours.py",
        label=f"Neighbours of {md(first)}",  # page_link labels are Markdown
        icon=":material/hub:",
        query_params={"q": first, "ds": choice},
    )
    c[1].page_link(
        "views/map.py",
        label=f"All {len(emb):,} items on one map" + (", by title" if has_titles(emb) else ""),
        icon=":material/map:",
        query_params={"ds": choice},
    )
    c[2].page_link(
        "views/arithmetic.py",
        label="Vector arithmetic" + (" in titles" if has_titles(emb) else ""),
        icon=":material/calculate:",
        query_params={"ds": choice},
    )


page()
