"""Throw hostile and careless inputs at the CLI and measure what happens (issue 12).

Each case is a command run as a subprocess (``python -m embedlab.core.cli ...``, the installed
checkout) over files this script generates.  For every case it records the exit status, whether
stderr holds a traceback or more than one line, the peak RSS of the child (``os.wait4``) and the
wall time.

    nice -n 10 python benchmarks/hostile_corpus.py [--dir /tmp/hostile] [--only NAME]

The expected outcome for every case: exit 0 or 2, one line on stderr when it fails, no traceback,
RSS <= 1 GB, <= 30 s, no data lost (``swap-killed`` kills ``train --out`` between its two renames
and checks the old model loads again, read where it lies; the ``own-*`` cases check that the
user's files, inputs among them, are unchanged after ``train --out`` with and without --force),
no raw terminal control (ESC, C1 CSI, BEL) in what a command prints (``esc-*``: hostile titles).
Training is held to a dashboard server's caps (``SERVER_CAPS``): the CLI itself no longer refuses
a long run.  The corpus is cached in --dir (the big files take a few minutes to write once, and
about 1.5 GB of disk).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
GB = 1 << 30


def _gz_repeat(path: Path, head: bytes, block: bytes, count: int, tail: bytes = b"") -> Path:
    """A .gz of head + block*count + tail, compressed block by block (never held in memory)."""
    if path.exists():
        return path
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(comp.compress(head))
        for _ in range(count):
            fh.write(comp.compress(block))
        fh.write(comp.compress(tail))
        fh.write(comp.flush())
    tmp.replace(path)
    return path


def _write(path: Path, data: bytes) -> Path:
    if not path.exists():
        path.write_bytes(data)
    return path


def _parquet(path: Path, columns: dict) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.exists():
        pq.write_table(pa.table(columns), path)
    return path


def vector_cases(d: Path) -> list[tuple[str, list[str]]]:
    good = b"3 2\napple 1 0\npear 0 1\nfig 1 1\n"
    _write(d / "good.txt", good)
    gz = gzip.compress(good)
    cases = {
        "gz-corrupt": _write(d / "corrupt.txt.gz", gz[:10] + bytes(range(256)) * 4),
        "gz-truncated": _write(d / "truncated.txt.gz", gz[: len(gz) // 2]),
        "gz-not-gzip": _write(d / "plain.txt.gz", good),
        "gz-empty": _write(d / "empty.txt.gz", b""),
        "gz-trailing-garbage": _write(d / "garbage.txt.gz", gz + b"garbage!"),
        "bin-huge-rows": _write(d / "huge_rows.bin", b"1000000000000 300\nab \x00\x00\x80?\n"),
        "bin-huge-dims": _write(d / "huge_dims.bin", b"2 4000000000000\nab \x00\x00\x80?\n"),
        "bin-superscript": _write(d / "super.bin", "\u00b2 3\n".encode() + b"ab \x00\x00\x80?\n"),
        "txt-superscript": _write(d / "super.txt", "\u00b2 3\nab 1 2 3\n".encode()),
        "txt-huge-header": _write(d / "huge_header.txt", b"99999999999999 2\na 1 2\n"),
        "npy-truncated": _write(d / "trunc.npy", _npy_header((10**9, 300)) + b"\0" * 64),
        "parquet-list-string": _parquet(
            d / "liststr.parquet", {"key": ["a", "b"], "vector": [["1", "2"], ["3", "x"]]}
        ),
        "parquet-nested": _parquet(
            d / "nested.parquet", {"key": ["a", "b"], "vector": [[[1.0], [2.0]], [[3.0], [4.0]]]}
        ),
        "parquet-empty-lists": _parquet(
            d / "emptylists.parquet", {"key": ["a", "b"], "vector": [[], []]}
        ),
        "parquet-struct-key": _parquet(
            d / "structkey.parquet", {"key": [{"x": 1}, {"x": 2}], "v": [1.0, 2.0]}
        ),
        "gz-10gb-line": _gz_repeat(
            d / "longline.txt.gz", b"1 3\nkey", b" 0" * (1 << 19), 10 * 1024
        ),
        "gz-200mb-blank": _gz_repeat(
            d / "blank.txt.gz", b"1 2\n", b"\n" * (1 << 20), 200, b"a 1 2\n"
        ),
        "gz-200mb-spaces": _gz_repeat(
            d / "spaces.txt.gz", b"", b" \n" * (1 << 19), 400, b"a 1 2\n"
        ),
        "gz-bomb-rows": _gz_repeat(d / "bomb.txt.gz", b"", b"k 0 0 0 0 0 0 0\n" * 65536, 600),
        "plain-300mb-line": _plain_line(d / "oneline.txt", 300 << 20),
        "bin-truncated": _write(d / "trunc.bin", b"5 2\na \x00\x00\x80?\x00\x00\x80?\nb \x00"),
    }
    out = [
        (name, ["convert", str(p), str(d / "out" / f"{name}.parquet"), "--force"])
        for name, p in cases.items()
    ]
    out += [
        (
            "encoding-nonsense",
            ["neighbours", "apple", "--vectors", str(d / "good.txt"), "--encoding", "nonsense"],
        ),
        ("convert-into-dir", ["convert", str(d / "good.txt"), str(d)]),
        ("convert-unwritable", ["convert", str(d / "good.txt"), "/proc/nope/out.txt"]),
        ("convert-no-ext", ["convert", str(d / "good.txt"), str(d / "out" / "noext")]),
        # the floods again with the ratio cap lifted: skipped at C speed instead of refused
        (
            "gz-200mb-blank-allowed",
            [
                "convert",
                str(d / "blank.txt.gz"),
                str(d / "out" / "blank.parquet"),
                "--force",
                "--env",
                "EMBEDLAB_MAX_GZIP_RATIO=100000",
            ],
        ),
        (
            "gz-200mb-spaces-allowed",
            [
                "convert",
                str(d / "spaces.txt.gz"),
                str(d / "out" / "spaces.parquet"),
                "--force",
                "--env",
                "EMBEDLAB_MAX_GZIP_RATIO=100000",
            ],
        ),
        ("convert-over-user-file", ["convert", str(d / "good.txt"), str(d / "mine.txt")]),
        (
            "convert-npy-keys-over-input",
            ["convert", str(d / "x.npy"), str(d / "x.keys.txt"), "--force"],
        ),
    ]
    np.save(d / "x.npy", np.eye(2, dtype=np.float32))
    _write(d / "mine.txt", b"the user's own notes\n")
    _write(d / "x.keys.txt", b"a\nb\n")
    return out


def _npy_header(shape) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def _plain_line(path: Path, size: int) -> Path:
    if not path.exists():
        with open(path, "wb") as fh:
            fh.write(b"key")
            block = b" 0" * (1 << 19)
            for _ in range(size // len(block)):
                fh.write(block)
            fh.write(b"\n")
    return path


def log_cases(d: Path) -> list[tuple[str, list[str]]]:
    good = "user,item\n" + "".join(f"u{i % 7},i{i % 11}\n" for i in range(200))
    _write(d / "log.csv", good.encode())
    files = {
        "log-jsonl-list-ids": _write(
            d / "listids.jsonl", b'{"user": [1], "item": "a"}\n{"user": [2], "item": "b"}\n'
        ),
        "log-jsonl-object-ids": _write(
            d / "objids.jsonl", b'{"user": "u", "item": {"a": 1}}\n' * 5
        ),
        "log-parquet-list-ids": _parquet(
            d / "listids.parquet", {"user": [[1], [2]], "item": ["a", "b"]}
        ),
        "log-gz-corrupt": _write(
            d / "log_corrupt.csv.gz", gzip.compress(good.encode())[:40] + b"\xff" * 50
        ),
        "log-gz-10gb-line": _gz_repeat(
            d / "log_longline.csv.gz", b"user,item\nu", b"x" * (1 << 20), 10 * 1024
        ),
        "log-gz-hash-flood": _gz_repeat(
            d / "log_hash.csv.gz", b"user,item\n", b"#\n" * (1 << 19), 63
        ),
        "log-gz-200mb-blank": _gz_repeat(
            d / "log_blank.csv.gz", b"user,item\n", b"\n" * (1 << 20), 200, b"u,i\n"
        ),
        "log-plain-300mb-line": _plain_line(d / "log_oneline.csv", 300 << 20),
        "log-binary": _write(d / "log.bin.csv", bytes(range(256)) * 10),
    }
    out = [
        (
            name,
            [
                "train",
                "--log",
                str(p),
                "--method",
                "item2vec",
                "--out",
                str(d / "out" / name),
                "--force",
            ],
        )
        for name, p in files.items()
    ]
    log = str(d / "log.csv")
    out += [
        (
            "param-epochs-negative",
            [
                "train",
                "--log",
                log,
                "--method",
                "item2vec",
                "--out",
                str(d / "out" / "p1"),
                "--param",
                "epochs=-1",
                "--force",
            ],
        ),
        (
            "param-vector-size-zero",
            [
                "train",
                "--log",
                log,
                "--method",
                "item2vec",
                "--out",
                str(d / "out" / "p2"),
                "--param",
                "vector_size=0",
                "--force",
            ],
        ),
        (
            "param-als-factors-zero",
            [
                "train",
                "--log",
                log,
                "--method",
                "als",
                "--out",
                str(d / "out" / "p3"),
                "--param",
                "factors=0",
                "--force",
            ],
        ),
        (
            "param-garbage",
            [
                "train",
                "--log",
                log,
                "--method",
                "item2vec",
                "--out",
                str(d / "out" / "p4"),
                "--param",
                "epochs=many",
                "--force",
            ],
        ),
        (
            "log-gz-200mb-blank-allowed",
            [
                "train",
                "--log",
                str(d / "log_blank.csv.gz"),
                "--method",
                "svd",
                "--out",
                str(d / "out" / "lb"),
                "--force",
                "--env",
                "EMBEDLAB_MAX_GZIP_RATIO=100000",
            ],
        ),
        (
            "train-out-is-file",
            ["train", "--log", log, "--method", "item2vec", "--out", str(d / "log.csv")],
        ),
    ]
    return out


FLOOD = 64 << 20  # bytes of comment or blank lines in each flood file


def _flood(path: Path, head: bytes, line: bytes, tail: bytes) -> Path:
    """head + FLOOD bytes of ``line`` repeated + tail, written block by block."""
    if not path.exists():
        block = line * ((1 << 20) // len(line))
        with open(path, "wb") as fh:
            fh.write(head)
            for _ in range(FLOOD // len(block)):
                fh.write(block)
            fh.write(tail)
    return path


def _tiny_rows(path: Path, size: int) -> Path:
    """A CSV of ``size`` bytes of tiny rows ``user,item`` (1M users, 10k items)."""
    if not path.exists():
        tmp = path.with_suffix(".part")
        with open(tmp, "wb") as fh:
            fh.write(b"user,item\n")
            i = written = 0
            while written < size:
                block = "".join(
                    f"{(i + k) % 1000003},{(i + k) * 7 % 10007}\n" for k in range(100000)
                ).encode()
                fh.write(block)
                written, i = written + len(block), i + 100000
        tmp.replace(path)
    return path


def flood_cases(d: Path) -> list[tuple[str, list[str]]]:
    """Comment and blank-line floods in every log and vector text format, and tiny-row logs."""
    rows = b"u,a\nu,b\nv,a\nv,b\n"
    logs = {
        "log-csv-hash-flood": _flood(d / "f_hash.csv", b"user,item\n", b"#\n", rows),
        "log-csv-comment-flood": _flood(
            d / "f_comment.csv", b"user,item\n", b"# a comment, here\n", rows
        ),
        "log-csv-blank-flood": _flood(d / "f_blank.csv", b"user,item\n", b"\n", rows),
        "log-tsv-hash-flood": _flood(
            d / "f_hash.tsv", b"user\titem\n", b"#\n", rows.replace(b",", b"\t")
        ),
        "log-tsv-blank-flood": _flood(
            d / "f_blank.tsv", b"user\titem\n", b" \t \n", rows.replace(b",", b"\t")
        ),
        "log-jsonl-blank-flood": _flood(
            d / "f_blank.jsonl",
            b'{"user": "u", "item": "a"}\n',
            b"\n",
            b'{"user": "u", "item": "b"}\n',
        ),
        "log-jsonl-empty-objects": _flood(
            d / "f_empty.jsonl",
            b'{"user": "u", "item": "a"}\n',
            b"{}\n",
            b'{"user": "u", "item": "b"}\n',
        ),
        "log-baskets-blank-flood": _flood(d / "f_blank_baskets.csv", b"a,b,,\n", b"\n", b"a,c,,\n"),
        "log-baskets-comma-flood": _flood(
            d / "f_comma_baskets.csv", b"a,b,,\n", b",,,\n", b"a,c,,\n"
        ),
        "log-gz-tiny-rows-bomb": _gz_repeat(
            d / "tinybomb.csv.gz", b"user,item\n", b"1,2\n" * (1 << 18), 800
        ),
        "log-200mb-tiny-rows": _tiny_rows(d / "tiny200.csv", 200 << 20),
        "log-1gb-tiny-rows": _tiny_rows(d / "tiny1g.csv", 1 << 30),
    }
    out = [
        (
            name,
            [
                "train",
                "--log",
                str(p),
                "--method",
                "svd",
                "--param",
                "factors=1",
                "--out",
                str(d / "out" / name),
                "--force",
            ],
        )
        for name, p in logs.items()
    ]
    near = _tiny_rows(d / "tiny110.csv", 110 << 20)  # ~9.5M events: just under the event limit
    out += [
        (
            f"log-110mb-tiny-rows-{method}",
            [
                "train",
                "--log",
                str(near),
                "--method",
                method,
                "--out",
                str(d / "out" / "near"),
                "--force",
            ]
            + extra,
        )
        for method, extra in [
            ("svd", []),
            ("als", ["--param", "factors=4"]),
            ("item2vec", []),
            ("svd", ["--param", "factors=2", "--min-count", "2"]),
        ]
    ]
    out.append(
        (
            "log-basket-format-hash-flood",
            [
                "train",
                "--log",
                str(d / "f_hash.csv"),
                "--format",
                "baskets",
                "--method",
                "svd",
                "--out",
                str(d / "out" / "bf"),
                "--force",
            ],
        )
    )
    out.append(
        (
            "log-gz-tiny-rows-bomb-allowed",
            [
                "train",
                "--log",
                str(d / "tinybomb.csv.gz"),
                "--method",
                "svd",
                "--out",
                str(d / "out" / "tb"),
                "--force",
                "--env",
                "EMBEDLAB_MAX_GZIP_RATIO=100000",
            ],
        )
    )
    vectors = {
        "vec-word2vec-hash-flood": _flood(d / "fv_hash.txt", b"2 2\n", b"#\n", b"a 1 2\nb 2 1\n"),
        "vec-word2vec-blank-flood": _flood(d / "fv_blank.txt", b"2 2\n", b"\n", b"a 1 2\nb 2 1\n"),
        "vec-glove-space-flood": _flood(d / "fv_space.glove.txt", b"", b"  \n", b"a 1 2\nb 2 1\n"),
        "vec-tsv-blank-flood": _flood(d / "fv_blank.tsv", b"1\t2\n", b"\t\n", b"2\t1\n"),
        "vec-csv-comma-flood": _flood(d / "fv_comma.csv", b"a,1,2\n", b",,\n", b"b,2,1\n"),
        "vec-csv-hash-flood": _flood(d / "fv_hash.csv", b"a,1,2\n", b"#\n", b"b,2,1\n"),
        "vec-10m-tiny-vectors": _tiny_vectors(d / "tinyvec.txt", 10_000_000),
    }
    out += [
        (
            name,
            ["convert", str(p), str(d / "out" / f"{name}.parquet"), "--force"]
            + (["--format", "glove"] if "glove" in name or "tiny" in name else []),
        )
        for name, p in vectors.items()
    ]
    return out


def _tiny_vectors(path: Path, count: int) -> Path:
    if not path.exists():
        with open(path, "w") as fh:
            for b in range(count // 100000):
                fh.write("".join(f"w{b}_{i} 0.5\n" for i in range(100000)))
    return path


def odd_cases(d: Path) -> list[tuple[str, list[str]]]:
    """What a careless or hostile user gives by mistake or on purpose."""
    import pyarrow as pa

    files = {
        "log-duplicate-header": _write(d / "duphead.csv", b"user,user,item\nu,v,a\nu,v,b\n"),
        "log-utf8-bom": _write(d / "bom.csv", "\ufeffuser,item\nu,a\nu,b\n".encode()),
        "log-utf16": _write(d / "utf16.csv", "user,item\nu,a\nu,b\n".encode("utf-16")),
        "log-nul-bytes": _write(
            d / "nul.csv", b"user,item\nu,a\x00b\nu,b\n" + b"\x00" * 100 + b"\n"
        ),
        "log-mixed-encodings": _write(
            d / "mixed.csv",
            "user,item\nu,caf\u00e9\n".encode() + "u,na\u00efve\n".encode("latin-1"),
        ),
        "log-every-row-dropped": _write(d / "alldropped.csv", b"user,item\n,a\n,b\nu,\n"),
        "log-header-only": _write(d / "headeronly.csv", b"user,item\n"),
        "log-zero-bytes": _write(d / "zero.csv", b""),
        "log-one-column": _write(d / "onecol.csv", b"user\nu\nv\n"),
        "log-ragged": _write(d / "ragged.csv", b"user,item\nu,a\nu,b,c,d\n"),
        "log-unclosed-quote": _write(d / "quote.csv", b'user,item\nu,"a\nu,b\n'),
        "log-all-null-parquet": _parquet(
            d / "nulls.parquet",
            {"user": pa.array([None] * 5, pa.string()), "item": pa.array([None] * 5, pa.string())},
        ),
        "log-is-a-directory": d / "out",
        "log-fifo": _fifo(d / "fifo.csv"),
        "log-symlink-loop": _loop(d / "loop_a.csv", d / "loop_b.csv"),
        "log-dev-zero": Path("/dev/zero"),
    }
    out = [
        (
            name,
            [
                "train",
                "--log",
                str(p),
                "--method",
                "svd",
                "--out",
                str(d / "out" / name),
                "--force",
            ],
        )
        for name, p in files.items()
    ]
    out += [
        ("vec-fifo", ["convert", str(d / "fifo.csv"), str(d / "out" / "fifo.parquet"), "--force"]),
        ("vec-directory", ["neighbours", "a", "--vectors", str(d / "out")]),
        ("vec-dev-zero", ["convert", "/dev/zero", str(d / "out" / "zero.parquet"), "--force"]),
        ("vec-symlink-loop", ["neighbours", "a", "--vectors", str(d / "loop_a.csv")]),
    ]
    return out


def _fifo(path: Path) -> Path:
    if not path.exists():
        os.mkfifo(path)
    return path


def _loop(a: Path, b: Path) -> Path:
    if not a.is_symlink():
        a.symlink_to(b)
        b.symlink_to(a)
    return a


def _digest(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes (the user's files, to compare after a run)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _fresh(folder: Path, files: dict[str, bytes]) -> Path:
    """``folder`` emptied and holding exactly ``files`` (relative name → bytes)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _kept(folder: Path, before: dict[str, bytes]) -> bool:
    """Whether every file of ``before`` is still in ``folder`` with the same bytes."""
    now = _digest(folder) if folder.exists() else {}
    return all(now.get(name) == data for name, data in before.items())


