"""The Train page's tuning panel: a live trial table and the validation metric by trial."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from embedlab.core.experiments.tune import TuningResult, tune
from embedlab.core.plots import tuning_figure

SHOWN = ("number", "state", "hr", "ndcg", "seconds")


def run(
    inter,
    method: str,
    seed: int,
    k: int,
    trials: int,
    fixed: dict,
    progress=None,
    protocol: str = "auto",
) -> TuningResult:
    """Tune ``method`` on ``inter``, redrawing the trial table and plot (and ``progress(fraction,
    text)``) after every trial."""
    st.write(
        f"Tuning {method}: {trials} trials on validation cases held out of the training part "
        "(each user's last training events, or one item per basket), half of the users ranking "
        "the trials and the other half checking the winner against the defaults; the test "
        "events are never seen."
    )
    table, chart = st.empty(), st.empty()
    rows: list[dict] = []

    def show(row: dict) -> None:
        rows.append(row)
        draw(pd.DataFrame(rows), table, chart, key=f"train.tuning.{method}.{len(rows)}")
        if progress is not None:
            progress(
                len(rows) / (trials + 1),
                f"trial {len(rows)} of {trials} done, then the winner is checked and retrained",
            )

    return tune(
        inter,
        method,
        trials=trials,
        seed=seed,
        k=k,
        fixed=fixed,
        on_trial=show,
        protocol=protocol,
    )


def draw(frame: pd.DataFrame, table, chart, key: str) -> None:
    """The trial table (state, validation metrics, seconds, then the parameters) and the plot of
    the validation metric by trial, into two placeholders."""
    params = [c for c in frame.columns if c not in SHOWN + ("pruned_at", "pruned_value", "error")]
    table.dataframe(
        frame[[c for c in SHOWN if c in frame] + params], hide_index=True, width="stretch"
    )
    chart.plotly_chart(tuning_figure(frame), width="stretch", key=key)


def show_trials(records: list[dict], key: str) -> None:
    """The finished search's trials, kept with the result so they stay after the run (and
    reruns)."""
    with st.expander(f"Tuning trials ({len(records)})", expanded=True):
        draw(pd.DataFrame(records), st.empty(), st.empty(), key=key)
