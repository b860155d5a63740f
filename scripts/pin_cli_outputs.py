"""Pin the CLI's --json outputs on the sample log, or compare them with an earlier pin.

A restructuring must change no result.  ``pin DIR`` runs train / evaluate recs / sweep on
``sample_data/`` and stores each JSON (plus a hash of every file ``train`` writes) in DIR;
``compare OLD NEW`` prints the differences, ignoring timings and creation stamps.

    python scripts/pin_cli_outputs.py pin /tmp/pins-after [--spark]
    python scripts/pin_cli_outputs.py compare /tmp/pins-before /tmp/pins-after
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

LOG = ["--log", "sample_data/interactions.csv", "--metadata", "sample_data/items.csv"]
COMMANDS = {
    "train_item2vec": ["train", *LOG, "--method", "item2vec", "--evaluate"],
    "train_als": ["train", *LOG, "--method", "als", "--evaluate"],
    "evaluate_recs_item2vec": ["evaluate", "recs", *LOG, "--method", "item2vec"],
    "evaluate_recs_als": ["evaluate", "recs", *LOG, "--method", "als"],
    "sweep_small": ["sweep", *LOG, "--values", "200,1000", "--seeds", "2"],
}
SPARK = {
    "spark_train_als": ["train", *LOG, "--method", "als", "--engine", "spark", "--evaluate"],
    "spark_train_item2vec": [
        "train",
        *LOG,
        "--method",
        "item2vec",
        "--engine",
        "spark",
        "--param",
        "epochs=2",
    ],
}
IGNORED = {"seconds", "timings", "created", "versions", "sweep_seconds", "master"}


def pin(folder: Path, spark: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, cmd in {**COMMANDS, **(SPARK if spark else {})}.items():
        with tempfile.TemporaryDirectory() as out:
            full = [sys.executable, "-m", "embedlab.core.cli", *cmd, "--json"]
            if cmd[0] == "train":
                full += ["--out", out]
            proc = subprocess.run(full, capture_output=True, text=True, check=True)
            data = json.loads(proc.stdout)
            if cmd[0] == "train":
                data["_file_hashes"] = {
                    p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
                    for p in sorted(Path(out).iterdir())
                    if p.is_file() and p.name != "report.json"
                }
        (folder / f"{name}.json").write_text(json.dumps(data, indent=1, sort_keys=True))
        print(f"pinned {name}", file=sys.stderr)


def strip(value, path=""):
    """The value without timings (keys in IGNORED or ending in _s) and without volatile paths."""
    if isinstance(value, dict):
        return {
            k: strip(v, f"{path}.{k}")
            for k, v in value.items()
            if k not in IGNORED and not k.endswith("_s")
        }
    if isinstance(value, list):
        return [strip(v, path) for v in value]
    return value


def diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'new' if k in b else 'old'}")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def compare(old: Path, new: Path) -> int:
    bad = 0
    for f in sorted(old.glob("*.json")):
        other = new / f.name
        if not other.exists():
            print(f"{f.name}: missing in {new}")
            bad += 1
            continue
        d = diff(strip(json.loads(f.read_text())), strip(json.loads(other.read_text())))
        d = [x for x in d if "/tmp" not in x]  # train --out folders are temporary
        print(f"{f.name}: {'equal (timings aside)' if not d else f'{len(d)} differences'}")
        for line in d[:20]:
            print("   ", line)
        bad += bool(d)
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "pin":
        pin(Path(sys.argv[2]), "--spark" in sys.argv)
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
