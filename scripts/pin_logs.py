"""Pin what reading a log gives (every Interactions array, hashed, and the report's counts), or
compare with an earlier pin: a change to the log reader must change nothing for files that loaded
before (a report may gain keys; ``compare`` lists them apart).

    python scripts/pin_logs.py pin /tmp/logs-before.json [LOG ...]
    python scripts/pin_logs.py compare /tmp/logs-before.json /tmp/logs-after.json

Without LOG arguments it pins the shipped samples; give the real files you hold too (e.g.
groceries.csv, online-retail.csv.gz).  Reading options are fixed per file (see ``CASES``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from embedlab.core.logs import prepare

SAMPLES = ["sample_data/interactions.csv", "sample_data/baskets.csv"]
CASES = {  # file name -> extra prepare keywords (besides the defaults)
    "interactions.csv": [{}, {"metadata": "sample_data/items.csv"}],
    "online-retail.csv.gz": [{}, {"metadata_cols": ["Description"]}],
}
COUNTS = ("rows_read", "rows_kept", "dropped", "sample_rows", "filtered", "columns", "users")
COUNTS += ("items", "sessions", "time_unit")


def _digest(values) -> str:
    if values is None:
        return "none"
    arr = np.asarray(values)
    if arr.dtype == object:
        data = "\x1f".join(map(str, arr.tolist())).encode()
    else:
        data = np.ascontiguousarray(arr).tobytes() + str(arr.dtype).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def describe(path: str, **options) -> dict:
    inter = prepare(path, **options)
    out = {name: _digest(getattr(inter, name)) for name in ("user", "item", "session")}
    out.update({name: _digest(getattr(inter, name)) for name in ("time", "weight", "rows")})
    out.update({name: _digest(getattr(inter, name)) for name in ("users", "items")})
    out["baskets"] = inter.baskets
    meta = inter.item_metadata
    out["metadata"] = None if meta is None else {c: _digest(meta[c]) for c in meta.columns}
    report = inter.report.to_dict()
    out["report"] = {k: report[k] for k in COUNTS}
    out["report"]["metadata"] = report["metadata"]
    return out


def pin(target: Path, logs: list[str]) -> None:
    pins = {}
    for path in logs or SAMPLES:
        for options in CASES.get(Path(path).name, [{}]):
            key = f"{Path(path).name} {json.dumps(options, sort_keys=True)}"
            pins[key] = describe(path, **options)
            print(f"pinned {key}", file=sys.stderr)
    target.write_text(json.dumps(pins, indent=1, sort_keys=True, default=str))


def _changes(old, new, where: str = "") -> tuple[list[str], list[str]]:
    """(values changed or removed, keys added): a report may gain keys, never change old ones."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return ([] if old == new else [f"{where}: {old!r} -> {new!r}"]), []
    changed, added = [], [f"{where}.{k}" for k in new if k not in old]
    for key in old:
        c, a = _changes(old[key], new.get(key, "<removed>"), f"{where}.{key}")
        changed, added = changed + c, added + a
    return changed, added


def compare(old: Path, new: Path) -> int:
    a, b = json.loads(old.read_text()), json.loads(new.read_text())
    differences = 0
    for key in sorted(set(a) | set(b)):
        changed, added = _changes(a.get(key), b.get(key))
        differences += bool(changed)
        print(f"{'DIFFERS' if changed else 'same'}: {key}")
        for line in changed:
            print(f"  changed {line}")
        if added:
            print(f"  added {', '.join(added)}")
    return 1 if differences else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["pin"]:
        pin(Path(sys.argv[2]), sys.argv[3:])
    elif sys.argv[1:2] == ["compare"]:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