def ownership_cases(d: Path) -> list[tuple]:
    """Round 3 (issue 23): nothing of the user's is ever deleted, with or without --force.  Each
    case sets its folder up afresh and checks afterwards that the user's files are unchanged."""
    log = (ROOT / "sample_data" / "interactions.csv").read_bytes()
    own = d / "own"
    train = ["train", "--method", "svd", "--param", "factors=3"]
    user_files = {"data/log.csv": log, "data/items.csv": b"item,title\ni0000,One\n"}
    cases = []
    for name, out, force in (
        ("own-out-is-the-input-folder", own / "data", True),
        ("own-out-is-the-input-folder-noforce", own / "data", False),
        ("own-out-is-the-inputs-parent", own, True),
    ):
        argv = [*train, "--log", str(own / "data" / "log.csv"), "--out", str(out)]
        argv += ["--metadata", str(own / "data" / "items.csv")] + ["--force"] * force
        cases.append((name, argv, lambda: _fresh(own, user_files), lambda: _kept(own, user_files)))
    mine = {"items.txt": b"my own list\n"}
    for force in (False, True):
        argv = [*train, "--log", str(ROOT / "sample_data" / "interactions.csv")]
        argv += ["--out", str(d / "own-items"), *["--force"] * force]
        cases.append(
            (
                f"own-users-items-txt{'-force' if force else ''}",
                argv,
                lambda: _fresh(d / "own-items", mine),
                lambda: _kept(d / "own-items", mine),
            )
        )
    notes = {"analysis-notes.md": b"what I found\n"}
    argv = [*train, "--log", str(ROOT / "sample_data" / "interactions.csv")]
    argv += ["--out", str(d / "own-notes")]

    def ours_with_notes():
        _fresh(d / "own-notes", {})  # (removed: the run below writes it as ours)
        subprocess.run([sys.executable, "-m", "embedlab.core.cli", *argv], capture_output=True)
        (d / "own-notes" / "analysis-notes.md").write_bytes(notes["analysis-notes.md"])

    for force in (False, True):
        cases.append(
            (
                f"own-notes-in-our-folder{'-force' if force else ''}",
                argv + ["--force"] * force,
                ours_with_notes,
                lambda: _kept(d / "own-notes", notes),
            )
        )
    return cases


