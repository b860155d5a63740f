"""Fuzz the CLI contract (issue 12): hostile vector files, logs, compressed variants and trainer
parameters go through the real ``embedlab`` command as subprocesses under RLIMIT_AS and RLIMIT_CPU
(no wall-clock limit: a loaded machine is slower, not wrong); every run exits 0 or 2, a failure is
one line on stderr, and nothing prints a traceback.  The examples are the same on every run
(conftest's Hypothesis profile derandomizes; each test fixes its example count).

Each example starts a Python process (~1.5 s), so the example counts are small; the hostile
corpus in ``benchmarks/hostile_corpus.py`` covers the big files (10 GB lines, bombs, floods).
"""

from __future__ import annotations

import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening_support import assert_contract, run_cli
from tests.paths import SAMPLE_LOG

FUZZ = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

token = st.one_of(
    st.sampled_from(
        [
            "1",
            "-0.5",
            "nan",
            "inf",
            "1e39",
            "x",
            "",
            "\t",
            ",",
            '"',
            "\u00b2",
            "\u2028",
            "\x85",
            "\u00a0",
            "\r",
            "0" * 40,
        ]
    ),
    st.text(max_size=5),
)
line = st.lists(token, max_size=6).map(" ".join)
text = st.lists(line, max_size=8).map("\n".join)
header = st.sampled_from(
    ["3 2", "\u00b2 3", "1000000000000 300", "2 4000000000", "0 0", "-1 2", "2 2 2", ""]
)
vector_bytes = st.one_of(
    text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(header, text).map(lambda p: (p[0] + "\n" + p[1]).encode("utf-8", "surrogatepass")),
    st.tuples(header, st.binary(max_size=80)).map(lambda p: p[0].encode() + b"\n" + p[1]),
    st.binary(max_size=120),
    st.binary(max_size=60).map(lambda b: b"\x93NUMPY" + b),
    st.binary(max_size=60).map(lambda b: b"PAR1" + b),
)


def gz_variant(data: bytes, how: str) -> bytes:
    """The same content, compressed well or badly."""
    if how == "plain":
        return data
    packed = gzip.compress(data)
    return {
        "gzip": packed,
        "truncated": packed[: max(1, len(packed) // 2)],
        "flipped": packed[:12] + bytes(b ^ 0x5A for b in packed[12:20]) + packed[20:],
        "garbage-tail": packed + b"\x00junk",
        "header-only": packed[:10],
    }[how]


gz_how = st.sampled_from(["plain", "gzip", "truncated", "flipped", "garbage-tail", "header-only"])
suffix = st.sampled_from([".txt", ".bin", ".vec", ".tsv", ".csv", ".npy", ".parquet"])


@FUZZ
@given(
    data=vector_bytes,
    how=gz_how,
    ext=suffix,
    command=st.sampled_from(["convert", "neighbours", "encoding"]),
)
def test_vector_files_keep_the_cli_contract(tmp_path_factory, data, how, ext, command):
    tmp = tmp_path_factory.mktemp("vectors")
    path = tmp / ("vectors" + ext + ("" if how == "plain" else ".gz"))
    path.write_bytes(gz_variant(data, how))
    if command == "convert":
        run = run_cli("convert", str(path), str(tmp / "out.parquet"))
    elif command == "neighbours":
        run = run_cli("neighbours", "x", "--vectors", str(path), "--topn", "2")
    else:
        run = run_cli("neighbours", "x", "--vectors", str(path), "--encoding", "utf-16")
    assert_contract(run)


cell = st.one_of(
    st.text(max_size=4),
    st.integers(-3, 3),
    st.none(),
    st.lists(st.integers(0, 2), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 2), max_size=1),
    st.sampled_from(["2020-01-01", "nan", "", "1e400"]),
)
json_rows = st.lists(
    st.fixed_dictionaries({"user": cell, "item": cell, "time": cell}), min_size=0, max_size=12
)
csv_rows = st.lists(
    st.lists(st.text(alphabet='ab1,;\t"\n ', max_size=4), min_size=1, max_size=3), max_size=12
).map(lambda rows: "user,item\n" + "\n".join(",".join(r) for r in rows))


@FUZZ
@given(
    kind=st.sampled_from(["jsonl", "csv"]),
    rows=json_rows,
    csv_text=csv_rows,
    how=gz_how,
    method=st.sampled_from(["item2vec", "als", "svd"]),
)
def test_logs_keep_the_cli_contract(tmp_path_factory, kind, rows, csv_text, how, method):
    if kind == "jsonl":
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    else:
        data = csv_text.encode("utf-8", "surrogatepass")
    tmp = tmp_path_factory.mktemp("log")
    path = tmp / (f"log.{kind}" + ("" if how == "plain" else ".gz"))
    path.write_bytes(gz_variant(data, how))
    run = run_cli(
        "train",
        "--log",
        str(path),
        "--method",
        method,
        "--out",
        str(tmp / "out"),
        "--param",
        "epochs=1" if method == "item2vec" else "factors=2",
    )
    assert_contract(run)


names = st.sampled_from(
    [
        "epochs",
        "vector_size",
        "window",
        "factors",
        "iterations",
        "negative",
        "min_count",
        "alpha",
        "regularization",
        "nonsense",
    ]
)
values = st.one_of(
    st.integers(-3, 6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["many", "", "[1]", "{}", "true", "null", "1e999"]),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["item2vec", "als", "svd", "graph"]),
    name=names,
    value=values,
    seed=st.one_of(st.just(0), st.integers(-(2**33), 2**33)),
)
def test_trainer_parameters_keep_the_cli_contract(tmp_path_factory, method, name, value, seed):
    raw = value if isinstance(value, str) else json.dumps(value)
    run = run_cli(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        method,
        "--out",
        str(tmp_path_factory.mktemp("params") / "out"),
        "--param",
        f"{name}={raw}",
        "--min-count",
        "5",
        "--seed",
        str(seed),
    )
    assert_contract(run)


