"""Compare two sets of the same items: neighbour overlap, label agreement, neighbour popularity.

Results are tidy frames, so the dashboard's Compare page and tests read the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .embeddings import Embeddings
from .errors import ParameterError
from .labels import label_column, label_sets
from .search import top_k

AGREEMENT_LIMIT = 20_000  # keys scored by agreement(): neighbours of 20,000 keys take seconds


def shared_keys(a: Embeddings, b: Embeddings) -> list[str]:
    """Keys of ``a`` that ``b`` also holds, in ``a``'s order.

    Raises
    ------
    ParameterError
        Fewer than two shared keys: the sets are not of the same items.
    """
    common = [k for k in a.keys if k in b.key_to_index]
    if len(common) < 2:
        raise ParameterError(
            f"the two sets share {len(common)} keys; compare sets of the same items",
            hint="e.g. item2vec and ALS trained on the same log",
        )
    return common


def overlap(a_keys, b_keys, k: int) -> float:
    """Share of the ``k`` neighbours that both lists hold: |A ∩ B| / k."""
    return len(set(a_keys) & set(b_keys)) / k


def jaccard(a_keys, b_keys) -> float:
    """Jaccard index of two neighbour lists: |A ∩ B| / |A ∪ B| (0 for two empty lists).

    Examples
    --------
    >>> jaccard(["a", "b", "c"], ["b", "c", "d"])
    0.5
    """
    a, b = set(a_keys), set(b_keys)
    return len(a & b) / len(a | b) if a | b else 0.0


def agreement(
    a: Embeddings, b: Embeddings, k: int = 10, limit: int = AGREEMENT_LIMIT
) -> pd.DataFrame:
    """Where two sets agree: the Jaccard index of each shared key's ``k`` nearest neighbours
    (cosine) in ``a`` and in ``b``.

    Parameters
    ----------
    a, b : Embeddings
        Sets of the same items (neighbours are searched among all the keys of each).
    k : int, default 10
    limit : int, default AGREEMENT_LIMIT
        At most this many shared keys are scored: the first ones in ``a``'s order.

    Returns
    -------
    DataFrame
        ``key``, ``row`` (its row in ``a``) and ``jaccard`` (0 to 1), one row per scored key.

    Raises
    ------
    ParameterError
        The sets share fewer than two keys.

    Examples
    --------
    Keys a, b, c, d where only c's nearest neighbour differs between the sets (d in one, b in
    the other):

    >>> a = Embeddings(list("abcd"), np.array([[1, 0], [.99, .1], [0, 1], [.1, .99]], "f4"))
    >>> b = Embeddings(list("abcd"), np.array([[1, 0], [.99, .1], [0, 1], [-1, 0]], "f4"))
    >>> agreement(a, b, k=1)["jaccard"].tolist()
    [1.0, 1.0, 0.0, 1.0]
    """
    common = shared_keys(a, b)[:limit]
    found = []
    for emb in (a, b):
        rows_of = np.array([emb.key_to_index[key] for key in common])
        ids, _, _ = top_k(
            emb, np.asarray(emb.vectors[rows_of]), k, exclude=[[r] for r in rows_of], method="exact"
        )
        found.append([{emb.keys[j] for j in row if j >= 0} for row in ids])
    scores = [jaccard(x, y) for x, y in zip(*found)]
    rows = [a.key_to_index[key] for key in common]
    return pd.DataFrame({"key": common, "row": rows, "jaccard": scores})


def agreement_colouring(jaccard: np.ndarray, k: int = 10):
    """Colours for each point's Jaccard@k between two sets, in bins a reader can count: how many
    of its ``k`` neighbours both sets share (Jaccard = shared / (2k - shared)); NaN: the point is
    not in both sets (or was not scored).

    Parameters
    ----------
    jaccard : ndarray of float (n,)
    k : int, default 10

    Returns
    -------
    core.colouring.Colouring

    Examples
    --------
    >>> c = agreement_colouring(np.array([0.0, 1 / 19, 0.25, 1.0, np.nan]), k=10)
    >>> c.groups.tolist()
    [0, 1, 2, 5, 6]
    >>> [text for _, text, _ in c.legend][:3]
    ['none of 10 shared', '1–2 of 10 shared', '3–4 of 10 shared']
    """
    from .colouring import DIVERGING, by_number

    cuts = sorted({0, *np.linspace(0, k, 6).round().astype(int).tolist()})  # shared-count bins
    edges = [0.0] + [c / (2 * k - c) for c in cuts]
    texts = [f"none of {k} shared"] + [
        f"{lo + 1}–{hi} of {k} shared" if hi > lo + 1 else f"{hi} of {k} shared"
        for lo, hi in zip(cuts[:-1], cuts[1:])
    ]
    colouring = by_number(jaccard, f"Jaccard@{k}", edges=edges, texts=texts, colours=DIVERGING)
    legend = [(c, "not in both sets" if t == "no value" else t, n) for c, t, n in colouring.legend]
    note = (
        f"Colour: how many of each item's {k} nearest neighbours the other set shares "
        f"(Jaccard@{k} = shared / ({2 * k} − shared))."
    )
    return type(colouring)(colouring.groups, legend, note)


def popularity(emb: Embeddings) -> tuple[np.ndarray, str] | None:
    """Per-key popularity and what it means: the training log's event counts (metadata column
    ``events``), or, for sets whose keys are stored most frequent first, the frequency rank
    (lower = more frequent).  None when neither is known (e.g. an uploaded file)."""
    if emb.metadata is not None and "events" in emb.metadata.columns:
        return emb.metadata["events"].to_numpy(dtype=float), "mean events in the training log"
    if frequency_ordered(emb):
        return np.arange(len(emb), dtype=float), "mean frequency rank (lower = more frequent)"
    return None


def frequency_ordered(emb: Embeddings) -> bool:
    """Whether row order is frequency order (most frequent first): true for the built-in GloVe,
    whose index is frequency-ordered; unknown, hence False, for files and trained sets."""
    return emb.provenance.format == "builtin"


@dataclass(frozen=True)
class Comparison:
    """Neighbours of the same keys in two sets.

    Attributes
    ----------
    summary : DataFrame
        One row per set: keys compared, mean neighbour popularity (NaN when unknown), label
        agreement@k (NaN without labels), mean overlap@k.
    label : str or None
        The metadata column read as labels.
    popularity : str or None
        What the popularity column measures.
    """

    summary: pd.DataFrame
    label: str | None
    popularity: str | None


def compare_sets(
    a: Embeddings,
    b: Embeddings,
    names: tuple[str, str],
    k: int = 10,
    sample: int = 300,
    seed: int = 0,
) -> Comparison:
    """Neighbours of up to ``sample`` random shared keys, found once per set in one batch.

    Label agreement@k: the share of a key's neighbours that share at least one label with it
    (multi-value cells such as "Comedy|Drama" are split).

    Examples
    --------
    Two sets of four keys where c's nearest neighbour is d in one and b in the other:

    >>> a = Embeddings(list("abcd"), np.array([[1, 0], [.99, .1], [0, 1], [.1, .99]], "f4"))
    >>> b = Embeddings(list("abcd"), np.array([[1, 0], [.99, .1], [0, 1], [-1, 0]], "f4"))
    >>> float(compare_sets(a, b, ("A", "B"), k=1).summary["mean overlap@k"].iloc[0])
    0.75
    """
    common = shared_keys(a, b)
    rng = np.random.default_rng(seed)
    keys = [common[i] for i in rng.choice(len(common), min(sample, len(common)), replace=False)]
    rows, found, label, pop_label = [], [], None, None
    for name, emb in zip(names, (a, b)):
        rows_of = np.array([emb.key_to_index[key] for key in keys])
        ids, _, _ = top_k(
            emb, np.asarray(emb.vectors[rows_of]), k, exclude=[[r] for r in rows_of], method="exact"
        )
        ids = [row[row >= 0] for row in ids]
        found.append([{emb.keys[j] for j in row} for row in ids])
        column = label_column(emb.metadata)
        agree = np.nan
        if column is not None:
            label = column
            sets = label_sets(emb.metadata[column])
            agree = _agreement(sets, rows_of, ids)
        pop = popularity(emb)
        mean_pop = (
            np.nan
            if pop is None
            else float(np.mean([pop[0][row].mean() for row in ids if len(row)]))
        )
        pop_label = pop_label or (None if pop is None else pop[1])
        rows.append(
            {
                "set": name,
                "keys compared": len(keys),
                "mean neighbour popularity": mean_pop,
                "label agreement@k": agree,
            }
        )
    summary = pd.DataFrame(rows)
    summary["mean overlap@k"] = float(np.mean([len(x & y) / k for x, y in zip(*found)]))
    return Comparison(summary, label, pop_label)


def _agreement(sets: list[frozenset], rows_of, ids) -> float:
    scores = [
        np.mean([bool(sets[r] & sets[j]) for j in row])
        for r, row in zip(rows_of, ids)
        if sets[r] and len(row)
    ]
    return float(np.mean(scores)) if scores else np.nan


@dataclass(frozen=True)
class Verdict:
    """A model against one baseline on one metric, with 95% intervals.

    ``relation`` is ``"better"`` or ``"worse"`` only when the 95% interval of the difference
    (from the two intervals: ``diff ± 1.96·√(se₁² + se₂²)``, each ``se`` the interval's width
    over 3.92) excludes 0, else ``"tie"`` (within noise: no verdict is earned).  Model and
    baseline rank the same cases, so their errors are positively correlated and this interval is
    wider than the paired one: a verdict it earns holds.  (Asking the two intervals not to
    overlap, as before, is a test at about the 99.4% level: it called 1.9× a tie.)
    """

    baseline: str
    metric: str
    model: float
    other: float
    model_interval: tuple[float, float]
    other_interval: tuple[float, float]
    relation: str

    @property
    def difference(self) -> tuple[float, float]:
        """The 95% interval of model minus baseline, from the two intervals (see the class)."""
        return difference_interval(self.model, self.model_interval, self.other, self.other_interval)

    @property
    def ratio(self) -> float:
        """The model's metric over the baseline's (inf when the baseline scores 0)."""
        return self.model / self.other if self.other else float("inf")

    def sentence(self, method: str) -> str:
        diff = self.model - self.other
        lo, hi = self.model_interval
        blo, bhi = self.other_interval
        head = (
            f"{method} {self.metric.upper()} {self.model:.3f} [{lo:.3f}, {hi:.3f}] "
            f"vs {baseline_name(self.baseline)} {self.other:.3f} [{blo:.3f}, {bhi:.3f}]"
        )
        if self.relation == "tie":
            dlo, dhi = self.difference
            return (
                f"{head}: {times(self.ratio)}, within noise (the difference, {diff:+.3f}, "
                f"has a 95% interval [{dlo:+.3f}, {dhi:+.3f}] that holds 0)"
            )
        return (
            f"{head}: {times(self.ratio)}, {self.relation} by {abs(diff):.3f} "
            f"({diff / self.other:+.0%})"
            if self.other
            else f"{head}: {self.relation} by {abs(diff):.3f}"
        )


def difference_interval(a: float, a_ci, b: float, b_ci) -> tuple[float, float]:
    """The 95% interval of ``a − b`` from their own 95% intervals (normal approximation).

    Examples
    --------
    >>> lo, hi = difference_interval(0.075, (0.056, 0.097), 0.039, (0.025, 0.056))
    >>> round(lo, 3), round(hi, 3)
    (0.01, 0.062)
    """
    se = np.hypot((a_ci[1] - a_ci[0]) / 3.92, (b_ci[1] - b_ci[0]) / 3.92)
    return a - b - 1.96 * float(se), a - b + 1.96 * float(se)


def baseline_name(name: str) -> str:
    """How a baseline is named to people ("itemcf" → "item-CF", "ease" → "EASE")."""
    from .evaluate.baselines import NAMES

    return NAMES.get(name, name)


def times(ratio: float) -> str:
    """A ratio as people read it: ``0.92×``, ``1.6×``, ``14×``.

    Examples
    --------
    >>> times(0.9149), times(1.63), times(14.2), times(float("inf"))
    ('0.91×', '1.6×', '14×', '∞×')
    """
    if ratio == float("inf"):
        return "∞×"
    if ratio >= 10:
        return f"{ratio:.0f}×"
    return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def verdicts(report: dict, metric: str = "hr") -> list[Verdict]:
    """The model of an ``evaluate_recs`` report against each baseline that ran, strongest first.

    Examples
    --------
    >>> report = {"hr": 0.034, "hr_lo": 0.02, "hr_hi": 0.05, "baselines": {
    ...     "popularity": {"hr": 0.041, "hr_lo": 0.03, "hr_hi": 0.052},
    ...     "itemcf": {"hr": 0.079, "hr_lo": 0.07, "hr_hi": 0.09},
    ...     "ease": {"skipped": "EASE on 2 items needs ..."}}}
    >>> verdicts(report)[0].sentence("item2vec")
    'item2vec HR 0.034 [0.020, 0.050] vs item-CF 0.079 [0.070, 0.090]: 0.43×, worse by 0.045 (-57%)'
    """
    from .evaluate.baselines import scored

    def interval(r):
        return (r.get(f"{metric}_lo", r[metric]), r.get(f"{metric}_hi", r[metric]))

    out = []
    mine = interval(report)
    for name, base in scored(report["baselines"]).items():
        theirs = interval(base)
        lo, hi = difference_interval(report[metric], mine, base[metric], theirs)
        relation = "better" if lo > 0 else "worse" if hi < 0 else "tie"
        out.append(Verdict(name, metric, report[metric], base[metric], mine, theirs, relation))
    return sorted(out, key=lambda v: -v.other)


def headline(report: dict, metric: str = "hr") -> str:
    """One line: the model against the strongest baseline first, then the others but random.

    Examples
    --------
    >>> report = {"method": "als", "k": 10, "hr": 0.082, "baselines": {
    ...     "popularity": {"hr": 0.051}, "random": {"hr": 0.001}, "itemcf": {"hr": 0.079},
    ...     "ease": {"hr": 0.089}}}
    >>> headline(report)
    'als HR@10 0.082: 0.92× EASE, the strongest baseline; 1.0× item-CF; 1.6× popularity'
    """
    ranked = [v for v in verdicts(report, metric) if v.baseline != "random"]
    head = f"{report['method']} {metric.upper()}@{report['k']} {report[metric]:.3f}"
    if not ranked:
        return head
    parts = [f"{times(v.ratio)} {baseline_name(v.baseline)}" for v in ranked]
    parts[0] += ", the strongest baseline"
    return f"{head}: " + "; ".join(parts)
