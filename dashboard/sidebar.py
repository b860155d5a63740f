"""The sidebar on every page: the active set, what it is, and how to export it."""

import streamlit as st

from core.errors import EmbedlabError

from dashboard import state
from dashboard.export import export_buttons
from dashboard.text import md

PICKER = "sidebar.set"


def _picked() -> None:
    state.set_active(st.session_state[PICKER])


def render() -> None:
    """Drawn after the page, so it shows what the page just changed (e.g. a newly loaded set)."""
    choice = state.active_choice()
    options = state.choices()
    if choice not in options:
        options = [choice] + options  # a missing set stays named, so the page's error makes sense
    st.session_state[PICKER] = choice  # the widget follows the active set, whoever changed it
    with st.sidebar:
        st.selectbox("Embedding set", options, format_func=state.describe, key=PICKER, on_change=_picked)
        try:
            _, emb = state.active()
        except EmbedlabError:
            st.caption("This set is not available; pick another.")
            return
        st.caption(f"{len(emb):,} keys × {emb.dim} dims")
        st.caption(md(emb.provenance.caption()))
        if emb.notes:
            st.caption(md(" · ".join(emb.notes)))
        export_buttons(emb)
