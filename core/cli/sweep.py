"""``embedlab sweep``: the catalog-size study (shrink, retrain, measure, read)."""

from __future__ import annotations

import sys

from .common import (
    emit,
    force_option,
    json_option,
    log_options,
    parse_params,
    prepare_from,
    stderr_progress,
)


def register(sub) -> None:
    """Add ``sweep`` to ``sub``."""
    from ..evaluate.protocols import PROTOCOLS
    from ..experiments.shrink import AXES
    from ..experiments.sweep import SWEEP_MODES

    p = sub.add_parser(
        "sweep", parents=[json_option()], help="catalog-size study: shrink, retrain, measure, read"
    )
    log_options(p)
    p.add_argument("--axis", choices=AXES, default="items")
    p.add_argument(
        "--values",
        default=None,
        help="comma-separated grid (items/users: counts; events: fractions); "
        "default: geometric steps (about x2) from 5·k to the whole log",
    )
    p.add_argument("--methods", default="item2vec,als")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument(
        "--mode",
        choices=SWEEP_MODES,
        default="both",
        help="which items the items axis keeps; both (default) runs random and most-popular "
        "selections of each size, so the reading can tell catalog size from interactions per item",
    )
    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="auto",
        help="evaluation protocol (auto: basket completion for basket logs, else leave-last-out)",
    )
    p.add_argument(
        "--max-users", type=int, default=2000, help="evaluate at most this many users per point"
    )
    p.add_argument(
        "--tune",
        dest="tune_trials",
        type=int,
        default=None,
        metavar="TRIALS",
        help="tune each method at each point on that point's own validation split (TRIALS optuna "
        "trials, the first the defaults) before training the seeds with the winner",
    )
    p.add_argument("--k", type=int, default=10)
    p.add_argument(
        "--label", default="auto", help="metadata column for consistency@k (auto: genre/category)"
    )
    p.add_argument("--out", default=None, help="write the tidy rows as CSV here")
    force_option(p)
    p.set_defaults(run=run_sweep_command)


SUMMARY_COLUMNS = [
    "mode",
    "value",
    "method",
    "items",
    "events_per_item",
    "hr",
    "hr_lo",
    "hr_hi",
    "lift",
    "lift_lo",
    "lift_hi",
    "stability",
    "consistency",
    "trivial",
]


def run_sweep_command(args) -> int:
    from ..experiments import default_values, parse_grid, run_sweep
    from ..io.atomic import atomic_file, check_file_target

    if args.out:
        check_file_target(args.out, args.force)  # before the long work, not after it
    methods = swept_methods(args.methods)
    grid = parse_grid(args.values) if args.values else None  # a bad grid fails before the work
    inter = prepare_from(args)
    result = run_sweep(
        inter,
        args.axis,
        default_values(inter, args.axis, k=args.k) if grid is None else grid,
        methods,
        seeds=args.seeds,
        k=args.k,
        mode=args.mode,
        label=args.label,
        protocol=args.protocol,
        max_users=args.max_users,
        tune_trials=args.tune_trials,
        shrink_seed=args.seed,
        params=per_method(parse_params(args.param), methods),
        progress=stderr_progress(sys.stderr.isatty()),
    )
    if args.out:
        with atomic_file(args.out) as tmp:
            result.rows.to_csv(tmp, index=False)
    emit(args, result.to_dict(), lambda d: [summary_table(result.summary), "", d["reading"]])
    return 0


def summary_table(summary) -> str:
    """The summary's headline columns as a fixed-width table."""
    return summary[SUMMARY_COLUMNS].to_string(index=False, float_format=lambda v: f"{v:.3f}")


def swept_methods(text: str) -> list[str]:
    """``--methods item2vec,als`` as names, each a registered trainer.

    Raises
    ------
    ParameterError
        An unknown method (all unknown ones named).
    """
    from ..errors import ParameterError
    from ..train import registry

    methods = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in methods if m not in registry.names()]
    if bad:
        raise ParameterError(
            f"unknown method(s) {', '.join(bad)}; choose from {', '.join(registry.names())}"
        )
    return methods


def per_method(params: dict, methods: list[str]) -> dict:
    """A sweep trains several methods, so its parameters name theirs: --param item2vec.epochs=5."""
    from ..errors import ParameterError

    out: dict[str, dict] = {m: {} for m in methods}
    for name, value in params.items():
        method, dot, key = name.partition(".")
        if not dot or method not in out:
            raise ParameterError(
                f"sweep parameter '{name}' must name one of the swept methods "
                f"({', '.join(methods)}), e.g. --param {methods[0]}.{name.split('.')[-1]}={value}"
            )
        out[method][key] = value
    return out
