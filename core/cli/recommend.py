"""``embedlab recommend``: one user's top-k from a training folder, and why each item."""

from __future__ import annotations

from ..naming import join
from .common import emit, json_option, shown


def register(sub) -> None:
    """Add ``recommend`` to ``sub``."""
    from ..serving import SERVING_METHODS

    p = sub.add_parser(
        "recommend",
        parents=[json_option()],
        help="top-k items for one user from a training folder (user vector or recent history)",
        description="Recommend for one user of a training folder: by the user's vector when the "
        "method learned user vectors (als, svd), else from the user's recent history, scored as "
        "'embedlab evaluate recs' scores it. Items the user already has are excluded.",
    )
    p.add_argument("--vectors", required=True, metavar="RUN", help="a folder from embedlab train")
    p.add_argument("--user", required=True, metavar="ID", help="a user id of the folder's log")
    p.add_argument("--k", type=int, default=10, help="how many items (default 10)")
    p.add_argument(
        "--method",
        choices=SERVING_METHODS,
        default="exact",
        help="exact: the evaluation's scores over the whole catalog; hnsw: approximate (faiss "
        "HNSW, its recall against exact search measured and shown)",
    )
    p.add_argument(
        "--include-seen", action="store_true", help="keep items already in the user's history"
    )
    p.set_defaults(run=run_recommend)


def run_recommend(args) -> int:
    from ..recommend import recommend
    from ..runs import load_run

    run = load_run(args.vectors)
    recs = recommend(run, args.user, args.k, args.method, args.include_seen)
    emit(args, recs.to_dict(), lines)
    return 0


def _item(key: str, title: str) -> str:
    """``title · key`` as every command names an item (the key alone when it has no title)."""
    return shown(join(title, key))


def lines(d: dict) -> list[str]:
    """The recommendations for people: what they were scored from, then one line per item with
    its score, popularity and why."""
    seen = (
        f"{d['seen_items']:,} items already in the history excluded (--include-seen keeps them)"
        if d["seen_excluded"]
        else f"{d['seen_items']:,} items already in the history kept (--include-seen)"
    )
    search = "exact search" if d["recall"] is None else f"HNSW (measured recall {d['recall']:.3f})"
    out = [
        f"user {shown(d['user'])} · {d['method']} ({shown(d['run'])}): from {d['basis']}",
        f"  {seen}; {search}, {d['seconds'] * 1000:.1f} ms",
    ]
    if d["query_items"]:
        used = [_item(k, t) for k, t in zip(d["query_items"], d["query_titles"])]
        out.append("  history used (most recent first): " + "; ".join(used))
    if not d["items"]:
        from ..recommend import NOTHING

        return out + [f"  nothing to recommend: {NOTHING}"]
    for it in d["items"]:
        why = it["why"]
        reason = (
            f"because of {_item(why['because'], why['because_title'])} "
            f"(cosine {why['similarity']:.3f})"
            if "because" in why
            else f"user-vector score {why['score']:.3f}, popularity rank "
            f"{why['popularity_rank']:,} of {d['catalog_items']:,}"
        )
        out.append(
            f"  {it['rank']:>3}. {_item(it['key'], it['title'])}  {it['score']:.4f}  "
            f"{it['events']:,} events (#{it['popularity_rank']:,})  · {reason}"
        )
    return out