def escape_cases(d: Path) -> list[tuple[str, list[str]]]:
    """Titles and keys holding terminal escapes (clear screen, OSC-8 hyperlink, C1 CSI, bidi):
    nothing raw may reach the terminal (``esc`` counts ESC/C1 bytes in the case's output)."""
    path = d / "escapes.parquet"
    if not path.exists():
        import pandas as pd

        from embedlab.core import Embeddings, io

        titles = [
            "plain",
            "Film\x1b[2J\x1b[H",
            "x\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
            "y\x9b31m\u202egnp.exe",
        ]
        vecs = np.array([[1, 0], [1, 0.1], [1, 0.2], [1, 0.3]], np.float32)
        meta = pd.DataFrame({"title": titles})
        io.save(Embeddings(["a", "b", "c\x1b[31m", "d"], vecs, metadata=meta), path)
    text = _write(d / "esc.txt", b"2 2\n\x1b[2Jkey 1.0 2.0\ngood 1.5 2.5\n")
    return [
        ("esc-titles-neighbours", ["neighbours", "a", "--vectors", str(path)]),
        ("esc-titles-neighbours-json", ["neighbours", "a", "--vectors", str(path), "--json"]),
        ("esc-key-in-small-txt", ["neighbours", "good", "--vectors", str(text)]),
    ]


