"""The catalog-size sweep: shrink, retrain with several seeds, measure, summarise, read.

Per point (axis value × method × seed): next-item HR@K / NDCG@K and their lift over the
popularity baseline on the same shrunken data, genre (label) consistency@K, neighbour stability
across seeds (mean Jaccard of top-K neighbour sets), items lost below min_count, interactions and
distinct co-occurring items per item.  Shrinking and the split are done once per value and shared
by every method and seed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..evaluate.recs import leave_last_out, metadata_consistency, popularity_scorer, rank_metrics, scorer_for
from ..logs import Interactions
from ..search import self_neighbours
from ..train import train
from .shrink import AXES, shrink

METRICS = ("hr", "ndcg", "lift", "stability", "consistency")


def chance_jaccard(items: int, k: int) -> float:
    """Expected Jaccard of two random k-sets drawn from the other ``items - 1`` items: in a tiny
    catalog, top-10 neighbour sets overlap by construction."""
    m = max(items - 1, 1)
    k = min(k, m)
    inter = k * k / m
    return inter / (2 * k - inter)


@dataclass
class SweepResult:
    rows: pd.DataFrame
    summary: pd.DataFrame
    why: pd.DataFrame
    reading: str
    skipped: list[str]

    def to_dict(self) -> dict:
        def records(df):
            return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                    for r in df.to_dict(orient="records")]
        return {"rows": records(self.rows), "summary": records(self.summary), "why": records(self.why),
                "reading": self.reading, "skipped": self.skipped}


def run_sweep(inter: Interactions, axis: str, values: list[float], methods: list[str], seeds: int = 3,
              k: int = 10, mode: str = "random", label: str | None = "auto", max_users: int | None = 2000,
              shrink_seed: int = 0, params: dict | None = None, progress=None) -> SweepResult:
    """Run the grid; ``progress(fraction, message)`` after every training."""
    if axis not in AXES:
        raise ParameterError(f"axis '{axis}' must be one of {', '.join(AXES)}")
    if seeds < 1:
        raise ParameterError(f"seeds({seeds}) must be >= 1")
    if not values or not methods:
        raise ParameterError("a sweep needs at least one value and one method")
    label = _label_column(inter, label)
    rows, why, skipped = [], [], []
    total, done = len(values) * len(methods) * seeds, 0
    for value in sorted(values):
        try:
            small = shrink(inter, axis, value, seed=shrink_seed, mode=mode)
            split = leave_last_out(small.inter, max_users, shrink_seed)
        except DataError as exc:  # said in the result, never silently dropped
            skipped.append(f"{axis}={value:g}: {exc.message}")
            done += len(methods) * seeds
            continue
        counts = split.train.item_counts()
        pop = rank_metrics(popularity_scorer(counts), split, counts, k)
        facts = _facts(small.inter)
        why.append({"axis": axis, "value": value, **facts})
        for method in methods:
            neighbour_sets = []
            for seed in range(seeds):
                t = time.perf_counter()
                result = train(split.train, method, seed=seed, **fit_params(method, split.train, params))
                rep = rank_metrics(scorer_for(result, split), split, counts, k)  # baselines: once per value
                neighbour_sets.append(_neighbour_sets(result.items, k))
                rows.append({"axis": axis, "value": value, "method": method, "seed": seed, "hr": rep["hr"],
                             "ndcg": rep["ndcg"], "pop_hr": pop["hr"], "lift": rep["hr"] / pop["hr"] if pop["hr"] else np.nan,
                             "consistency": _consistency(result.items, label, k),
                             "stability_chance": chance_jaccard(len(result.items), k),
                             "items": small.kept_items, "users": small.kept_users, "events": small.kept_events,
                             "users_evaluated": len(split.users),
                             "lost_share": 1 - len(result.items) / split.train.n_items,
                             "events_per_item": facts["events_per_item"],
                             "pairs_per_item": facts["cooccurring_items_per_item"],
                             "seconds": time.perf_counter() - t})
                done += 1
                if progress:
                    progress(done / total, f"{axis}={value:g} {method} seed {seed}")
            _add_stability(rows[-seeds:], neighbour_sets)
    if not rows:
        raise DataError("no point of the grid could be evaluated: " + "; ".join(skipped), hint="use larger values")
    frame = pd.DataFrame(rows)
    summary = summarise(frame)
    text = reading(summary, axis)
    if skipped:
        text += " Not evaluated: " + "; ".join(skipped) + "."
    return SweepResult(frame, summary, pd.DataFrame(why), text, skipped)


def fit_params(method: str, inter: Interactions, params: dict | None) -> dict:
    """The method's parameters, with MF factors capped below the shrunken matrix's rank."""
    p = dict((params or {}).get(method, {}))
    if method in ("als", "svd"):
        from ..train.mf import ALS_DEFAULTS, SVD_DEFAULTS
        default = (ALS_DEFAULTS if method == "als" else SVD_DEFAULTS)["factors"]
        cap = max(1, min(inter.n_items, inter.n_users) - 1)
        p["factors"] = min(int(p.get("factors", default)), cap)
    return p


def _label_column(inter: Interactions, label: str | None) -> str | None:
    meta = inter.item_metadata
    if label != "auto":
        return label
    if meta is None:
        return None
    for c in ("genre", "category", "label"):
        if c in meta.columns:
            return c
    return None


def _consistency(emb, label, k) -> float:
    if not label or emb.metadata is None or label not in emb.metadata.columns or len(emb) <= k + 1:
        return np.nan
    return metadata_consistency(emb, label, k)["consistency"]


def _neighbour_sets(emb, k) -> dict[str, set[str]]:
    keys = np.asarray(emb.keys, dtype=object)
    return {emb.keys[r]: set(keys[row]) for r, row in enumerate(self_neighbours(emb.unit, k))}


def _add_stability(rows: list[dict], sets: list[dict]) -> None:
    """Each seed's stability: mean Jaccard of its neighbour sets with every other seed's, over the
    keys both have; NaN with a single seed."""
    for i, row in enumerate(rows):
        scores = []
        for j, other in enumerate(sets):
            if j == i:
                continue
            common = sets[i].keys() & other.keys()
            scores += [len(sets[i][c] & other[c]) / max(len(sets[i][c] | other[c]), 1) for c in common]
        row["stability"] = float(np.mean(scores)) if scores else np.nan


def _facts(inter: Interactions) -> dict:
    """What a small catalog changes: contexts per item, false negatives, popularity concentration."""
    from ..train.graph import cooccurrence
    from ..train.item2vec import DEFAULTS
    counts = inter.item_counts().astype(float)
    g = cooccurrence(inter, int(DEFAULTS["window"]))
    g.data[:] = 1
    partners = np.asarray(g.sum(axis=1)).ravel()
    p_neg = counts ** DEFAULTS["ns_exponent"]
    p_neg /= p_neg.sum()
    false_neg = np.asarray(g @ p_neg).ravel()  # chance a negative for item i is one of i's co-occurring items
    top = np.sort(counts)[::-1]
    n_top = max(1, int(round(0.1 * len(top))))
    return {"items": int(inter.n_items), "events": int(len(inter)),
            "events_per_item": float(counts.mean()),
            "cooccurring_items_per_item": float(partners.mean()),
            "cooccurring_share_of_catalog": float(partners.mean() / max(inter.n_items - 1, 1)),
            "false_negative_rate": float(np.average(false_neg, weights=counts)),
            "top10pct_event_share": float(top[:n_top].sum() / top.sum())}


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t-interval over seeds for each (axis, value, method)."""
    from scipy import stats
    out = []
    for (axis, value, method), g in rows.groupby(["axis", "value", "method"], sort=True):
        rec = {"axis": axis, "value": value, "method": method, "seeds": len(g),
               "items": int(g["items"].iloc[0]), "events_per_item": float(g["events_per_item"].iloc[0]),
               "pop_hr": float(g["pop_hr"].iloc[0]), "stability_chance": float(g["stability_chance"].mean()),
               "lost_share": float(g["lost_share"].mean())}
        for m in METRICS:
            vals = g[m].dropna().to_numpy(dtype=float)
            mean, lo, hi = interval(vals, stats)
            rec.update({m: mean, f"{m}_lo": lo, f"{m}_hi": hi})
        out.append(rec)
    return pd.DataFrame(out)


