"""Catalog size: shrink a log, retrain, and watch quality against the popularity baseline."""

import pandas as pd
import streamlit as st

from embedlab.core.errors import ParameterError
from embedlab.core.experiments import (
    AXES,
    default_values,
    driver,
    parse_grid,
    summarise,
)
from embedlab.core.experiments.estimate import sweep_seconds, training_cost
from embedlab.core.experiments.reading import read_sweep_rows, verdicts
from embedlab.core.experiments.sweep import reading, sweep_points
from embedlab.core.jobs import DONE
from embedlab.core.plots import sweep_figure
from embedlab.core.train import TRAINING_METHODS
from embedlab.core.work import SweepRequest
from embedlab.dashboard import jobview, share, state, work
from embedlab.dashboard.state import keys
from embedlab.dashboard.text import md
from embedlab.dashboard.uploads import uploader
from embedlab.dashboard.views import guarded, show_error
from embedlab.dashboard.widgets import log_picker, result_table

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
METHODS = state.Control("catalog.methods", "methods", ["item2vec", "als"])
SEEDS = state.Control("catalog.seeds", "seeds", 3)


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
        log_id = _run()
    with open_tab:
        _reopen()
    if log_id is not None:
        _stored(log_id)


def _run() -> str | None:
    """The log, the grid and the methods; the estimate; the run, started as a job of the server.
    Returns the log's id (None when the grid cannot be read)."""
    log_id, name, inter = log_picker(
        LOG, help="Upload a log (e.g. a basket file like groceries.csv) on the Data page."
    )
    axis, grid, methods, seeds, mode = _grid_controls(inter)
    try:
        values = parse_grid(grid)  # as the CLI's --values
    except ParameterError as exc:
        show_error(exc)
        return None
    points = sweep_points(inter, axis, values, mode)
    estimate = _estimate(inter, methods, points, axis, seeds)
    runs = len(points) * len(methods) * seeds
    st.caption(
        f"{runs} training{'' if runs == 1 else 's'}; "
        f"estimated ~{estimate:.0f} s on this server "
        "(from two timed trainings on parts of the log). The sweep runs as a job of the server: "
        "it goes on when you leave this page, and its rows are kept with the log."
    )
    if st.button("Run sweep", type="primary", disabled=not methods or not values):
        request = SweepRequest(log_id, name, axis, [float(v) for v in values], methods, seeds, mode)
        work.start("sweep", request)
    _live(log_id)
    return log_id


def _live(log_id: str) -> None:
    """This log's sweeps that are queued or running (redrawn while they are), and the last that
    ended without rows (with Start again)."""
    records = [
        r
        for r in state.jobs.my_jobs("sweep")
        if r["params"].get("log") == log_id and r["state"] != DONE
    ]
    if any(r["state"] in jobview.LIVE for r in records):
        _watched(log_id)
    else:
        for rec in records[-1:]:
            jobview.job_line(rec, place="catalog")


@st.fragment(run_every=jobview.POLL_SECONDS)
def _watched(log_id: str) -> None:
    records = [
        r
        for r in state.jobs.my_jobs("sweep")
        if r["params"].get("log") == log_id and r["state"] in jobview.LIVE
    ]
    if not records:
        st.rerun()
    for rec in records:
        jobview.job_line(rec, place="catalog")


def _stored(log_id: str) -> None:
    """The sweeps kept with this log (this browser's), the newest first."""
    kept = state.workspace().results(log_id, "sweep", owner=state.browser_id())[::-1]
    if not kept:
        return
    labels = {r["id"]: f"{r['name']} ({r['created'][:16].replace('T', ' ')})" for r in kept}
    chosen = st.selectbox(  # keyed by the newest: a sweep that lands is the one shown
        "Stored sweeps of this log",
        list(labels),
        format_func=labels.get,
        key=f"catalog.stored.{kept[0]['id']}",
    )
    data = next(r for r in kept if r["id"] == chosen)["data"]
    frame = pd.DataFrame
    _show(frame(data["rows"]), frame(data["summary"]), frame(data["why"]), labels[chosen], "run")


def _grid_controls(inter) -> tuple[str, str, list[str], int, str]:
    """(axis, grid text, methods, seeds, which items to keep)."""
    c = st.columns(4)
    axis = c[0].selectbox("Shrink", AXES, format_func=lambda a: f"{a}: {AXIS_HELP[a]}")
    grid = c[1].text_input(
        "Grid",
        ", ".join(f"{v:g}" for v in default_values(inter, axis)),
        key=f"catalog.grid.{axis}",
    )
    methods = c[2].multiselect("Methods", TRAINING_METHODS, key=METHODS.init(TRAINING_METHODS))
    seeds = c[3].number_input("Seeds", 1, 10, key=SEEDS.init())
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
    up = uploader(
        "Sweep rows (CSV written by this page or `embedlab sweep --out`)", key="catalog.sweep_csv"
    )
    if up is None:
        return
    rows = read_sweep_rows(up.path, up.name)
    _show(rows, summarise(rows), None, up.name, "csv")


def _drivers(verdicts: dict) -> None:
    """What drives the drop, per method (core.experiments.reading.driver), as a table."""
    if not verdicts:
        return
    st.markdown("**What drives the change** (random vs most-popular items of the same sizes)")
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


def _show(rows, summary, why, name, place: str):
    """The verdict per method (what the chart shows, in one sentence each), the chart, then the
    tables and the full reading; ``place`` keeps the widgets of each shown sweep apart."""
    st.subheader(f"Result: {md(name)}")
    axis = summary["axis"].iloc[0]
    found = verdicts(summary, axis)
    st.markdown(
        "\n".join(f"- **{md(m)}**: {md(v)}." for m, v in zip(found["method"], found["verdict"]))
    )
    metric = st.radio(
        "Metric",
        ["lift", "hr", "ndcg", "stability", "consistency"],
        horizontal=True,
        key=f"catalog.metric.{place}",
    )
    seeds = int(summary["seeds"].max())
    if axis == "items" and "items" in summary:  # the sizes kept, not the sizes asked for
        plotted = summary.assign(value=summary["items"])
        st.caption(
            "x: items actually kept at each point (a request can keep fewer, e.g. when items "
            "without events drop out)."
        )
    else:
        plotted = summary
    share.chart(
        sweep_figure(plotted, metric, f"{metric} vs {axis}, {name}"),
        f"sweep-{metric}",
        None,
        f"catalog-size sweep on {name}, {seeds} seed{'' if seeds == 1 else 's'} per point; "
        "bands: 95% intervals",
        tables=[("summary", summary)],
        key=f"catalog.chart.{place}.{metric}",
    )
    _drivers(driver(summary))
    st.markdown("**Every point** (mean over seeds, 95% intervals)")
    result_table(summary)
    with st.expander("The whole reading"):
        st.write(md(reading(summary, axis)))
    if why is not None and len(why):
        st.markdown(
            "**Why: what changes as the catalog shrinks** (false-negative rate: the chance that an "
            "item2vec negative sample is an item that actually co-occurs with the target)"
        )
        result_table(why)
    st.download_button(
        "Download rows (CSV)",
        rows.to_csv(index=False),
        file_name="embedlab-sweep.csv",
        mime="text/csv",
        key=f"catalog.download.{place}",
    )


page()
