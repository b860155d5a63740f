"""``embedlab compare``: two sets of the same items, as the dashboard's Compare page reads them."""

from __future__ import annotations

from .common import emit, json_option, shown


def register(sub) -> None:
    """Add ``compare`` to ``sub``."""
    p = sub.add_parser(
        "compare",
        parents=[json_option()],
        help="two sets of the same items: neighbour overlap, label agreement, popularity",
    )
    p.add_argument("a", help="the first set: a built-in name, a vector file or a training folder")
    p.add_argument("b", help="the second set, of the same items")
    p.add_argument(
        "key",
        nargs="?",
        default=None,
        help="a key or a title: its neighbours in both sets, side by side",
    )
    p.add_argument("--topn", "-k", type=int, default=10, dest="k")
    p.add_argument("--sample", type=int, default=300, help="shared keys compared for the summary")
    p.set_defaults(run=run_compare)


def run_compare(args) -> int:
    from .. import io
    from ..compare import compare_sets, shared_keys

    a, b = io.load(args.a), io.load(args.b)
    shared_keys(a, b)  # the sets must share items (a one-line error otherwise)
    data: dict = {"a": args.a, "b": args.b, "k": args.k}
    if args.key is not None:
        data.update(_side_by_side(a, b, args.key, args.k))
    result = compare_sets(a, b, (args.a, args.b), args.k, sample=args.sample)
    data["summary"] = result.summary.to_dict(orient="records")
    data["label_column"], data["popularity"] = result.label, result.popularity
    emit(args, data, _lines)
    return 0


def _side_by_side(a, b, text: str, k: int) -> dict:
    """The neighbours of the item ``text`` names in both sets, with their overlap."""
    from ..compare import jaccard, overlap
    from ..matching import resolve_item
    from ..naming import label, labels
    from ..search import neighbours

    key = resolve_item(a, text)
    na, nb = neighbours(a, key, k), neighbours(b, b.resolve(key), k)
    return {
        "query": text,
        "key": key,
        "label": label(a, key),
        "overlap": overlap(na.keys, nb.keys, k),
        "jaccard": jaccard(na.keys, nb.keys),
        "neighbours_a": [
            {"key": x, "label": t, "score": float(s)}
            for x, t, s in zip(na.keys, labels(a, na.keys), na.scores)
        ],
        "neighbours_b": [
            {"key": x, "label": t, "score": float(s)}
            for x, t, s in zip(nb.keys, labels(b, nb.keys), nb.scores)
        ],
    }


def _lines(data: dict) -> list[str]:
    """Side by side (when a key was given), then the summary over many shared keys."""
    lines = []
    if "key" in data:
        lines.append(
            f"{shown(data['label'])}: overlap@{data['k']} {data['overlap']:.0%}, "
            f"Jaccard {data['jaccard']:.2f}"
        )
        shared = {r["key"] for r in data["neighbours_a"]} & {r["key"] for r in data["neighbours_b"]}
        for name, rows in (("a", data["neighbours_a"]), ("b", data["neighbours_b"])):
            lines.append(f"  in {shown(data[name])}:")
            for i, r in enumerate(rows, 1):
                mark = "*" if r["key"] in shared else " "
                lines.append(f"  {mark}{i:>3}. {r['score']:.4f}  {shown(r['label'])}")
        lines.append("  (* in both)")
    lines.append(f"over {data['summary'][0]['keys compared']} random shared keys:")
    for row in data["summary"]:
        lines.append(
            f"  {shown(row['set'])}: mean overlap@{data['k']} {row['mean overlap@k']:.2f}, "
            f"label agreement@{data['k']} {_number(row['label agreement@k'])}, "
            f"mean neighbour popularity {_number(row['mean neighbour popularity'])}"
        )
    return lines


def _number(value) -> str:
    """A figure, or "n/a" when it is unknown (NaN)."""
    return "n/a" if value != value else f"{value:,.2f}"
