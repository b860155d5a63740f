"""Every session key and URL parameter of the dashboard, behind accessors.

Three kinds of state, each in one place:

- **Shared, read-only objects** (the workspace, the built-in GloVe, models trained on the
  committed sample log, stored sets, HNSW indexes of shared sets) live in ``st.cache_resource``
  and are never mutated: :mod:`.caches`.
- **The browser's work** (its id, the active set, the sets and logs it made or opened) lives in
  the session and, for sets and logs, in the workspace on disk (``core.workspace``), so it
  survives reloads and restarts: :mod:`.browser`, :mod:`.sets`, :mod:`.logs`.  Every session key
  is declared in :mod:`.keys`, in one naming scheme.
- **The view** lives in the URL (``st.query_params``), so a link reproduces it: :mod:`.url`, and
  the keyed widgets bound to it, :mod:`.controls`.

Pages import this package (``from embedlab.dashboard import state``) and use the names below.
"""

from . import jobs, keys
from .browser import COOKIE, UploadLedger, browser_id, is_owner, keep_browser_cookie, store_upload
from .caches import (
    BUILTIN,
    SAMPLE_ITEMS,
    SAMPLE_LOG,
    builtin,
    sample_log,
    sample_model,
    workspace,
    workspace_root,
)
from .controls import Control
from .logs import SAMPLE, add_log, latest_log, load_log, logs
from .sets import (
    KIND_LABELS,
    SAMPLE_METHODS,
    active,
    active_choice,
    add_set,
    builtin_limit,
    choices,
    describe,
    hnsw,
    is_shared,
    load,
    pair_to_compare,
    publish_active,
    set_active,
    set_builtin_limit,
    set_name,
    stored_sets,
)
from .url import int_param, param, set_params, view_url

__all__ = [
    "BUILTIN",
    "COOKIE",
    "KIND_LABELS",
    "SAMPLE",
    "SAMPLE_ITEMS",
    "SAMPLE_LOG",
    "SAMPLE_METHODS",
    "Control",
    "UploadLedger",
    "active",
    "active_choice",
    "add_log",
    "add_set",
    "browser_id",
    "builtin",
    "builtin_limit",
    "choices",
    "describe",
    "pair_to_compare",
    "hnsw",
    "int_param",
    "is_owner",
    "is_shared",
    "jobs",
    "keep_browser_cookie",
    "keys",
    "latest_log",
    "load",
    "load_log",
    "logs",
    "param",
    "publish_active",
    "sample_log",
    "sample_model",
    "set_active",
    "set_builtin_limit",
    "set_name",
    "set_params",
    "store_upload",
    "stored_sets",
    "view_url",
    "workspace",
    "workspace_root",
]
