"""Tuning cost: seconds per trial, and the share of the search spent outside the trainer
(splits and exclusion masks are made once; each trial only trains and ranks the validation cases).
Trials run in worker processes (``--workers``, default 2); CPU seconds add this process and the
workers, so the CPU share is the comparable figure on a shared machine.  The wall share is of the
workers' time (search wall × workers), idle waits included.
The final retrain and the test report (with baselines and bootstrap intervals) are the ordinary
evaluation and are printed apart.

Target: outside-trainer share <= 10% (docs/BENCHMARKS.md).

Run (from the repository root):
    python benchmarks/bench_tune.py                          # the sample log, item2vec + als
    python benchmarks/bench_tune.py --log ../shared/data/online-retail.csv.gz \
        --user-col CustomerID --item-col StockCode --time-col InvoiceDate \
        --methods item2vec --trials 10
"""

import argparse
import time

from embedlab.core.experiments.tune import prepare_tuning, tune
from embedlab.core.logs import prepare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default="sample_data/interactions.csv")
    ap.add_argument("--user-col")
    ap.add_argument("--item-col")
    ap.add_argument("--time-col")
    ap.add_argument("--methods", default="item2vec,als")
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--workers", type=int, default=None)
    a = ap.parse_args()
    t = time.perf_counter()
    inter = prepare(a.log, user_col=a.user_col, item_col=a.item_col, time_col=a.time_col)
    print(
        f"{a.log}: {len(inter)} events, {inter.n_users} users, {inter.n_items} items; "
        f"read in {time.perf_counter() - t:.1f} s (not counted below: any evaluation reads the log)"
    )
    print(
        "| method | workers | trials | pruned | search s (wall) | per trial s | CPU s per trial | "
        "split prep s (wall) | "
        "outside trainer, wall | outside trainer, CPU | test report s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for method in a.methods.split(","):
        c0 = time.process_time()
        prep = prepare_tuning(inter)
        prep_cpu = time.process_time() - c0
        res = tune(inter, method, trials=a.trials, seed=0, prepared=prep, workers=a.workers)
        tm, n, w = res.timings, res.timings["trials"], res.timings["workers"]
        # the split is made once, before the search: count it with the search
        wall = 1 - tm["search_trainer_s"] / (tm["search_s"] * w + prep.seconds)
        cpu = 1 - tm["search_trainer_cpu_s"] / (tm["search_cpu_s"] + prep_cpu)
        print(
            f"| {method} | {w} | {n} | {tm['pruned']} | {tm['search_s']:.1f} | "
            f"{tm['search_s'] / n:.2f} | "
            f"{tm['search_cpu_s'] / n:.2f} | {prep.seconds:.2f} | {wall:.1%} | {cpu:.1%} | "
            f"{tm['test_report_s']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
