"""This browser: its id (kept in a cookie), whether it is the server's owner, and the uploads its
session stored."""

from __future__ import annotations

import weakref
from pathlib import Path

import streamlit as st

from embedlab.core.workspace import Workspace, is_id, new_browser_id

from . import keys
from .caches import workspace

COOKIE = "embedlab_browser"


def browser_id() -> str:
    """This browser's id, kept in a cookie so the browser finds its sets after a reload or a server
    restart; a browser without the cookie gets a new id (and the cookie, see
    keep_browser_cookie)."""
    if not keys.BROWSER_ID.held():
        known = st.context.cookies.get(COOKIE, "")
        known = known if isinstance(known, str) else ""  # (AppTest has no browser, no cookies)
        keys.BROWSER_ID.set(known if is_id(known) else new_browser_id())
        keys.UPLOADS.set(UploadLedger(workspace()))
    return keys.BROWSER_ID.get()


def keep_browser_cookie() -> None:
    """Write the browser-id cookie (a year; this site only).  Drawn on every run at the same place
    (the end of the sidebar), so the page's elements never shift and widgets such as tabs keep
    their state."""
    st.html(
        f"<script>document.cookie = '{COOKIE}={browser_id()}; path=/; "
        "max-age=31536000; SameSite=Strict';"
        "</script>",
        unsafe_allow_javascript=True,
    )


def is_owner() -> bool:
    """A browser on the server's own machine counts as the owner: it sees sets saved from the
    CLI."""
    ip = st.context.ip_address
    return not isinstance(ip, str) or ip in ("127.0.0.1", "::1")  # (AppTest: no connection)


class UploadLedger:
    """Uploads this session stored.  Those no log record claims are removed when the session
    ends (its state is dropped); the server-start sweep catches any that a crash left."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.paths: set[Path] = set()
        weakref.finalize(self, ws.discard_uploads, self.paths)

    def store(self, data: bytes, name: str) -> Path:
        path = self.ws.store_upload(data, name)
        self.paths.add(path)
        return path


def store_upload(data: bytes, name: str) -> Path:
    """Keep an uploaded file in the workspace (by content) for this session."""
    browser_id()
    return keys.UPLOADS.get().store(data, name)
