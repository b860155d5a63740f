"""Issue 12 leftovers: logs read in chunks (same result as a whole read, memory bounded by the
events kept), the event limit, parameter bounds and the training-time estimate."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from embedlab.core.errors import DataError, ParameterError
from embedlab.core.logs import prepare, read_log
from embedlab.core.train import TRAINERS, declared, make_params, trainer
from tests.hardening_support import ROOT, cli_env, run_cli
from tests.paths import SAMPLE_LOG


def _same(a, b) -> None:
    for name in ("user", "item", "session", "rows", "time", "weight", "users", "items"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    assert a.report.to_dict() == b.report.to_dict()


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of 7 rows and a time rule decided on 5, so every boundary is crossed many times."""
    monkeypatch.setattr("embedlab.core.logs.read.CHUNK_ROWS", 7)
    monkeypatch.setattr("embedlab.core.logs.ingest.DECIDE_ROWS", 5)


def _messy_log(tmp_path, suffix=".csv"):
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "user_id": [f" u{i}" if i % 5 else f"u{i}" for i in rng.integers(0, 40, n)],
            "item_id": [f"i{i}" for i in rng.integers(0, 25, n)],
            "timestamp": rng.integers(1_600_000_000, 1_600_100_000, n).astype(str),
            "rating": rng.integers(1, 6, n).astype(str),
        }
    )
    df.loc[rng.choice(n, 30, replace=False), "user_id"] = ""
    df.loc[rng.choice(n, 20, replace=False), "item_id"] = " "
    df.loc[rng.choice(n, 15, replace=False), "timestamp"] = "soon"
    df.loc[rng.choice(n, 10, replace=False), "rating"] = "x"
    path = tmp_path / f"log{suffix}"
    if suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        text = df.to_csv(index=False, sep="\t" if suffix == ".tsv" else ",")
        lines = text.splitlines(keepends=True)
        # blank lines inside: the rows keep their real file line numbers
        path.write_text(
            "".join(line + ("\n\n" if k % 17 == 3 else "") for k, line in enumerate(lines))
        )
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"])
def test_chunked_read_gives_the_whole_read_result(tmp_path, tiny_chunks, suffix):
    path = _messy_log(tmp_path, suffix)
    frame = read_log(path)
    whole = prepare(path, frame=frame, min_weight=2)
    chunked = prepare(path, min_weight=2)
    _same(chunked, whole)
    assert set(chunked.report.dropped) == {
        "missing user id",
        "missing item id",
        "unparsable timestamp in 'timestamp'",
        "unparsable weight in 'rating'",
    }
    assert all(len(rows) == 5 for rows in chunked.report.sample_rows.values())
    if suffix != ".jsonl":  # a dropped row's example is its real file line, blank lines counted
        line = chunked.report.sample_rows["missing user id"][0]
        assert (
            path.read_text().splitlines()[line - 1].split(chr(9) if suffix == ".tsv" else ",")[0]
            == ""
        )


def test_chunked_baskets_and_parquet_match_the_whole_read(tmp_path, tiny_chunks):
    baskets = tmp_path / "b.csv"
    baskets.write_text(
        "".join(
            ",".join(f"x{(i * k) % 13}" for k in range(1, 2 + i % 4)) + ",,,\n" + "\n" * (i % 2)
            for i in range(60)
        )
    )
    _same(prepare(baskets, format="baskets"), prepare(baskets, frame=read_log(baskets, "baskets")))
    pq = tmp_path / "l.parquet"
    pd.DataFrame({"user": [1, None, 2, 3] * 10, "item": ["a", "b", "c", None] * 10}).to_parquet(pq)
    chunked = prepare(pq)
    _same(chunked, prepare(pq, frame=read_log(pq)))
    assert sorted(chunked.users) == [
        "1",
        "2",
    ]  # 2.0 from a chunk with gaps and 2 from one without: one id


def test_a_comment_flood_is_dropped_and_counted_with_real_line_numbers(tmp_path, tiny_chunks):
    path = tmp_path / "log.csv"
    path.write_text("user,item\nu,a\n" + "#\n" * 50 + "\n\n" + "u,b\nv,a\nv,b\n")
    inter = prepare(path)
    assert len(inter) == 4 and inter.report.rows_read == 54
    assert inter.report.dropped == {"missing item id": 50} and inter.report.sample_rows[
        "missing item id"
    ] == [3, 4, 5, 6, 7]
    assert sorted(inter.rows.tolist()) == [2, 55, 56, 57]


def _peak_rss_mb(path) -> int:
    code = "import sys; from embedlab.core.logs import prepare; prepare(sys.argv[1])"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], env=cli_env(), cwd=ROOT, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0, proc.stderr.read()
    return usage.ru_maxrss // 1024


def test_a_flood_of_comment_lines_costs_constant_memory(tmp_path):
    small, flood = tmp_path / "small.csv", tmp_path / "flood.csv"
    small.write_text("user,item\nu,a\nu,b\n")
    with open(flood, "w") as fh:  # 24 MB of '#' lines: a whole-file read held ~0.7 GB for them
        fh.write("user,item\nu,a\n")
        fh.write("#\n" * (12 << 20))
        fh.write("u,b\n")
    assert _peak_rss_mb(flood) - _peak_rss_mb(small) < 150


def test_the_event_limit_names_the_file_the_limit_and_the_variable(
    tmp_path, monkeypatch, tiny_chunks
):
    path = tmp_path / "log.csv"
    path.write_text(
        "user,item\n" + "".join(f"u{i % 3},i{i % 4}\n" for i in range(40)) + "#\n" * 100
    )
    monkeypatch.setenv("EMBEDLAB_MAX_EVENTS", "30")
    with pytest.raises(DataError, match="more than 30 usable events") as err:
        prepare(path)
    assert str(path) in str(err.value) and "EMBEDLAB_MAX_EVENTS" in str(err.value)
    monkeypatch.setenv("EMBEDLAB_MAX_EVENTS", "40")  # dropped rows (the comments) do not count
    assert len(prepare(path)) == 40


