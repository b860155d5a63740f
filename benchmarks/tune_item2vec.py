"""Which item2vec settings suit behaviour data? A small grid on the committed sample log,
scored by next-item HR@10 / NDCG@10 (leave-last-out, full catalog) and genre consistency@10.

Run: python benchmarks/tune_item2vec.py
"""

import itertools
import time

from core.evaluate.recs import leave_last_out, metadata_consistency, report_for
from core.logs import prepare
from core.train import train

GRID = {"ns_exponent": [0.75, 0.0, -0.5], "sample": [1e-3, 1e-5], "window": [3, 10], "epochs": [5, 20]}


def main() -> None:
    inter = prepare("sample_data/interactions.csv", metadata="sample_data/items.csv")
    split = leave_last_out(inter, seed=0)
    print("ns_exponent sample window epochs |  hr@10  ndcg@10  mean_rec_pop  consistency  seconds")
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values))
        t = time.perf_counter()
        result = train(split.train, "item2vec", seed=0, **params)
        rep = report_for(result, split, 10, 0)
        cons = metadata_consistency(result.items, "genre")["consistency"]
        print(f"{params['ns_exponent']:>11} {params['sample']:>6g} {params['window']:>6} {params['epochs']:>6} | "
              f"{rep['hr']:.4f}  {rep['ndcg']:.4f}  {rep['mean_rec_popularity']:>12.1f}  {cons:>11.3f}  "
              f"{time.perf_counter() - t:.1f}")
    print(f"baselines: popularity hr {rep['baselines']['popularity']['hr']:.4f}, "
          f"itemcf hr {rep['baselines']['itemcf']['hr']:.4f}")


if __name__ == "__main__":
    main()
