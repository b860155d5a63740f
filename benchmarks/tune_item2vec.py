"""Which item2vec settings suit behaviour data?  The grid behind the item2vec defaults, run on one
log per call, scored on the *validation* split of tuning (each user's second-to-last event, or one
item of each basket held out from the test split's training part: the test events are never seen)
by HR@10 / NDCG@10 against the whole catalog.

Run (from the repository root; the real logs live outside the repository):
    python benchmarks/tune_item2vec.py --log sample_data/interactions.csv
    python benchmarks/tune_item2vec.py --log ../shared/data/groceries.csv
    python benchmarks/tune_item2vec.py --log ../shared/data/online-retail.csv.gz \
        --user-col CustomerID --item-col StockCode --time-col InvoiceDate
Prints a Markdown table (best first) and the popularity / item-CF baselines on the same split.
"""

import argparse
import itertools
import time

from embedlab.core.evaluate.recs import itemcf_scorer, popularity_scorer, rank_metrics, scorer_for
from embedlab.core.experiments.tune import prepare_tuning
from embedlab.core.logs import prepare
from embedlab.core.train import train

LARGE = 200_000
GRID = {
    "ns_exponent": [0.75, 0.0, -0.5],
    "sample": [1e-3, 1e-5, 0.0],
    "epochs": [5, 20],
    "window": [3, 10],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--user-col")
    ap.add_argument("--item-col")
    ap.add_argument("--time-col")
    ap.add_argument("--max-users", type=int, default=3000)
    a = ap.parse_args()
    inter = prepare(a.log, user_col=a.user_col, item_col=a.item_col, time_col=a.time_col)
    val = prepare_tuning(inter, max_users=a.max_users).validation
    counts = val.train.item_counts()
    grid = dict(GRID)
    if inter.baskets:  # a basket is always one whole context: window does not apply
        grid["window"] = [3]
    if len(inter) > LARGE:  # 5 epochs lost on every smaller log; window 3 matched 10 there
        grid["epochs"], grid["window"] = [20], [3]
        print(f"large log ({len(inter)} events): epochs 20 and window 3 only")
    rows = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        t = time.perf_counter()
        result = train(val.train, "item2vec", seed=0, **params)
        m = rank_metrics(scorer_for(result, val), val, counts, 10, intervals=False)
        rows.append(
            {**params, "hr": m["hr"], "ndcg": m["ndcg"], "seconds": time.perf_counter() - t}
        )
        print(rows[-1], flush=True)
    print(
        f"\n{inter.report.source}: {len(inter)} events, {inter.n_users} users, "
        f"{inter.n_items} items, "
        f"protocol {val.protocol}, {len(val.users)} validation cases\n"
    )
    print(
        "| ns_exponent | sample | epochs | window | HR@10 | NDCG@10 | s |\n"
        "|---|---|---|---|---|---|---|"
    )
    for r in sorted(rows, key=lambda r: -r["ndcg"]):
        print(
            f"| {r['ns_exponent']} | {r['sample']:g} | {r['epochs']} | {r['window']} | "
            f"{r['hr']:.4f} | "
            f"{r['ndcg']:.4f} | {r['seconds']:.0f} |"
        )
    base = {
        s.name: rank_metrics(s, val, counts, 10, intervals=False)
        for s in (popularity_scorer(counts), itemcf_scorer(val.train))
    }
    print(
        "\nbaselines: "
        + ", ".join(f"{n} HR@10 {m['hr']:.4f} NDCG@10 {m['ndcg']:.4f}" for n, m in base.items())
    )


if __name__ == "__main__":
    main()
