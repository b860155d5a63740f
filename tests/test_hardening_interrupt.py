"""Kill a writer mid-way (SIGKILL, synchronised on its temporary output appearing): the old output
still loads intact, or a complete new one does -- never a mix, never a truncated file."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from embedlab.core import Embeddings, io
from embedlab.core.io.atomic import MARKER, atomic_folder
from tests.hardening_support import start_cli
from tests.paths import SAMPLE_LOG


def _wait_for(proc, found, timeout: float = 120.0):
    """Poll until ``found()`` returns something (or the process ends); returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hit = found()
        if hit or proc.poll() is not None:
            return hit
        time.sleep(0.002)
    raise AssertionError("the writer never produced its temporary output")


def _kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_convert_killed_mid_write_leaves_the_old_file_intact(tmp_path):
    rng = np.random.default_rng(1)
    big = Embeddings(
        [f"w{i}" for i in range(100_000)], rng.normal(size=(100_000, 50)).astype(np.float32)
    )
    io.save(big, tmp_path / "big.parquet")
    old = Embeddings(["old", "file"], np.eye(2, dtype=np.float32))
    io.save(old, tmp_path / "out.txt")
    before = (tmp_path / "out.txt").read_bytes()
    proc = start_cli("convert", str(tmp_path / "big.parquet"), str(tmp_path / "out.txt"), "--force")
    temp = _wait_for(
        proc,
        lambda: next((p for p in tmp_path.glob(".out.txt.tmp-*") if p.stat().st_size > 0), None),
    )
    _kill(proc)
    assert temp is not None and proc.returncode == -signal.SIGKILL, (
        "the writer finished before it was killed"
    )
    assert (tmp_path / "out.txt").read_bytes() == before
    assert io.load(tmp_path / "out.txt").keys == ["old", "file"]


def _folder_state(out: Path):
    """('absent'|'old'|'new', report) after checking the folder is whole."""
    if not out.exists():
        return "absent", None
    report = json.loads((out / "report.json").read_text())
    names = {p.name for p in out.iterdir()}
    assert set(report["files"]) <= names, names
    emb = io.load(out)
    assert len(emb) == report["items"]
    return ("new" if MARKER in names and report["method"] == "item2vec" else "old"), report


def test_train_killed_while_writing_never_leaves_a_mixed_folder(tmp_path):
    from embedlab.core.cli import main

    out = tmp_path / "model"
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "svd",
                "--out",
                str(out),
                "--param",
                "factors=4",
            ]
        )
        == 0
    )
    old_report = (out / "report.json").read_bytes()
    proc = start_cli(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        "item2vec",
        "--out",
        str(out),
        "--param",
        "epochs=1",
        "--param",
        "vector_size=8",
    )
    seen = _wait_for(proc, lambda: next(iter(tmp_path.glob(".model.tmp-*")), None), timeout=300)
    _kill(proc)
    assert seen is not None, "the trainer finished before it was killed"
    state, _ = _folder_state(out)
    if state == "old":
        assert (out / "report.json").read_bytes() == old_report
    elif (
        state == "absent"
    ):  # killed between the two renames: the old folder waits under a hidden name
        kept = next(tmp_path.glob(".model.old-*"))
        assert (kept / "report.json").read_bytes() == old_report


def test_a_failed_folder_write_leaves_the_old_folder_and_no_temp(tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "report.json").write_text("{}")
    with pytest.raises(RuntimeError):
        with atomic_folder(out) as tmp:
            (tmp / "items.txt").write_text("half")
            raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert [p.name for p in out.iterdir()] == ["report.json"]


def _start_paused_at_swap(*argv: str):
    """Start the CLI paused between a folder write's two renames (tests.hardening_support's
    PAUSED_AT_SWAP): returns (process, what it said, the pipe end that would let it go on) once
    it sits there (b"x") or has died (b"")."""
    import os
    import select
    import subprocess
    import sys

    from tests.hardening_support import PAUSED_AT_SWAP, ROOT, cli_env

    ready_r, ready_w = os.pipe()
    wait_r, wait_w = os.pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_AT_SWAP, str(ready_w), str(wait_r), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cli_env(),
        cwd=ROOT,
        pass_fds=(ready_w, wait_r),
    )
    os.close(ready_w)
    os.close(wait_r)
    readable, _, _ = select.select([ready_r], [], [], 300)
    said = os.read(ready_r, 1) if readable else b""
    os.close(ready_r)
    return proc, said, wait_w


def test_a_folder_left_absent_between_the_renames_is_restored_on_load(tmp_path):
    import os

    from embedlab.core.cli import main

    out = tmp_path / "model"
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "svd",
                "--out",
                str(out),
                "--param",
                "factors=4",
            ]
        )
        == 0
    )
    old_report = (out / "report.json").read_bytes()
    proc, said, wait_w = _start_paused_at_swap(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        "svd",
        "--out",
        str(out),
        "--param",
        "factors=6",
    )
    _kill(proc)
    os.close(wait_w)
    assert said == b"x", proc.stderr.read()
    assert not out.exists()  # killed between the renames: the old folder waits under a hidden name
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == [".model.old", ".model.tmp"]
    emb = io.load(out)  # loading puts the old folder back, and says so
    assert (out / "report.json").read_bytes() == old_report and emb.dim == 4
    assert "restored" in emb.notes[0] and ".model.old-" in emb.notes[0]
    # the next write removes the killed writer's temporary folder and completes normally
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "svd",
                "--out",
                str(out),
                "--param",
                "factors=5",
            ]
        )
        == 0
    )
    assert [p.name for p in tmp_path.iterdir()] == ["model"] and io.load(out).dim == 5


def test_the_next_write_restores_an_absent_folder_before_checking_it(tmp_path):
    import os

    from embedlab.core.cli import main

    out = tmp_path / "model"
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "svd",
                "--out",
                str(out),
                "--param",
                "factors=4",
            ]
        )
        == 0
    )
    proc, said, wait_w = _start_paused_at_swap(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        "svd",
        "--out",
        str(out),
        "--param",
        "factors=6",
    )
    _kill(proc)
    os.close(wait_w)
    assert said == b"x" and not out.exists()
    (tmp_path / "notes.txt").write_text("mine")  # the user's file beside it is never touched
    assert (
        main(
            [
                "train",
                "--log",
                str(SAMPLE_LOG),
                "--method",
                "svd",
                "--out",
                str(out),
                "--param",
                "factors=3",
            ]
        )
        == 0
    )
    assert (
        sorted(p.name for p in tmp_path.iterdir()) == ["model", "notes.txt"]
        and io.load(out).dim == 3
    )
