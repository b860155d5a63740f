"""Tuning: validation never sees the test event, the choice is reproducible, every trial is kept."""

import json
import os

import pandas as pd
import pytest

from embedlab.core import DataError, ParameterError
from embedlab.core.cli import main
from embedlab.core.experiments.tune import prepare_tuning, suggest, tune
from embedlab.core.logs import prepare
from embedlab.core.sample import generate
from embedlab.core.train import trainer
from tests.jobs_support import finish_jobs, stored_results


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


def test_validation_holds_out_the_last_training_events_and_never_the_test_event(timed):
    prep = prepare_tuning(timed, max_users=None)
    name = lambda inter, codes: [str(inter.items[c]) for c in codes]  # noqa: E731
    test_items = set(name(timed, prep.test.held_out))
    assert test_items == {"0-1", "1-2", "2-3", "3-4"}  # each user's last event
    # validation: each user's last min(5, n // 2) of the n training events left once the test
    # event is out: user 0 keeps 1 (none), user 1 keeps 2 (one), 2 keeps 3 (one), 3 keeps 4 (two)
    whole = prep.whole
    by_user = {}
    for u, i in zip(whole.users, name(whole.train, whole.held_out)):
        by_user.setdefault(str(timed.users[u]), []).append(i)
    assert by_user == {"1": ["1-1"], "2": ["2-2"], "3": ["3-2", "3-3"]}
    seen = set(name(whole.train, whole.train.item))
    assert not (test_items & seen) and not (test_items & {i for v in by_user.values() for i in v})
    # user 3's two cases: each excludes the other (and the training items), never itself
    three = [c for c, u in enumerate(whole.users) if str(timed.users[u]) == "3"]
    excluded = [set(name(timed, whole.exclude[c].indices)) for c in three]
    assert excluded == [{"3-0", "3-1", "3-3"}, {"3-0", "3-1", "3-2"}]
    # the two halves split the users: the search ranks one half, the noise rule the other
    search, check = set(prep.validation.group), set(prep.check.group)
    assert search and check and not search & check and search | check == set(whole.group)
    assert prep.validation.train is prep.check.train is whole.train


def test_tuning_needs_a_validation_event(tmp_path):
    path = tmp_path / "two.csv"
    pd.DataFrame(
        {"user": [1, 1, 2, 2], "item": ["a", "b", "b", "c"], "timestamp": [1, 2, 3, 4]}
    ).to_csv(path)
    with pytest.raises(DataError, match="no validation case"):
        prepare_tuning(prepare(path))


@pytest.fixture
def two_cores(monkeypatch):
    """The machine claims two cores, so ``workers=2`` runs two worker processes even on one core
    (slower there, never different: what is tested is the result, not the speed)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_same_seed_same_best_params_and_every_trial_recorded(small_log, two_cores):
    seen = []
    a = tune(small_log, "svd", trials=4, seed=1, on_trial=seen.append, workers=2)
    b = tune(small_log, "svd", trials=4, seed=1, workers=2)
    assert a.timings["workers"] == 2  # the parallel path is the one tested
    assert a.best_params == b.best_params
    assert a.trials[["number", "state", "factors"]].equals(b.trials[["number", "state", "factors"]])
    assert list(a.trials["number"]) == [0, 1, 2, 3] and [r["number"] for r in seen] == [0, 1, 2, 3]
    assert set(a.trials["state"]) <= {"complete", "pruned", "fail"}
    assert a.trials["factors"].iloc[0] == trainer("svd").defaults(small_log).factors  # the defaults
    done = a.trials[a.trials["state"] == "complete"]
    assert a.validation["ndcg"] == pytest.approx(done["ndcg"].max())
    assert 0 <= a.test["hr_lo"] <= a.test["hr"] <= a.test["hr_hi"] <= 1


def test_two_workers_run_the_same_trials_as_one_pruning_included(small_log, two_cores):
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


def test_trials_draw_factors_within_the_logs_bound_so_none_fails_for_it(small_log):
    res = tune(small_log, "svd", trials=6, seed=0)  # factors up to 512 declared, a 60-item log
    assert (res.trials["state"] == "complete").all(), res.trials[["state", "error"]]
    assert res.trials["factors"].max() < 60 and res.best_params["factors"] < 60
    # trial 0 is the defaults, lowered to what the log allows (64 factors declared)
    assert res.trials["factors"].iloc[0] == 59 and "failed" not in res.lines()[0]


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

    from embedlab.core.workspace import Workspace
    from tests.paths import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/train.py").run()
    at.multiselect[0].set_value(["svd"]).run()
    at.toggle[0].set_value(True).run()
    at.number_input[[n.label for n in at.number_input].index("Trials")].set_value(3).run()
    at.button[[b.label for b in at.button].index("Train and evaluate")].click().run()
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    trials = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert list(trials["number"]) == [0, 1, 2] and "factors" in trials.columns
    # the search's winner, read off the trial table: the complete trial with the best validation
    # NDCG
    done = trials[trials["state"] == "complete"]
    best = done.loc[done["ndcg"].idxmax()]
    searched = [d.name for d in trainer("svd").space]
    plain = lambda v: v if isinstance(v, str) else int(v)  # noqa: E731 - factors, query
    winner = {name: plain(best[name]) for name in searched}
    captions = [c.value.replace("\\", "") for c in at.caption]  # Markdown escapes removed
    said = "best parameters: " + ", ".join(f"{k}={v}" for k, v in winner.items())
    assert said in captions, (said, captions)
    defaults = trials.iloc[0]  # trial 0 is the defaults
    assert any(
        f"validation ndcg {defaults['ndcg']:.4f} with the defaults, {best['ndcg']:.4f} with the "
        f"best (trial {best['number']})" in c
        for c in captions
    ), captions
    # what was kept (the noise rule) is said, and the model the page trained and stored is it
    result = stored_results("scores")[-1]["data"]
    kept = result["tuning_choice"]["choice"]
    alerts = [a.value for a in (at.success if kept == "tuned" else at.warning)]
    assert any(
        a.startswith(f"kept: the {'tuned parameters' if kept == 'tuned' else 'defaults'}")
        for a in alerts
    ), alerts
    expected = winner if kept == "tuned" else {name: plain(defaults[name]) for name in searched}
    params = Workspace(os.environ["EMBEDLAB_WORKSPACE"]).load_set(result["set"]).provenance.params
    assert {name: params[name] for name in searched} == expected


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


@pytest.mark.parametrize("command", [["evaluate", "recs"], ["train", "--out"]])
def test_tuning_on_spark_is_refused_in_one_line_before_any_work(command, capsys, tmp_path):
    # the log does not exist: the refusal comes before anything is read (or Spark started)
    out = [str(tmp_path / "never-written")] if command[-1] == "--out" else []
    log = str(tmp_path / "no-such-log.csv")
    args = [*command, *out, "--log", log, "--method", "als", "--tune", "--engine", "spark"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == "embedlab: error: --tune runs on the local engine only — drop --engine spark or --tune"
    )
    assert list(tmp_path.iterdir()) == []


# Runs the real CLI with two observations added in its own process, by test code only: every
# process other than the CLI's own that starts ignoring SIGINT (a tuning worker, once it is ready
# for Ctrl-C) writes "r" to a pipe, and the same worker writes "t" if it is later terminated
# (SIGTERM) rather than left to finish.  (A machine with one core would run the trials in the CLI's
# own process, so the CLI is told it has two.)
OBSERVED_CLI = """
import os, runpy, signal, sys
fd, cli = int(sys.argv.pop(1)), os.getpid()
os.cpu_count = lambda: 2
real_signal = signal.signal

