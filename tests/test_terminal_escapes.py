"""No escape reaches a terminal: control characters of keys and titles are printed spelled out by
the real CLI (a subprocess, its stdout as bytes), JSON output stays JSON with the same values, and
a key holding an ESC byte no longer makes a small ``.txt`` vector file be read as binary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings, io
from tests.hardening_support import assert_contract, run_cli

CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home
OSC8 = "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07"  # a hyperlink to a foreign host
C1_CSI = "\x9b31m"  # the one-character CSI of 8-bit terminals
BIDI = "\u202egnp.exe"  # right-to-left override: shows as 'exe.png'
TITLES = [f"Film{CLEAR}", f"Other{OSC8}", f"Third{C1_CSI}", f"Fourth{BIDI}", "Fifth\rover\nline"]
RAW = ("\x1b", "\x9b", "\u202e", "\x07", "\r")


@pytest.fixture
def hostile(tmp_path):
    """Six items whose titles hold terminal escapes, and one key with an ESC byte."""
    keys = ["a", "b", "c", "d", "e", "f\x1b[31m"]
    vectors = np.array([[1, 0], [1, 0.1], [1, 0.2], [1, 0.3], [1, 0.4], [1, 0.5]], np.float32)
    emb = Embeddings(keys, vectors, metadata=pd.DataFrame({"title": ["query", *TITLES]}))
    path = tmp_path / "items.parquet"
    io.save(emb, path)
    return path


def test_titles_and_keys_are_printed_with_their_controls_spelled_out(hostile):
    run = run_cli("neighbours", "a", "--vectors", str(hostile), "--topn", "5", cpu_seconds=30)
    assert_contract(run)
    assert run.code == 0
    assert not any(c in run.stdout + run.stderr for c in RAW), repr(run.stdout)
    for shown in ("\\x1b[2J\\x1b[H", "\\x1b]8;;https://evil.example/\\x07", "\\x9b31m"):
        assert shown in run.stdout
    assert "\\u202egnp.exe" in run.stdout and "Fifth\\rover\\nline" in run.stdout
    assert "f\\x1b[31m" in run.stdout  # the key too
    assert len(run.stdout.splitlines()) == 6  # the query line and five rows: no title split one


def test_json_output_stays_json_with_the_same_titles(hostile):
    run = run_cli(
        "neighbours", "a", "--vectors", str(hostile), "--topn", "5", "--json", cpu_seconds=30
    )
    assert run.code == 0
    assert not any(c in run.stdout for c in RAW)
    titles = {r["key"]: r["title"] for r in json.loads(run.stdout)["results"]}
    assert titles == dict(zip(["b", "c", "d", "e", "f\x1b[31m"], TITLES))


@pytest.mark.parametrize(
    "text",
    [b"2 2\n\x1b[2Jkey 1.0 2.0\ngood 1.5 2.5\n", b"\x1b]8;;http://x.example\x07k 1 2\ngood 1 3\n"],
    ids=["word2vec-header", "glove"],
)
def test_a_key_with_an_esc_byte_keeps_a_small_text_file_text(tmp_path, text):
    path = tmp_path / "v.txt"
    path.write_bytes(text)
    emb = io.load(path)
    assert emb.dim == 2 and emb.keys[1] == "good" and emb.keys[0].startswith("\x1b")
    run = run_cli("neighbours", "good", "--vectors", str(path), cpu_seconds=30)
    assert run.code == 0 and "\x1b" not in run.stdout and "\\x1b" in run.stdout
