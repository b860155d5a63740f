"""Widgets more than one page draws the same way."""

import streamlit as st

from embedlab.dashboard import state


def log_picker(control: "state.Control", help: str) -> tuple[str, str, object]:
    """Pick the sample log or one this browser validated (the newest by default): (its id or
    ``sample``, its name, Interactions)."""
    logs = {state.SAMPLE: "sample log", **{i: label for label, i in state.logs().items()}}
    fallback = state.latest_log() or state.SAMPLE
    log_id = st.selectbox(
        "Log",
        list(logs),
        format_func=logs.get,
        help=help,
        key=control.init(list(logs), default=fallback),
    )
    if control.param and log_id == control.default != fallback:  # the sample, chosen: said
        state.set_params(**{control.param: log_id})  # (publish omits it as the default)
    inter = state.sample_log() if log_id == state.SAMPLE else state.load_log(log_id)
    return log_id, logs[log_id], inter


SCORE_COLUMNS = ("score", "similarity", "jaccard", "overlap")


def result_table(table, height: int | None = None) -> None:
    """A table of results (neighbours, answers) wide enough for its titles: ranks narrow,
    titles wide, scores and shares with three decimals (other figures one), counts with
    thousands separators.  (A grid draws
    text, never Markdown: titles and keys are shown as they are.)"""
    import pandas as pd

    config = {}
    for column in table.columns:
        values = table[column]
        if column == "rank":
            config[column] = st.column_config.NumberColumn(column, width="small", format="%d")
        elif pd.api.types.is_float_dtype(values):
            small = column.split(" ")[0] in SCORE_COLUMNS or values.abs().max() <= 1
            config[column] = st.column_config.NumberColumn(  # narrow unless its name is long
                column,
                format="%.3f" if small else "%.1f",
                width="small" if len(str(column)) <= 9 else None,
            )
        elif pd.api.types.is_integer_dtype(values):
            config[column] = st.column_config.NumberColumn(column, format="localized")
        elif values.dtype == object and values.astype(str).str.len().max() > 24:
            config[column] = st.column_config.TextColumn(column, width="large")
    st.dataframe(
        table, hide_index=True, width="stretch", column_config=config, height=height or "auto"
    )
