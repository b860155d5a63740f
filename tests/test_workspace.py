"""The workspace: stored sets survive, are found by id, seen only by who may, and stay in their
cap."""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from embedlab.core import Embeddings
from embedlab.core.workspace import (
    CLI_OWNER,
    MissingSetError,
    Workspace,
    WorkspaceFullError,
    new_browser_id,
)
from tests.paths import ROOT, SAMPLE_LOG


@pytest.fixture
def odd() -> Embeddings:
    keys = ["Toy Story (1995)", "tab\tkey", "![b](http://127.0.0.1:9/x.png)", "naïve café"]
    meta = pd.DataFrame({"title": keys, "genres": ["Comedy|Drama", "Drama", "", "Horror"]})
    return Embeddings(keys, np.arange(8, dtype=np.float32).reshape(4, 2), metadata=meta)


def test_a_stored_set_loads_back_exactly(tmp_path, odd):
    ws = Workspace(tmp_path)
    rec = ws.save_set(odd, "odd", owner=new_browser_id())
    again = Workspace(tmp_path).load_set(rec.id)  # a new process would open it the same way
    assert again.keys == odd.keys
    assert np.array_equal(again.vectors, odd.vectors)
    pd.testing.assert_frame_equal(again.metadata, odd.metadata)
    assert again.provenance.source == odd.provenance.source


def test_the_same_content_is_stored_once_under_two_ids(tmp_path, odd):
    ws = Workspace(tmp_path)
    a, b = ws.save_set(odd, "a", owner="cli"), ws.save_set(odd, "b", owner="cli")
    assert a.id != b.id and a.blob == b.blob
    assert len(list((tmp_path / "blobs").iterdir())) == 1
    ws.delete(a.id)
    assert ws.load_set(b.id).keys == odd.keys  # the payload stays while a record names it
    ws.delete(b.id)
    assert not list((tmp_path / "blobs").iterdir())


def test_a_browser_sees_what_it_made_or_opened_and_the_owner_sees_cli_sets(tmp_path, odd):
    ws = Workspace(tmp_path)
    me, other = new_browser_id(), new_browser_id()
    mine = ws.save_set(odd, "mine", owner=me)
    cli = ws.save_set(odd, "cli", owner=CLI_OWNER)
    assert [r.id for r in ws.visible(other, local=False)] == []
    assert {r.id for r in ws.visible(me, local=True)} == {mine.id, cli.id}
    ws.remember_opened(other, mine.id)
    assert [r.id for r in ws.visible(other, local=False)] == [mine.id]
    ws.forget(other, mine.id)
    assert ws.visible(other, local=False) == []


def test_a_missing_or_malformed_id_says_so(tmp_path):
    ws = Workspace(tmp_path)
    for bad in ("AAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd", ""):
        with pytest.raises(MissingSetError, match="another server"):
            ws.load_set(bad)


def test_rename_and_the_size_cap(tmp_path, odd):
    ws = Workspace(tmp_path, max_bytes=4000)
    rec = ws.save_set(odd, "first", owner="cli")
    assert ws.rename(rec.id, "second").name == "second" and ws.find("second").id == rec.id
    big = Embeddings([f"k{i}" for i in range(200)], np.zeros((200, 8), dtype=np.float32))
    with pytest.raises(WorkspaceFullError, match="delete sets"):
        ws.save_set(big, "big", owner="cli")
    assert [r.name for r in ws.records()] == ["second"]


def test_unclaimed_uploads_are_discarded_and_claimed_ones_kept(tmp_path):
    ws = Workspace(tmp_path)
    loose = ws.store_upload(b"u,i\n1,a\n", "../../loose.csv")
    kept = ws.store_upload(b"u,i\n1,b\n", "kept.csv")
    assert (
        loose.name == "loose.csv" and loose.parent.parent == tmp_path / "uploads"
    )  # no way out of the folder
    ws.save_log("kept", kept, {"format": "auto"}, owner="cli")
    ws.discard_uploads([loose, kept])
    assert not loose.exists() and kept.exists()
    (tmp_path / "tmp" / "half-written").write_bytes(b"x")
    assert ws.clean_tmp() == 1 and ws.prune_uploads(older_than=0) == 0


def test_cli_train_save_then_sets_list_and_rm(tmp_path):
    # the --workspace option, not the session's EMBEDLAB_WORKSPACE, names the workspace here; the
    # rest of the environment (HOME, the cache) stays the session's temporary one
    env = {k: v for k, v in os.environ.items() if k != "EMBEDLAB_WORKSPACE"}
    env["PYTHONPATH"] = str(ROOT)

    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "embedlab.core.cli", *a, "--workspace", str(tmp_path / "ws")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
        )

    made = run(
        "train",
        "--log",
        str(SAMPLE_LOG),
        "--method",
        "svd",
        "--out",
        str(tmp_path / "out"),
        "--save",
        "my svd",
    )
    assert made.returncode == 0, made.stderr
    listed = json.loads(run("sets", "list", "--json").stdout)
    assert [s["name"] for s in listed["sets"]] == ["my svd"] and listed["sets"][0]["owner"] == "cli"
    assert run("sets", "rm", "my svd").returncode == 0
    missing = run("sets", "rm", "my svd")
    assert (
        missing.returncode == 2
        and "no stored set" in missing.stderr
        and "Traceback" not in missing.stderr
    )
