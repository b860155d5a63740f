"""Catalog size: shrink a log, retrain, and watch quality against the popularity baseline."""

import time

import pandas as pd
import streamlit as st

from core.experiments import AXES, default_values, run_sweep, summarise
from core.experiments.sweep import reading
from core.plots import sweep_figure
from core.train import METHODS

from dashboard import share, state
from dashboard.text import md
from dashboard.views import guarded

AXIS_HELP = {"items": "keep N items (all their events)", "events": "keep a fraction of all events",
             "users": "keep N users"}


LOG = state.Control("catalog.log", None, "sample log")


@guarded
def page():
    st.header("Catalog size")
    st.write("Shrink a log in controlled ways, retrain each method with several seeds, and measure next-item "
             "HR@10 and its lift over the popularity baseline on the same shrunken data, genre consistency, "
             "and how stable the neighbours are across seeds. Bands are 95% intervals over seeds.")
    run_tab, open_tab = st.tabs(["Run a sweep", "Re-open a sweep from its CSV"])
    with run_tab:
        _run()
    with open_tab:
        up = st.file_uploader("Sweep rows (CSV written by this page or `embedlab sweep --out`)", key="sweep-csv")
        if up is not None:
            rows = pd.read_csv(up)
            missing = {"axis", "value", "method", "seed", "hr", "lift", "stability"} - set(rows.columns)
            if missing:
                st.error(f"{md(up.name)} is not a sweep result: it lacks the columns {', '.join(sorted(missing))}")
            else:
                st.session_state["sweep"] = (rows, summarise(rows), None, up.name)
    if "sweep" in st.session_state:
        _show(*st.session_state["sweep"])


def _run():
    logs = {"sample log": None, **state.logs()}
    name = st.selectbox("Log", list(logs), key=LOG.init(list(logs), default=state.latest_log() or "sample log"),
                        help="Upload a log (e.g. a basket file like groceries.csv) on the Data page.")
    inter = state.sample_log() if logs[name] is None else logs[name]
    c = st.columns(4)
    axis = c[0].selectbox("Shrink", AXES, format_func=lambda a: f"{a}: {AXIS_HELP[a]}")
    grid = c[1].text_input("Grid", ", ".join(f"{v:g}" for v in default_values(inter, axis)), key=f"grid-{axis}")
    methods = c[2].multiselect("Methods", METHODS, default=["item2vec", "als"])
    seeds = c[3].number_input("Seeds", 1, 10, 3)
    mode = st.radio("Which items to keep", ["random", "popular"], horizontal=True) if axis == "items" else "random"
    values = [float(v) for v in grid.replace(" ", "").split(",") if v]
    estimate = _estimate(inter, methods, values, axis, int(seeds))
    st.caption(f"{len(values) * len(methods) * int(seeds)} trainings; estimated ~{estimate:.0f} s on this server "
               "(from two timed trainings on parts of the log).")
    if st.button("Run sweep", type="primary", disabled=not methods or not values):
        bar = st.progress(0.0, text="starting")
        t = time.perf_counter()
        result = run_sweep(inter, axis, values, methods, seeds=int(seeds), mode=mode,
                           progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        bar.progress(1.0, text=f"done in {time.perf_counter() - t:.0f} s")
        st.session_state["sweep"] = (result.rows, result.summary, result.why, name)


def _estimate(inter, methods, values, axis, seeds) -> float:
    """Seconds for the grid: per method, a fixed cost plus a cost per event, fitted from two timed
    trainings (an eighth and a quarter of the users), measured once per log and method."""
    cache = st.session_state.setdefault("train_cost", {})
    full = inter.n_items if axis == "items" else inter.n_users if axis == "users" else 1.0
    fractions = [min(v / full, 1.0) for v in values]
    total = 0.0
    for m in methods:
        key = (id(inter), m)
        if key not in cache:
            (n1, t1), (n2, t2) = (_timed_training(inter, m, part) for part in (8, 4))
            per_event = max((t2 - t1) / max(n2 - n1, 1), 0.0)
            cache[key] = (max(t1 - per_event * n1, 0.0), per_event)
        fixed, per_event = cache[key]
        total += sum(fixed + per_event * f * len(inter) + 0.05 for f in fractions) * seeds
    return total


def _timed_training(inter, method, part) -> tuple[int, float]:
    from core.experiments.sweep import fit_params
    from core.train import train
    small = inter.select(inter.user < max(2, inter.n_users // part))
    t = time.perf_counter()
    train(small, method, seed=0, **fit_params(method, small, None))
    return len(small), time.perf_counter() - t


def _show(rows, summary, why, name):
    st.subheader(f"Result: {md(name)}")
    text = reading(summary, summary["axis"].iloc[0])
    st.info(md(text))
    metric = st.radio("Metric", ["lift", "hr", "ndcg", "stability", "consistency"], horizontal=True)
    seeds = int(summary["seeds"].max())
    share.chart(sweep_figure(summary, metric, f"{metric} vs {summary['axis'].iloc[0]} — {name}"), f"sweep-{metric}",
                None, f"catalog-size sweep on {name}, {seeds} seeds per point", tables=[("summary", summary)],
                key=f"sweep-{metric}")
    st.dataframe(summary, hide_index=True, width="stretch")
    if why is not None and len(why):
        st.markdown("**Why: what changes as the catalog shrinks** (false-negative rate: the chance that an "
                    "item2vec negative sample is an item that actually co-occurs with the target)")
        st.dataframe(why, hide_index=True, width="stretch")
    st.download_button("Download rows (CSV)", rows.to_csv(index=False), file_name="embedlab-sweep.csv",
                       mime="text/csv")


page()
