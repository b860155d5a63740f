"""Commands that learn from an interaction log: train, evaluate recs."""

from __future__ import annotations

import sys
import time

from .common import (emit, engine_options, json_option, log_kwargs, log_options, parse_params, prepare_from,
                     spark_session, stderr_progress)


def register(sub) -> None:
    """Add ``train`` to ``sub``."""
    from ..train import METHODS
    p = sub.add_parser("train", parents=[json_option()], help="learn item (and user) embeddings from a log")
    log_options(p)
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--evaluate", action="store_true", help="also run the leave-last-out evaluation")
    engine_options(p)
    p.set_defaults(run=run_train)


def register_evaluate(kinds) -> None:
    """Add ``evaluate recs`` to the ``evaluate`` sub-parsers."""
    from ..train import METHODS
    p = kinds.add_parser("recs", parents=[json_option()], help="next-item HR/NDCG/MRR beside baselines")
    log_options(p)
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--max-users", type=int, default=5000, help="evaluate at most this many users (sampled)")
    engine_options(p)
    p.set_defaults(run=run_evaluate_recs)


def run_train(args) -> int:
    if args.engine == "spark":
        return run_train_spark(args)
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
        from ..evaluate.recs import evaluate_recs
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
    from ..evaluate.recs import evaluate_recs
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