def round3_cases(d: Path) -> list[tuple[str, list[str]]]:
    """Wide files, a 1M-row evaluation, suspicious data (issue 23)."""
    wide = d / "wide10k.csv"
    if not wide.exists():
        cols, tail = 10_000, ("1," * 9_997 + "1\n").encode()
        with open(wide.with_suffix(".part"), "wb") as f:
            f.write(
                (",".join(["user", "item"] + [f"c{i}" for i in range(2, cols)]) + "\n").encode()
            )
            i = 0
            while f.tell() < 180 << 20:
                f.write(f"u{i % 500},i{i % 100},".encode() + tail)
                i += 1
        wide.with_suffix(".part").replace(wide)
    big = d / "events1m.csv"
    if not big.exists():
        rng = np.random.default_rng(0)
        n = 1_000_000
        frame = np.column_stack(
            [rng.integers(0, 50_000, n), rng.zipf(1.3, n) % 20_000, rng.integers(0, 10**7, n)]
        )
        with open(big.with_suffix(".part"), "w") as f:
            f.write("user,item,time\n")
            f.writelines(f"u{u},i{i},{1_600_000_000 + t}\n" for u, i, t in frame)
        big.with_suffix(".part").replace(big)
    suspect = _write(
        d / "suspect.csv",
        b"user,item,rating,time\nu1,i1,5,1600000000\nu1,i2,-3,1600000100\n"
        b"u2,i1,1e300,1600000000000\nu2,i2,4,1600000200000\nu3,i1,2,1600000300\n"
        b"u3;i2;4;1600000400\nu4;i1;4;1600000500\nu4,i2,3,1600000600\n",
    )
    out = str(d / "out" / "round3")
    return [
        (
            "wide-10k-columns-train",
            [
                "train",
                "--log",
                str(wide),
                "--method",
                "svd",
                "--param",
                "factors=4",
                "--out",
                out,
                "--force",
            ],
        ),
        ("eval-als-1m-rows", ["evaluate", "recs", "--log", str(big), "--method", "als"]),
        (
            "suspicious-weights-times-delimiters",
            [
                "train",
                "--log",
                str(suspect),
                "--method",
                "svd",
                "--param",
                "factors=1",
                "--out",
                out,
                "--force",
            ],
        ),
    ]


