"""Tuning cost: seconds per trial, and the share of tuning time spent outside the trainer
(splits, exclusion masks and counts are made once; each trial only trains and scores).

Target: outside-trainer share <= 10% (docs/BENCHMARKS.md).

Run (from the repository root):
    python benchmarks/bench_tune.py                                  # the sample log, item2vec + als
    python benchmarks/bench_tune.py --log ../shared/data/online-retail.csv.gz \
        --user-col CustomerID --item-col StockCode --time-col InvoiceDate --methods item2vec --trials 10
"""

import argparse
import time

from core.experiments.tune import prepare_tuning, tune
from core.logs import prepare


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default="sample_data/interactions.csv")
    ap.add_argument("--user-col")
    ap.add_argument("--item-col")
    ap.add_argument("--time-col")
    ap.add_argument("--methods", default="item2vec,als")
    ap.add_argument("--trials", type=int, default=10)
    a = ap.parse_args()
    t = time.perf_counter()
    inter = prepare(a.log, user_col=a.user_col, item_col=a.item_col, time_col=a.time_col)
    print(f"{a.log}: {len(inter)} events, {inter.n_users} users, {inter.n_items} items; "
          f"read in {time.perf_counter() - t:.1f} s (not counted below: any evaluation reads the log)")
    print("| method | trials | pruned | total s | per trial s | split prep s | in trainer s | outside trainer |")
    print("|---|---|---|---|---|---|---|---|")
    for method in a.methods.split(","):
        prep = prepare_tuning(inter)
        res = tune(inter, method, trials=a.trials, seed=0, prepared=prep)
        tm = res.timings
        total = tm["total_s"] + prep.seconds  # the split is part of tuning; it was made before the call
        outside = 1 - tm["trainer_s"] / total
        print(f"| {method} | {tm['trials']} | {tm['pruned']} | {total:.1f} | {total / tm['trials']:.2f} | "
              f"{prep.seconds:.2f} | {tm['trainer_s']:.1f} | {outside:.1%} |", flush=True)


if __name__ == "__main__":
    main()
