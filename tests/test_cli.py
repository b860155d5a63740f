"""The CLI end to end, in-process (fast) and once as a real console script."""

import json
import subprocess
import sys

import pytest

from embedlab.core.cli import main
from tests.paths import SAMPLE_LOG


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analogy_json_puts_paris_first(capsys):
    code, out, _ = run(capsys, "analogy", "madrid - spain + france", "--json")
    data = json.loads(out)
    assert code == 0 and data["query"] == "madrid - spain + france"
    assert data["results"][0]["key"] == "paris"
    assert data["excluded"] == ["madrid", "spain", "france"]


def test_neighbours_frog_are_animals(capsys):
    code, out, _ = run(capsys, "neighbours", "frog", "--json", "--topn", "5")
    keys = [r["key"] for r in json.loads(out)["results"]]
    assert code == 0 and len(keys) == 5 and "frog" not in keys
    assert {"toad", "snake"} <= set(keys)


def test_unknown_word_is_one_line_and_exit_2(capsys):
    code, out, err = run(capsys, "neighbours", "frgo")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'frgo' is not in the vocabulary" in err and "frog" in err


def test_convert_round_trip(capsys, tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("a 1 2\nb 3 4\na 5 6\n")
    code, out, _ = run(capsys, "convert", str(src), str(tmp_path / "out.parquet"), "--json")
    data = json.loads(out)
    assert code == 0 and data["keys"] == 2 and "duplicate" in data["notes"][0]
    code, out, _ = run(
        capsys, "neighbours", "a", "--vectors", str(tmp_path / "out.parquet"), "--json"
    )
    assert json.loads(out)["results"][0]["key"] == "b"


def test_bad_file_is_a_clean_error(capsys, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 1 2\nb 1\n")
    code, _, err = run(capsys, "neighbours", "a", "--vectors", str(bad))
    assert code == 2 and "line 2" in err and "Traceback" not in err


def test_console_script_runs_from_a_cold_start():
    proc = subprocess.run(
        [sys.executable, "-m", "embedlab.core.cli", "analogy", "king - man + woman", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["key"] == "queen"


@pytest.mark.parametrize("cmd", [[], ["neighbours"], ["analogy"], ["convert"], ["dashboard"]])
def test_help_everywhere(cmd):
    proc = subprocess.run(
        [sys.executable, "-m", "embedlab.core.cli", *cmd, "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "usage: embedlab" in proc.stdout


def test_dashboard_passes_streamlit_options_through(monkeypatch, tmp_path):
    import subprocess as sp

    calls = []

    class Child:  # a stand-in for the Streamlit process: exits at once
        def __init__(self, cmd, **kw):
            calls.append((cmd, kw))

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(sp, "Popen", Child)
    assert (
        main(
            [
                "dashboard",
                "--workspace",
                str(tmp_path),
                "--server.headless",
                "true",
                "--server.port",
                "8502",
            ]
        )
        == 0
    )
    cmd, kw = calls[0]
    assert cmd[-4:] == [
        "--server.headless",
        "true",
        "--server.port",
        "8502",
    ]  # --workspace is ours, not streamlit's
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("app.py")
    assert "cwd" not in kw  # the user's working folder: the settings travel as flags
    assert kw["env"]["EMBEDLAB_WORKSPACE"] == str(tmp_path.resolve())


def test_sample_data_and_train_with_evaluation(capsys, tmp_path):
    assert (
        main(
            [
                "sample-data",
                "--out",
                str(tmp_path),
                "--users",
                "200",
                "--items",
                "60",
                "--seed",
                "3",
                "--json",
            ]
        )
        == 0
    )
    files = json.loads(capsys.readouterr().out)["files"]
    assert [p.rsplit("/", 1)[-1] for p in files] == ["interactions.csv", "items.csv"]
    code = main(
        [
            "train",
            "--log",
            files[0],
            "--metadata",
            files[1],
            "--method",
            "als",
            "--param",
            "factors=8",
            "--evaluate",
            "--out",
            str(tmp_path / "out"),
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["params"]["factors"] == 8
    assert report["evaluation"]["method"] == "als" and report["evaluation"]["hr"] > 0
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["evaluation"]["hr"] == report["evaluation"]["hr"]


def test_bad_param_is_a_clean_error(capsys, tmp_path):
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "als",
                "--param",
                "factors",
                "--out",
                str(tmp_path / "never"),
            ]
        )
        == 2
    )
    assert "--param 'factors' must look like NAME=VALUE" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_encoding_option_reads_latin1_files(capsys, tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes("café 1 0\nthé 0.9 0.1\n".encode("latin-1"))
    assert main(["neighbours", "café", "--vectors", str(path)]) == 2
    assert "--encoding latin-1" in capsys.readouterr().err
    assert (
        main(["neighbours", "café", "--vectors", str(path), "--encoding", "latin-1", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["results"][0]["key"] == "thé"


def test_train_takes_item_metadata_from_the_logs_own_columns(capsys, tmp_path):
    log = tmp_path / "retail.csv"
    log.write_text(
        "CustomerID,StockCode,Description\n"
        + "".join(
            f"c{u},s{(u * 3 + j) % 12},{'' if j == 0 else 'thing ' + str((u * 3 + j) % 12)}\n"
            for u in range(40)
            for j in range(4)
        )
    )
    code, _, err = run(
        capsys,
        "train",
        "--log",
        str(log),
        "--method",
        "svd",
        "--param",
        "factors=4",
        "--metadata-cols",
        "Description",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 0, err
    from embedlab.core import io

    emb = io.load(tmp_path / "out")
    described = dict(zip(emb.keys, emb.metadata["Description"]))
    assert (
        described["s1"] == "thing 1" and described["s0"] == "thing 0"
    )  # the first row *with* a value
    code, _, err = run(
        capsys,
        "train",
        "--log",
        str(log),
        "--method",
        "svd",
        "--metadata-cols",
        "Price",
        "--out",
        str(tmp_path / "o2"),
    )
    assert (
        code == 2 and "Price" in err and "Description" in err and len(err.strip().splitlines()) == 1
    )


def test_each_command_module_declares_its_own_options_and_no_other():
    """A command family registers alone: ``sets`` needs no ``train`` to patch, and ``train``
    declares its own --save; choices are the library's constants."""
    import argparse

    from embedlab.core.cli import recs, sets, sweep, vectors
    from embedlab.core.evaluate.protocols import PROTOCOLS
    from embedlab.core.logs.read import LOG_FORMATS
    from embedlab.core.search import SEARCH_METRICS
    from embedlab.core.train import registry

    def alone(module):
        parser = argparse.ArgumentParser()
        module.register(parser.add_subparsers(dest="command"))
        return parser

    alone(sets)  # would fail if it reached for another module's command
    train = alone(recs)._subparsers._group_actions[0].choices["train"]
    options = {a.dest: a for a in train._actions}
    assert {"save", "workspace", "method", "session_gap", "min_item_count"} <= set(options)
    assert tuple(options["method"].choices) == registry.names()
    assert tuple(options["format"].choices) == LOG_FORMATS
    assert options["session_gap"].default == "30m"
    swept = alone(sweep)._subparsers._group_actions[0].choices["sweep"]
    assert tuple({a.dest: a for a in swept._actions}["protocol"].choices) == PROTOCOLS
    near = alone(vectors)._subparsers._group_actions[0].choices["neighbours"]
    assert tuple({a.dest: a for a in near._actions}["metric"].choices) == SEARCH_METRICS
