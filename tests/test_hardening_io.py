"""Issue 12 in core: every bad file is a typed error, memory and time follow the decompressed
input, keys round-trip exactly, outputs are atomic and never replace a user's file unasked."""

from __future__ import annotations

import gzip
import json
import os
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab.core import Embeddings, FormatError, ParameterError, io
from embedlab.core.cli import main
from embedlab.core.errors import DataError, OutputError
from embedlab.core.logs import read_log
from embedlab.core.logs.columns import guess_columns
from embedlab.core.logs.ingest import clean
from embedlab.core.search import neighbours

GOOD = b"3 2\napple 1 0\npear 0 1\nfig 1 1\n"
ODD_KEYS = [
    "tab\there",
    "cr\rinside",
    "line\u2028sep",
    "nel\x85key",
    "no\u00a0break",
    "Toy Story (1995)",
    "a  double",
    " leading",
    "naïve",
]


def _emb(keys, dim=3, seed=0):
    return Embeddings(
        keys, np.random.default_rng(seed).normal(size=(len(keys), dim)).astype(np.float32)
    )


# -- readers: damaged files are typed errors -----------------------------------------------------


@pytest.mark.parametrize(
    "data, words",
    [
        (gzip.compress(GOOD)[:20], "gzip"),  # truncated
        (gzip.compress(GOOD)[:10] + b"\xff" * 40, "gzip"),  # corrupt
        (GOOD, "not gzip-compressed"),  # named .gz, not compressed
        (gzip.compress(GOOD) + b"trailing junk", "gzip"),
    ],
)
def test_damaged_gzip_is_one_typed_error_naming_the_file(tmp_path, data, words):
    path = tmp_path / "v.txt.gz"
    path.write_bytes(data)
    with pytest.raises(FormatError, match=words) as err:
        io.load(path)
    assert "v.txt.gz" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("header", [b"1000000000000 300", b"2 4000000000000"])
def test_binary_header_is_checked_against_the_file_before_allocating(tmp_path, header):
    path = tmp_path / "v.bin"
    path.write_bytes(header + b"\nab \x00\x00\x80?\n")
    with pytest.raises(FormatError, match="can hold at most"):
        io.load(path)


def test_binary_reader_streams_a_file_larger_than_its_buffer(tmp_path):
    emb = _emb([f"w{i}" for i in range(70000)], dim=8)  # > one 65536-row block, > one 1 MB buffer
    io.save(emb, tmp_path / "v.bin")
    back = io.load(tmp_path / "v.bin")
    assert back.keys == emb.keys and np.array_equal(back.vectors, emb.vectors)


@pytest.mark.parametrize("first", ["\u00b2 3", "3 \u00b2", "\u0663 2"])
def test_non_ascii_digits_are_not_a_header(tmp_path, first):
    path = tmp_path / "v.bin"
    path.write_bytes(first.encode() + b"\nab \x00\x00\x80?\n")
    with pytest.raises(FormatError):
        io.load(path)


def test_unknown_encoding_is_a_parameter_error_saying_how_to_pick_one(tmp_path):
    (tmp_path / "v.txt").write_bytes(GOOD)
    for enc in ("nonsense", "base64"):
        with pytest.raises(ParameterError, match="latin-1"):
            io.load(tmp_path / "v.txt", encoding=enc)


@pytest.mark.parametrize(
    "column",
    [
        pa.array([["1", "2"], ["3", "4"]]),
        pa.array([[[1.0], [2.0]], [[3.0], [4.0]]]),
        pa.array([[], []], pa.list_(pa.float32())),
    ],
)
def test_parquet_vectors_must_be_non_empty_lists_of_numbers(tmp_path, column):
    pq.write_table(pa.table({"key": ["a", "b"], "vector": column}), tmp_path / "v.parquet")
    with pytest.raises(FormatError, match="vector"):
        io.load(tmp_path / "v.parquet")


@pytest.mark.parametrize(
    "rows",
    [
        [{"user": [1], "item": "a"}, {"user": [2], "item": "b"}],
        [{"user": "u", "item": {"x": 1}}, {"user": "v", "item": {"x": 2}}],
    ],
)
def test_log_ids_that_are_lists_or_objects_name_the_column(tmp_path, rows):
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    df = read_log(path)
    with pytest.raises(DataError, match="holds lists or objects") as err:
        clean(df, guess_columns(df), str(path))
    assert err.value.column in ("user", "item")


# -- bounded memory and time ---------------------------------------------------------------------


def test_a_line_over_the_cap_is_refused_with_its_number(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_LINE_MB", "1")
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\na 1 2\nb" + b" 0" * (1 << 20) + b"\n")
    with pytest.raises(FormatError, match="longer than 1 MB") as err:
        io.load(path)
    assert err.value.line == 3


def test_a_long_line_in_a_log_is_refused_before_pandas_reads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_LINE_MB", "1")
    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(b"user,item\nu1,i1\nu2," + b"x" * (2 << 20) + b"\n"))
    with pytest.raises(FormatError, match="longer than") as err:
        read_log(path)
    assert err.value.line == 3


