"""Ownership, not name patterns: a folder is embedlab's only when its marker lists everything in it;
anything else is the user's and survives every run, with or without --force; an input (or a folder
holding one, at any depth) is never removed, moved or replaced; a read renames nothing; outputs
follow the user's umask."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from embedlab.core import io
from embedlab.core.errors import OutputError
from embedlab.core.io.atomic import MARKER, atomic_file, atomic_folder, remove_stale_temps
from tests.hardening_support import assert_contract, run_cli
from tests.paths import SAMPLE_LOG


def _digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name → SHA-256 of its bytes)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _train(out: Path, *extra: str, log: Path = SAMPLE_LOG):
    return run_cli(
        "train",
        "--log",
        str(log),
        "--method",
        "svd",
        "--param",
        "factors=3",
        "--out",
        str(out),
        *extra,
        cpu_seconds=60,
    )


@pytest.fixture
def inputs(tmp_path):
    """A log and a metadata file of the user's, in a folder ``data/`` two levels down."""
    data = tmp_path / "top" / "data"
    data.mkdir(parents=True)
    shutil.copy(SAMPLE_LOG, data / "log.csv")
    (data / "items.csv").write_text("item,title\ni1,One\n", encoding="utf-8")
    return data


@pytest.mark.parametrize("where", ["the input's folder", "its parent", "the grandparent"])
@pytest.mark.parametrize("force", [False, True])
def test_an_output_folder_holding_the_inputs_is_refused_and_the_inputs_kept(inputs, where, force):
    out = {"the input's folder": inputs, "its parent": inputs.parent}.get(
        where, inputs.parent.parent
    )
    before = _digest(out)
    run = _train(out, "--metadata", str(inputs / "items.csv"), *(["--force"] * force))
    assert_contract(run)
    assert run.code == 2 and "holds the input" in run.stderr
    assert _digest(out) == before  # the log, the metadata and everything beside them unchanged


def test_an_output_inside_an_input_folder_is_refused(tmp_path):
    vectors = tmp_path / "spark-items"
    vectors.mkdir()
    (vectors / "part-0.csv").write_text("user,item\nu,i\n")
    run = _train(vectors / "run", "--force", log=vectors)
    assert run.code == 2 and "inside the input folder" in run.stderr
    assert [p.name for p in vectors.iterdir()] == ["part-0.csv"]


def test_a_log_copied_into_a_folder_of_ours_is_never_deleted(tmp_path):
    out = tmp_path / "model"
    assert _train(out).code == 0
    shutil.copy(SAMPLE_LOG, out / "log.csv")
    for extra in ((), ("--force",)):
        run = _train(out, *extra, log=out / "log.csv")
        assert run.code == 2 and "holds the input" in run.stderr
        assert (out / "log.csv").read_bytes() == SAMPLE_LOG.read_bytes()


def test_a_users_folder_with_only_a_file_named_like_ours_is_not_ours(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "items.txt").write_text("my own list\n")
    run = _train(out)
    assert run.code == 2 and "did not write" in run.stderr
    run = _train(out, "--force")  # --force replaces only what embedlab wrote
    assert run.code == 2 and "move items.txt away" in run.stderr
    assert _digest(out) == {"items.txt": hashlib.sha256(b"my own list\n").hexdigest()}


def test_notes_saved_in_a_folder_of_ours_survive_every_run(tmp_path):
    out = tmp_path / "model"
    assert _train(out).code == 0
    (out / "analysis-notes.md").write_text("what I found\n")
    run = _train(out)
    assert run.code == 2 and "analysis-notes.md" in run.stderr and "--force" in run.stderr
    run = _train(out, "--force", "--param", "factors=5")  # written beside the notes
    assert run.code == 0, run.stderr
    assert (out / "analysis-notes.md").read_text() == "what I found\n"
    assert io.load(out).dim == 5
    listed = json.loads((out / MARKER).read_text())["files"]
    assert "analysis-notes.md" not in listed and {"items.txt", "report.json"} <= set(listed)


def test_an_output_file_edited_by_the_user_is_theirs_again(tmp_path):
    out = tmp_path / "model"
    assert _train(out).code == 0
    with open(out / "items.txt", "a", encoding="utf-8") as f:
        f.write("# my comment\n")
    edited = (out / "items.txt").read_bytes()
    for extra in ((), ("--force",)):
        assert _train(out, *extra).code == 2
    assert (out / "items.txt").read_bytes() == edited


def test_force_beside_the_users_files_replaces_ours_and_drops_our_stale_files(tmp_path):
    out = tmp_path / "model"
    with atomic_folder(out) as tmp:
        (tmp / "users.parquet").write_bytes(b"old users")
        (tmp / "items.txt").write_bytes(b"old items")
    (out / "mine.txt").write_text("keep")
    with pytest.raises(OutputError, match="did not write"):
        with atomic_folder(out) as tmp:
            (tmp / "items.txt").write_bytes(b"new items")
    with atomic_folder(out, force=True) as tmp:
        (tmp / "items.txt").write_bytes(b"new items")
    assert _digest(out).keys() == {MARKER, "items.txt", "mine.txt"}
    assert (out / "items.txt").read_bytes() == b"new items" and (out / "mine.txt").read_text() == (
        "keep"
    )
    assert set(json.loads((out / MARKER).read_text())["files"]) == {"items.txt"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary folder left


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_read_never_renames_and_hidden_lookalikes_of_the_users_survive(tmp_path):
    pid = _dead_pid()
    mine = tmp_path / f".model.old-{pid}-abcdefgh"  # a folder of the user's with our naming
    mine.mkdir()
    (mine / "items.txt").write_text("a 1.0 2.0\n")
    also = tmp_path / f".model.tmp-{pid}-abcdefgh"
    also.mkdir()
    (also / "notes").write_text("mine")
    run = run_cli("neighbours", "a", "--vectors", str(tmp_path / "model"), cpu_seconds=30)
    assert run.code == 2 and "no such file" in run.stderr
    remove_stale_temps(tmp_path / "model")  # what every writer does first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, also.name])
    assert (mine / "items.txt").read_text() == "a 1.0 2.0\n"


def test_outputs_follow_the_users_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_file(tmp_path / "v.txt") as tmp:
            tmp.write_text("x")
        with atomic_folder(tmp_path / "model") as tmp:
            (tmp / "report.json").write_text("{}")
    finally:
        os.umask(old)
    modes = {
        p.name: p.stat().st_mode & 0o777
        for p in [tmp_path / "v.txt", tmp_path / "model", *(tmp_path / "model").iterdir()]
    }
    assert modes == {
        "v.txt": 0o640,
        "model": 0o750,
        "report.json": 0o640,
        MARKER: 0o640,
    }


def test_a_symlink_loop_given_as_the_log_is_one_clear_error(tmp_path):
    from tests.hardening_support import run_cli

    a, b = tmp_path / "loop_a.csv", tmp_path / "loop_b.csv"
    a.symlink_to(b)
    b.symlink_to(a)
    run = run_cli("train", "--log", str(a), "--method", "svd", "--out", str(tmp_path / "o"))
    assert run.code == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "is a symbolic link that leads to no file (a loop" in run.stderr
    assert not (tmp_path / "o").exists()