def param_cases(d: Path) -> list[tuple[str, list[str]]]:
    """Parameter values that would run for hours, days or forever."""
    log = str(ROOT / "sample_data" / "interactions.csv")
    huge = [
        ("item2vec", "epochs=1000000"),
        ("item2vec", "epochs=1000"),
        ("item2vec", "window=100000"),
        ("item2vec", "negative=100000"),
        ("item2vec", "vector_size=100000"),
        ("item2vec", "min_count=1000000"),
        ("graph", "walks_per_item=100000"),
        ("graph", "walk_length=1000"),
        ("graph", "p=1e-300"),
        ("als", "factors=100000"),
        ("als", "iterations=100000000"),
        ("als", "regularization=1e308"),
        ("svd", "n_iter=1000000"),
        ("supervised", "epochs=1000"),
        ("supervised", "max_pairs=1000000000"),
        ("supervised", "batch_size=1"),
    ]
    return [
        (
            f"param-{method}-{value.split('=')[0]}-huge",
            [
                "train",
                "--log",
                log,
                "--method",
                method,
                "--param",
                value,
                "--out",
                str(d / "out" / "ph"),
                "--force",
            ],
        )
        for method, value in huge
    ]


def swap_case(d: Path) -> dict:
    """Kill ``train --out`` between its two renames (the test hook pauses it there), then load the
    folder: the old model must come back.  Measured like the other cases (the slowest step)."""
    import select

    out = d / "out" / "swapped"
    first = run_measured(
        [
            "train",
            "--log",
            str(ROOT / "sample_data" / "interactions.csv"),
            "--method",
            "svd",
            "--param",
            "factors=4",
            "--out",
            str(out),
            "--force",
        ]
    )
    ready_r, ready_w = os.pipe()
    wait_r, wait_w = os.pipe()
    sys.path.insert(0, str(ROOT))
    from tests.hardening_support import PAUSED_AT_SWAP  # the CLI, paused between the renames

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSED_AT_SWAP,
            str(ready_w),
            str(wait_r),
            "train",
            "--log",
            str(ROOT / "sample_data" / "interactions.csv"),
            "--method",
            "svd",
            "--param",
            "factors=6",
            "--out",
            str(out),
            "--force",
        ],
        env=env,
        pass_fds=(ready_w, wait_r),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(ready_w)
    os.close(wait_r)
    paused = bool(select.select([ready_r], [], [], 120)[0]) and os.read(ready_r, 1) == b"x"
    proc.kill()
    proc.wait()
    os.close(ready_r)
    os.close(wait_w)
    absent = not out.exists()
    load = run_measured(["neighbours", "i0000", "--vectors", str(out), "--json"])
    # a read uses the old copy where it lies (renames nothing); the next writer puts it back
    olds = list(out.parent.glob(".swapped.old-*"))
    read_in_place = not out.exists() and len(olds) == 1 and (olds[0] / "report.json").exists()
    row = {k: max(first[k], load[k]) for k in ("seconds", "max_rss_mb", "cpu_seconds")}
    lost = not (paused and absent and load["exit"] == 0 and read_in_place)
    return {
        **load,
        **row,
        "data_lost": lost,
        "stderr": load["stderr"] or ("restored" if not lost else "LOST"),
    }


