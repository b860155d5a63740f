"""Work limits that fit where the work runs: the user's own machine (the CLI, a notebook) refuses
only a memory estimate above what the machine has available (or a cap the user sets); a dashboard
server holds every run to its admin's caps."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from embedlab.core.cli.dashboard import ENV_OPTIONS, plan, split_args
from embedlab.core.errors import ParameterError
from embedlab.core.limits import (
    TrainLimits,
    available_memory_mb,
    serve_train_limits,
    train_limits,
)
from embedlab.core.logs import prepare
from embedlab.core.train import make_params, trainer
from embedlab.core.train.limits import check_work, estimate
from tests.hardening_support import ROOT, cli_env
from tests.paths import SAMPLE_LOG


@pytest.fixture
def machine(monkeypatch):
    """This process as a user's own machine, no cap set in the environment."""
    monkeypatch.setattr("embedlab.core.limits._serving", False)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MINUTES", raising=False)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MB", raising=False)


@pytest.fixture(scope="module")
def inter():
    return prepare(SAMPLE_LOG)


def test_on_the_users_machine_a_long_run_is_estimated_not_refused(machine, inter):
    t = trainer("item2vec")
    params = make_params(t, {"epochs": 1000, "window": 20}, inter)  # no ParameterError
    assert estimate(t, params, inter).seconds > 3 * 60  # what a server would refuse
    limits = train_limits()
    assert limits.where == "machine" and limits.minutes is None
    assert limits.mb == pytest.approx(available_memory_mb(), rel=0.5)


def test_on_the_users_machine_memory_over_what_is_available_is_refused(inter):
    t = trainer("svd")
    params = make_params(t, {"factors": 512}, inter, check=False)
    tight = TrainLimits(None, 1.0, "machine", mb_from="available memory")
    with pytest.raises(ParameterError) as err:
        check_work(t, params, inter, tight)
    message = str(err.value)
    assert "more than the 1 MB this machine has available" in message
    assert "factors=512" in message and "free some memory" in message and "\n" not in message
    roomy = TrainLimits(None, 10_000.0, "machine", mb_from="available memory")
    assert check_work(t, params, inter, roomy).mb < 10_000


def test_available_memory_is_read_from_meminfo_with_a_fallback(tmp_path):
    info = tmp_path / "meminfo"
    info.write_text("MemTotal:  8000000 kB\nMemFree:  100 kB\nMemAvailable:   2097152 kB\n")
    assert available_memory_mb(str(info)) == 2048.0  # 2,097,152 kB
    info.write_text("MemTotal:  8000000 kB\n")  # an old kernel without MemAvailable
    fallback = available_memory_mb(str(info))
    assert fallback is None or fallback > 0
    assert available_memory_mb(str(tmp_path / "absent")) == fallback


def test_a_server_holds_runs_to_its_admins_caps(monkeypatch):
    monkeypatch.setattr("embedlab.core.limits._serving", False)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MINUTES", raising=False)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MB", raising=False)
    serve_train_limits()
    assert (train_limits().minutes, train_limits().mb, train_limits().where) == (3, 400, "server")
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MINUTES", "0.5")
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MB", "250")
    assert (train_limits().minutes, train_limits().mb) == (0.5, 250)
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MB", "lots")
    with pytest.raises(ParameterError, match="EMBEDLAB_MAX_TRAIN_MB='lots' must be a positive"):
        train_limits()


def test_a_server_refusal_tells_the_user_who_can_raise_it(inter):
    t = trainer("item2vec")
    params = make_params(t, {"epochs": 1000, "window": 20}, inter, check=False)
    with pytest.raises(ParameterError) as err:
        check_work(t, params, inter, TrainLimits(3, 400, "server"))
    message = str(err.value)
    assert "over the 3-minute limit of this server" in message
    assert "embedlab dashboard --max-train-minutes N" in message and "epochs=1000" in message


def test_the_dashboard_admin_sets_the_caps_with_two_options():
    flags = {o.flag: o.env for o in ENV_OPTIONS}
    assert flags["--max-train-minutes"] == "EMBEDLAB_MAX_TRAIN_MINUTES"
    assert flags["--max-train-mb"] == "EMBEDLAB_MAX_TRAIN_MB"
    launch = plan(*split_args(["--max-train-minutes", "10", "--max-train-mb", "800"]), {})
    assert launch.env == {"EMBEDLAB_MAX_TRAIN_MINUTES": "10", "EMBEDLAB_MAX_TRAIN_MB": "800"}


def test_the_cli_reports_the_estimate_beside_the_measured_time(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "embedlab.core.cli",
            "train",
            "--log",
            str(SAMPLE_LOG),
            "--method",
            "svd",
            "--out",
            str(tmp_path / "o"),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report["data"]["estimate"]) == {"seconds", "mb"}
    assert 0 < report["data"]["estimate"]["seconds"] < 60
