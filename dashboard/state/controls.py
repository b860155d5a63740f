"""Keyed widgets bound to the URL.

A :class:`Control` initialises its widget's value ONCE, from the URL when the URL names it (a
link), else from the value the browser left on an earlier visit to the page, else from the
default; from then on the widget owns the value and every change is written back to the URL.  (A
widget without a key that takes its default from the URL is rebuilt on each rerun, so every second
change snaps back.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .keys import KEPT, KEPT_SET, SCHEME, family
from .sets import active_choice
from .url import set_params


def forget(key: str) -> None:
    """Drop the value the control ``key`` kept from an earlier visit, so its page opens on the
    default again."""
    st.session_state.pop(family(KEPT, key), None)


@dataclass(frozen=True)
class Control:
    """One widget's session key, its URL parameter and its default.

    ``init()`` returns the key to pass to the widget (``st.slider(..., key=ctl.init())``) and
    never a ``value=``: the session holds the value.  The URL is read only when the key is not
    in the session yet; the current value is written to the URL on every run (defaults omitted).

    Parameters
    ----------
    key : str
        Session key, ``<page>.<name>`` (``"neighbours.k"``; see ``dashboard.state.keys``).
    param : str or None
        URL parameter (``"k"``); None keeps the value out of the URL.
    default : str, int, float, bool or list of str
        The type of the default decides how the URL's string is parsed.

    Raises
    ------
    ValueError
        A key outside the naming scheme.
    """

    key: str
    param: str | None
    default: Any

    def __post_init__(self) -> None:
        if not SCHEME.match(self.key):
            raise ValueError(f"control key '{self.key}' is not '<page>.<name>'")

    def init(
        self,
        options: Sequence | None = None,
        valid: Callable[[Any], bool] | None = None,
        default: Any = None,
    ) -> str:
        """Initialise the value once; returns the widget key.

        ``options``: a value outside them falls back to the default.  ``valid``: a value it
        rejects that was kept from another set (after a set switch) falls back to the default;
        a rejected value the user typed stays, so the page can say what is wrong with it.
        ``default``: overrides the declared default (e.g. a key of the active set).
        """
        fallback = self.default if default is None else default
        if self.key not in st.session_state:
            self._first_value(fallback)
        if options is not None:
            self._within(options, fallback)
        if valid is not None:
            self._checked(valid, fallback)
        st.session_state[self._kept] = st.session_state[self.key]
        self.publish()
        return self.key

    @property
    def value(self) -> Any:
        return st.session_state.get(self.key, self.default)

    def set(self, value: Any) -> None:
        """Change the value from code (a callback or before the widget is drawn)."""
        st.session_state[self.key] = value
        st.session_state[self._kept] = value

    def publish(self) -> None:
        """Write the current value into the URL (removed when it is the default)."""
        if self.param is None:
            return
        value = st.session_state.get(self.key, self.default)
        set_params(**{self.param: None if value == self.default else self._format(value)})

    @property
    def _kept(self) -> str:
        return family(KEPT, self.key)

    @property
    def _kept_set(self) -> str:
        return family(KEPT_SET, self.key)

    def _first_value(self, fallback: Any) -> None:
        """From the URL (a link; the value then belongs to the link's set), else the value kept
        from an earlier visit, else the default."""
        ss = st.session_state
        from_url = self.param is not None and self.param in st.query_params
        ss[self.key] = (
            self._parse(st.query_params[self.param]) if from_url else ss.get(self._kept, fallback)
        )
        ss[self._kept_set] = active_choice() if from_url else ss.get(self._kept_set)

    def _within(self, options: Sequence, fallback: Any) -> None:
        ss = st.session_state
        if self.default.__class__ is list:
            ss[self.key] = [v for v in ss[self.key] if v in options]
        elif ss[self.key] not in options:
            ss[self.key] = fallback if fallback in options else options[0]

    def _checked(self, valid: Callable[[Any], bool], fallback: Any) -> None:
        """A value kept from another set falls back to the default when ``valid`` rejects it."""
        ss = st.session_state
        if ss.get(self._kept_set) != active_choice():
            if not valid(ss[self.key]):
                ss[self.key] = fallback
            ss[self._kept_set] = active_choice()

    def _parse(self, text: str) -> Any:
        kind = self.default.__class__
        try:
            if kind is bool:
                return text in ("1", "true", "True")
            if kind is list:
                return [v for v in text.split(",") if v]
            return kind(text)
        except ValueError:
            return self.default

    @staticmethod
    def _format(value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, (list, tuple)):
            return ",".join(map(str, value))
        return f"{value:g}" if isinstance(value, float) else str(value)
