"""The Train page's tuning panel: the trial table and the validation metric by trial."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from embedlab.core.experiments.tune import failure_reasons
from embedlab.core.plots import tuning_figure

SHOWN = ("number", "state", "hr", "ndcg", "seconds")


def draw(frame: pd.DataFrame, table, chart, key: str) -> None:
    """The trial table (state, validation metrics, seconds, then the parameters) and the plot of
    the validation metric by trial, into two placeholders."""
    params = [c for c in frame.columns if c not in SHOWN + ("pruned_at", "pruned_value", "error")]
    shown = frame[[c for c in SHOWN if c in frame] + params]
    if "state" in frame and (frame["state"] == "fail").any():  # why each failed trial failed
        shown = shown.assign(reason=failure_reasons(frame))
    table.dataframe(shown, hide_index=True, width="stretch")
    chart.plotly_chart(tuning_figure(frame), width="stretch", key=key)


def show_trials(records: list[dict], key: str) -> None:
    """The finished search's trials, kept with the result so they stay after the run (and
    reruns)."""
    with st.expander(f"Tuning trials ({len(records)})", expanded=True):
        draw(pd.DataFrame(records), st.empty(), st.empty(), key=key)
