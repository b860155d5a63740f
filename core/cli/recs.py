"""Commands that learn from an interaction log: train, evaluate recs."""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..visible import visible
from .common import (
    emit,
    engine_from,
    engine_options,
    force_option,
    json_option,
    log_options,
    log_spec,
    open_workspace,
    parse_params,
    stderr_progress,
)


def register(sub) -> None:
    """Add ``train`` to ``sub``."""
    from ..train import registry

    p = sub.add_parser(
        "train",
        parents=[json_option()],
        help="learn item (and user) embeddings from a log",
        epilog=parameters_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    log_options(p)
    p.add_argument("--method", required=True, choices=registry.names())
    p.add_argument("--out", required=True, help="output folder (written whole: complete or absent)")
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="also run the held-out evaluation (the protocol: --protocol)",
    )
    tune_options(p)
    protocol_option(p)
    force_option(p)
    engine_options(p)
    p.add_argument(
        "--save", metavar="NAME", help="also store the item vectors in the dashboard's workspace"
    )
    p.add_argument(
        "--workspace", help="workspace folder for --save (default: the user's data folder)"
    )
    p.set_defaults(run=run_train)


def register_evaluate(kinds) -> None:
    """Add ``evaluate recs`` to the ``evaluate`` sub-parsers."""
    from ..train import registry

    p = kinds.add_parser(
        "recs",
        parents=[json_option()],
        help="next-item HR/NDCG/MRR beside baselines",
        epilog=parameters_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    log_options(p)
    p.add_argument("--method", required=True, choices=registry.names())
    p.add_argument("--k", type=int, default=10)
    p.add_argument(
        "--max-users", type=int, default=5000, help="evaluate at most this many users (sampled)"
    )
    tune_options(p)
    protocol_options(p)
    engine_options(p)
    p.set_defaults(run=run_evaluate_recs)


def parameters_help() -> str:
    """Every method's declared parameters with their defaults (``--param NAME=VALUE``), and what
    ``--tune`` searches: read from the trainers' declarations, never retyped."""
    from ..train import declared, registry
    from ..train.item2vec import CONTEXT_DEFAULTS

    by_context = "; ".join(
        f"{c}: " + ", ".join(f"{k}={v:g}" for k, v in d.items())
        for c, d in CONTEXT_DEFAULTS.items()
    )
    lines = textwrap.wrap(
        "trainer (what it learns from) parameters (--param NAME=VALUE); * = searched by --tune. "
        "context=auto picks the item context by the log's shape (sessions, history or baskets; "
        f"the report says which and why); item2vec's defaults follow it ({by_context}):",
        width=100,
    )
    for name, t in registry.trainers().items():
        searched = {d.name for d in t.space}
        lines.append(
            f"  {name} ({', '.join(t.contexts)}): "
            + ", ".join(
                f"{d['name']}{'*' if d['name'] in searched else ''}={d['default']}"
                for d in declared(t.Params)
            )
        )
    return "\n".join(lines)


def tune_options(p) -> None:
    """``--tune`` and its budget: search the method's parameters on a validation split first."""
    from ..experiments.tune import OBJECTIVES

    p.add_argument(
        "--tune",
        action="store_true",
        help="choose the parameters on a validation split (each user's last training events; the "
        "test event is never seen); keep them only when they beat the defaults beyond noise on "
        "held-back validation users, then retrain and score on test",
    )
    p.add_argument(
        "--trials",
        type=int,
        default=None,
        help="tuning trials (default 20; the first is the defaults)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop starting tuning trials after this many seconds",
    )
    p.add_argument(
        "--tune-metric", choices=OBJECTIVES, default="ndcg", help="validation metric maximised"
    )


def check_tune_engine(args) -> None:
    """--tune runs on the local engine; say so before any work starts."""
    from ..errors import ParameterError

    if args.tune and args.engine == "spark":
        raise ParameterError(
            "--tune runs on the local engine only", hint="drop --engine spark or --tune"
        )


def run_tuning(args, inter, k: int = 10, max_users: int | None = 5000):
    """Tune ``args.method`` on ``inter`` as the --tune options say; ``--param`` values stay
    fixed."""
    import numpy as np

    from ..experiments.tune import NO_REASON, tune

    check_tune_engine(args)
    trials = args.trials if args.trials is not None or args.budget is not None else 20

    def show(row: dict) -> None:  # one line per trial on stderr (stdout stays JSON with --json)
        value = (
            row.get("pruned_value", np.nan) if row["state"] == "pruned" else row[args.tune_metric]
        )
        print(
            f"trial {row['number']:>3} {row['state']:<8} validation {args.tune_metric} {value:.4f} "
            f"{row['seconds']:7.1f} s ({row['cpu_seconds']:.1f} s CPU)"
            + (f": {row.get('error') or NO_REASON}" if row["state"] == "fail" else ""),
            file=sys.stderr,
            flush=True,
        )

    return tune(
        inter,
        args.method,
        trials=trials,
        budget=args.budget,
        k=k,
        seed=args.seed,
        metric=args.tune_metric,
        fixed=parse_params(args.param),
        on_trial=show,
        max_users=max_users,
        protocol=getattr(args, "protocol", "auto"),
        history=getattr(args, "history", None),
        decay=getattr(args, "history_decay", 1.0),
    )


def protocol_option(p) -> None:
    """``--protocol``: how held-out events are chosen."""
    from ..evaluate.protocols import PROTOCOLS

    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="auto",
        help="leave-last-out (each user's last event; ties at the last timestamp drawn with the "
        "seed) or basket completion (one random item of each basket held out, scored from the "
        "basket's other items); auto picks by the log's measured shape and says why",
    )


