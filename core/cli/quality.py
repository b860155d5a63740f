"""Commands that measure quality: evaluate analogies|similarity, diagnose."""

from __future__ import annotations

from .common import emit, load_vectors, seed_value, vector_options


def register_evaluate(kinds) -> None:
    """Add ``evaluate analogies`` and ``evaluate similarity`` to the ``evaluate`` sub-parsers."""
    vec = vector_options()
    p = kinds.add_parser("analogies", parents=[vec], help="Google analogy accuracy (gensim-equal)")
    p.add_argument("--file", default=None, help="questions-words format (default: the Google set)")
    p.add_argument(
        "--restrict", type=int, default=300000, help="only the first N keys count (as gensim)"
    )
    p.set_defaults(run=run_analogies)
    p = kinds.add_parser(
        "similarity", parents=[vec], help="word-pair similarity (Pearson/Spearman)"
    )
    p.add_argument("--file", default=None, help="word1<TAB>word2<TAB>score (default: WordSim-353)")
    p.add_argument("--restrict", type=int, default=300000)
    p.set_defaults(run=run_similarity)


def register(sub) -> None:
    """Add ``diagnose`` to ``sub``."""
    p = sub.add_parser(
        "diagnose",
        parents=[vector_options()],
        help="hubness, anisotropy, norm vs frequency, dimensionality",
    )
    p.add_argument("--sample", type=int, default=10000, help="measure on the first N keys")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=seed_value, default=0)
    p.set_defaults(run=run_diagnose)


def run_analogies(args) -> int:
    from ..evaluate.analogies import evaluate_analogies

    report = evaluate_analogies(load_vectors(args), args.file, restrict=args.restrict)

    def human(d):
        lines = [
            f"accuracy {d['accuracy']:.4f} ({d['correct']}/{d['total']}); "
            f"{d['skipped_oov']} questions skipped for words outside the first {d['restrict']} keys"
        ]
        lines += [
            f"  {s['section']:<30} {s['accuracy']:.4f}  ({s['correct']}/{s['total']})"
            for s in d["sections"]
        ]
        return lines

    emit(args, report.to_dict(), human)
    return 0


def run_similarity(args) -> int:
    from ..evaluate.similarity import evaluate_pairs

    report = evaluate_pairs(load_vectors(args), args.file, restrict=args.restrict)
    emit(
        args,
        report.to_dict(),
        lambda d: [
            f"pearson {d['pearson']:.4f}  spearman {d['spearman']:.4f}  pairs {d['pairs']}  "
            f"unknown-word pairs {d['skipped_oov']} ({d['oov_ratio']:.1%})"
        ],
    )
    return 0


def run_diagnose(args) -> int:
    from ..evaluate.diagnostics import diagnose

    d = diagnose(load_vectors(args), sample=args.sample, k=args.k, seed=args.seed).to_dict()

    def human(d):
        return [
            f"measured on the first {d['keys_used']} keys, k={d['k']}",
            f"hubness: k-occurrence skew {d['hubness_skew']:.2f}; "
            f"{d['antihub_share']:.1%} of keys are nobody's neighbour; top hubs: "
            + ", ".join(f"{h['key']} ({h['k_occurrence']})" for h in d["hubs"][:5]),
            f"anisotropy: mean cosine of random pairs {d['anisotropy']:.3f}",
            f"norm vs frequency rank: spearman {d['norm_frequency_spearman']:.3f}",
            f"effective dimensionality: participation ratio {d['participation_ratio']:.1f} "
            f"of {d['dim']}; {d['dims_for_90pct_variance']} dims hold 90% of the variance",
        ]

    emit(args, d, human)
    return 0
