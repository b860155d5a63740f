"""This browser's jobs, drawn: a line per job (what, its state, progress or queue position, Cancel,
Start again) in the sidebar of every page, redrawn every second while one is live; when the last
live job ends, the whole page runs again so it shows what the job stored."""

from __future__ import annotations

import streamlit as st

from embedlab.core.errors import EmbedlabError
from embedlab.core.jobs import CANCELLED, DONE, FAILED, INTERRUPTED, QUEUED, RUNNING
from embedlab.dashboard import work
from embedlab.dashboard.state import jobs, keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import show_error, user_facing

POLL_SECONDS = 1.0
SHOWN_ENDED = 4  # ended jobs the sidebar lists (the newest)
KIND_LABELS = {"train": "training", "sweep": "sweep"}
LIVE = (QUEUED, RUNNING)


def sidebar_block() -> None:
    """'Your jobs' in the sidebar: live jobs and the newest ended ones (none: nothing drawn)."""
    records = jobs.my_jobs()
    if not records:
        return
    if any(r["state"] in LIVE for r in records):
        _watched()
    else:
        _jobs_list(records)


@st.fragment(run_every=POLL_SECONDS)
def _watched() -> None:
    """The list, redrawn every second; the page runs again once nothing is live any more."""
    records = jobs.my_jobs()
    if not any(r["state"] in LIVE for r in records):
        st.rerun()
    _jobs_list(records)


def _jobs_list(records: list[dict]) -> None:
    live = [r for r in records if r["state"] in LIVE]
    ended = [r for r in records if r["state"] not in LIVE][-SHOWN_ENDED:]
    with st.container(border=True):
        st.markdown("**Your jobs**")
        for rec in reversed(live + ended):
            job_line(rec, place="sidebar")
        if live:
            st.caption(f"This server runs {jobs.max_jobs()} at once; the others wait in line.")


def job_line(rec: dict, place: str) -> None:
    """One job: kind and name, state and progress (or place in the queue, or why it ended), and
    its button: Cancel (queued, running) or Start again (interrupted, failed, cancelled)."""
    state = rec["state"]
    st.markdown(f"{KIND_LABELS.get(rec['kind'], rec['kind'])}: {md(rec.get('title', ''))}")
    if state == RUNNING:
        st.progress(min(max(rec.get("fraction", 0.0), 0.0), 1.0), text=md(_message(rec)))
    elif state == QUEUED:
        position = rec.get("position") or 0
        st.caption(f"queued: number {position} in line" if position else "queued")
    else:
        st.caption(md(_ended(rec)))
    key = keys.family(keys.JOBS_BUTTON, f"{place}.{rec['id']}")
    if state in LIVE:
        st.button("Cancel", key=key, on_click=jobs.cancel, args=(rec["id"],))
    elif state == DONE and (rec.get("outputs") or {}).get("set"):
        if st.button("Explore", key=key, help="Make this set the active one and open its map"):
            _explore(rec["outputs"]["set"])
    elif state in (INTERRUPTED, FAILED, CANCELLED) and st.button("Start again", key=key):
        try:
            work.restart(rec)
        except EmbedlabError as exc:
            show_error(exc)
            return
        st.rerun()


def _explore(set_id: str) -> None:
    """Make the trained set the active one and open the Map (a deleted set: the sidebar says it
    is missing)."""
    from embedlab.dashboard import state

    state.set_active(set_id)
    st.switch_page("views/map.py")


def _message(rec: dict) -> str:
    return f"running — {rec.get('message', '')}"


def _ended(rec: dict) -> str:
    """How a job ended, in one line."""
    state = rec["state"]
    if state == DONE:
        return "done"
    if state == INTERRUPTED:
        return "interrupted: the server stopped before it ended; nothing of it was stored"
    if state == CANCELLED:
        return "cancelled; nothing of it was stored"
    return f"failed: {user_facing(rec.get('error') or 'see the server log')}"
