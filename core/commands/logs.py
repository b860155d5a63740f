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
    engine_options(p)
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
    engine_options(p)
    p.set_defaults(run=run_evaluate_recs)


def engine_options(p) -> None:
    p.add_argument("--engine", choices=["local", "spark"], default="local",
                   help="spark: read, sessionise and train on Apache Spark (item2vec, als); needs embedlab[spark]")
    p.add_argument("--master", default="local[2]", help="Spark master: local[N], spark://host:7077, yarn")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="Spark configuration, e.g. --conf spark.driver.memory=8g (repeatable)")


def spark_session(args):
    from ..spark.session import get_session, parse_conf
    return get_session(args.master, parse_conf(args.conf))


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


def log_kwargs(args) -> dict:
    """The log options as the keyword arguments both engines' ``prepare`` take."""
    return {"format": args.log_format, "user_col": args.user_col, "item_col": args.item_col,
            "time_col": args.time_col, "weight_col": args.weight_col, "session_col": args.session_col,
            "session_gap": args.session_gap, "min_item_count": args.min_count,
            "min_user_count": args.min_user_count, "min_weight": args.min_rating}


def prepare_from(args):
    from ..logs import prepare
    return prepare(args.log, metadata=args.metadata, metadata_item_col=args.metadata_item_col, **log_kwargs(args))


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
    if args.engine == "spark":
        return run_train_spark(args)
    from ..experiments.recs import evaluate_recs
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


def run_train_spark(args) -> int:
    """The same training on Spark: read, validate and sessionise in Spark, write the same folder."""
    from ..errors import ParameterError
    from ..spark import logs as spark_logs
    from ..spark import output as spark_output
    from ..spark import train as spark_train
    from ..spark.session import spark_errors
    spark_train.check_method(args.method)
    if args.log_format not in ("auto", "csv", "tsv", "parquet"):
        raise ParameterError(f"the Spark engine reads CSV, TSV and Parquet logs, not '{args.log_format}'")
    t0 = time.perf_counter()
    with spark_errors():
        spark = spark_session(args)
        t1 = time.perf_counter()
        events, report = spark_logs.prepare(spark, args.log, **log_kwargs(args))
        t2 = time.perf_counter()
        items, users, params, seconds = spark_train.train(events, args.method, args.seed, parse_params(args.param),
                                                          stderr_progress(sys.stderr.isatty()))
        if args.metadata:
            items = _join_metadata(spark, items, args.metadata, args.metadata_item_col)
        timings = {"spark_start_s": round(t1 - t0, 3), "ingest_s": round(t2 - t1, 3), "train_s": round(seconds, 3)}
        result = spark_output.write(args.out, items, users, report, args.method, params, args.seed, seconds,
                                    timings, spark)
        result["timings"]["total_s"] = round(time.perf_counter() - t0, 3)
    if args.evaluate:
        from ..experiments.recs import evaluate_recs
        from ..spark.bridge import trainer
        result["evaluation"] = evaluate_recs(prepare_from(args), args.method, seed=args.seed,
                                             params=parse_params(args.param), trainer=trainer(spark))
    emit(args, result, lambda r: report.lines() + [
        f"trained {r['method']} on Spark ({r['master']}) on {r['items']} items ({r['users']} user vectors) "
        f"in {r['seconds']:.1f} s → {args.out}/ ({', '.join(r['files'])}, report.json)"])
    return 0


def _join_metadata(spark, items, path, item_col):
    from ..logs import guess_columns_for_items, read_log
    meta = read_log(path)
    col = item_col or guess_columns_for_items(meta)
    meta = meta.astype(str).drop_duplicates(col).rename(columns={col: "key"})
    return items.join(spark.createDataFrame(meta), "key", "left")


def run_evaluate_recs(args) -> int:
    from ..experiments.recs import evaluate_recs
    from ..train import train
    inter = prepare_from(args)
    trainer = train
    if args.engine == "spark":
        from ..spark.bridge import trainer as spark_trainer
        from ..spark.session import spark_errors
        from ..spark.train import check_method
        check_method(args.method)
        with spark_errors():
            trainer = spark_trainer(spark_session(args))
    rep = evaluate_recs(inter, args.method, k=args.k, seed=args.seed, max_users=args.max_users,
                        params=parse_params(args.param), trainer=trainer)

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
                       label=args.label, shrink_seed=args.seed, params=per_method(parse_params(args.param), methods),
                       progress=stderr_progress(sys.stderr.isatty()))
    if args.out:
        result.rows.to_csv(args.out, index=False)

    def human(d):
        cols = ["value", "method", "items", "hr", "lift", "lift_lo", "lift_hi", "stability", "consistency"]
        return [result.summary[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"), "", d["reading"]]
    emit(args, result.to_dict(), human)
    return 0


def per_method(params: dict, methods: list[str]) -> dict:
    """A sweep trains several methods, so its parameters name theirs: --param item2vec.epochs=5."""
    from ..errors import ParameterError
    out: dict[str, dict] = {m: {} for m in methods}
    for name, value in params.items():
        method, dot, key = name.partition(".")
        if not dot or method not in out:
            raise ParameterError(f"sweep parameter '{name}' must name one of the swept methods "
                                 f"({', '.join(methods)}), e.g. --param {methods[0]}.{name.split('.')[-1]}={value}")
        out[method][key] = value
    return out


def run_sample(args) -> int:
    from ..sample import generate
    paths = generate(users=args.users, items=args.items, seed=args.seed).write(args.out)
    emit(args, {"files": [str(p) for p in paths]}, lambda d: [f"wrote {f}" for f in d["files"]])
    return 0
