"""A failed tuning trial says why: in the summary line (counted, each reason once) and in the
Train page's trial table."""

from types import SimpleNamespace

import pandas as pd
from streamlit.testing.v1 import AppTest

from embedlab.core.experiments.tune import TuningResult

TRIALS = pd.DataFrame(
    {
        "number": [0, 1, 2, 3, 4],
        "state": ["complete", "fail", "complete", "fail", "fail"],
        "ndcg": [0.1, None, 0.2, None, None],
        "error": ["", "factors(651) must be < min(users, items)(169)", "", "out of memory", ""],
        "factors": [64, 651, 20, 30, 40],
    }
)


def test_the_summary_counts_failed_trials_with_their_reasons():
    said = TuningResult._failed(SimpleNamespace(trials=TRIALS))
    assert said == (
        ", 3 failed: factors(651) must be < min(users, items)(169); out of memory; no reason given"
    )
    assert TuningResult._failed(SimpleNamespace(trials=TRIALS.iloc[[0, 2]])) == ""


def _page(frame):
    import streamlit as st

    from embedlab.dashboard import tuning

    tuning.draw(frame, st.empty(), st.empty(), key="t")


def test_the_trial_table_shows_why_each_failed_trial_failed():
    at = AppTest.from_function(_page, args=(TRIALS,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["reason"].tolist() == [
        "", "factors(651) must be < min(users, items)(169)", "", "out of memory", "no reason given"
    ]  # fmt: skip
    assert "error" not in table.columns and "factors" in table.columns


def test_a_table_without_failures_has_no_reason_column():
    at = AppTest.from_function(_page, args=(TRIALS.iloc[[0, 2]],), default_timeout=60).run()
    assert "reason" not in at.dataframe[0].value.columns


def test_the_cli_prints_the_reason_on_a_failed_trials_line(tmp_path, capsys):
    from embedlab.core.cli.main import main
    from embedlab.core.sample import generate

    src = tmp_path / "log"
    generate(users=200, items=60, seed=3, events_per_user=12).write(src)
    args = ["--log", str(src / "interactions.csv"), "--method", "svd", "--tune", "--trials", "2"]
    # a fixed factor count the 60-item log cannot take: every trial fails, each says why
    assert main(["evaluate", "recs", *args, "--param", "factors=64", "--json"]) == 2
    err = capsys.readouterr().err
    first = next(line for line in err.splitlines() if line.startswith("trial   0"))
    assert " fail " in first and first.endswith(": factors(64) must be < min(users, items)(60)")
    assert "no svd trial finished: factors(64) must be < min(users, items)(60)" in err
