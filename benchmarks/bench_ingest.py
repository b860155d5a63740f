"""Ingest + sessionise a 5-million-row CSV log: rows/s after parsing and peak memory against
the parsed frame.  Each stage runs in its own process so peak RSS is its own.

Run: python benchmarks/bench_ingest.py [rows]
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

STAGE = r"""
import json, sys, time
from embedlab.core.logs import read_log, prepare

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024

path, stage = sys.argv[1], sys.argv[2]
base = rss("VmRSS:")
t = time.perf_counter()
if stage == "parse":
    df = read_log(path)
    out = {"seconds": time.perf_counter() - t, "frame_mb": df.memory_usage(deep=True).sum() / 2**20}
else:
    inter = prepare(path)
    out = {
        "seconds": time.perf_counter() - t,
        "rows": len(inter),
        "sessions": int(inter.session.max() + 1),
    }
out["peak_rss_mb"] = rss("VmHWM:")  # high-water mark of this process only
out["start_rss_mb"] = base
print(json.dumps(out))
"""


def make_log(path: Path, rows: int) -> None:
    """~50 events per user, minutes apart within a session and hours to days between sessions;
    rows shuffled so the loader has to restore time order itself."""
    rng = np.random.default_rng(0)
    users = np.sort(rng.integers(0, rows // 50, rows))
    gaps = np.where(
        rng.random(rows) < 0.15, rng.integers(3600, 5 * 86400, rows), rng.integers(10, 900, rows)
    )
    clock = np.cumsum(gaps)
    first = np.r_[0, np.flatnonzero(np.diff(users)) + 1]
    start = np.repeat(clock[first], np.diff(np.r_[first, rows]))
    times = 1_600_000_000 + rng.integers(0, 10**7, rows // 50 + 1)[users] + clock - start
    order = rng.permutation(rows)
    pd.DataFrame(
        {
            "user_id": np.char.add("u", users[order].astype(str)),
            "item_id": np.char.add("i", rng.zipf(1.3, rows).clip(max=200_000).astype(str)),
            "timestamp": times[order],
            "rating": rng.integers(1, 6, rows),
        }
    ).to_csv(path, index=False)


def run(path: Path, stage: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STAGE, str(path), stage],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(out.stdout)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        t = time.perf_counter()
        make_log(path, rows)
        made_s = time.perf_counter() - t
        print(f"generated {rows:,} rows ({path.stat().st_size / 2**20:.0f} MB) in {made_s:.1f} s")
        parse, full = run(path, "parse"), run(path, "prepare")
    after = full["seconds"] - parse["seconds"]
    print(
        f"parse (read_log): {parse['seconds']:.2f} s, parsed frame {parse['frame_mb']:.0f} MB, "
        f"peak RSS {parse['peak_rss_mb']:.0f} MB"
    )
    print(
        f"prepare (parse + validate + code + sort + sessionise): {full['seconds']:.2f} s, "
        f"{full['sessions']:,} sessions, peak RSS {full['peak_rss_mb']:.0f} MB"
    )
    growth = full["peak_rss_mb"] - full["start_rss_mb"]
    print(
        f"after parsing: {rows / after / 1e6:.2f} M rows/s; peak memory growth {growth:.0f} MB = "
        f"{growth / parse['frame_mb']:.2f}x the parsed frame"
    )


if __name__ == "__main__":
    main()