# Training caps as a dashboard server's admin sets them (`embedlab dashboard --max-train-minutes 3
# --max-train-mb 400`): on the CLI a run is no longer refused for its time, so without them the
# tiny-row logs' defaults would train for minutes at over 1 GB, which this corpus does not allow.
SERVER_CAPS = {"EMBEDLAB_MAX_TRAIN_MINUTES": "3", "EMBEDLAB_MAX_TRAIN_MB": "400"}


def run_case(argv: list[str], timeout: float = 120) -> dict:
    env = {**os.environ, **SERVER_CAPS, "PYTHONPATH": str(ROOT)}
    env.pop("EMBEDLAB_DEBUG", None)
    while "--env" in argv:  # "--env NAME=VALUE" is for this script, not the CLI
        i = argv.index("--env")
        name, _, value = argv[i + 1].partition("=")
        env[name] = value
        argv = argv[:i] + argv[i + 2 :]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "embedlab.core.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    # communicate() reaped the child; its peak RSS is in the children's rusage delta (see below)
    seconds = time.perf_counter() - start
    text = err.decode("utf-8", "replace").strip()
    return {
        "exit": proc.returncode,
        "seconds": round(seconds, 2),
        "timed_out": timed_out,
        "traceback": "Traceback" in text,
        "stderr_lines": len(text.splitlines()) if text else 0,
        "stderr": text.splitlines()[-1][:200] if text else "",
        # raw terminal controls in what the command printed: ESC, the C1 CSI (UTF-8), BEL
        "esc": sum((out + err).count(b) for b in (b"\x1b", b"\xc2\x9b", b"\x07")),
    }


