"""The catalog-size sweep: shrink, retrain with several seeds, measure, summarise, read.

Per point (axis value × method × seed): next-item HR@K / NDCG@K and their lift over the
popularity baseline on the same shrunken data, genre (label) consistency@K, neighbour stability
across seeds (mean Jaccard of top-K neighbour sets), items lost below min_count, interactions and
distinct co-occurring items per item.  Shrinking and the split are done once per value and shared
by every method and seed; the split follows the log (core.evaluate.protocols: basket completion
for basket logs).  Summary intervals are 95% bootstraps over the evaluated users (items for
stability and consistency), so they never leave [0, 1]; points where k is at least the candidate
items are flagged ``trivial`` and kept out of the reading (core.experiments.reading).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from math import comb

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..evaluate.protocols import make_split
from ..evaluate.recs import (
    label_agreement,
    per_user_values,
    popularity_scorer,
    rank_metrics,
    scorer_for,
)
from ..labels import label_column
from ..logs import Interactions
from ..search import self_neighbours
from ..train import declared, train, trainer
from .reading import SUMMARY_METRICS, driver, interval, reading, summarise
from .shrink import AXES, ITEM_MODES, shrink
from .tune import prepare_tuning, tune

__all__ = [
    "run_sweep",
    "sweep_points",
    "SweepResult",
    "summarise",
    "interval",
    "reading",
    "driver",
    "SUMMARY_METRICS",
    "SWEEP_MODES",
    "chance_jaccard",
]


SWEEP_MODES = ("both", *ITEM_MODES)
"""Which items the items axis keeps: random, the most popular, or both at every size."""


def chance_jaccard(items: int, k: int) -> float:
    """Expected Jaccard of two random k-sets drawn from the other ``items - 1`` items: in a tiny
    catalog, top-10 neighbour sets overlap by construction.  Their overlap ``i`` is hypergeometric,
    so the expectation is the sum over ``i`` of P(i) · i / (2k − i), exactly (the ratio of the
    expected overlap to the expected union falls short by up to 15%)."""
    m = max(items - 1, 1)
    k = min(k, m)
    if k < 1:
        return 0.0
    pairs = comb(m, k)
    return sum(comb(k, i) * comb(m - k, k - i) / pairs * i / (2 * k - i) for i in range(1, k + 1))


@dataclass
class SweepResult:
    rows: pd.DataFrame
    summary: pd.DataFrame
    why: pd.DataFrame
    reading: str
    skipped: list[str]
    drivers: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        def records(df):
            return [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                for r in df.to_dict(orient="records")
            ]

        return {
            "rows": records(self.rows),
            "summary": records(self.summary),
            "why": records(self.why),
            "reading": self.reading,
            "skipped": self.skipped,
            "driver": self.drivers,
        }


def run_sweep(
    inter: Interactions,
    axis: str,
    values: list[float],
    methods: list[str],
    seeds: int = 3,
    k: int = 10,
    mode: str = "random",
    label: str | None = "auto",
    max_users: int | None = 2000,
    shrink_seed: int = 0,
    params: dict | None = None,
    progress=None,
    protocol: str = "auto",
    tune_trials: int | None = None,
) -> SweepResult:
    """Run the grid; ``progress(fraction, message)`` after every training.

    ``mode`` "both" (items axis) runs the random and the most-popular selection of every size, so
    the reading can tell catalog size from interactions per item.  ``protocol`` is the evaluation
    protocol (core.evaluate.protocols: basket completion for basket logs, else leave-last-out).
    ``tune_trials`` (a number of trials) tunes each method at each point on that point's own
    validation split (core.experiments.tune) before the seeds train with the winner, so a small
    catalog is not confused with an untuned one; the chosen parameters are in the rows' ``params``.
    """
    _check_grid(axis, values, methods, seeds, mode, tune_trials)
    points = sweep_points(inter, axis, values, mode)
    run = _Run(
        axis,
        methods,
        seeds,
        k,
        _label_column(inter, label),
        params,
        progress,
        len(points) * len(methods) * seeds,
        tune_trials,
    )
    for sel, value in points:
        try:  # a point that cannot be evaluated is said in the result, never silently dropped
            small = shrink(inter, axis, value, seed=shrink_seed, mode=sel)
            prep = (
                prepare_tuning(small.inter, protocol, max_users, shrink_seed)
                if tune_trials
                else None
            )
            split = prep.test if prep else make_split(small.inter, protocol, max_users, shrink_seed)
        except DataError as exc:
            run.skip(f"{axis}={value:g}" + (f" ({sel})" if mode == "both" else ""), exc.message)
            continue
        run.point(sel, value, small, split, prep)
    return run.result(inter.n_items, mirror_whole_catalog=mode == "both" and axis == "items")


def sweep_points(
    inter: Interactions, axis: str, values: list[float], mode: str = "random"
) -> list[tuple[str, float]]:
    """The ``(selection, value)`` points a sweep trains, in order.

    Parameters
    ----------
    inter : Interactions
    axis : {"items", "events", "users"}
    values : list of float
    mode : {"random", "popular", "both"}, default "random"
        Which items the items axis keeps; "both" runs each size twice, except the whole catalog,
        which is the same log whichever the selection (trained once, reported under both).

    Returns
    -------
    list of (str, float)

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> sweep_points(prepare("sample_data/interactions.csv"), "items", [50, 1000], "both")
    [('random', 50), ('random', 1000), ('popular', 50)]
    """
    modes = list(ITEM_MODES) if mode == "both" else [mode]
    return [
        (sel, v)
        for sel in (modes if axis == "items" else ["random"])
        for v in sorted(values)
        if not (sel == "popular" and len(modes) > 1 and v >= inter.n_items)
    ]


def _check_grid(axis, values, methods, seeds, mode, tune_trials) -> None:
    if axis not in AXES:
        raise ParameterError(f"axis '{axis}' must be one of {', '.join(AXES)}")
    if seeds < 1:
        raise ParameterError(f"seeds({seeds}) must be >= 1")
    if not values or not methods:
        raise ParameterError("a sweep needs at least one value and one method")
    if tune_trials is not None and tune_trials < 1:
        raise ParameterError(f"tune_trials({tune_trials}) must be a number of trials >= 1")
    if mode not in SWEEP_MODES:
        raise ParameterError(f"mode '{mode}' must be one of {', '.join((*ITEM_MODES, 'both'))}")


class _Run:
    """The grid's state: rows per seed, per-unit samples per point, facts, skipped points.  Its
    fields change only through its methods (``point``, ``skip``, ``result``)."""

    def __init__(self, axis, methods, seeds, k, label, params, progress, total, tune_trials=None):
        self.axis, self.methods, self.seeds, self.k, self.label = axis, methods, seeds, k, label
        self.params, self.progress, self.tune_trials = params, progress, tune_trials
        self.total, self.done = total, 0
        self.rows, self.why, self.skipped, self.samples = [], [], [], {}

    def skip(self, point: str, why: str) -> None:
        """A point that could not be evaluated: said in the result, its trainings counted done."""
        self.skipped.append(f"{point}: {why}")
        self.done += len(self.methods) * self.seeds

    def result(self, n_items: int, mirror_whole_catalog: bool) -> SweepResult:
        """The rows, their summary, the reading and the drivers.

        Raises
        ------
        DataError
            No point could be evaluated.
        """
        if not self.rows:
            raise DataError(
                "no point of the grid could be evaluated: " + "; ".join(self.skipped),
                hint="use larger values",
            )
        if mirror_whole_catalog:
            self.mirror_whole_catalog(n_items)
        frame = pd.DataFrame(self.rows)
        summary = summarise(frame, self.samples)
        text = reading(summary, self.axis, self.k)
        if self.skipped:
            text += " Not evaluated: " + "; ".join(self.skipped) + "."
        why = pd.DataFrame(self.why)
        return SweepResult(frame, summary, why, text, self.skipped, driver(summary))

    def mirror_whole_catalog(self, n_items: int) -> None:
        """Report the random selection's whole-catalog points under "popular" too (same log)."""
        self.rows += [
            {**r, "mode": "popular"}
            for r in self.rows
            if r["mode"] == "random" and r["value"] >= n_items
        ]
        self.why += [
            {**w, "mode": "popular"}
            for w in self.why
            if w["mode"] == "random" and w["value"] >= n_items
        ]
        self.samples.update(
            {
                (a, "popular", v, m): s
                for (a, sel, v, m), s in list(self.samples.items())
                if sel == "random" and v >= n_items
            }
        )

    def point(self, sel: str, value: float, small, split, prep=None) -> None:
        """Train every method with every seed on one shrunken log; baselines once per point."""
        counts = split.train.item_counts()
        pop = rank_metrics(popularity_scorer(counts), split, counts, self.k)
        pop_user = per_user_values(pop.pop("_ranks"), self.k)["hr"]
        facts = _facts(small.inter)
        candidates = candidate_items(split)
        base = {
            "axis": self.axis,
            "mode": sel,
            "value": value,
            "items": small.kept_items,
            "users": small.kept_users,
            "events": small.kept_events,
            "users_evaluated": len(split.users),
            "pop_hr": pop["hr"],
            "events_per_item": facts["events_per_item"],
            "cooccurring_items_per_item": facts["cooccurring_items_per_item"],
            "candidates": candidates,
            "trivial": candidates <= self.k,
            "protocol": split.protocol,
        }
        self.why.append({"axis": self.axis, "mode": sel, "value": value, **facts})
        for method in self.methods:
            self._method(
                method,
                base,
                split,
                counts,
                pop_user,
                self._params(method, small.inter, split, prep),
            )

    def _params(self, method: str, inter: Interactions, split, prep) -> dict:
        """The method's parameters at this point: as given, or tuned on the point's validation
        split."""
        if prep is None:
            return fit_params(method, split.train, self.params)
        fixed = (self.params or {}).get(method) or None
        best = tune(
            inter, method, trials=self.tune_trials, k=self.k, seed=0, fixed=fixed, prepared=prep
        ).best_params
        return fit_params(method, split.train, {method: best})

    def _method(self, method, base, split, counts, pop_user, params) -> None:
        per_user, sets, agree, rows = [], [], [], []
        for seed in range(self.seeds):
            t = time.perf_counter()
            result = train(split.train, method, seed=seed, **params)
            rep = rank_metrics(scorer_for(result, split), split, counts, self.k)
            per_user.append(per_user_values(rep.pop("_ranks"), self.k))
            sets.append(_neighbour_sets(result.items, self.k))
            agree.append(_agreement(result.items, self.label, self.k))
            rows.append(
                {
                    **base,
                    "method": method,
                    "seed": seed,
                    "hr": rep["hr"],
                    "ndcg": rep["ndcg"],
                    "hr_lo": rep["hr_lo"],
                    "hr_hi": rep["hr_hi"],
                    "ndcg_lo": rep["ndcg_lo"],
                    "ndcg_hi": rep["ndcg_hi"],
                    "lift": rep["hr"] / base["pop_hr"] if base["pop_hr"] else np.nan,
                    "consistency": float(agree[-1].mean()) if len(agree[-1]) else np.nan,
                    "stability_chance": chance_jaccard(len(result.items), self.k),
                    "lost_share": 1 - len(result.items) / split.train.n_items,
                    "params": json.dumps(params, sort_keys=True, default=str),
                    "tuned": self.tune_trials is not None,
                    "seconds": time.perf_counter() - t,
                }
            )
            self.done += 1
            if self.progress:
                self.progress(
                    self.done / self.total, f"{self.axis}={base['value']:g} {method} seed {seed}"
                )
        per_key = _add_stability(rows, sets)
        self.rows += rows
        self.samples[(self.axis, base["mode"], base["value"], method)] = {
            "hr": np.mean([u["hr"] for u in per_user], axis=0),
            "ndcg": np.mean([u["ndcg"] for u in per_user], axis=0),
            "pop_hr": pop_user,
            "stability": per_key,
            "consistency": np.mean(agree, axis=0) if len(agree[0]) else np.array([]),
        }


