"""Kill a writer mid-way (SIGKILL, synchronised on its temporary output appearing): the old output
still loads intact, or a complete new one does -- never a mix, never a truncated file."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from core import Embeddings
from core import io
from core.io.atomic import MARKER, atomic_folder
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
    big = Embeddings([f"w{i}" for i in range(100_000)], rng.normal(size=(100_000, 50)).astype(np.float32))
    io.save(big, tmp_path / "big.parquet")
    old = Embeddings(["old", "file"], np.eye(2, dtype=np.float32))
    io.save(old, tmp_path / "out.txt")
    before = (tmp_path / "out.txt").read_bytes()
    proc = start_cli("convert", str(tmp_path / "big.parquet"), str(tmp_path / "out.txt"), "--force")
    temp = _wait_for(proc, lambda: next((p for p in tmp_path.glob(".out.txt.tmp-*") if p.stat().st_size > 0), None))
    _kill(proc)
    assert temp is not None and proc.returncode == -signal.SIGKILL, "the writer finished before it was killed"
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
    from core.cli import main
    out = tmp_path / "model"
    assert main(["train", "--log", str(SAMPLE_LOG), "--method", "svd", "--out", str(out),
                 "--param", "factors=4"]) == 0
    old_report = (out / "report.json").read_bytes()
    proc = start_cli("train", "--log", str(SAMPLE_LOG), "--method", "item2vec", "--out", str(out),
                     "--param", "epochs=1", "--param", "vector_size=8")
    seen = _wait_for(proc, lambda: next(iter(tmp_path.glob(".model.tmp-*")), None), timeout=300)
    _kill(proc)
    assert seen is not None, "the trainer finished before it was killed"
    state, _ = _folder_state(out)
    if state == "old":
        assert (out / "report.json").read_bytes() == old_report
    elif state == "absent":  # killed between the two renames: the old folder waits under a hidden name
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
