"""The sidebar on every page: the active set, what it is, and how to export it."""

import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.dashboard import state
from embedlab.dashboard.export import export_buttons
from embedlab.dashboard.text import md


def picker_key(choice: str) -> str:
    """A new picker widget per active set: a page-link click racing the rerun that changed the
    set sends the *old* widget's value, which then belongs to no widget and changes nothing
    (with one key, it read as the user picking the old set back)."""
    return state.keys.family(state.keys.SIDEBAR_SET, choice)


def _picked(key: str) -> None:
    state.set_active(state.keys.widget_value(key))


def render() -> None:
    """Drawn after the page, so it shows what the page just changed (e.g. a newly loaded set)."""
    choice = state.active_choice()
    options = state.choices()
    if choice not in options:
        options = [
            choice
        ] + options  # a set opened by link, or a missing one: named, so the page makes sense
    with st.sidebar:
        _describe_active(options, choice)
        state.keep_browser_cookie()


def _describe_active(options, choice: str) -> None:
    with st.container():
        key = picker_key(choice)
        st.selectbox(
            "Embedding set",
            options,
            index=options.index(choice),
            format_func=state.describe,
            key=key,
            on_change=_picked,
            args=(key,),
        )
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
