"""Batch serving: recommendations for every user of a log, exact and HNSW, from training folders
(``core.recommend.serve``, the path ``embedlab recommend`` and the Recommend page take), with
queries per second and HNSW's recall@k against exact on these very queries.

Run (MovieLens 100K, never committed):
    python benchmarks/bench_recommend.py --log /work/data/ml-100k/u.data.99999 \
        --columns user,item,rating,time
or on folders already trained:
    python benchmarks/bench_recommend.py --runs RUN [RUN ...]

Times are the best of ``--repeat`` runs of the whole batch; loading the folder, building the
scorer and the HNSW index are timed apart (they happen once per folder).
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from embedlab.core.engines import LogSpec, get_engine, run_training
from embedlab.core.runs import load_run
from embedlab.core.search import cached_hnsw
from embedlab.core.serving import metric_of, serve, serving_index


def train(log: str, columns: str | None, methods: list[str], out: Path) -> list[Path]:
    spec = LogSpec(log, columns=tuple(columns.split(",")) if columns else ())
    folders = []
    for method in methods:
        t = time.perf_counter()
        run_training(get_engine("local"), spec, method, out / method)
        print(f"trained {method} in {time.perf_counter() - t:.1f} s")
        folders.append(out / method)
    return folders


def best(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench(folder: Path, k: int, repeat: int) -> dict:
    t = time.perf_counter()
    run = load_run(folder)
    codes = np.arange(run.log.n_users)
    serve(run, codes[:1], k)  # builds the scorer and the seen items once
    setup = time.perf_counter() - t
    t = time.perf_counter()
    own = cached_hnsw(run.items, metric_of(run)).recall  # measured on item vectors as queries
    build = time.perf_counter() - t
    t = time.perf_counter()
    index = serving_index(run, k)  # efSearch raised for these users' queries
    calibrate = time.perf_counter() - t
    exact_s, exact = best(lambda: serve(run, codes, k), repeat)
    hnsw_s, approx = best(lambda: serve(run, codes, k, "hnsw", index=index), repeat)
    hits = [
        len(set(a[a >= 0]) & set(e[e >= 0])) / max((e >= 0).sum(), 1)
        for a, e in zip(approx.codes, exact.codes)
    ]
    return {
        "folder": folder.name,
        "method": run.method,
        "users": len(codes),
        "events": len(run.log),
        "items": run.log.n_items,
        "setup_s": setup,
        "index_s": build,
        "exact_s": exact_s,
        "hnsw_s": hnsw_s,
        "recall": float(np.mean(hits)),
        "index_recall": index.recall,
        "item_recall": own,
        "ef": index.ef_search_,
        "calibrate_s": calibrate,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", nargs="*", default=[])
    ap.add_argument("--log")
    ap.add_argument("--columns")
    ap.add_argument("--methods", default="als,item2vec")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folders = [Path(r) for r in args.runs]
        if args.log:
            folders += train(args.log, args.columns, args.methods.split(","), Path(tmp))
        print(
            "| folder | users | exact: all users | exact q/s | HNSW: all users | HNSW q/s "
            "| HNSW recall@k vs exact, all users | on 500 users' queries (efSearch) "
            "| on item queries | load + scorer | index build + efSearch |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for folder in folders:
            r = bench(folder, args.k, args.repeat)
            print(
                f"| {r['folder']} ({r['method']}, {r['events']:,} events, {r['items']:,} items) "
                f"| {r['users']:,} | {r['exact_s']:.3f} s | {r['users'] / r['exact_s']:,.0f} "
                f"| {r['hnsw_s']:.3f} s | {r['users'] / r['hnsw_s']:,.0f} "
                f"| {r['recall']:.4f} | {r['index_recall']:.4f} ({r['ef']}) "
                f"| {r['item_recall']:.4f} | {r['setup_s']:.2f} s "
                f"| {r['index_s']:.2f} + {r['calibrate_s']:.2f} s |"
            )


if __name__ == "__main__":
    main()