def run_measured(argv: list[str], timeout: float = 120) -> dict:
    """Run one case in a fresh intermediate process so RUSAGE_CHILDREN is the case's own peak."""
    here = str(Path(__file__).parent)
    code = (
        f"import json,resource,sys; sys.path.insert(0, {here!r}); "
        "from hostile_corpus import run_case; "
        f"r = run_case(json.loads(sys.argv[1]), {timeout!r}); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "r['max_rss_mb'] = round(u.ru_maxrss / 1024); "
        "r['cpu_seconds'] = round(u.ru_utime + u.ru_stime, 2); "
        "print(json.dumps(r))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(argv)], capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/embedlab-hostile")
    ap.add_argument("--only", default=None, help="run only cases whose name contains this")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    d = Path(args.dir)
    (d / "out").mkdir(parents=True, exist_ok=True)
    cases = (
        vector_cases(d)
        + log_cases(d)
        + flood_cases(d)
        + odd_cases(d)
        + param_cases(d)
        + escape_cases(d)
        + round3_cases(d)
        + ownership_cases(d)
        + [("swap-killed", None)]
    )
    rows = []
    for name, argv, *checked in cases:
        if args.only and args.only not in name:
            continue
        if checked:  # (setup, check): the user's files set up afresh, then checked unchanged
            checked[0]()
        r = {"case": name, **(run_measured(argv) if argv else swap_case(d))}
        if checked:
            r["data_lost"] = not checked[1]()
        rows.append(r)
        bad = (
            r["traceback"]
            or r["exit"] not in (0, 2)
            or r["stderr_lines"] > 1
            or r["max_rss_mb"] > 1024
            or r["seconds"] > 30
            or r.get("data_lost")
            or r.get("esc")
        )
        print(
            f"{'BAD ' if bad else 'ok  '}{name:<28} exit={r['exit']} {r['seconds']:>6.2f}s "
            f"cpu {r['cpu_seconds']:>6.2f}s "
            f"{r['max_rss_mb']:>5} MB  {r['stderr'][:110]}",
            flush=True,
        )
    summary = {
        "cases": len(rows),
        "tracebacks": sum(r["traceback"] for r in rows),
        "bad_exit": sum(r["exit"] not in (0, 2) for r in rows),
        "multi_line_stderr": sum(r["stderr_lines"] > 1 for r in rows),
        "max_rss_mb": max((r["max_rss_mb"] for r in rows), default=0),
        "max_seconds": max((r["seconds"] for r in rows), default=0),
        "max_cpu_seconds": max((r["cpu_seconds"] for r in rows), default=0),
        "data_lost": sum(bool(r.get("data_lost")) for r in rows),
        "esc_on_terminal": sum(bool(r.get("esc")) for r in rows),
        "over_1gb": sum(r["max_rss_mb"] > 1024 for r in rows),
        "over_30s": sum(r["seconds"] > 30 for r in rows),
    }
    print(json.dumps(summary))
    if args.json:
        print(json.dumps(rows, indent=1))
    return (
        0
        if not any(
            summary[k]
            for k in (
                "tracebacks",
                "bad_exit",
                "multi_line_stderr",
                "data_lost",
                "esc_on_terminal",
                "over_1gb",
                "over_30s",
            )
        )
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
