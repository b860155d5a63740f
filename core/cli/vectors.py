"""Commands over one embedding set: neighbours, analogy, convert."""

from __future__ import annotations

from ..visible import visible
from .common import emit, force_option, load_vectors, vector_options


def register(sub) -> None:
    """Add neighbours (alias neighbors), analogy and convert to ``sub``."""
    from ..arithmetic import ANALOGY_SCORINGS
    from ..io import WRITE_FORMATS
    from ..search import SEARCH_METHODS, SEARCH_METRICS

    vec = vector_options()
    p = sub.add_parser(
        "neighbours", aliases=["neighbors"], parents=[vec], help="nearest neighbours of a key"
    )
    p.add_argument("key")
    p.add_argument("--topn", "-k", type=int, default=10, dest="k")
    p.add_argument("--metric", choices=SEARCH_METRICS, default="cosine")
    p.add_argument("--restrict", type=int, default=None, help="search only the first N keys")
    p.add_argument(
        "--where",
        default=None,
        metavar="COLUMN=VALUE",
        help="search only keys whose metadata COLUMN equals VALUE (e.g. genre=Comedy)",
    )
    p.add_argument("--method", choices=SEARCH_METHODS, default="auto")
    p.set_defaults(run=run_neighbours)

    p = sub.add_parser(
        "analogy", parents=[vec], help="vector arithmetic, e.g. 'madrid - spain + france'"
    )
    p.add_argument("expression")
    p.add_argument("--topn", "-k", type=int, default=10, dest="k")
    p.add_argument("--method", choices=ANALOGY_SCORINGS, default="3cosadd")
    p.add_argument("--include-inputs", action="store_true", help="rank the input keys too")
    p.add_argument("--restrict", type=int, default=None, help="answer only from the first N keys")
    p.set_defaults(run=run_analogy)

    p = sub.add_parser("convert", parents=[vec], help="convert a vector file to another format")
    p.add_argument("input", help="vector file, folder or built-in name")
    p.add_argument("output")
    p.add_argument("--to", choices=WRITE_FORMATS, default=None)
    force_option(p)
    p.set_defaults(run=run_convert)


def _neighbour_lines(data: dict) -> list[str]:
    """The human lines of a neighbours or analogy result; keys and metadata (titles) are user
    text, shown with their control characters spelled out (``core.visible``)."""
    lines = [f"{visible(data['query'])}:"]
    if data.get("excluded"):
        lines[0] += f"  (inputs excluded: {', '.join(visible(k) for k in data['excluded'])})"
    if data.get("recall") is not None:
        lines.append(f"  approximate search, measured recall@10 {data['recall']:.3f}")
    keys = [visible(r["key"]) for r in data["results"]]
    width = max((len(k) for k in keys), default=0)
    for i, (key, r) in enumerate(zip(keys, data["results"]), 1):
        extra = "  ".join(visible(v) for c, v in r.items() if c not in ("key", "score"))
        lines.append(f"  {i:>3}. {key:<{width}}  {r['score']:.4f}  {extra}".rstrip())
    return lines


def run_neighbours(args) -> int:
    from ..errors import ParameterError
    from ..search import neighbours, rows_where

    emb = load_vectors(args)
    restrict = args.restrict
    if args.where:
        column, sep, value = args.where.partition("=")
        if not sep:
            raise ParameterError(f"--where '{args.where}' must look like COLUMN=VALUE")
        restrict = rows_where(emb, column, value)
    nb = neighbours(
        emb, args.key, k=args.k, metric=args.metric, restrict=restrict, method=args.method
    )
    data = {
        "query": args.key,
        "metric": nb.metric,
        "method": nb.method,
        "recall": nb.recall,
        "results": nb.records(),
    }
    emit(args, data, _neighbour_lines)
    return 0


def run_analogy(args) -> int:
    from ..arithmetic import solve

    emb = load_vectors(args)
    res = solve(
        emb,
        args.expression,
        k=args.k,
        method=args.method,
        include_inputs=args.include_inputs,
        restrict=args.restrict,
    )
    emit(args, res.to_dict(), _neighbour_lines)
    return 0


def run_convert(args) -> int:
    from .. import io

    args.vectors = args.input
    emb = load_vectors(args)
    written = io.save(emb, args.output, args.to, force=args.force)
    data = {
        "input": args.input,
        "keys": len(emb),
        "dim": emb.dim,
        "written": [str(p) for p in written],
        "notes": list(emb.notes),
    }
    emit(
        args,
        data,
        lambda d: (
            d["notes"] + [f"wrote {d['keys']} vectors × {d['dim']} to {', '.join(d['written'])}"]
        ),
    )
    return 0
