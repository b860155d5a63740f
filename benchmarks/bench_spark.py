"""The same training on both engines, end to end (CSV log → vectors folder), on generated logs of
1, 3 and 10 million events: wall time and peak memory of the whole process tree (Python and, for
Spark, its JVM), sampled every 0.2 s.  The local engine's growth is extrapolated to this machine's
24 GiB to say where it stops fitting.

Run: python benchmarks/bench_spark.py [sizes in millions, default 1,3,10]
"""

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import make_log

MACHINE_GB = 24
PARAMS = {"item2vec": ["--param", "epochs=1"], "als": ["--param", "iterations=5"]}


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants (the JVM is a child of the Python driver)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            stack += [int(c) for c in children]
        except OSError:
            continue
    return total / 1024


def run(cmd: list[str]) -> tuple[float, float]:
    peak = 0.0
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(proc.pid))
            done.wait(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    _, err = proc.communicate()
    done.set()
    watcher.join()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err[-2000:]}")
    return time.perf_counter() - t, peak


def main() -> None:
    sizes = [float(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "1,3,10").split(",")]
    local_points = {m: [] for m in PARAMS}
    with tempfile.TemporaryDirectory() as tmp:
        for millions in sizes:
            rows = int(millions * 1_000_000)
            log = Path(tmp) / f"log{millions:g}m.csv"
            make_log(log, rows)
            for method, extra in PARAMS.items():
                for engine in ("local", "spark"):
                    cmd = [
                        "embedlab",
                        "train",
                        "--log",
                        str(log),
                        "--method",
                        method,
                        "--out",
                        str(Path(tmp) / f"{engine}-{method}-{millions:g}"),
                        "--engine",
                        engine,
                        *extra,
                    ]
                    if engine == "spark":
                        cmd += ["--master", "local[2]"]
                    seconds, peak = run(cmd)
                    if engine == "local":
                        local_points[method].append((rows, peak))
                    print(
                        f"{rows:>11,} events  {method:<8} {engine:<5}  "
                        f"{seconds:7.1f} s  peak {peak:7.0f} MB",
                        flush=True,
                    )
            log.unlink()
    for method, pts in local_points.items():
        if len(pts) >= 2:
            x, y = np.array(pts, dtype=float).T
            slope, base = np.polyfit(x, y, 1)
            limit = (MACHINE_GB * 1024 - base) / slope
            print(
                f"local {method}: {slope * 1e6:.0f} MB per million events (+{base:.0f} MB); "
                f"{MACHINE_GB} GiB is reached near {limit / 1e6:.0f} million events"
            )


if __name__ == "__main__":
    main()
