"""The shape of the house: no import cycle among core/ modules, evaluation never reaches training.

Imports are read with ``ast`` (nothing is imported), deferred imports inside functions included:
a cycle that only closes at call time is still a cycle a reader has to hold in their head.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def core_modules() -> dict[str, Path]:
    mods = {}
    for f in sorted((ROOT / "core").rglob("*.py")):
        name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = f
    return mods


def imported(mods: dict[str, Path], name: str) -> set[str]:
    """The core modules ``name`` imports (a package counts when its ``__init__`` is imported)."""
    package = name if mods[name].name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(mods[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            candidates = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        # a module importing its own parent package is not an edge (Python imports the parent first)
        out |= {c for c in candidates if c in mods and c != name and not name.startswith(c + ".")}
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if start in state:
            continue
        path, iters = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(sorted(graph[nxt])))
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_imports_resolve_to_modules():
    mods = core_modules()
    assert "core.errors" in imported(mods, "core.logs.rules")  # from ..errors import DataError
    assert "core.logs.read" in imported(mods, "core.logs.metadata")  # from .read import read_log


def test_core_has_no_import_cycle():
    mods = core_modules()
    graph = {m: imported(mods, m) for m in mods}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_evaluation_never_imports_training():
    mods = core_modules()
    bad = {
        m: sorted(t for t in imported(mods, m) if t == "core.train" or t.startswith("core.train."))
        for m in mods
        if m == "core.evaluate" or m.startswith("core.evaluate.")
    }
    assert not {m: t for m, t in bad.items() if t}, bad