def test_a_gzip_bomb_stops_at_the_decompressed_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_DECOMPRESSED_MB", "2")
    path = tmp_path / "v.txt.gz"
    path.write_bytes(gzip.compress(b"k 0 0 0\n" * (1 << 19)))  # 4 MB of rows in a few kB
    with pytest.raises(FormatError, match="decompresses to more than 2 MB"):
        io.load(path)


def test_a_blank_line_flood_is_skipped_with_exact_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_GZIP_RATIO", "100000")
    path = tmp_path / "v.txt.gz"
    flood = 3_000_000
    path.write_bytes(gzip.compress(b"2 2\n" + b"\n" * flood + b" \t\n" + b"a 1 2\nb 1\n"))
    with pytest.raises(FormatError, match="row has 1 values") as err:
        io.load(path)
    assert err.value.line == flood + 4


def test_log_rows_keep_their_real_line_numbers_after_blank_lines(tmp_path):
    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(b"user,item\nu1,i1\n" + b"\n" * 1_500_000 + b"  \t\nu2,\n"))
    df = read_log(path)
    assert df.index.tolist() == [2, 1_500_004]
    report = clean(df, guess_columns(df), str(path)).report
    assert "1500004" in json.dumps(report.to_dict())  # the dropped row is reported where it is


# -- keys round-trip exactly ---------------------------------------------------------------------


def test_word2vec_text_keeps_odd_keys_exactly_like_gensim(tmp_path):
    from gensim.models import KeyedVectors

    emb = _emb(ODD_KEYS)
    io.save(emb, tmp_path / "v.txt")
    assert io.load(tmp_path / "v.txt").keys == ODD_KEYS
    simple = [k for k in ODD_KEYS if " " not in k]
    io.save(_emb(simple), tmp_path / "s.txt")
    assert (
        KeyedVectors.load_word2vec_format(tmp_path / "s.txt").index_to_key
        == io.load(tmp_path / "s.txt").keys
    )


@pytest.mark.parametrize(
    "fmt, key",
    [
        ("v.txt", "line\nbreak"),
        ("v.txt", "Area 51"),
        ("v.txt", "trailing "),
        ("v.bin", "has space"),
        ("vectors.tsv", "tab\there"),
        ("vectors.tsv", "cr\rhere"),
        ("vectors.tsv", ""),
    ],
)
def test_a_key_the_format_cannot_hold_is_refused_not_altered(tmp_path, fmt, key):
    with pytest.raises(OutputError, match="cannot hold"):
        io.save(_emb(["ok", key]), tmp_path / fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["v.parquet", "vectors.tsv", "v.bin"])
def test_other_formats_round_trip_the_keys_they_can_hold(tmp_path, name):
    problem = io.keycheck.PROBLEMS.get(io.format_for_output(tmp_path / name))
    keys = [k for k in ODD_KEYS if problem is None or problem(k) is None]
    io.save(_emb(keys), tmp_path / name)
    assert io.load(tmp_path / name).keys == keys


def test_npy_takes_keys_only_from_its_own_keys_file(tmp_path):
    np.save(tmp_path / "vectors.npy", np.eye(3, dtype=np.float32))
    (tmp_path / "vectors.txt").write_text("unrelated\nthree\nlines\n")
    emb = io.load(tmp_path / "vectors.npy")
    assert emb.keys == ["0", "1", "2"] and "keys.txt" in emb.notes[0]
    (tmp_path / "vectors.keys.txt").write_text("a\tb\nc\n\n")
    assert io.load(tmp_path / "vectors.npy").keys == ["a\tb", "c", ""]


# -- atomic outputs, --force, inputs never overwritten -------------------------------------------


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("the user's own file\n")
    with pytest.raises(OutputError, match="already exists"):
        io.save(_emb(["a", "b"]), out)
    assert out.read_text() == "the user's own file\n"
    io.save(_emb(["a", "b"]), out, force=True)
    assert io.load(out).keys == ["a", "b"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left behind


def test_temp_files_of_killed_writers_are_removed_and_lookalikes_kept(tmp_path):
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # its process id now names a writer that has ended
    stale = tmp_path / f".out.txt.tmp-{ended.pid}-abcdefgh"
    running = tmp_path / f".out.txt.tmp-{os.getppid()}-abcdefgh"  # a writer still alive
    lookalike = tmp_path / ".out.txt.tmp-old"  # not a name embedlab makes: the user's
    for p in (stale, running, lookalike):
        p.write_text("half")
    os.utime(lookalike, (0, 0))
    io.save(_emb(["a"]), tmp_path / "out.txt")
    assert not stale.exists() and running.exists() and lookalike.exists()


def test_convert_never_overwrites_its_own_inputs(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.eye(2, dtype=np.float32))
    (tmp_path / "x.keys.txt").write_text("a\nb\n")
    assert main(["convert", str(tmp_path / "x.npy"), str(tmp_path / "x.keys.txt"), "--force"]) == 2
    assert "input" in capsys.readouterr().err
    assert io.load(tmp_path / "x.npy").keys == ["a", "b"]


def test_projector_output_refuses_a_different_metadata_file(tmp_path):
    (tmp_path / "metadata.tsv").write_text("somebody else's labels\nsecond\n")
    with pytest.raises(OutputError, match="differs"):
        io.save(_emb(["a", "b"]), tmp_path / "vectors.tsv")
    assert (tmp_path / "metadata.tsv").read_text() == "somebody else's labels\nsecond\n"
    assert not (tmp_path / "vectors.tsv").exists()


def test_projector_pair_interrupted_at_commit_leaves_nothing_loadable(tmp_path, monkeypatch):
    io.save(_emb(["a", "b"]), tmp_path / "vectors.tsv")
    real = os.replace

    def dies_on_vectors(src, dst):
        if str(dst).endswith("vectors.tsv"):
            raise KeyboardInterrupt  # the process dies between the two renames
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_vectors)
    with pytest.raises(KeyboardInterrupt):
        io.save(_emb(["c", "d", "e"]), tmp_path / "vectors.tsv", force=True)
    monkeypatch.setattr(os, "replace", real)
    with pytest.raises(FormatError):
        io.load(tmp_path / "vectors.tsv")  # never new metadata with old vectors, or the reverse