def terminated(signum, frame):
    os.write(fd, b"t")
    os._exit(128 + signum)

def observed(signum, handler):
    previous = real_signal(signum, handler)
    if signum == signal.SIGINT and handler == signal.SIG_IGN and os.getpid() != cli:
        real_signal(signal.SIGTERM, terminated)
        os.write(fd, b"r")
    return previous

signal.signal = observed
sys.argv[0] = "embedlab"
runpy.run_module("embedlab.core.cli", run_name="__main__", alter_sys=True)
"""


def read_until(fd: int, count: int) -> bytes:
    """Bytes from the pipe until ``count`` have come or every writer is gone (EOF).  The generous
    wait per read only turns a hang into a failure; nothing here depends on the machine's speed."""
    import select

    got = b""
    while len(got) < count:
        ready, _, _ = select.select([fd], [], [], 600)
        assert ready, f"no word from the CLI in 10 minutes (so far {got!r})"
        chunk = os.read(fd, count - len(got))
        if not chunk:
            break
        got += chunk
    return got


def test_ctrl_c_during_tuning_ends_the_workers_too(tmp_path):
    """Ctrl-C reaches the whole process group once both workers ignore it: the parent terminates
    them (it does not wait for their trials), exits 130 without a traceback and leaves no process
    behind."""
    import signal
    import subprocess
    import sys

    from tests.paths import ROOT

    src = tmp_path / "log"
    generate(users=300, items=80, seed=3, events_per_user=15).write(src)
    read_fd, write_fd = os.pipe()
    with open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                OBSERVED_CLI,
                str(write_fd),
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
            stderr=err,
            pass_fds=(write_fd,),
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    os.close(write_fd)
    try:
        assert read_until(read_fd, 2) == b"rr", "two workers, each ignoring SIGINT"
        os.killpg(proc.pid, signal.SIGINT)
        assert read_until(read_fd, 3) == b"tt", "each worker terminated, then every writer gone"
    finally:
        os.close(read_fd)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait() == 130
    assert b"Traceback" not in (tmp_path / "stderr").read_bytes()
    left = subprocess.run(["ps", "-o", "pid=", "-s", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.split() == []


def test_tuning_workers_end_on_terminate_under_a_server_that_ignores_sigterm():
    """A Streamlit server's SIGTERM handler only prints 'Stopping...'; workers forked from it
    must still end when the pool terminates them (they used to outlive the run and the server)."""
    import signal

    from embedlab.core.experiments.trials import _Pool

    stopping = []
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        pool = _Pool(None, 2)
        pool.close(False)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert [w["proc"].exitcode for w in pool.workers] == [-signal.SIGTERM, -signal.SIGTERM]
    assert stopping == []  # the parent's handler ran in no one
