"""The view in the URL: ``st.query_params`` read and written, so a link reproduces a view."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st


def param(name: str, default: str = "") -> str:
    """The URL parameter ``name`` as text (``default`` when absent)."""
    return st.query_params.get(name, default)


def int_param(name: str, default: int) -> int:
    """The URL parameter ``name`` as an integer (``default`` when absent or not a number)."""
    try:
        return int(st.query_params.get(name, default))
    except ValueError:
        return default


def set_params(**values) -> None:
    """Write the view into the URL; empty values are removed so links stay short."""
    for key, value in values.items():
        if value in (None, "", False):
            st.query_params.pop(key, None)
        else:  # written even when unchanged: after a page switch the browser's URL may lack it
            st.query_params[key] = str(value)


def view_url(page: str) -> str:
    """The link that reproduces the current view of ``page``."""
    base = st.context.url.split("?")[0].rsplit("/", 1)[0] if st.context.url else ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}/{page}" + (f"?{query}" if query else "")
