"""Catalog size: shrink a log, retrain, and watch quality against the popularity baseline."""

import time

import pandas as pd
import streamlit as st

from embedlab.core.errors import ParameterError
from embedlab.core.experiments import (
    AXES,
    default_values,
    driver,
    parse_grid,
    run_sweep,
    summarise,
)
from embedlab.core.experiments.estimate import sweep_seconds, training_cost
from embedlab.core.experiments.sweep import reading, sweep_points
from embedlab.core.plots import sweep_figure
from embedlab.core.train import TRAINING_METHODS
from embedlab.dashboard import share, state
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded, show_error
from embedlab.dashboard.widgets import log_picker

AXIS_HELP = {
    "items": "keep N items (all their events)",
    "events": "keep a fraction of all events",
    "users": "keep N users",
}
MODE_HELP = {
    "both": "both: random and most popular of each size (tells size from events per item)",
    "random": "random items",
    "popular": "the most popular items",
}


LOG = state.Control("catalog.log", None, "sample")


@guarded
def page():
    st.header("Catalog size")
    st.write(
        "Shrink a log in controlled ways, retrain each method with several seeds, "
        "and measure next-item HR@10 and its lift over the popularity baseline "
        "on the same shrunken data, genre consistency, and how stable the neighbours are "
        "across seeds. Bands are 95% bootstrap intervals over the evaluated users "
        "(items for stability and consistency)."
    )
    run_tab, open_tab = st.tabs(["Run a sweep", "Re-open a sweep from its CSV"])
    with run_tab:
        _run()
    with open_tab:
        _reopen()
    if keys.CATALOG_SWEEP.held():
        _show(*keys.CATALOG_SWEEP.get())


def _run():
    """The log, the grid and the methods; the estimate; the run."""
    name, inter = log_picker(
        LOG, help="Upload a log (e.g. a basket file like groceries.csv) on the Data page."
    )
    axis, grid, methods, seeds, mode = _grid_controls(inter)
    try:
        values = parse_grid(grid)  # as the CLI's --values
    except ParameterError as exc:
        show_error(exc)
        return
    points = sweep_points(inter, axis, values, mode)
    estimate = _estimate(inter, methods, points, axis, seeds)
    st.caption(
        f"{len(points) * len(methods) * seeds} trainings; "
        f"estimated ~{estimate:.0f} s on this server "
        "(from two timed trainings on parts of the log)."
    )
    if st.button("Run sweep", type="primary", disabled=not methods or not values):
        bar = st.progress(0.0, text="starting")
        t = time.perf_counter()
        result = run_sweep(
            inter,
            axis,
            values,
            methods,
            seeds=seeds,
            mode=mode,
            progress=lambda f, m: bar.progress(min(f, 1.0), text=m),
        )
        bar.progress(1.0, text=f"done in {time.perf_counter() - t:.0f} s")
        keys.CATALOG_SWEEP.set((result.rows, result.summary, result.why, name))


def _grid_controls(inter) -> tuple[str, str, list[str], int, str]:
    """(axis, grid text, methods, seeds, which items to keep)."""
    c = st.columns(4)
    axis = c[0].selectbox("Shrink", AXES, format_func=lambda a: f"{a}: {AXIS_HELP[a]}")
    grid = c[1].text_input(
        "Grid",
        ", ".join(f"{v:g}" for v in default_values(inter, axis)),
        key=f"catalog.grid.{axis}",
    )
    methods = c[2].multiselect("Methods", TRAINING_METHODS, default=["item2vec", "als"])
    seeds = c[3].number_input("Seeds", 1, 10, 3)
    mode = (
        st.radio(
            "Which items to keep",
            list(MODE_HELP),
            format_func=MODE_HELP.get,
            horizontal=True,
            key="catalog.mode",
        )
        if axis == "items"
        else "random"
    )
    return axis, grid, methods, int(seeds), mode


def _reopen():
    """A sweep's rows, read back from the CSV this page or ``embedlab sweep --out`` wrote."""
    up = st.file_uploader(
        "Sweep rows (CSV written by this page or `embedlab sweep --out`)", key="catalog.sweep_csv"
    )
    if up is None:
        return
    rows = pd.read_csv(up)
    missing = {"axis", "value", "method", "seed", "hr", "lift", "stability"} - set(rows.columns)
    if missing:
        st.error(
            f"{md(up.name)} is not a sweep result: "
            f"it lacks the columns {', '.join(sorted(missing))}"
        )
    else:
        keys.CATALOG_SWEEP.set((rows, summarise(rows), None, up.name))


def _drivers(verdicts: dict) -> None:
    """What drives the drop, per method (core.experiments.reading.driver), as a table."""
    if not verdicts:
        return
    st.markdown("**What drives the drop**")
    st.table(
        pd.DataFrame(
            [
                {"method": m, "driver": v["driver"], "evidence": v["evidence"]}  # st.table wraps
                for m, v in verdicts.items()
            ]
        ).set_index("method")
    )


def _estimate(inter, methods, points, axis, seeds) -> float:
    """Seconds for the grid (core.experiments.estimate), each method's cost measured once per
    log."""
    cache = keys.CATALOG_COSTS.memo()
    for m in methods:
        if (id(inter), m) not in cache:
            cache[(id(inter), m)] = training_cost(inter, m)
    return sweep_seconds(inter, axis, points, seeds, {m: cache[(id(inter), m)] for m in methods})


def _show(rows, summary, why, name):
    st.subheader(f"Result: {md(name)}")
    text = reading(summary, summary["axis"].iloc[0])
    st.info(md(text))
    _drivers(driver(summary))
    metric = st.radio("Metric", ["lift", "hr", "ndcg", "stability", "consistency"], horizontal=True)
    seeds = int(summary["seeds"].max())
    axis = summary["axis"].iloc[0]
    if axis == "items" and "items" in summary:  # the sizes kept, not the sizes asked for
        plotted = summary.assign(value=summary["items"])
        st.caption(
            "x: items actually kept at each point (a request can keep fewer, e.g. when items "
            "without events drop out)."
        )
    else:
        plotted = summary
    share.chart(
        sweep_figure(plotted, metric, f"{metric} vs {summary['axis'].iloc[0]} — {name}"),
        f"sweep-{metric}",
        None,
        f"catalog-size sweep on {name}, {seeds} seeds per point",
        tables=[("summary", summary)],
        key=f"catalog.chart.{metric}",
    )
    st.dataframe(summary, hide_index=True, width="stretch")
    if why is not None and len(why):
        st.markdown(
            "**Why: what changes as the catalog shrinks** (false-negative rate: the chance that an "
            "item2vec negative sample is an item that actually co-occurs with the target)"
        )
        st.dataframe(why, hide_index=True, width="stretch")
    st.download_button(
        "Download rows (CSV)",
        rows.to_csv(index=False),
        file_name="embedlab-sweep.csv",
        mime="text/csv",
    )


page()
