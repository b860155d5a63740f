"""Which item context and settings suit a log?  A grid over any trainer's parameters, scored on
the *validation* split of tuning (the test events are never seen) by HR@10 / NDCG@10 against the
whole catalog, beside popularity, item-based CF and EASE (λ chosen on the same split) — the
numbers behind the context rule and the defaults (docs/TRAINING.md).

Run (from the repository root; MovieLens files are read from where you keep them, never
committed; a headerless u.data needs a header line until headerless reading lands):
    python benchmarks/context_grid.py --log sample_data/interactions.csv \
        --grid "context=sessions,history window=3,20"
    python benchmarks/context_grid.py --log ml100k.tsv --protocol leave-last-out \
        --grid "context=history window=5,20,50 sample=1e-4,1e-3 epochs=30" --history 1,10
    python benchmarks/context_grid.py --log ratings.csv --method als --grid "factors=64,256"

``--grid`` is NAME=V1,V2 ... (every combination is trained); ``--history`` scores item-based
methods from the mean of each user's last N items (leave-last-out; ``N:D`` weights the i-th most
recent by D^i).  Prints one row per point and scoring (best first) as a Markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import replace

import numpy as np

from embedlab.core.evaluate.protocols import recent_items
from embedlab.core.evaluate.recs import (
    Scorer,
    itemcf_scorer,
    popularity_scorer,
    rank_metrics,
    scorer_for,
)
from embedlab.core.experiments.tune import prepare_tuning
from embedlab.core.logs import prepare
from embedlab.core.logs.matrix import user_item_matrix
from embedlab.core.train import train


def _value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_grid(text: str) -> dict:
    grid = {}
    for part in text.split():
        name, _, values = part.partition("=")
        grid[name] = [_value(v) for v in values.split(",")]
    return grid


def ease_scorer(train_log, lam: float) -> Scorer:
    """EASE (Steck 2019): B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, zero diagonal."""
    X = user_item_matrix(train_log, binary=True).tocsr().astype(np.float32)
    G = (X.T @ X).toarray()
    G[np.diag_indices_from(G)] += lam
    P = np.linalg.inv(G)
    B = -P / np.diag(P)[None, :]
    B[np.diag_indices_from(B)] = 0.0
    return Scorer("ease", train_log.n_items, lambda users, last: X[users] @ B)  # noqa: ARG005


def baselines(val, counts) -> dict:
    out = {
        s.name: rank_metrics(s, val, counts, 10, intervals=False)
        for s in (popularity_scorer(counts), itemcf_scorer(val.train))
    }
    if val.train.n_items <= 12_000:
        best = None
        for lam in (50, 200, 500):
            m = rank_metrics(ease_scorer(val.train, lam), val, counts, 10, intervals=False)
            if best is None or m["ndcg"] > best["ndcg"]:
                best = {**m, "lambda": lam}
        out["ease"] = best
    return out


def scorings(val, history: str) -> list[tuple[str, object]]:
    """The validation split as scored from the last item and from each ``N[:D]`` history."""
    out = [("last", val)]
    if val.protocol != "leave-last-out":
        return out[:1]
    for spec in filter(None, history.split(",")):
        n, _, d = spec.partition(":")
        n, d = int(n), float(d or 1.0)
        if n > 1:
            out.append((spec, replace(val, context=recent_items(val.train, val.users, n, d))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--user-col")
    ap.add_argument("--item-col")
    ap.add_argument("--time-col")
    ap.add_argument("--protocol", default="auto")
    ap.add_argument("--method", default="item2vec")
    ap.add_argument("--grid", default="")
    ap.add_argument("--history", default="")
    ap.add_argument("--max-users", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-baselines", action="store_true")
    a = ap.parse_args()
    inter = prepare(a.log, user_col=a.user_col, item_col=a.item_col, time_col=a.time_col)
    val = prepare_tuning(inter, protocol=a.protocol, max_users=a.max_users, seed=a.seed).validation
    counts = val.train.item_counts()
    print(
        f"{inter.report.source}: {len(inter)} events, {inter.n_users} users, {inter.n_items} "
        f"items; protocol {val.protocol}, {len(val.users)} validation cases",
        flush=True,
    )
    if not a.no_baselines:
        for name, m in baselines(val, counts).items():
            extra = f" (lambda {m['lambda']})" if "lambda" in m else ""
            print(
                f"baseline {name}{extra}: HR@10 {m['hr']:.4f} NDCG@10 {m['ndcg']:.4f}", flush=True
            )
        for label, split in scorings(val, a.history)[1:]:
            m = rank_metrics(itemcf_scorer(val.train), split, counts, 10, intervals=False)
            print(f"baseline itemcf from {label}: HR@10 {m['hr']:.4f} NDCG@10 {m['ndcg']:.4f}")
    grid = parse_grid(a.grid)
    rows = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        t, c = time.perf_counter(), time.process_time()
        result = train(val.train, a.method, seed=a.seed, **params)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        for label, split in scorings(val, a.history) if result.users is None else [("user", val)]:
            m = rank_metrics(scorer_for(result, split), split, counts, 10, intervals=False)
            rows.append(
                {**params, "score": label, "hr": m["hr"], "ndcg": m["ndcg"], "s": wall, "cpu": cpu}
            )
            print(rows[-1], flush=True)
    if rows:
        names = [*grid, "score"]
        print("\n| " + " | ".join(names) + " | HR@10 | NDCG@10 | s | CPU s |")
        print("|" + "---|" * (len(names) + 4))
        for r in sorted(rows, key=lambda r: -r["ndcg"]):
            cells = [f"{r[n]:g}" if isinstance(r[n], float) else str(r[n]) for n in names]
            print(
                f"| {' | '.join(cells)} | {r['hr']:.4f} | {r['ndcg']:.4f} | {r['s']:.0f} | "
                f"{r['cpu']:.0f} |"
            )


if __name__ == "__main__":
    main()
