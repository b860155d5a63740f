"""The logs a browser may train on: the committed sample log and the logs it validated (stored in
the workspace, so they survive reloads and restarts)."""

from __future__ import annotations

from pathlib import Path

from . import keys
from .browser import browser_id
from .caches import stored_log, workspace
from .controls import forget
from .sets import stored_sets

SAMPLE = "sample"  # the committed sample log, in log pickers
OPEN_ON_NEW_LOG = ("train.log", "catalog.log")  # log pickers that switch to a log just validated


def logs() -> dict[str, str]:
    """Logs this browser validated (stored in the workspace): label -> record id."""
    recs = [r for r in stored_sets() if r.kind == "log"]
    names = [r.name for r in recs]
    return {
        (r.name if names.count(r.name) == 1 else f"{r.name} ({r.created[:19]})"): r.id for r in recs
    }


def add_log(name: str, upload: Path, options: dict, inter) -> str:
    """Store a validated log (its upload and the options that validate it again); returns its id.

    Raises
    ------
    WorkspaceFullError
        The workspace is at its size cap.
    """
    rec = workspace().save_log(name, upload, options, owner=browser_id())
    keys.VALIDATED_LOGS.memo()[rec.id] = inter
    keys.LATEST_LOG.set(rec.id)
    for control_key in OPEN_ON_NEW_LOG:
        forget(control_key)
    return rec.id


def load_log(log_id: str):
    """The Interactions of a stored log: this session's copy, else validated again from the
    upload."""
    mine = keys.VALIDATED_LOGS.get({})
    return mine[log_id] if log_id in mine else stored_log(log_id)


def latest_log() -> str | None:
    """Id of the log validated last in this session, else the newest this browser stored (the
    Train and Catalog pages default to it, so a reload still opens on the user's own log)."""
    if keys.LATEST_LOG.get():
        return keys.LATEST_LOG.get()
    recs = [r for r in stored_sets() if r.kind == "log"]
    return max(recs, key=lambda r: r.created).id if recs else None
