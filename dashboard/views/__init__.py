"""Dashboard pages: each reads widgets, calls core, renders.  (Not named ``pages/``, which would
trigger Streamlit's legacy auto-discovery.)"""

from __future__ import annotations

import functools

import streamlit as st

from core.errors import EmbedlabError
from dashboard.text import md


def guarded(page):
    """A user mistake anywhere in a page becomes an ``st.error``, never a traceback."""
    @functools.wraps(page)
    def run():
        try:
            page()
        except EmbedlabError as exc:
            st.error(md(str(exc)))
    return run