def protocol_options(p) -> None:
    """How held-out events are chosen and what item-based methods score from."""
    protocol_option(p)
    p.add_argument(
        "--history",
        type=int,
        default=None,
        help="leave-last-out: item-based methods score from the mean of the last N items "
        "(1: last item; default: as the log's item context says, 5 when it is the whole "
        "history, else 1)",
    )
    p.add_argument(
        "--history-decay",
        type=float,
        default=1.0,
        help="weight of the i-th most recent of those items is DECAY**i (1.0: a plain mean)",
    )


def run_train(args) -> int:
    from ..engines import run_training

    check_tune_engine(args)
    tuned = []

    def tuner(inter):
        tuned.append(run_tuning(args, inter))
        res = tuned[0]
        return res.best_params, res.test, {**res.to_dict(), "test": _metrics(res.test)}

    report, log = run_training(
        engine_from(args),
        log_spec(args),
        args.method,
        args.out,
        seed=args.seed,
        params=parse_params(args.param),
        evaluate=args.evaluate,
        progress=stderr_progress(sys.stderr.isatty()),
        force=args.force,
        tuner=tuner if args.tune else None,
        protocol=args.protocol,
    )
    where = f" on Spark ({report['master']})" if report.get("engine") == "spark" else ""
    emit(
        args,
        report,
        lambda r: (
            log.lines()
            + (tuned[0].lines() if tuned else [])
            + (evaluation_lines(r["evaluation"]) if "evaluation" in r else [])
            + [
                f"trained {r['method']}{where} on {r['items']} items ({r['users']} user vectors) "
                f"in {r['seconds']:.1f} s → {args.out}/ ({', '.join(r['files'])}, report.json)"
            ]
        ),
    )
    if args.save:
        _save(args)
    return 0


def _save(args) -> None:
    """``--save NAME``: the item vectors just written, stored in the dashboard's workspace."""
    from .. import io
    from ..workspace import CLI_OWNER

    ws = open_workspace(args)
    rec = ws.save_set(io.load(args.out), args.save, owner=CLI_OWNER)
    print(f"saved as '{visible(rec.name)}' (id {rec.id}) in {visible(ws.root)}", file=sys.stderr)


def run_evaluate_recs(args) -> int:
    from ..experiments.recs import evaluate_recs

    engine = engine_from(args)
    engine.check_method(args.method)
    check_tune_engine(args)
    with engine.errors():
        engine.start()
        inter = engine.interactions(engine.prepare(log_spec(args)))
        tuned = run_tuning(args, inter, args.k, args.max_users) if args.tune else None
        if tuned is not None:
            rep = {
                **tuned.test,
                "validation": _metrics(tuned.validation),
                "tuning": tuned.to_dict(),
            }
        else:
            rep = evaluate_recs(
                inter,
                args.method,
                k=args.k,
                seed=args.seed,
                max_users=args.max_users,
                params=parse_params(args.param),
                trainer=engine.trainer(),
                protocol=args.protocol,
                history=args.history,
                decay=args.history_decay,
            )

    def human(r):
        return (tuned.lines() if tuned is not None else []) + evaluation_lines(r)

    emit(args, rep, human)
    return 0


def evaluation_lines(r: dict) -> list[str]:
    """An evaluation report for people: the protocol and why, the table of the model and the
    baselines, the verdict against the strongest baseline first, what EASE did."""
    from ..compare import baseline_name, headline
    from ..evaluate.baselines import ease_line, scored

    p = r["protocol"]
    ties = p.get("ties", {})
    users = "" if p["unit"] == "users" else f" ({r['users_evaluated']:,} users)"
    lines = [
        f"{p['cases']:,} {p['unit']} evaluated{users} by {p['name']}: {p.get('why', '')}; "
        f"{r['catalog_items']:,} items",
        f"  {p['description']}",
    ]
    if p["name"] == "leave-last-out" and ties.get("cases"):
        lines.append(f"  ties: {ties['cases']:,} cases at a tied last moment; {ties['rule']}")
    head = (
        f"{'':<12} {'HR@' + str(r['k']):>7} {'95% interval':>15} {'NDCG':>7} {'MRR':>7} "
        f"{'coverage':>9} {'mean pop':>9}"
    )
    rows = [(r["method"], r)] + [(baseline_name(n), m) for n, m in scored(r["baselines"]).items()]
    lines.append(head)
    lines += [
        f"{n:<12} {m['hr']:>7.4f} {m['hr_lo']:>7.4f}–{m['hr_hi']:<7.4f} {m['ndcg']:>7.4f} "
        f"{m['mrr']:>7.4f} {m['coverage']:>9.3f} {m['mean_rec_popularity']:>9.1f}"
        for n, m in rows
    ]
    lines.append(headline(r))
    lines.append(ease_line(r["baselines"].get("ease", {})))
    return lines


def _metrics(d: dict) -> dict:
    """The headline metrics of a report (for the tuning record)."""
    return {
        k: v
        for k, v in d.items()
        if k in ("hr", "ndcg", "mrr", "hr_lo", "hr_hi", "ndcg_lo", "ndcg_hi", "trial", "protocol")
    }
