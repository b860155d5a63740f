"""Commands that learn from an interaction log: train, evaluate recs."""

from __future__ import annotations

import sys

from .common import (emit, engine_from, engine_options, json_option, log_options, log_spec, parse_params,
                     prepare_from, stderr_progress)


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
    from ..engines import run_training
    report, log = run_training(engine_from(args), log_spec(args), args.method, args.out, seed=args.seed,
                               params=parse_params(args.param), evaluate=args.evaluate,
                               progress=stderr_progress(sys.stderr.isatty()))
    where = f" on Spark ({report['master']})" if report.get("engine") == "spark" else ""
    emit(args, report, lambda r: log.lines() + [
        f"trained {r['method']}{where} on {r['items']} items ({r['users']} user vectors) in {r['seconds']:.1f} s "
        f"→ {args.out}/ ({', '.join(r['files'])}, report.json)"])
    return 0


def run_evaluate_recs(args) -> int:
    from ..evaluate.recs import evaluate_recs
    engine = engine_from(args)
    engine.check_method(args.method)
    inter = prepare_from(args)
    with engine.errors():
        rep = evaluate_recs(inter, args.method, k=args.k, seed=args.seed, max_users=args.max_users,
                            params=parse_params(args.param), trainer=engine.trainer())

    def human(r):
        head = f"{'':<12} {'HR@' + str(r['k']):>7} {'NDCG':>7} {'MRR':>7} {'coverage':>9} {'mean pop':>9}"
        rows = [(r["method"], r)] + list(r["baselines"].items())
        lines = [f"{r['users_evaluated']} users, leave-last-out, ranked against all {r['catalog_items']} items", head]
        lines += [f"{n:<12} {m['hr']:>7.4f} {m['ndcg']:>7.4f} {m['mrr']:>7.4f} {m['coverage']:>9.3f} "
                  f"{m['mean_rec_popularity']:>9.1f}" for n, m in rows]
        return lines
    emit(args, rep, human)
    return 0
