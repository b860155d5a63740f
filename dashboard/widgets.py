"""Widgets more than one page draws the same way."""

import streamlit as st

from embedlab.dashboard import state


def log_picker(control: "state.Control", help: str) -> tuple[str, str, object]:
    """Pick the sample log or one this browser validated (the newest by default): (its id or
    ``sample``, its name, Interactions)."""
    logs = {state.SAMPLE: "sample log", **{i: label for label, i in state.logs().items()}}
    log_id = st.selectbox(
        "Log",
        list(logs),
        format_func=logs.get,
        help=help,
        key=control.init(list(logs), default=state.latest_log() or state.SAMPLE),
    )
    inter = state.sample_log() if log_id == state.SAMPLE else state.load_log(log_id)
    return log_id, logs[log_id], inter
