"""Train: methods on a log, their declared parameters, labelled progress, the honest evaluation."""

import pandas as pd
import streamlit as st

from embedlab.core.compare import baseline_name, headline, verdicts
from embedlab.core.evaluate.baselines import ease_line, scored
from embedlab.core.evaluate.protocols import PROTOCOLS
from embedlab.core.evaluate.recs import REPORT_METRICS
from embedlab.core.jobs import DONE
from embedlab.core.plots import metrics_figure
from embedlab.core.train import TRAINING_METHODS, trainer
from embedlab.core.train.base import declared
from embedlab.core.work import TrainRequest
from embedlab.dashboard import jobview, share, state, tuning, work
from embedlab.dashboard.text import md
from embedlab.dashboard.views import guarded
from embedlab.dashboard.widgets import log_picker, result_table

LOG = state.Control("train.log", "log", "sample")  # in the URL: a reload keeps the user's log
METHODS = state.Control("train.methods", "methods", ["item2vec", "als"])
SEED = state.Control("train.seed", "seed", 0)
K = state.Control("train.k", "k", 10)
PROTOCOL = state.Control("train.protocol", "protocol", PROTOCOLS[0])
TUNE = state.Control("train.tune", "tune", False)
TRIALS = state.Control("train.trials", "trials", 20)  # kept while Tune is off (not drawn)
SHOWN_RESULTS = 4  # the newest runs on the log whose scores the page shows


@guarded
def page():
    st.header("Train")
    log_id, name, inter = log_picker(LOG, help="Upload and validate your own on the Data page.")
    st.caption(f"{len(inter):,} events · {inter.n_users:,} users · {inter.n_items:,} items")
    methods, seed, k, trials, protocol = _settings()
    params = {m: _parameters(m, inter) for m in methods}
    if st.button("Train and evaluate", type="primary", disabled=not methods):
        for m in methods:
            request = TrainRequest(
                log_id, name, m, {} if trials else params[m], seed, k, trials, protocol
            )
            work.start("train", request)
    st.caption(
        "Each method trains as a job of the server: it goes on when you leave this page or close "
        "the tab, and its set and scores are stored when it ends (the sidebar shows your jobs)."
    )
    _live(log_id)
    for i, report in enumerate(_results(log_id)):
        with st.expander(md(report["name"]), expanded=i == 0):
            _show(report["data"])


def _live(log_id: str) -> None:
    """This log's trainings that are queued or running (redrawn while they are), and those that
    ended without a set (with Start again)."""
    records = [
        r
        for r in state.jobs.my_jobs("train")
        if r["params"].get("log") == log_id and r["state"] != DONE
    ]
    if any(r["state"] in jobview.LIVE for r in records):
        _watched(log_id)
    else:
        for rec in records[-2:]:
            jobview.job_line(rec, place="train")


@st.fragment(run_every=jobview.POLL_SECONDS)
def _watched(log_id: str) -> None:
    records = [
        r
        for r in state.jobs.my_jobs("train")
        if r["params"].get("log") == log_id and r["state"] in jobview.LIVE
    ]
    if not records:
        st.rerun()
    for rec in records:
        jobview.job_line(rec, place="train")


def _results(log_id: str) -> list[dict]:
    """The scores kept with the sets this browser trained on ``log_id``, newest first."""
    ws, found = state.workspace(), []
    for rec in state.stored_sets():
        if rec.kind == "trained":
            found += [
                r
                for r in ws.results(rec.id, "scores")
                if r["data"].get("request", {}).get("log") == log_id
            ]
    return sorted(found, key=lambda r: r["created"], reverse=True)[:SHOWN_RESULTS]


PROTOCOL_HELP = (
    "How the held-out cases are made. leave-last-out: each user's last event (several events at "
    "the last timestamp: one drawn with the seed). basket: one random item of each basket, "
    "scored from the basket's other items. auto: chosen from the log's measured shape "
    "(histories over many moments → leave-last-out; basket files and invoices → basket), and "
    "the reason is shown with the results."
)


def _settings() -> tuple[list[str], int, int, int, str]:
    """(methods, seed, k, tuning trials: 0 without tuning, protocol)."""
    methods = st.multiselect("Methods", TRAINING_METHODS, key=METHODS.init(TRAINING_METHODS))
    c = st.columns(3)
    seed = int(c[0].number_input("Seed", 0, 10**6, key=SEED.init()))
    k = int(c[1].number_input("k for HR/NDCG", 1, 100, key=K.init()))
    protocol = c[2].selectbox(
        "Protocol", PROTOCOLS, key=PROTOCOL.init(PROTOCOLS), help=PROTOCOL_HELP
    )
    tune = st.toggle(
        "Tune",
        key=TUNE.init(),
        help="Search each method's parameters on validation cases held out of the training part "
        "(each user's last training events; the test event is never seen); keep the winner only "
        "when it beats the defaults beyond noise on held-back users, then retrain.",
    )
    if not tune:
        return methods, seed, k, 0, protocol
    trials = int(st.number_input("Trials", 2, 200, key=TRIALS.init()))
    st.caption(
        "Tuning searches each method's declared parameters itself (trial 0 is its defaults); "
        "the parameters below are not used."
    )
    return methods, seed, k, trials, protocol