def interval(vals: np.ndarray, stats=None) -> tuple[float, float, float]:
    if stats is None:
        from scipy import stats
    if len(vals) == 0:
        return np.nan, np.nan, np.nan
    mean = float(vals.mean())
    if len(vals) == 1:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(vals) - 1) * vals.std(ddof=1) / np.sqrt(len(vals)))
    return mean, mean - half, mean + half


def reading(summary: pd.DataFrame, axis: str) -> str:
    """Sentences generated from the summary's numbers (not canned prose)."""
    unit = {"items": "items", "events": "of the events", "users": "users"}[axis]
    fmt = (lambda v: f"{v:.0%}") if axis == "events" else (lambda v: f"{v:,.0f}")
    parts = []
    for method, g in summary.groupby("method", sort=False):
        g = g.sort_values("value")
        lift = g["lift"].to_numpy()
        vals = g["value"].to_numpy()
        above = lift >= 1.0
        if above.all():
            parts.append(f"{method} beats the popularity baseline at every size tried, down to {fmt(vals[0])} {unit} "
                         f"(lift {lift[0]:.2f} there, {lift[-1]:.2f} at {fmt(vals[-1])}).")
        elif not above.any():
            parts.append(f"{method} never beats the popularity baseline here (lift at most {np.nanmax(lift):.2f}).")
        else:
            # the smallest value from which the method stays above popularity at every larger value
            holds = next(i for i in range(len(vals)) if above[i:].all()) if above[-1] else None
            if holds is None:
                parts.append(f"{method}'s lift over popularity falls under 1.0 at the largest size "
                             f"({lift[-1]:.2f} at {fmt(vals[-1])}).")
            else:
                parts.append(f"Below ~{fmt(vals[holds])} {unit} {method}'s lift over popularity falls under 1.0 "
                             f"({lift[max(holds - 1, 0)]:.2f} at {fmt(vals[max(holds - 1, 0)])}, "
                             f"{lift[holds]:.2f} at {fmt(vals[holds])}).")
        stab, chance = g["stability"].to_numpy(), g["stability_chance"].to_numpy()
        if np.isfinite(stab).sum() >= 2:
            low = int(np.nanargmin(stab))
            parts.append(f"Its neighbour stability across seeds (Jaccard of top-10 sets) is {stab[0]:.2f} at "
                         f"{fmt(vals[0])} (chance {chance[0]:.2f}) and {stab[-1]:.2f} at {fmt(vals[-1])} "
                         f"(chance {chance[-1]:.2f})" + (f", lowest {stab[low]:.2f} at {fmt(vals[low])}."
                                                         if 0 < low < len(stab) - 1 else "."))
    small, large = summary["value"].min(), summary["value"].max()
    for v, name in ((small, "smallest"), (large, "largest")):
        g = summary[summary["value"] == v].sort_values("hr", ascending=False)
        if len(g) > 1:
            parts.append(f"At the {name} setting ({fmt(v)} {unit}) {g['method'].iloc[0]} has the best HR "
                         f"({g['hr'].iloc[0]:.3f} vs {g['hr'].iloc[1]:.3f} for {g['method'].iloc[1]}).")
    return " ".join(parts)