def test_every_numeric_parameter_has_an_upper_bound():
    for method, t in TRAINERS.items():
        for d in declared(t.Params):
            if d["type"] in (int, float) and not d.get("choices"):
                assert d.get("high") is not None, (method, d["name"])


@pytest.fixture
def server(monkeypatch):
    """This process as the dashboard server: training held to the admin's caps."""
    monkeypatch.setattr("embedlab.core.limits._serving", True)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MINUTES", raising=False)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MB", raising=False)


@pytest.mark.parametrize(
    "method, given",
    [
        ("item2vec", {"epochs": 1000, "window": 20}),
        ("graph", {"epochs": 1000}),  # (1000 walks per item: over the memory cap first)
        ("supervised", {"epochs": 300}),
        ("als", {"factors": 900, "iterations": 1000}),
    ],
)
def test_a_server_refuses_a_run_estimated_over_its_time_limit_before_it_starts(
    method, given, monkeypatch, server
):
    inter = prepare(SAMPLE_LOG)
    with pytest.raises(ParameterError, match="EMBEDLAB_MAX_TRAIN_MINUTES") as err:
        make_params(trainer(method), given, inter)
    message = str(err.value)
    assert (
        "would take about" in message
        and "over the 3-minute limit of this server" in message
        and "--max-train-minutes" in message
        and "\n" not in message
    )
    assert all(f"{k}={v}" in message for k, v in given.items())
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MINUTES", "100000")
    assert make_params(trainer(method), given, inter) is not None
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MINUTES")
    assert make_params(trainer(method), {}, inter) is not None  # the defaults stay inside the limit


def test_a_time_limit_the_user_sets_reaches_the_cli_as_one_line(tmp_path):
    # refused before training starts: 900 epochs would take minutes of CPU, past the limit the
    # user set (the CLI sets none of its own)
    run = run_cli(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        "item2vec",
        "--param",
        "epochs=900",
        "--out",
        str(tmp_path / "o"),
        cpu_seconds=60,
        env={"EMBEDLAB_MAX_TRAIN_MINUTES": "3"},
    )
    assert run.code == 2 and len(run.lines) == 1, (run.code, run.stderr)
    assert (
        "over the 3-minute limit set by EMBEDLAB_MAX_TRAIN_MINUTES" in run.stderr
        and not (tmp_path / "o").exists()
    )


def test_the_vector_count_limit_stops_text_and_binary_files_early(tmp_path, monkeypatch):
    from embedlab.core import io
    from embedlab.core.errors import FormatError

    monkeypatch.setenv("EMBEDLAB_MAX_VECTORS", "5")
    glove = tmp_path / "v.txt"
    glove.write_text("".join(f"w{i} {i} 1\n" for i in range(10)))
    with pytest.raises(FormatError, match="more than 5 vectors") as err:
        io.load(glove, format="glove")
    assert err.value.line == 6 and "EMBEDLAB_MAX_VECTORS" in str(err.value)
    binary = tmp_path / "v.bin"
    binary.write_bytes(
        b"10 1\n" + b"".join(b"w%d " % i + np.float32(i).tobytes() for i in range(10))
    )
    with pytest.raises(FormatError, match="more than 5 vectors"):
        io.load(binary)
    monkeypatch.setenv("EMBEDLAB_MAX_VECTORS", "10")
    assert len(io.load(glove, format="glove")) == len(io.load(binary)) == 10


def test_the_distinct_id_limit_counts_only_ids_of_kept_rows(tmp_path, monkeypatch, tiny_chunks):
    path = tmp_path / "log.csv"
    path.write_text(
        "user,item\n"
        + "".join(f"u{i},\n" for i in range(50))  # garbage ids of dropped rows
        + "".join(f"u{i % 4},i{i % 5}\n" for i in range(40))
    )
    monkeypatch.setenv("EMBEDLAB_MAX_IDS", "9")
    assert prepare(path).n_users == 4
    monkeypatch.setenv("EMBEDLAB_MAX_IDS", "8")
    with pytest.raises(DataError, match="more than 8 distinct ids") as err:
        prepare(path)
    assert "EMBEDLAB_MAX_IDS" in str(err.value) and str(path) in str(err.value)


def test_blank_and_comma_floods_in_a_basket_file_keep_the_basket_line_numbers(
    tmp_path, tiny_chunks
):
    path = tmp_path / "baskets.csv"
    path.write_text("a,b,,\n" + "\n" * 1000 + ",,, \n" * 500 + " \n" + "a,c,,\n")
    inter = prepare(path, format="baskets")
    assert sorted(set(inter.rows.tolist())) == [1, 1503] and inter.n_items == 3


def test_a_run_estimated_over_the_memory_limit_is_refused(monkeypatch):
    inter = prepare(SAMPLE_LOG)
    monkeypatch.setenv("EMBEDLAB_MAX_TRAIN_MB", "1")
    with pytest.raises(
        ParameterError, match=r"would need about \d+ MB \(estimated\), over the 1 MB limit"
    ) as err:
        make_params(trainer("svd"), {"factors": 512}, inter)
    assert "factors=512" in str(err.value) and "EMBEDLAB_MAX_TRAIN_MB" in str(err.value)
    monkeypatch.delenv("EMBEDLAB_MAX_TRAIN_MB")
    assert make_params(trainer("svd"), {"factors": 512}, inter).factors == 512
