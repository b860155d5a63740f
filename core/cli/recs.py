"""Commands that learn from an interaction log: train, evaluate recs."""

from __future__ import annotations

import sys
import time

from .common import (emit, engine_options, force_option, json_option, log_kwargs, log_options, parse_params, prepare_from,
                     spark_session, stderr_progress)


def register(sub) -> None:
    """Add ``train`` to ``sub``."""
    from ..train import METHODS
    p = sub.add_parser("train", parents=[json_option()], help="learn item (and user) embeddings from a log")
    log_options(p)
    p.add_argument("--method", required=True, choices=METHODS)
    p.add_argument("--out", required=True, help="output folder (written whole: complete or absent)")
    p.add_argument("--evaluate", action="store_true", help="also run the leave-last-out evaluation")
    tune_options(p)
    force_option(p)
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
    tune_options(p)
    protocol_options(p)
    engine_options(p)
    p.set_defaults(run=run_evaluate_recs)


def tune_options(p) -> None:
    """``--tune`` and its budget: search the method's parameters on a validation split first."""
    p.add_argument("--tune", action="store_true",
                   help="choose the parameters on a validation split (each user's second-to-last event; "
                        "the test event is never seen), then retrain and score on test")
    p.add_argument("--trials", type=int, default=None, help="tuning trials (default 20; the first is the defaults)")
    p.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="stop starting tuning trials after this many seconds")
    p.add_argument("--tune-metric", choices=["ndcg", "hr"], default="ndcg", help="validation metric maximised")


def run_tuning(args, inter, k: int = 10, max_users: int | None = 5000):
    """Tune ``args.method`` on ``inter`` as the --tune options say; ``--param`` values stay fixed."""
    from ..errors import ParameterError
    from ..experiments.tune import tune
    if args.engine == "spark":
        raise ParameterError("--tune runs on the local engine only", hint="drop --engine spark or --tune")
    trials = args.trials if args.trials is not None or args.budget is not None else 20
    tty = sys.stderr.isatty()

    def show(row: dict) -> None:
        if tty:
            value = row["pruned_value"] if row["state"] == "pruned" else row[args.tune_metric]
            print(f"trial {row['number']:>3} {row['state']:<8} {args.tune_metric} {value:.4f} "
                  f"{row['seconds']:6.1f} s", file=sys.stderr, flush=True)
    return tune(inter, args.method, trials=trials, budget=args.budget, k=k, seed=args.seed,
                metric=args.tune_metric, fixed=parse_params(args.param), on_trial=show, max_users=max_users)


def tuned_lines(res) -> list[str]:
    """The human summary of a tuning: defaults vs chosen on validation, then test."""
    first = res.trials.iloc[0]
    return [f"tuning: {len(res.trials)} trials ({res.timings['pruned']} pruned) in {res.timings['total_s']:.0f} s; "
            f"validation {res.metric} {first[res.metric]:.4f} with the defaults, "
            f"{res.validation[res.metric]:.4f} with the best (trial {res.validation['trial']})",
            "best parameters: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                            for k, v in res.best_params.items())]


def protocol_options(p) -> None:
    """How held-out events are chosen and what item-based methods score from."""
    from ..evaluate.protocols import PROTOCOLS
    p.add_argument("--protocol", choices=PROTOCOLS, default="auto",
                   help="leave-last-out (timed logs, sessions) or basket completion (one random item of each "
                        "basket held out, scored from the basket's other items); auto picks by the log's shape")
    p.add_argument("--history", type=int, default=1,
                   help="leave-last-out: item-based methods score from the mean of the last N items (1: last item)")
    p.add_argument("--history-decay", type=float, default=1.0,
                   help="weight of the i-th most recent of those items is DECAY**i (1.0: a plain mean)")


def run_train(args) -> int:
    from ..io.atomic import check_folder_target
    check_folder_target(args.out, args.force)  # before the long work, not after it
    if args.engine == "spark":
        return run_train_spark(args)
    from ..experiments.recs import evaluate_recs
    from ..train import train
    from ..train.output import write_result
    t0 = time.perf_counter()
    inter = prepare_from(args)
    t1 = time.perf_counter()
    params = parse_params(args.param)
    tuned = run_tuning(args, inter) if args.tune else None
    if tuned is not None:
        params = tuned.best_params
    result = train(inter, args.method, seed=args.seed, progress=stderr_progress(sys.stderr.isatty()), **params)
    evaluation = tuned.test if tuned is not None else \
        evaluate_recs(inter, args.method, seed=args.seed, params=params) if args.evaluate else None
    report = write_result(result, inter, args.out, {"ingest_s": round(t1 - t0, 3), "train_s": round(result.seconds, 3),
                                                    "total_s": round(time.perf_counter() - t0, 3)}, evaluation,
                          tuning=None if tuned is None else {**tuned.to_dict(), "test": _metrics(tuned.test)},
                          force=args.force)
    emit(args, report, lambda r: inter.report.lines() + (tuned_lines(tuned) if tuned is not None else []) + [
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
                                    timings, spark, force=args.force)
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
    tuned = run_tuning(args, inter, args.k, args.max_users) if args.tune else None
    if tuned is not None:
        rep = {**tuned.test, "validation": _metrics(tuned.validation), "tuning": tuned.to_dict()}
    else:
        rep = evaluate_recs(inter, args.method, k=args.k, seed=args.seed, max_users=args.max_users,
                            params=parse_params(args.param), trainer=trainer, protocol=args.protocol,
                            history=args.history, decay=args.history_decay)

    def human(r):
        head = (f"{'':<12} {'HR@' + str(r['k']):>7} {'95% interval':>15} {'NDCG':>7} {'MRR':>7} {'coverage':>9} "
                f"{'mean pop':>9}")
        rows = [(r["method"], r)] + list(r["baselines"].items())
        lines = [f"{r['users_evaluated']} cases, {r['protocol']['description']}; {r['catalog_items']} items", head]
        lines += [f"{n:<12} {m['hr']:>7.4f} {m['hr_lo']:>7.4f}–{m['hr_hi']:<7.4f} {m['ndcg']:>7.4f} {m['mrr']:>7.4f} "
                  f"{m['coverage']:>9.3f} {m['mean_rec_popularity']:>9.1f}" for n, m in rows]
        return (tuned_lines(tuned) if tuned is not None else []) + lines
    emit(args, rep, human)
    return 0


def _metrics(d: dict) -> dict:
    """The headline metrics of a report (for the tuning record)."""
    return {k: v for k, v in d.items() if k in ("hr", "ndcg", "mrr", "hr_lo", "hr_hi", "ndcg_lo", "ndcg_hi",
                                               "trial", "protocol")}
