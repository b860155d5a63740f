"""Are the trainers' cost estimates calibrated?  Each trainer at its defaults on each log, in a
fresh process: the estimate made before the run (``core.train.limits.estimate``) beside what the
run measured — seconds of CPU of ``Trainer.fit`` (one thread: BLAS and every trainer held to one,
so a shared machine's load does not count), wall seconds, and the peak memory the run added over
the process before it (Linux: the peak RSS, reset before the fit through /proc/self/clear_refs,
minus RSS before; the log read and the libraries imported first).
Target: measured ÷ estimated within 0.5–2× for time and memory (docs/BENCHMARKS.md).

Run (from the repository root; real logs live outside the repository; --big makes the ≥ 4M-event
synthetic log once, with ``core.sample.generate``, and caches it):
    python benchmarks/bench_estimates.py --big /tmp/big.csv \
        --log sample_data/interactions.csv --log ../shared/data/groceries.csv \
        --log "../shared/data/online-retail.csv.gz user_col=CustomerID item_col=StockCode \
time_col=InvoiceDate"
Prints one Markdown row per (log, trainer) and the ratios' range.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

METHODS = ("item2vec", "als", "svd", "graph", "supervised")
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

CHILD = r"""
import ctypes, json, sys, time
import gensim.models, implicit.cpu.als, sklearn.decomposition, sklearn.neural_network  # noqa
from embedlab.core.logs import prepare
from embedlab.core.train import make_params, trainer
from embedlab.core.train.limits import estimate

path, method, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
inter = prepare(path, **options)
t = trainer(method)
params = make_params(t, {}, inter, check=False)
est = estimate(t, params, inter)

def status_mb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024

ctypes.CDLL("libc.so.6").malloc_trim(0)  # freed pages of the reading go back to the system, so
before = status_mb("VmRSS")  # the fit's allocations show in its peak instead of reusing them
with open("/proc/self/clear_refs", "w") as fh:  # the peak so far (reading the log) is not the fit's
    fh.write("5")
w0, c0 = time.perf_counter(), time.process_time()
result = t.fit(inter, params, seed=0)
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
peak = status_mb("VmHWM")
print(json.dumps({
    "events": len(inter), "users": inter.n_users, "items": inter.n_items,
    "context": result.data.get("context", {}).get("name", ""),
    "est_s": est.seconds, "est_mb": est.mb, "cpu_s": cpu, "wall_s": wall,
    "mb": max(peak - before, 0.0),
}))
"""


def big_log(path: Path, users: int) -> Path:
    """The synthetic log at scale (``core.sample.generate``), written once."""
    if not path.exists():
        from embedlab.core.sample import generate

        t = time.perf_counter()
        log = generate(users=users, items=20_000, seed=7)
        tmp = path.with_suffix(".part")
        log.interactions.to_csv(tmp, index=False)
        tmp.replace(path)
        print(f"wrote {path}: {len(log.interactions):,} events in {time.perf_counter() - t:.0f} s")
    return path


def measure(path: str, method: str, options: dict) -> dict:
    env = {**os.environ, **ONE_THREAD}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, path, method, json.dumps(options)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parse_log(spec: str) -> tuple[str, dict]:
    path, *pairs = spec.split()
    return path, dict(p.split("=", 1) for p in pairs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", action="append", default=[], help='"PATH [option=value ...]"')
    ap.add_argument("--big", help="path of the ≥ 4M-event synthetic log (made if absent)")
    ap.add_argument("--big-users", type=int, default=150_000)
    ap.add_argument("--methods", default=",".join(METHODS))
    a = ap.parse_args()
    logs = [parse_log(s) for s in a.log]
    if a.big:
        logs.append((str(big_log(Path(a.big), a.big_users)), {}))
    print(
        "| log | events | method | context | estimated s | CPU s | wall s | CPU ÷ est. | "
        "estimated MB | measured MB | MB ÷ est. |\n|---|---|---|---|---|---|---|---|---|---|---|",
        flush=True,
    )
    ratios = {"time": [], "memory": []}
    for path, options in logs:
        for method in a.methods.split(","):
            r = measure(path, method, options)
            if "error" in r:
                print(f"| {Path(path).name} | | {method} | failed: {r['error']} |", flush=True)
                continue
            rt, rm = r["cpu_s"] / r["est_s"], r["mb"] / r["est_mb"]
            ratios["time"].append(rt)
            ratios["memory"].append(rm)
            print(
                f"| {Path(path).name} | {r['events']:,} | {method} | {r['context']} | "
                f"{r['est_s']:.1f} | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | {rt:.2f} | "
                f"{r['est_mb']:.0f} | {r['mb']:.0f} | {rm:.2f} |",
                flush=True,
            )
    for name, values in ratios.items():
        if values:
            print(f"{name}: measured ÷ estimated from {min(values):.2f} to {max(values):.2f}")


if __name__ == "__main__":
    main()
