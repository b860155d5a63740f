"""The token gate: when the server has a token (``EMBEDLAB_DASHBOARD_TOKEN`` in its environment,
set by ``embedlab dashboard --token-file`` or inherited), a browser sees nothing but a token box
until it has entered the token.  The app checks the gate before it runs any page.

A browser that entered the token is remembered for its session (``state.keys.GATE_PASSED``) and, so
that a reload or a link opened in another tab does not ask again, by a session cookie (deleted
when the browser closes) holding an HMAC of the token, not the token itself.  Comparisons are in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import streamlit as st

from embedlab.core.cli.dashboard import TOKEN_ENV
from embedlab.dashboard.state import keys

COOKIE = "embedlab_gate"
_COOKIE_MESSAGE = b"embedlab dashboard gate v1"


def required_token() -> str | None:
    """The token this server asks for, or None when it asks for none."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def _same(given: str, expected: str) -> bool:
    """Equal, in time that depends on neither value (both are hashed to one length first)."""
    digest = hashlib.sha256
    return hmac.compare_digest(digest(given.encode()).digest(), digest(expected.encode()).digest())


def cookie_value(token: str) -> str:
    """What the gate cookie holds for ``token``: a keyed hash, useless for finding the token."""
    return hmac.new(token.encode(), _COOKIE_MESSAGE, hashlib.sha256).hexdigest()


def admitted() -> bool:
    """Whether this browser may see the app: no token is set, or it entered it (this session or,
    by its cookie, an earlier one)."""
    token = required_token()
    if token is None or keys.GATE_PASSED.get():
        return True
    cookie = st.context.cookies.get(COOKIE)
    if isinstance(cookie, str) and _same(cookie, cookie_value(token)):
        keys.GATE_PASSED.set(True)
        return True
    return False


def ask() -> None:
    """The only thing a browser without the token sees: a box for the token."""
    st.title("embedlab")
    st.write("This dashboard is shared on a network. Enter the access token its admin gave you.")
    with st.form("gate", enter_to_submit=True):
        given = st.text_input("Access token", type="password", autocomplete="current-password")
        sent = st.form_submit_button("Open")
    if sent:
        token = required_token()
        if token is not None and _same(given.strip(), token):
            keys.GATE_PASSED.set(True)
            st.rerun()
        st.error("That is not the token. Ask the person who runs this dashboard.")


def remember() -> None:
    """Write the gate cookie (this site only; gone when the browser closes).  Drawn at the end of
    every admitted run, so it never shifts the page's elements."""
    token = required_token()
    if token is None:
        return
    st.html(
        f"<script>document.cookie = '{COOKIE}={cookie_value(token)}; path=/; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )
