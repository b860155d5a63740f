"""Tuning: validation never sees the test event, the choice is reproducible, every trial is kept."""

import json

import pandas as pd
import pytest

from embedlab.core import DataError, ParameterError
from embedlab.core.cli import main
from embedlab.core.experiments.tune import prepare_tuning, suggest, tune
from embedlab.core.logs import prepare
from embedlab.core.sample import generate
from embedlab.core.train import trainer


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    generate(users=200, items=60, seed=3, events_per_user=12).write(out)
    return prepare(out / "interactions.csv")


@pytest.fixture
def timed(tmp_path):
    """Four users, every event a distinct item at a distinct time, so each row is recognisable."""
    rows = [(u, f"{u}-{n}", 100 * u + n) for u in range(4) for n in range(2 + u)]  # 2..5 events
    path = tmp_path / "timed.csv"
    pd.DataFrame(rows, columns=["user", "item", "timestamp"]).to_csv(path, index=False)
    return prepare(path)


def test_validation_holds_out_the_second_to_last_event_and_never_the_test_event(timed):
    prep = prepare_tuning(timed, max_users=None)
    name = lambda inter, codes: [str(inter.items[c]) for c in codes]  # noqa: E731
    users = [str(timed.users[u]) for u in prep.validation.users]
    assert sorted(users) == ["1", "2", "3"]  # user 0 has two events: nothing left to validate on
    test_items = set(name(timed, prep.test.held_out))
    assert test_items == {"0-1", "1-2", "2-3", "3-4"}  # each user's last event
    val_items = name(prep.validation.train, prep.validation.held_out)
    assert sorted(val_items) == ["1-1", "2-2", "3-3"]  # each user's second-to-last event
    seen = set(name(prep.validation.train, prep.validation.train.item))
    assert not (test_items & seen) and not (test_items & set(val_items))


def test_tuning_needs_a_validation_event(tmp_path):
    path = tmp_path / "two.csv"
    pd.DataFrame(
        {"user": [1, 1, 2, 2], "item": ["a", "b", "b", "c"], "timestamp": [1, 2, 3, 4]}
    ).to_csv(path)
    with pytest.raises(DataError, match="no validation case"):
        prepare_tuning(prepare(path))


def test_same_seed_same_best_params_and_every_trial_recorded(small_log):
    seen = []
    a = tune(small_log, "svd", trials=4, seed=1, on_trial=seen.append, workers=2)
    b = tune(small_log, "svd", trials=4, seed=1, workers=2)
    assert a.timings["workers"] == 2  # the parallel path is the one tested
    assert a.best_params == b.best_params
    assert a.trials[["number", "state", "factors"]].equals(b.trials[["number", "state", "factors"]])
    assert list(a.trials["number"]) == [0, 1, 2, 3] and [r["number"] for r in seen] == [0, 1, 2, 3]
    assert set(a.trials["state"]) <= {"complete", "pruned", "fail"}
    assert a.trials["factors"].iloc[0] == trainer("svd").Params().factors  # trial 0: the defaults
    done = a.trials[a.trials["state"] == "complete"]
    assert a.validation["ndcg"] == pytest.approx(done["ndcg"].max())
    assert 0 <= a.test["hr_lo"] <= a.test["hr"] <= a.test["hr_hi"] <= 1


def test_two_workers_run_the_same_trials_as_one_pruning_included(small_log):
    """Trial n is asked once trial n-2 is told and prunes against the completed trials of that
    moment, so the worker count changes the time, never the trials or the choice."""
    kwargs = {"trials": 10, "seed": 0, "fixed": {"epochs": 4}}
    two = tune(small_log, "item2vec", workers=2, **kwargs)
    one = tune(small_log, "item2vec", workers=1, **kwargs)
    assert (two.timings["workers"], one.timings["workers"]) == (2, 1)
    cols = [c for c in two.trials.columns if c not in ("seconds", "cpu_seconds")]
    pd.testing.assert_frame_equal(two.trials[cols], one.trials[cols])
    assert two.best_params == one.best_params
    assert (two.trials["state"] == "pruned").any()  # the median rule ran in the workers
    assert two.test["hr"] == one.test["hr"]


def test_failed_trials_are_recorded_with_their_reason(small_log):
    res = tune(
        small_log, "svd", trials=6, seed=0
    )  # factors up to 256 on a 60-item log: some cannot train
    failed = res.trials[res.trials["state"] == "fail"]
    assert len(failed) and failed["error"].str.contains("must be < min").all()
    assert res.best_params["factors"] < 60


def test_item2vec_trials_search_the_declared_space(small_log):
    res = tune(small_log, "item2vec", trials=3, seed=0, fixed={"epochs": 2})
    assert len(res.trials) == 3 and res.best_params["epochs"] == 2
    names = {d.name for d in trainer("item2vec").space} - {"epochs"}
    assert names <= set(res.best_params)
    assert res.timings["trainer_s"] > 0 and 0 <= res.timings["search_outside_trainer_share_cpu"] < 1


def test_sample_can_be_switched_off():
    import optuna

    params = suggest(
        optuna.trial.FixedTrial(
            {
                "context": "sessions",
                "ns_exponent": 0.0,
                "sample_off": True,
                "window": 2,
                "epochs": 5,
                "negative": 5,
                "vector_size": 16,
            }
        ),
        "item2vec",
    )
    assert params["sample"] == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"trials": 0}, r"trials\(0\) must be >= 1"),
        ({"metric": "auc"}, "metric 'auc'"),
        ({"fixed": {"epochs": -1}}, r"epochs\(-1\) must be >= 1"),
        ({"trials": None}, "number of trials or a time budget"),
    ],
)
def test_bad_tuning_arguments_are_typed_errors(small_log, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        tune(small_log, "item2vec", **{"trials": 2, **kwargs})


def test_cli_tune_prints_trials_best_params_validation_and_test(small_log, tmp_path, capsys):
    src = tmp_path / "log"
    generate(users=200, items=120, seed=3, events_per_user=12).write(src)  # room for 64 factors
    args = [
        "--log",
        str(src / "interactions.csv"),
        "--method",
        "svd",
        "--tune",
        "--trials",
        "2",
        "--json",
    ]
    assert main(["evaluate", "recs", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["tuning"]["trials"]) == 2 and "factors" in out["tuning"]["best_params"]
    assert {"hr", "ndcg"} <= set(out["validation"]) and {"hr", "ndcg", "hr_lo", "hr_hi"} <= set(out)
    assert main(["train", *args, "--out", str(tmp_path / "model")]) == 0
    report = json.loads((tmp_path / "model" / "report.json").read_text())
    assert report["params"]["factors"] == report["tuning"]["best_params"]["factors"]
    assert len(report["tuning"]["trials"]) == 2 and "hr" in report["tuning"]["test"]


def test_train_page_tune_switch_shows_the_trials_and_the_choice():
    from streamlit.testing.v1 import AppTest

    from tests.paths import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/train.py").run()
    at.multiselect[0].set_value(["svd"]).run()
    at.toggle[0].set_value(True).run()
    at.number_input[[n.label for n in at.number_input].index("Trials")].set_value(2).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    trials = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert list(trials["number"]) == [0, 1] and "factors" in trials.columns
    assert any("with the defaults" in c.value for c in at.caption)


def test_basket_validation_never_sees_the_test_item_of_a_basket(tmp_path):
    path = tmp_path / "baskets.csv"
    path.write_text("a,b,c,d,\nb,c,d,,\na,c,d,e,\nb,d,e,a,\nc,e,,,\na,b,,,\n")
    inter = prepare(path)
    prep = prepare_tuning(inter, max_users=None, seed=2)
    assert prep.test.protocol == prep.validation.protocol == "basket"
    pairs = lambda tr: set(zip(tr.session.tolist(), (str(tr.items[i]) for i in tr.item)))  # noqa: E731
    test_rows = pairs(inter) - pairs(prep.test.train)
    assert len(test_rows) == len(prep.test.held_out) == 6  # one per basket of two or more
    assert not test_rows & pairs(prep.validation.train)
    val_rows = pairs(prep.test.train) - pairs(prep.validation.train)
    assert val_rows and not val_rows & test_rows  # validation holds out a different item


@pytest.mark.parametrize("command", [["evaluate", "recs"], ["train", "--out", "never-written"]])
def test_tuning_on_spark_is_refused_in_one_line_before_any_work(command, capsys):
    # the log does not exist: the refusal comes before anything is read (or Spark started)
    args = [*command, "--log", "no-such-log.csv", "--method", "als", "--tune", "--engine", "spark"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == "embedlab: error: --tune runs on the local engine only — drop --engine spark or --tune"
    )


def test_ctrl_c_during_tuning_ends_the_workers_too(tmp_path):
    """Ctrl-C reaches the whole process group: the workers ignore it and the parent terminates
    them, so the command exits 130 at once and leaves no process behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.paths import ROOT

    def group() -> list[str]:
        return subprocess.run(
            ["ps", "-o", "pid=", "-s", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()

    src = tmp_path / "log"
    generate(users=300, items=80, seed=3, events_per_user=15).write(src)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "embedlab.core.cli",
            "evaluate",
            "recs",
            "--log",
            str(src / "interactions.csv"),
            "--method",
            "item2vec",
            "--tune",
            "--trials",
            "40",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while (
        len(group()) < 3 and proc.poll() is None and time.monotonic() < deadline
    ):  # parent + two workers
        time.sleep(0.1)
    assert len(group()) == 3, "the two workers never started"
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert b"Traceback" not in proc.stderr.read()
    assert group() == []
