"""The Train page's tuning panel: a live trial table and the validation metric by trial."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.experiments.tune import TuningResult, tune
from core.plots import tuning_figure

SHOWN = ("number", "state", "hr", "ndcg", "seconds")


def run(inter, method: str, seed: int, k: int, trials: int, fixed: dict) -> TuningResult:
    """Tune ``method`` on ``inter``, redrawing the trial table and plot after every trial."""
    st.write(f"Tuning {method}: {trials} trials on a validation split (each user's second-to-last "
             "event, or one item per basket); the test events are never seen.")
    table, chart = st.empty(), st.empty()
    rows: list[dict] = []

    def show(row: dict) -> None:
        rows.append(row)
        frame = pd.DataFrame(rows)
        params = [c for c in frame.columns if c not in SHOWN + ("pruned_at", "pruned_value", "error")]
        table.dataframe(frame[list(SHOWN) + params], hide_index=True, width="stretch")
        chart.plotly_chart(tuning_figure(frame), width="stretch", key=f"tune-{method}-{len(rows)}")
    return tune(inter, method, trials=trials, seed=seed, k=k, fixed=fixed, on_trial=show)