def candidate_items(split) -> float:
    """Median number of items a case is ranked against (the catalog minus what is excluded):
    when it is k or fewer, every method hits and the point says nothing."""
    n = split.train.n_items
    if split.exclude is not None:
        excluded = np.diff(split.exclude.indptr)
    else:
        pairs = np.unique(split.train.user.astype(np.int64) * n + split.train.item)
        excluded = np.bincount(pairs // n, minlength=split.train.n_users)[split.users]
    return float(np.median(n - excluded))


def fit_params(method: str, inter: Interactions, params: dict | None) -> dict:
    """The method's parameters, each capped at the bound its trainer derives from the shrunken log
    (``Trainer.log_bounds``: MF factors below the matrix's rank), never below its declared low."""
    p = dict((params or {}).get(method, {}))
    t = trainer(method)
    bounds = t.log_bounds(inter)
    if bounds:
        defaults, spec = t.defaults(inter), {d["name"]: d for d in declared(t.Params)}
        for name, bound in bounds.items():
            kind, low = spec[name]["type"], spec[name]["low"]
            cap = bound.high if low is None else max(low, bound.high)
            p[name] = min(kind(p.get(name, getattr(defaults, name))), kind(cap))
    return p


def _label_column(inter: Interactions, label: str | None) -> str | None:
    meta = inter.item_metadata
    if label != "auto":
        return label
    return label_column(meta)  # genre, genres ("Comedy|Drama"), category, label, tags…


def _agreement(emb, label, k) -> np.ndarray:
    """Per labelled item, 1.0 when its neighbours' majority label is its own (empty: no labels)."""
    if not label or emb.metadata is None or label not in emb.metadata.columns or len(emb) <= k + 1:
        return np.array([])
    try:
        return label_agreement(emb, label, k)[0].astype(float)
    except DataError:  # too few labelled items at this size
        return np.array([])


def _neighbour_sets(emb, k) -> dict[str, set[str]]:
    keys = np.asarray(emb.keys, dtype=object)
    return {emb.keys[r]: set(keys[row]) for r, row in enumerate(self_neighbours(emb.unit, k))}


def _add_stability(rows: list[dict], sets: list[dict]) -> np.ndarray:
    """Each seed's stability: mean Jaccard of its neighbour sets with every other seed's, over the
    keys both have (NaN with a single seed).  Returns each key's mean Jaccard over seed pairs,
    the units the interval resamples."""
    per_key: dict[str, list[float]] = {}
    for i, row in enumerate(rows):
        scores = []
        for j, other in enumerate(sets):
            if j == i:
                continue
            for c in sorted(
                sets[i].keys() & other.keys()
            ):  # a fixed order: the sums do not depend on PYTHONHASHSEED
                score = len(sets[i][c] & other[c]) / max(len(sets[i][c] | other[c]), 1)
                scores.append(score)
                per_key.setdefault(c, []).append(score)
        row["stability"] = float(np.mean(scores)) if scores else np.nan
    return np.array([np.mean(v) for v in per_key.values()])


def _facts(inter: Interactions) -> dict:
    """What a small catalog changes: contexts per item, false negatives, popularity
    concentration."""
    from ..train.graph import cooccurrence
    from ..train.item2vec import DEFAULTS

    counts = inter.item_counts().astype(float)
    g = cooccurrence(inter, int(DEFAULTS["window"]))
    g.data[:] = 1
    partners = np.asarray(g.sum(axis=1)).ravel()
    p_neg = counts ** DEFAULTS["ns_exponent"]
    p_neg /= p_neg.sum()
    false_neg = np.asarray(
        g @ p_neg
    ).ravel()  # chance a negative for item i is one of i's co-occurring items
    top = np.sort(counts)[::-1]
    n_top = max(1, int(round(0.1 * len(top))))
    return {
        "items": int(inter.n_items),
        "events": int(len(inter)),
        "events_per_item": float(counts.mean()),
        "cooccurring_items_per_item": float(partners.mean()),
        "cooccurring_share_of_catalog": float(partners.mean() / max(inter.n_items - 1, 1)),
        "false_negative_rate": float(np.average(false_neg, weights=counts)),
        "top10pct_event_share": float(top[:n_top].sum() / top.sum()),
    }
