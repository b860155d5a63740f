"""The dashboard's state package: the workspace follows EMBEDLAB_WORKSPACE at the time of use (one
opened workspace per root), and every session key follows one naming scheme."""

import numpy as np
import pytest

from embedlab.core import Embeddings
from embedlab.core.workspace import MissingSetError, Workspace
from embedlab.dashboard.state import caches, keys
from embedlab.dashboard.state.controls import Control


def test_the_workspace_root_is_read_at_each_use(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path / "a"))
    first = caches.workspace()
    assert first.root == tmp_path / "a" and (tmp_path / "a" / "sets").is_dir()
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path / "b"))
    assert caches.workspace().root == tmp_path / "b"
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path / "a"))
    assert caches.workspace() is first  # each root opened (and swept) once per process


def test_without_the_variable_the_users_data_folder_of_the_moment(tmp_path, monkeypatch):
    monkeypatch.delenv("EMBEDLAB_WORKSPACE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert caches.workspace_root() == Workspace.default_root() == tmp_path / "data" / "embedlab"


def test_the_size_cap_follows_its_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("EMBEDLAB_WORKSPACE_MB", "1.5")
    assert caches.workspace().max_bytes == int(1.5 * 1024**2)
    monkeypatch.delenv("EMBEDLAB_WORKSPACE_MB")
    assert caches.workspace().max_bytes == 2048 * 1024**2


def test_a_stored_set_is_served_from_the_current_workspace_only(tmp_path, monkeypatch):
    emb = Embeddings(["a", "b"], np.eye(2))
    rec = Workspace(tmp_path / "a").save_set(emb, "mine", owner="cli")
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path / "a"))
    assert caches.stored_set(rec.id).keys == ["a", "b"]
    monkeypatch.setenv("EMBEDLAB_WORKSPACE", str(tmp_path / "b"))
    with pytest.raises(MissingSetError):  # not the set cached from the other workspace
        caches.stored_set(rec.id)


def test_session_keys_are_owner_dot_name_and_declared_once():
    slots = [v for v in vars(keys).values() if isinstance(v, keys.Slot)]
    families = [keys.KEPT, keys.KEPT_SET, keys.DATA_NAME, keys.MAP_CANVAS, keys.SIDEBAR_SET]
    names = [s.key for s in slots] + families
    assert len(slots) >= 15 and len(names) == len(set(names))
    assert all(keys.SCHEME.match(n) for n in names)
    assert keys.family(keys.DATA_NAME, "a1:b") == "data.name.a1:b"
    for bad in ("latest_log", "map_points", "map.3d", "Map.points", "sweep"):
        with pytest.raises(ValueError, match="is not '<owner>.<name>'"):
            keys.Slot(bad)
        with pytest.raises(ValueError, match="is not '<page>.<name>'"):
            Control(bad, None, 0)


def _dashboard_sources():
    import ast

    from tests.paths import ROOT

    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        if "state" not in path.relative_to(ROOT / "dashboard").parts[:1]:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_pages_reach_the_session_only_through_the_state_package():
    import ast

    raw = [
        f"{path.name}:{node.lineno}"
        for path, tree in _dashboard_sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "session_state"
    ]
    assert raw == []


def test_widget_and_control_keys_written_in_pages_follow_the_scheme():
    import ast
    import re

    prefix = re.compile(r"^[a-z][a-z0-9_]*\.([a-z][a-z0-9_]*\.?)?$")  # "data.column." {role}
    seen, bad = 0, []
    for path, tree in _dashboard_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            args = [k.value for k in node.keywords if k.arg == "key"]
            if getattr(node.func, "attr", getattr(node.func, "id", "")) == "Control":
                args += node.args[:1]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    seen += 1
                    bad += [] if keys.SCHEME.match(arg.value) else [f"{path.name}: {arg.value}"]
                elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                    seen += 1  # an f-string: its fixed start names owner (and family)
                    head = arg.values[0].value
                    bad += [] if prefix.match(head) else [f"{path.name}: {head}..."]
    assert seen >= 40 and bad == []
