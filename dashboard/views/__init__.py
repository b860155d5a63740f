"""Dashboard pages: each reads widgets, calls core, renders.  (Not named ``pages/``, which would
trigger Streamlit's legacy auto-discovery.)"""

from __future__ import annotations

import functools
import logging
import re

import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.dashboard.text import md

log = logging.getLogger("embedlab.dashboard")


def user_facing(message: str) -> str:
    """An error message with the workspace's storage paths cut down to the uploaded file's name
    (``<workspace>/uploads/<hash>/ratings.csv`` → ``ratings.csv``): users never see server paths."""
    from embedlab.dashboard.state import workspace

    root = re.escape(str(workspace().root))
    return re.sub(root + r"/(uploads|blobs)/[0-9a-f]{32}/?", "", message)


def show_error(exc: EmbedlabError, labels: dict | None = None) -> None:
    """A user mistake as one ``st.error`` line: the text the CLI prints (without its flags),
    escaped, without server paths; with ``labels`` (option name → what the page calls its box),
    the boxes on the page that change it."""
    text = md(user_facing(str(exc)))
    boxes = [labels[o] for o in getattr(exc, "options", ()) if labels and o in labels]
    if boxes:
        text += md(f" (change {', '.join(dict.fromkeys(boxes))} on this page)")
    st.error(text)


def guarded(page):
    """A user mistake anywhere in a page becomes an ``st.error``; anything else (a bug) is logged
    with its traceback on the server and the user gets one line, never a traceback or a path."""

    @functools.wraps(page)
    def run():
        try:
            page()
        except EmbedlabError as exc:
            show_error(exc)
        except Exception:
            log.exception("page %s failed", page.__module__)
            st.error(
                "Something went wrong on the server (it is logged there). "
                "Try another input or reload; if it persists, report what you did."
            )

    return run
