"""Commands over interaction logs: train, evaluate recs, sample-data."""

from __future__ import annotations

import json
import sys
import time

from ..cli import emit


def log_options(p) -> None:
    p.add_argument("--log", required=True, help="interaction log: CSV/TSV, Parquet, JSON Lines or baskets")
    p.add_argument("--format", dest="log_format", default="auto",
                   choices=["auto", "csv", "tsv", "parquet", "jsonl", "baskets"])
    p.add_argument("--user-col")
    p.add_argument("--item-col")
    p.add_argument("--time-col")
    p.add_argument("--weight-col")
    p.add_argument("--session-col")
    p.add_argument("--session-gap", default="30m", help="new session after this gap (30m, 2h, 90s)")
    p.add_argument("--min-count", type=int, default=1, help="drop items with fewer events")
    p.add_argument("--min-user-count", type=int, default=1, help="drop users with fewer events")
    p.add_argument("--min-rating", type=float, default=None, help="keep only events with weight >= this")
    p.add_argument("--metadata", default=None, help="item metadata file (titles, genres), joined on item id")
    p.add_argument("--metadata-item-col", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="trainer parameter, e.g. --param epochs=10 (repeatable)")


def register(sub, vec, js) -> None:
    from ..train import METHODS
    p = sub.add_parser("train", parents=[js], help="learn item (and user) embeddings from a log")
    log_options(p)
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--evaluate", action="store_true", help="also run the leave-last-out evaluation")
    p.set_defaults(run=run_train)

    p = sub.add_parser("sweep", parents=[js], help="catalog-size study: shrink, retrain, measure, read")
    log_options(p)
    p.add_argument("--axis", choices=["items", "events", "users"], default="items")
    p.add_argument("--values", default=None, help="comma-separated grid (items/users: counts; events: "
                                                  "fractions); default: 6 geometric steps up to the whole log")
    p.add_argument("--methods", default="item2vec,als")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--mode", choices=["random", "popular"], default="random", help="which items the items axis keeps")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--label", default="auto", help="metadata column for consistency@k (auto: genre/category)")
    p.add_argument("--out", default=None, help="write the tidy rows as CSV here")
    p.set_defaults(run=run_sweep_command)

    p = sub.add_parser("sample-data", parents=[js], help="generate a synthetic log with known genres")
    p.add_argument("--out", required=True)
    p.add_argument("--users", type=int, default=3000)
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(run=run_sample)


def register_evaluate(kinds, js) -> None:
    from ..train import METHODS
    p = kinds.add_parser("recs", parents=[js], help="next-item HR/NDCG/MRR beside baselines")
    log_options(p)
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--max-users", type=int, default=5000, help="evaluate at most this many users (sampled)")
    p.set_defaults(run=run_evaluate_recs)


def parse_params(items: list[str]) -> dict:
    from ..errors import ParameterError
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(f"--param '{item}' must look like NAME=VALUE")
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def prepare_from(args):
    from ..logs import prepare
    return prepare(args.log, format=args.log_format, user_col=args.user_col, item_col=args.item_col,
                   time_col=args.time_col, weight_col=args.weight_col, session_col=args.session_col,
                   session_gap=args.session_gap, min_item_count=args.min_count,
                   min_user_count=args.min_user_count, min_weight=args.min_rating, metadata=args.metadata,
                   metadata_item_col=args.metadata_item_col)


def stderr_progress(enabled: bool):
    """A one-line progress bar on stderr (only on a terminal, never in --json output)."""
    def show(fraction: float, message: str) -> None:
        if enabled:
            bar = "#" * int(fraction * 30)
            print(f"\r[{bar:<30}] {fraction:4.0%} {message[:50]:<50}", end="", file=sys.stderr, flush=True)
            if fraction >= 1.0:
                print(file=sys.stderr)
    return show


def run_train(args) -> int:
    from ..evaluate.recs import evaluate_recs
    from ..train import train
    from ..train.output import write_result
    t0 = time.perf_counter()
    inter = prepare_from(args)
    t1 = time.perf_counter()
    params = parse_params(args.param)
    result = train(inter, args.method, seed=args.seed, progress=stderr_progress(sys.stderr.isatty()), **params)
    evaluation = evaluate_recs(inter, args.method, seed=args.seed, params=params) if args.evaluate else None
    report = write_result(result, inter, args.out, {"ingest_s": round(t1 - t0, 3), "train_s": round(result.seconds, 3),
                                                    "total_s": round(time.perf_counter() - t0, 3)}, evaluation)
    emit(args, report, lambda r: inter.report.lines() + [
        f"trained {r['method']} on {r['items']} items ({r['users']} user vectors) in {r['seconds']:.1f} s "
        f"→ {args.out}/ ({', '.join(r['files'])} , report.json)"])
    return 0


def run_evaluate_recs(args) -> int:
    from ..evaluate.recs import evaluate_recs
    inter = prepare_from(args)
    rep = evaluate_recs(inter, args.method, k=args.k, seed=args.seed, max_users=args.max_users,
                        params=parse_params(args.param))

    def human(r):
        head = f"{'':<12} {'HR@' + str(r['k']):>7} {'NDCG':>7} {'MRR':>7} {'coverage':>9} {'mean pop':>9}"
        rows = [(r["method"], r)] + list(r["baselines"].items())
        lines = [f"{r['users_evaluated']} users, leave-last-out, ranked against all {r['catalog_items']} items", head]
        lines += [f"{n:<12} {m['hr']:>7.4f} {m['ndcg']:>7.4f} {m['mrr']:>7.4f} {m['coverage']:>9.3f} "
                  f"{m['mean_rec_popularity']:>9.1f}" for n, m in rows]
        return lines
    emit(args, rep, human)
    return 0


def run_sweep_command(args) -> int:
    from ..errors import ParameterError
    from ..experiments import default_values, run_sweep
    from ..train import METHODS
    inter = prepare_from(args)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ParameterError(f"unknown method(s) {', '.join(bad)}; choose from {', '.join(METHODS)}")
    try:
        values = [float(v) for v in args.values.split(",")] if args.values else default_values(inter, args.axis)
    except ValueError:
        raise ParameterError(f"--values '{args.values}' must be comma-separated numbers") from None
    result = run_sweep(inter, args.axis, values, methods, seeds=args.seeds, k=args.k, mode=args.mode,
                       label=args.label, shrink_seed=args.seed, progress=stderr_progress(sys.stderr.isatty()))
    if args.out:
        result.rows.to_csv(args.out, index=False)

    def human(d):
        cols = ["value", "method", "items", "hr", "lift", "lift_lo", "lift_hi", "stability", "consistency"]
        return [result.summary[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"), "", d["reading"]]
    emit(args, result.to_dict(), human)
    return 0


def run_sample(args) -> int:
    from ..sample import generate
    paths = generate(users=args.users, items=args.items, seed=args.seed).write(args.out)
    emit(args, {"files": [str(p) for p in paths]}, lambda d: [f"wrote {f}" for f in d["files"]])
    return 0