def _parameters(method: str, inter) -> dict:
    """One widget per parameter the trainer declares (bounds from its Params, defaults for this
    log and the context chosen: item2vec's window, sample and epochs follow the context, so each
    context has its own widgets).  Passed on: a chosen context, and every value that differs from
    the defaults shown."""
    t = trainer(method)
    shown, values, scope = t.defaults(inter), {}, ""
    with st.expander(f"{method} parameters"):
        cols = st.columns(3)
        for i, d in enumerate(declared(t.Params)):
            name = d["name"]
            key = f"train.{method}{scope}.{name}"
            value = _widget(cols[i % 3], key, d, getattr(shown, name))
            if value is None:
                continue
            values[name] = value
            if name == "context" and value != "auto":
                shown, scope = t.defaults(inter, {"context": value}), f".{value}"
    given = {name: v for name, v in values.items() if v != getattr(shown, name)}
    if values.get("context", "auto") != "auto":
        given["context"] = values["context"]
    return given


def _widget(col, key: str, d: dict, default):
    """The widget of one declared parameter ``d`` showing ``default`` (None: no widget)."""
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
        return None  # (no widget for other kinds; the trainer's default applies)
    return value


def _show(report):
    st.subheader(f"{report['method']} — {_evaluated(report)}")
    _protocol(report.get("protocol", {}))
    _context(report.get("context"))
    _query(report.get("query"))
    for line in report.get("tuning", []):
        st.caption(md(line))
    _choice(report)
    if report.get("tuning_trials"):
        tuning.show_trials(report["tuning_trials"], key=f"train.trial_chart.{report['set']}")
    table = _scores(report)
    result_table(table)  # one number format: scores and shares with three decimals
    ease = ease_line(report["baselines"].get("ease", {}))
    if ease:
        st.caption(md(ease))
    _verdicts(report)
    buckets = _by_popularity(report)
    with st.expander("By popularity of the held-out item (head / mid / tail)"):
        st.dataframe(buckets.pivot(index="model", columns="bucket", values="hr"), width="stretch")
    emb = state.load(report["set"])
    share.chart(
        metrics_figure(report),
        f"metrics-{report['method']}",
        emb,
        f"k={report['k']}",
        tables=[("metrics", table), ("by popularity bucket", buckets)],
        key=f"train.metrics.{report['set']}",
        set_name=state.set_name(report["set"]),  # the trained set, not the sidebar's active one
    )
    if st.button(f"Explore {report['method']} vectors", key=f"train.use.{report['set']}"):
        state.set_active(report["set"])
        st.switch_page("views/map.py")


def _evaluated(report) -> str:
    """ "943 users evaluated", or "5,000 baskets evaluated (2,336 users)": the true unit."""
    unit = report.get("unit", "users")
    cases = report.get("cases", report["users_evaluated"])
    users = "" if unit == "users" else f" ({report['users_evaluated']:,} users)"
    return f"{cases:,} {unit} evaluated{users}"


def _protocol(p: dict) -> None:
    """The protocol, why it was chosen, and how ties were resolved."""
    if not p:
        return
    st.caption(f"Protocol: {p['name']} — {p.get('why', '')}. {p['description']}.")
    ties = p.get("ties", {})
    if p["name"] == "leave-last-out" and ties.get("cases"):
        st.caption(
            f"Ties: {ties['cases']:,} of {p['cases']:,} users have several events at their last "
            f"timestamp; {ties['rule']}."
        )


def _context(context: dict | None) -> None:
    """The item context an item2vec or graph model learned from, and why (its reason is core's
    own words, no user text)."""
    if context:
        how = "chosen from the log's shape" if context["chosen_by"] == "auto" else "given"
        st.caption(f"Item context: {context['name']} ({how}) — {context['reason']}.")


QUERY_WORDS = {"items": "the mean of their recent items' vectors", "user": "their user vector"}


def _query(query: dict | None) -> None:
    """What an ALS or SVD model scored each user from, and why (core's own words)."""
    if query:
        how = "the default" if query["chosen_by"] == "auto" else "given"
        words = QUERY_WORDS.get(query["name"], query["name"])
        st.caption(f"Users scored from {words} (query={query['name']}, {how}): {query['reason']}.")


def _choice(report) -> None:
    """What tuning kept, said plainly: the tuned parameters, or the defaults (and that the model
    and its scores below are the defaults')."""
    lines = report.get("tuning_choice_lines") or []
    if not lines:
        return
    text = " ".join(lines)
    kept = (report.get("tuning_choice") or {}).get("choice")
    (st.success if kept == "tuned" else st.warning)(text)


def _scores(report) -> pd.DataFrame:
    """The model's metrics and each baseline's that ran, one row each."""
    rows = [{"model": report["method"], **{m: report[m] for m in REPORT_METRICS}}]
    rows += [
        {"model": baseline_name(b), **{m: v[m] for m in REPORT_METRICS}}
        for b, v in scored(report["baselines"]).items()
    ]
    return pd.DataFrame(rows)


def _verdicts(report) -> None:
    """The model against the strongest baseline first (one line), then better, worse or within
    noise against each baseline (the 95% interval of the difference), one coloured line each."""
    st.markdown(f"**{md(headline(report))}**")
    shown = {"better": st.success, "worse": st.warning}
    for v in verdicts(report):
        shown.get(v.relation, st.info)(md(v.sentence(report["method"])))


def _by_popularity(report) -> pd.DataFrame:
    """HR and NDCG per popularity bucket of the held-out item, per model."""
    return pd.DataFrame(
        [
            {"model": m, "bucket": b, "users": v["users"], "hr": v["hr"], "ndcg": v["ndcg"]}
            for m, per in report["by_popularity_bucket"].items()
            for b, v in per.items()
        ]
    )


page()
