"""Train: methods on a log, their declared parameters, labelled progress, the honest evaluation."""

import pandas as pd
import streamlit as st

from embedlab.core.compare import verdicts
from embedlab.core.evaluate.recs import REPORT_METRICS
from embedlab.core.experiments.recs import evaluate_recs
from embedlab.core.plots import metrics_figure
from embedlab.core.train import TRAINING_METHODS, train, trainer
from embedlab.core.train.base import declared
from embedlab.dashboard import share, state, tuning
from embedlab.dashboard.views import guarded
from embedlab.dashboard.widgets import log_picker

LOG = state.Control("train.log", None, "sample")


@guarded
def page():
    st.header("Train")
    name, inter = log_picker(LOG, help="Upload and validate your own on the Data page.")
    st.caption(f"{len(inter):,} events · {inter.n_users:,} users · {inter.n_items:,} items")
    methods = st.multiselect(
        "Methods", TRAINING_METHODS, default=["item2vec", "als"], key="train.methods"
    )
    c = st.columns(2)
    seed = int(c[0].number_input("Seed", 0, 10**6, 0, key="train.seed"))
    k = int(c[1].number_input("k for HR/NDCG", 1, 100, 10, key="train.k"))
    tune = st.toggle(
        "Tune",
        key="train.tune",
        help="Search each method's parameters on a validation split first (each user's "
        "second-to-last event; the test event is never seen), then retrain with the best.",
    )
    trials = int(st.number_input("Trials", 2, 200, 20, key="train.trials")) if tune else 0
    if tune:
        st.caption(
            "Tuning searches each method's declared parameters itself (trial 0 is its defaults); "
            "the parameters below are not used."
        )
    params = {m: _parameters(m, inter) for m in methods}
    if st.button("Train and evaluate", type="primary", disabled=not methods):
        st.session_state["train.results"] = [
            _run(name, inter, m, {} if tune else params[m], seed, k, trials) for m in methods
        ]
    for report in st.session_state.get("train.results", []):
        _show(report)


def _parameters(method: str, inter) -> dict:
    """One widget per parameter the trainer declares (bounds from its Params, defaults for this
    log: item2vec's follow the log's context); what is passed on is what the widgets show, where
    it differs from the defaults those choices imply."""
    t = trainer(method)
    shown, values = t.defaults(inter), {}
    with st.expander(f"{method} parameters"):
        cols = st.columns(3)
        for i, d in enumerate(declared(t.Params)):
            key, col, default = (
                f"train.{method}.{d['name']}",
                cols[i % 3],
                getattr(shown, d["name"]),
            )
            if d.get("choices"):
                value = col.selectbox(
                    d["name"],
                    d["choices"],
                    index=list(d["choices"]).index(default),
                    key=key,
                    help=d.get("help"),
                )
            elif d["type"] in (int, float):
                low = d.get("low") if d.get("low") is not None else None
                high = d.get("high") if d.get("high") is not None else None
                kind = d["type"]
                value = col.number_input(
                    d["name"],
                    None if low is None else kind(low),
                    None if high is None else kind(high),
                    kind(default),
                    key=key,
                    help=d.get("help"),
                    format="%g" if kind is float else "%d",
                )
            else:
                continue  # (no widget for other kinds; the trainer's default applies)
            values[d["name"]] = value
    base = t.defaults(inter, values)
    return {name: v for name, v in values.items() if v != getattr(base, name)}


def _run(name, inter, method, params, seed, k, trials=0) -> dict:
    """Two labelled stages, each with its own progress: evaluation on the split, then all events."""
    with st.status(f"Training {method}…", expanded=True) as status:
        stages = [
            (
                "1/2 evaluation (training on the split)",
                st.progress(0.0, text="1/2 evaluation: waiting"),
            ),
            ("2/2 all events (for exploring)", st.progress(0.0, text="2/2 all events: waiting")),
        ]

        def reporter(i):
            label, bar = stages[i]
            return lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"{label}: {m}")

        if (
            trials
        ):  # the tuning's own test report: validation chose the parameters, test scores them
            tuned = tuning.run(inter, method, seed, k, trials, params, progress=reporter(0))
            report, params = (
                {
                    **tuned.test,
                    "tuning": tuned.lines(),
                    "tuning_trials": tuned.trials.to_dict(orient="records"),
                },
                tuned.best_params,
            )
        else:
            report = evaluate_recs(
                inter, method, k=k, seed=seed, params=params, progress=reporter(0)
            )
        stages[0][1].progress(1.0, text=f"{stages[0][0]}: done")
        full = train(inter, method, seed=seed, progress=reporter(1), **params)
        stages[1][1].progress(1.0, text=f"{stages[1][0]}: done")
        report["set"] = state.add_set(
            f"{name} · {method}", full.items, source=f"{method} on {name}"
        )
        status.update(
            label=f"{method}: HR@{k} {report['hr']:.3f}", state="complete", expanded=False
        )
    return report


def _show(report):
    st.subheader(f"{report['method']} — {report['users_evaluated']:,} users evaluated")
    st.caption(report.get("protocol", {}).get("description", ""))
    for line in report.get("tuning", []):
        st.caption(line)
    if report.get("tuning_trials"):
        tuning.show_trials(report["tuning_trials"], key=f"trials-{report['set']}")
    rows = [{"model": report["method"], **{m: report[m] for m in REPORT_METRICS}}]
    rows += [
        {"model": b, **{m: v[m] for m in REPORT_METRICS}} for b, v in report["baselines"].items()
    ]
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch")
    for v in verdicts(report):
        (
            st.success
            if v.relation == "better"
            else st.warning
            if v.relation == "worse"
            else st.info
        )(v.sentence(report["method"]).replace("[", "\\[").replace("]", "\\]"))
    buckets = pd.DataFrame(
        [
            {"model": m, "bucket": b, "users": v["users"], "hr": v["hr"], "ndcg": v["ndcg"]}
            for m, per in report["by_popularity_bucket"].items()
            for b, v in per.items()
        ]
    )
    with st.expander("By popularity of the held-out item (head / mid / tail)"):
        st.dataframe(buckets.pivot(index="model", columns="bucket", values="hr"), width="stretch")
    emb = state.load(report["set"])
    share.chart(
        metrics_figure(report),
        f"metrics-{report['method']}",
        emb,
        f"k={report['k']}",
        tables=[("metrics", table), ("by popularity bucket", buckets)],
        key=f"metrics-{report['set']}",
    )
    if st.button(f"Explore {report['method']} vectors", key=f"use-{report['set']}"):
        state.set_active(report["set"])
        st.switch_page("views/map.py")


page()