def test_a_named_tsv_finds_its_own_metadata(tmp_path):
    io.save(_emb(["x y", "z"]), tmp_path / "set.tsv")
    assert (tmp_path / "set.metadata.tsv").exists()
    assert io.load(tmp_path / "set.tsv").keys == ["x y", "z"]


def _train(out, method, *extra):
    from tests.paths import SAMPLE_LOG

    return main(
        [
            "train",
            "--log",
            str(SAMPLE_LOG),
            "--method",
            method,
            "--out",
            str(out),
            "--min-count",
            "20",
            *extra,
        ]
    )


def test_train_out_is_replaced_whole_and_refuses_a_users_folder(tmp_path, capsys):
    out = tmp_path / "model"
    assert _train(out, "als", "--param", "factors=4", "--param", "iterations=2") == 0
    assert (out / "users.parquet").exists()
    assert _train(out, "svd", "--param", "factors=4") == 0  # ours: replaced whole, no stale files
    report = json.loads((out / "report.json").read_text())
    assert report["method"] == "svd"
    assert {p.name for p in out.iterdir()} == {*report["files"], "report.json", ".embedlab-output"}
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("keep me")
    capsys.readouterr()
    assert _train(mine, "svd") == 2 and "--force" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.md"]
    (tmp_path / "file").write_text("x")
    assert _train(tmp_path / "file", "svd", "--force") == 2


# -- zero vectors and the CLI safety net ---------------------------------------------------------


def test_zero_vectors_are_left_out_of_cosine_search_without_warnings(tmp_path):
    emb = Embeddings(
        ["a", "b", "zero", "c"], np.array([[1, 0], [1, 0.1], [0, 0], [0, 1]], np.float32)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert neighbours(emb, "a", k=3).keys == ["b", "c"]
        with pytest.raises(ParameterError, match="zero vector"):
            neighbours(emb, "zero")
        assert neighbours(emb, "zero", k=3, metric="dot").keys[0] in {"a", "b", "c"}
    io.save(emb, tmp_path / "z.parquet")
    assert any("zero vector" in n for n in io.load(tmp_path / "z.parquet").notes)


def test_a_damaged_hnsw_cache_entry_is_rebuilt_not_an_error(tmp_path, monkeypatch):
    from embedlab.core import Provenance
    from embedlab.core.cache import cache_dir
    from embedlab.core.search import cached_hnsw

    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path))
    rng = np.random.default_rng(0)
    emb = Embeddings(
        [f"k{i}" for i in range(2000)],
        rng.normal(size=(2000, 8)).astype(np.float32),
        provenance=Provenance(source="x", data_hash="sha256:test"),
    )
    cached_hnsw(emb)
    index_file = next((cache_dir() / "hnsw").glob("*.faiss"))
    index_file.write_bytes(
        index_file.read_bytes()[:100]
    )  # a writer killed mid-way (before this fix)
    assert cached_hnsw(emb).recall > 0.9
    assert index_file.stat().st_size > 100


def test_an_unexpected_exception_is_one_line_saying_it_is_a_bug(capsys, monkeypatch):
    from embedlab.core.cli import vectors

    def broken(args):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(vectors, "run_convert", broken)
    assert main(["convert", "a", "b.txt"]) == 1
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "bug" in err
        and "EMBEDLAB_DEBUG=1" in err
        and "Traceback" not in err
    )
    monkeypatch.setenv("EMBEDLAB_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["convert", "a", "b.txt"])


def test_control_characters_in_user_text_cannot_split_or_drive_the_error_line(tmp_path, capsys):
    (tmp_path / "v.txt").write_bytes(GOOD)
    assert main(["neighbours", "a\x1b[2J\nb", "--vectors", str(tmp_path / "v.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\\x1b[2J\\nb" in err


def test_usage_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["convert"])
    assert exit_.value.code == 2 and capsys.readouterr().err.count("\n") == 1


def test_frame_helpers_are_untouched():  # guard: pandas display options are not changed globally
    assert pd.get_option("display.max_rows") == 60
