"""Every session key the dashboard reads or writes itself, in one naming scheme.

A key is ``<owner>.<name>``: the owner is the page (``map``, ``data``, ``train``, ``catalog``, ...)
or the state module (``sets``, ``logs``, ``browser``, ``controls``) that reads and writes it; the
name is lower-case words joined by ``_``.  A family of keys (one per row, set or method) adds its
part after another dot (``data.name.<set id>``).  Widget keys follow the same scheme
(``map.method``, ``data.log_upload``); the keys the code itself reads or writes are declared here
as a :class:`Slot`, so no page spells a raw ``st.session_state["..."]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import streamlit as st

SCHEME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(\..+)?$")


@dataclass(frozen=True)
class Slot:
    """One value kept in the browser's session under ``key``.

    Parameters
    ----------
    key : str
        ``<owner>.<name>`` (see the module's docstring).

    Raises
    ------
    ValueError
        A key outside the naming scheme (a programming error, caught by the tests).

    Examples
    --------
    >>> Slot("map.mark_rows").key
    'map.mark_rows'
    """

    key: str

    def __post_init__(self) -> None:
        if not SCHEME.match(self.key):
            raise ValueError(f"session key '{self.key}' is not '<owner>.<name>'")

    def get(self, default: Any = None) -> Any:
        """The value, or ``default`` when the session has none."""
        return st.session_state.get(self.key, default)

    def set(self, value: Any) -> None:
        st.session_state[self.key] = value

    def pop(self) -> None:
        """Forget the value (nothing happens when there is none)."""
        st.session_state.pop(self.key, None)

    def held(self) -> bool:
        """Whether the session holds a value."""
        return self.key in st.session_state

    def memo(self) -> dict:
        """A dict kept in the session under this key (created empty on first use): a
        per-session cache."""
        return st.session_state.setdefault(self.key, {})


def family(prefix: str, part: object) -> str:
    """The key of one member of a family of keys: ``family("data.name", set_id)``.

    Examples
    --------
    >>> family("data.name", "a1b2")
    'data.name.a1b2'
    """
    return f"{prefix}.{part}"


def digest(*parts: object) -> str:
    """A short stable name for what a family of widgets chooses among (a file's columns): the
    widgets keyed by it start again from their defaults when it changes.

    Examples
    --------
    >>> digest("upload", "user", "item") == digest("upload", "user", "item")
    True
    """
    import hashlib

    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


def widget_value(key: str, default: Any = None) -> Any:
    """The value of the widget keyed ``key`` (in a callback, which Streamlit calls without it)."""
    return st.session_state.get(key, default)


# -- the state package -----------------------------------------------------------------------------
ACTIVE_SET = Slot("sets.active")  # the browser's active set (survives page switches)
BUILTIN_LIMIT = Slot("sets.builtin_limit")  # how many GloVe words the built-in keeps (None: all)
HNSW = Slot("sets.hnsw")  # HNSW indexes of this session's own sets: (choice, id, metric) -> index
BROWSER_ID = Slot("browser.id")  # this browser's id (its cookie)
UPLOADS = Slot("browser.uploads")  # the UploadLedger of this session's stored uploads
VALIDATED_LOGS = Slot("logs.validated")  # logs validated in this session: record id -> log
LATEST_LOG = Slot("logs.latest")  # id of the log validated last in this session
GATE_PASSED = Slot("gate.passed")  # this browser entered the token (an exposed server's gate)
KEPT = "controls.kept"  # family: a control's value kept while its page is not shown
KEPT_SET = "controls.kept_set"  # family: the set a control's value was checked against

# -- pages -----------------------------------------------------------------------------------------
DATA_UPLOADS = Slot("data.stored_uploads")  # upload file id -> uploads.Upload (stored on disk)
DATA_PREVIEW = Slot("data.preview")  # (upload, format, reading) -> (first rows, how read): one
DATA_METADATA = Slot("data.metadata_preview")  # (upload, options) -> ItemMetadata, a few at most
DATA_VALIDATED = Slot("data.validated")  # (log id, what it was validated from) of the last one
DATA_CONFIRMED = Slot("data.confirmed_columns")  # upload ids whose user/item the user picked
DATA_NAME = "data.name"  # family: the name box of a stored set or log
COMPARE_PAIR = Slot("compare.pair")  # the (set A, set B) the query was last checked against
CATALOG_COSTS = Slot("catalog.train_cost")  # (log, method) -> measured training cost
MAP_CANVAS = "map.canvas"  # the point-map component: its value is the last click
MAP_CLICK_SEEN = Slot("map.click_seen")  # nonce of the last click handled
MAP_MARK_ROWS = Slot("map.mark_rows")  # rows of each mark drawn, to resolve a click on a mark
MAP_PROJECTIONS = Slot("map.projections")  # the last 3-D / semantic-axes projection
JOBS_BUTTON = "jobs.button"  # family: a job's Cancel / Start again button, per place and job
SIDEBAR_SET = "sidebar.set"  # family: the set picker, one widget per active set
