"""EASE's cost on a 10,000-item catalog: seconds (λ grid on the validation split + the final fit
and the test ranking) and peak memory, against the targets of issue 18 (<= 60 s, <= 1 GB).

The machine is shared, so the run also times one float32 matrix product of the same size
(``n × n`` by ``n × n``, 2n³ flops) and prints EASE's seconds as a multiple of it: that ratio
travels between machines and loads better than the seconds do.  Memory is the process's peak
resident size (``ru_maxrss``) above what it held before EASE started, beside the estimate
``core.evaluate.ease.ease_bytes`` makes before building anything.

Run (from the repository root):
    python benchmarks/bench_ease.py                          # synthetic: 10,000 items, 20,000 users
    python benchmarks/bench_ease.py --log ../data/ml-latest-small/ratings.csv   # 9,724 items
"""

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def synthetic_log(items: int, users: int, per_user: int, seed: int = 0) -> Path:
    """A timed log whose item popularity falls like a power law (the shape of real catalogs)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, items + 1) ** 0.8
    weights /= weights.sum()
    n = users * per_user
    user = np.repeat(np.arange(users), per_user)
    # each user draws around a taste centre, so items co-occur (EASE has something to learn)
    centre = rng.integers(0, items, users)
    near = (centre[user] + rng.integers(-200, 200, n)) % items
    item = np.where(rng.random(n) < 0.5, near, rng.choice(items, n, p=weights))
    path = Path(tempfile.mkdtemp(prefix="bench_ease_")) / "log.csv"
    with open(path, "w") as f:
        f.write("user_id,item_id,timestamp\n")
        for u, i, t in zip(user, item, np.arange(n)):
            f.write(f"u{u},i{i},{t}\n")
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def reference_seconds(n: int) -> float:
    """One float32 n × n product (the machine's dense speed right now)."""
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    t = time.perf_counter()
    a @ a
    return time.perf_counter() - t


def main() -> None:
    from embedlab.core.evaluate.ease import ease_baseline, ease_bytes
    from embedlab.core.evaluate.protocols import make_split, validation_split
    from embedlab.core.evaluate.recs import held_out_ranks, hit_ndcg
    from embedlab.core.logs import prepare

    ap = argparse.ArgumentParser()
    ap.add_argument("--log")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=20_000)
    ap.add_argument("--per-user", type=int, default=25)
    a = ap.parse_args()
    path = a.log or synthetic_log(a.items, a.users, a.per_user)
    inter = prepare(path)
    test = make_split(inter, "leave-last-out")
    val = validation_split(test)
    n, rows = test.train.n_items, test.train.n_users
    print(f"{path}: {len(inter):,} events, {rows:,} users, {n:,} items")
    before = peak_mb()
    c0, t0 = time.process_time(), time.perf_counter()
    scorer, info = ease_baseline(test, val, 10)
    hr = hit_ndcg(held_out_ranks(scorer, test), 10)["hr"]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = peak_mb()
    ref = reference_seconds(n)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        "| items | users | lambda grid s (on items) | final fit s | EASE s with test ranking "
        "(wall) | CPU s | ÷ one n×n product | peak MB above start | estimate MB | HR@10 | "
        "lambda | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {n:,} | {rows:,} | {info['lambda_seconds']:.1f} ({info['lambda_items']:,}) | "
        f"{info['fit_seconds']:.1f} | {wall:.1f} | {cpu:.1f} | {wall / ref:.1f} | "
        f"{peak - before:,.0f} | {ease_bytes(n, rows) / 2**20:,.0f} | {hr:.4f} | "
        f"{info['lambda']:g} | {load} |"
    )
    print(f"lambda grid (NDCG@10 by lambda): {info['lambda_grid']}; one product {ref:.2f} s")


if __name__ == "__main__":
    main()