flood_line = st.sampled_from(
    ["#", "# a comment, with commas", "", " \t ", ",,,", "{}", "\x00", "\ufeff", "null"]
)
good_rows = st.lists(
    st.tuples(st.sampled_from(["u", "v", "w"]), st.sampled_from(["a", "b", "c", ""])),
    min_size=0,
    max_size=30,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["csv", "tsv", "jsonl", "baskets"]),
    rows=good_rows,
    line=flood_line,
    count=st.integers(0, 3000),
    where=st.sampled_from(["head", "middle", "tail"]),
    max_events=st.integers(1, 40),
    max_ids=st.integers(2, 10),
    how=st.sampled_from(["plain", "gzip"]),
)
def test_floods_and_limits_keep_the_cli_contract(
    tmp_path_factory, kind, rows, line, count, where, max_events, max_ids, how
):
    """Comment, blank, comma and garbage floods around a small log, with event and id limits set
    small through the environment: exit 0 or 2, one line, never a traceback."""
    sep = "\t" if kind == "tsv" else ","
    body = [
        json.dumps({"user": u, "item": i}) if kind == "jsonl" else f"{u}{sep}{i}" for u, i in rows
    ]
    at = {"head": 0, "middle": len(body) // 2, "tail": len(body)}[where]
    lines = body[:at] + [line] * count + body[at:]
    header = [] if kind in ("jsonl", "baskets") else [f"user{sep}item"]
    data = "\n".join(header + lines).encode("utf-8", "surrogatepass")
    tmp = tmp_path_factory.mktemp("flood")
    path = tmp / (f"log.{'csv' if kind == 'baskets' else kind}" + ("" if how == "plain" else ".gz"))
    path.write_bytes(gz_variant(data, how))
    fmt = ["--format", "baskets"] if kind == "baskets" else []
    run = run_cli(
        "train",
        "--log",
        str(path),
        *fmt,
        "--method",
        "svd",
        "--param",
        "factors=1",
        "--out",
        str(tmp / "out"),
        env={"EMBEDLAB_MAX_EVENTS": str(max_events), "EMBEDLAB_MAX_IDS": str(max_ids)},
    )
    assert_contract(run)
    if run.code == 2 and "EMBEDLAB_MAX" in run.stderr:
        assert (
            f"more than {max_events} usable events" in run.stderr
            or f"more than {max_ids} distinct ids" in run.stderr
        )
