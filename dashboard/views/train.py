"""Train: methods on a log, with live progress, then the honest evaluation."""

import pandas as pd
import streamlit as st

from core.evaluate.recs import leave_last_out, report_for
from core.plots import metrics_figure
from core.train import METHODS, train

from dashboard import share, state
from dashboard.views import guarded


LOG = state.Control("train.log", None, "sample log")


@guarded
def page():
    st.header("Train")
    logs = {"sample log": None, **state.logs()}
    name = st.selectbox("Log", list(logs), key=LOG.init(list(logs), default=state.latest_log() or "sample log"),
                        help="Upload and validate your own on the Data page.")
    inter = state.sample_log() if logs[name] is None else logs[name]
    st.caption(f"{len(inter):,} events · {inter.n_users:,} users · {inter.n_items:,} items")
    methods = st.multiselect("Methods", METHODS, default=["item2vec", "als"])
    c = st.columns(3)
    seed = c[0].number_input("Seed", 0, 10**6, 0)
    k = c[1].number_input("k for HR/NDCG", 1, 100, 10)
    dim = c[2].number_input("Dimensions", 4, 512, 64)
    with st.expander("Advanced"):
        a = st.columns(3)
        epochs = a[0].number_input("Epochs / iterations (0 = method default)", 0, 500, 0)
        window = a[1].number_input("item2vec window", 1, 100, 3)
        walks = a[2].number_input("graph walks per item", 1, 100, 10)
    if st.button("Train and evaluate", type="primary", disabled=not methods):
        results = []
        for method in methods:
            params = _params(method, int(dim), int(epochs), int(window), int(walks))
            results.append(_run(name, inter, method, params, int(seed), int(k)))
        st.session_state["last_training"] = results
    for report in st.session_state.get("last_training", []):
        _show(report)


def _params(method, dim, epochs, window, walks) -> dict:
    size = {"item2vec": "vector_size", "graph": "vector_size", "supervised": "vector_size",
            "als": "factors", "svd": "factors"}[method]
    p = {size: min(dim, 32) if method == "supervised" else dim}
    if epochs:
        p["iterations" if method == "als" else "n_iter" if method == "svd" else "epochs"] = epochs
    if method == "item2vec":
        p["window"] = window
    if method == "graph":
        p["walks_per_item"] = walks
    return p


def _run(name, inter, method, params, seed, k) -> dict:
    with st.status(f"Training {method}…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")
        progress = lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m)  # noqa: E731
        st.write("Evaluation: leave-last-out, every held-out item ranked against the whole catalog.")
        split = leave_last_out(inter, seed=seed)
        report = report_for(train(split.train, method, seed=seed, progress=progress, **params), split, k, seed)
        st.write("Training on all events for exploring…")
        full = train(inter, method, seed=seed, progress=progress, **params)
        set_name = state.add_set(f"{name} · {method}", full.items)
        status.update(label=f"{method}: HR@{k} {report['hr']:.3f} (popularity {report['baselines']['popularity']['hr']:.3f})",
                      state="complete", expanded=False)
    report["set"] = set_name
    return report


def _show(report):
    st.subheader(f"{report['method']} — {report['users_evaluated']:,} users evaluated")
    rows = [{"model": report["method"], **{m: report[m] for m in ("hr", "ndcg", "mrr", "coverage", "mean_rec_popularity")}}]
    rows += [{"model": b, **{m: v[m] for m in ("hr", "ndcg", "mrr", "coverage", "mean_rec_popularity")}}
             for b, v in report["baselines"].items()]
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch")
    buckets = pd.DataFrame([{"model": m, "bucket": b, "users": v["users"], "hr": v["hr"], "ndcg": v["ndcg"]}
                            for m, per in report["by_popularity_bucket"].items() for b, v in per.items()])
    with st.expander("By popularity of the held-out item (head / mid / tail)"):
        st.dataframe(buckets.pivot(index="model", columns="bucket", values="hr"), width="stretch")
    emb = state.load(report["set"])
    share.chart(metrics_figure(report), f"metrics-{report['method']}", emb, f"k={report['k']}",
                tables=[("metrics", table), ("by popularity bucket", buckets)], key=f"metrics-{report['set']}")
    if st.button(f"Explore {report['method']} vectors", key=f"use-{report['set']}"):
        state.set_active(report["set"])
        st.switch_page("views/map.py")


page()
