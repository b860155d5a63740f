"""``embedlab sample-data``: write a synthetic log with known genres."""

from __future__ import annotations

from .common import emit, force_option, json_option, seed_value


def register(sub) -> None:
    """Add ``sample-data`` to ``sub``."""
    p = sub.add_parser(
        "sample-data", parents=[json_option()], help="generate a synthetic log with known genres"
    )
    p.add_argument("--out", required=True)
    p.add_argument("--users", type=int, default=3000)
    p.add_argument("--items", type=int, default=1000)
    p.add_argument("--seed", type=seed_value, default=42)
    force_option(p)
    p.set_defaults(run=run_sample)


def run_sample(args) -> int:
    from ..sample import generate

    paths = generate(users=args.users, items=args.items, seed=args.seed).write(
        args.out, force=args.force
    )
    emit(args, {"files": [str(p) for p in paths]}, lambda d: [f"wrote {f}" for f in d["files"]])
    return 0
