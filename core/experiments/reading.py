"""Summarise a catalog-size sweep and read it: bootstrap intervals, trivial points set aside,
and what drives the drop, stated from the numbers.

The driver is read from two comparisons the sweep can make:

- **random vs most-popular selection of the same size** (items axis, ``mode="both"``): the
  popular selection keeps the items with the most interactions, so at one catalog size it has
  many more events per item.  If it scores clearly better, interactions per item drive the drop;
  if it scores about the same, catalog size itself does.
- **the events axis**: the catalog stays (almost) whole while events per item fall.  If quality
  falls with them, interactions per item drive it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..evaluate.intervals import bootstrap_interval, bootstrap_means

SUMMARY_METRICS = ("hr", "ndcg", "lift", "stability", "consistency")  # summarised with intervals
KEYS = ["axis", "mode", "value", "method"]
LEVEL = 0.95


def interval(vals: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean and 95% percentile-bootstrap interval of the mean of ``vals`` (NaNs ignored).

    Parameters
    ----------
    vals : ndarray
    seed : int, default 0

    Returns
    -------
    (mean, lo, hi) : tuple of float
        Inside ``[min(vals), max(vals)]``; NaN when ``vals`` has no finite value.

    Examples
    --------
    >>> interval(np.array([0.5]))
    (0.5, 0.5, 0.5)
    """
    vals = np.asarray(vals, dtype=float)
    return bootstrap_interval(vals[np.isfinite(vals)], LEVEL, seed=seed)


def point_intervals(
    samples: dict[str, np.ndarray], seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """Intervals of one sweep point from its per-unit samples.

    ``hr``, ``ndcg`` and ``pop_hr`` are per evaluated user (averaged over seeds) and are resampled
    together, so ``lift`` (hr / pop_hr) gets a paired ratio interval; ``stability`` is per key,
    ``consistency`` per labelled item, each resampled on its own.

    Parameters
    ----------
    samples : dict of str to ndarray
    seed : int, default 0

    Returns
    -------
    dict of str to (mean, lo, hi)

    Examples
    --------
    >>> r = point_intervals({"hr": np.array([1.0, 0.0]), "ndcg": np.array([1.0, 0.0]),
    ...                      "pop_hr": np.array([1.0, 1.0])})
    >>> r["lift"][0]
    0.5
    """
    out = {}
    users = {m: np.asarray(samples[m], float) for m in ("hr", "ndcg", "pop_hr") if m in samples}
    if users:
        means = bootstrap_means(users, seed=seed)
        for m, v in users.items():
            out[m] = _percentiles(float(v.mean()), means[m]) if len(v) else (np.nan,) * 3
        if "hr" in users and "pop_hr" in users:
            pop = float(users["pop_hr"].mean()) if len(users["pop_hr"]) else 0.0
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = means["hr"] / means["pop_hr"]
            ratio = ratio[np.isfinite(ratio)]
            out["lift"] = (
                _percentiles(out["hr"][0] / pop, ratio) if pop > 0 and len(ratio) else (np.nan,) * 3
            )
    for m in ("stability", "consistency"):
        if m in samples:
            out[m] = interval(samples[m], seed)
    return out


def _percentiles(mean: float, resampled: np.ndarray) -> tuple[float, float, float]:
    lo, hi = np.percentile(resampled, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return mean, min(float(lo), mean), max(float(hi), mean)


def summarise(rows: pd.DataFrame, samples: dict | None = None) -> pd.DataFrame:
    """One row per (axis, mode, value, method): means over seeds and 95% bootstrap intervals.

    Parameters
    ----------
    rows : DataFrame
        The sweep's per-seed rows.
    samples : dict, optional
        ``(axis, mode, value, method) -> {metric: per-unit values}`` from ``run_sweep``; the
        intervals resample those units.  Without it (rows re-opened from a CSV) each interval is
        the envelope of the per-seed intervals in the rows (NaN for rows that have none).

    Returns
    -------
    DataFrame
        ``{metric}``, ``{metric}_lo``, ``{metric}_hi`` for hr, ndcg, lift, stability,
        consistency, plus seeds, items, events_per_item, pop_hr and the ``trivial`` flag.

    Examples
    --------
    >>> rows = pd.DataFrame({"axis": "items", "value": [10, 10], "method": "als", "seed": [0, 1],
    ...                      "hr": [0.2, 0.4], "items": 10})
    >>> summarise(rows)["hr"].tolist()
    [0.30000000000000004]
    """
    rows = rows.assign(mode=rows["mode"] if "mode" in rows else "random")
    out = []
    for key, g in rows.groupby(KEYS, sort=True):
        rec = dict(zip(KEYS, key), seeds=len(g), items=int(g["items"].iloc[0]))
        for col in (
            "events_per_item",
            "cooccurring_items_per_item",
            "pop_hr",
            "stability_chance",
            "lost_share",
            "candidates",
        ):
            if col in g:
                rec[col] = float(g[col].mean())
        rec["trivial"] = bool(g["trivial"].any()) if "trivial" in g else False
        found = point_intervals(samples[key]) if samples and key in samples else {}
        for m in SUMMARY_METRICS:
            if m not in g:
                continue
            mean = float(g[m].mean()) if g[m].notna().any() else np.nan
            lo, hi = _envelope(g, m) if m not in found else found[m][1:]
            rec.update({m: mean if m not in found else found[m][0], f"{m}_lo": lo, f"{m}_hi": hi})
        out.append(rec)
    return pd.DataFrame(out)


def _envelope(g: pd.DataFrame, m: str) -> tuple[float, float]:
    if f"{m}_lo" in g and g[f"{m}_lo"].notna().any():
        return float(g[f"{m}_lo"].min()), float(g[f"{m}_hi"].max())
    return np.nan, np.nan


def _fmt(axis: str):
    return (lambda v: f"{v:.0%}") if axis == "events" else (lambda v: f"{v:,.0f}")


def _ci(g: pd.Series, m: str) -> str:
    lo, hi = g.get(f"{m}_lo", np.nan), g.get(f"{m}_hi", np.nan)
    return f"{g[m]:.2f}" + (f" [{lo:.2f}–{hi:.2f}]" if np.isfinite(lo) and np.isfinite(hi) else "")


def _separated(a: pd.Series, b: pd.Series, m: str) -> int:
    """+1 when a's interval lies above b's, −1 below, 0 when they overlap (or are missing)."""
    if not all(
        np.isfinite(
            [
                a.get(f"{m}_lo", np.nan),
                a.get(f"{m}_hi", np.nan),
                b.get(f"{m}_lo", np.nan),
                b.get(f"{m}_hi", np.nan),
            ]
        )
    ):
        return 0
    return 1 if a[f"{m}_lo"] > b[f"{m}_hi"] else -1 if a[f"{m}_hi"] < b[f"{m}_lo"] else 0


def driver(summary: pd.DataFrame) -> dict[str, dict]:
    """What drives the drop, per method, from the non-trivial points.

    The drop is read on lift over popularity (the study's measure); the comparison at one size
    is read on HR, whose chance level (k over the catalog) is the same for both selections.

    Parameters
    ----------
    summary : DataFrame
        From ``summarise``.

    Returns
    -------
    dict of method to dict
        ``driver`` ("events per item", "catalog size", "mixed", "no drop" or "unknown") and
        ``evidence``, a sentence quoting the numbers it rests on.

    Examples
    --------
    >>> driver(pd.DataFrame(columns=["axis", "mode", "value", "method", "trivial", "lift"]))
    {}
    """
    s = summary[~summary["trivial"].astype(bool)] if "trivial" in summary else summary
    if "mode" not in s:
        s = s.assign(mode="random")
    out = {}
    for method, g in s.groupby("method", sort=False):
        if (g["axis"] == "events").any():
            out[method] = _events_driver(g[g["axis"] == "events"].sort_values("value"))
        elif set(g["mode"]) >= {"random", "popular"}:
            out[method] = _selection_driver(g)
        else:
            out[method] = {
                "driver": "unknown",
                "evidence": "run the items axis with mode both (random and most-popular "
                "selections of the same sizes) or the events axis to tell what drives it",
            }
    return out


def _selection_driver(g: pd.DataFrame) -> dict:
    """The driver from random vs most-popular selections of the same sizes (items axis)."""
    rnd = g[g["mode"] == "random"].set_index("value").sort_index()
    pop = g[g["mode"] == "popular"].set_index("value")
    sizes = [
        v for v in rnd.index.intersection(pop.index) if rnd.loc[v, "items"] < pop["items"].max()
    ]
    if not sizes:
        return {
            "driver": "unknown",
            "evidence": "no size below the full catalog was evaluated with both selections",
        }
    small, full = min(sizes), rnd.index.max()
    a, b = rnd.loc[small], rnd.loc[full]
    drop = _drop_text(a, b, small, full)
    facts = _selection_facts(rnd, pop, sizes)
    if full == small or _separated(b, a, "lift") <= 0:
        how = (
            "lift is clearly higher in the smaller catalog"
            if _separated(b, a, "lift") < 0
            else "no clear drop with catalog size"
        )
        return {"driver": "no drop", "evidence": f"{drop}: {how}; {facts}"}
    return _what_drops(rnd, pop, sizes, drop, facts)


def _drop_text(a: pd.Series, b: pd.Series, small: float, full: float) -> str:
    """How lift changes from the smallest random selection ``a`` to the whole catalog ``b``."""
    return (
        f"lift over popularity {_ci(a, 'lift')} at {small:,.0f} random items, {_ci(b, 'lift')} at "
        f"{full:,.0f} (events per item {a['events_per_item']:,.1f} vs {b['events_per_item']:,.1f}, "
        f"co-occurring items per item {a.get('cooccurring_items_per_item', np.nan):,.1f} vs "
        f"{b.get('cooccurring_items_per_item', np.nan):,.1f}, popularity's HR {a['pop_hr']:.2f} "
        f"vs {b['pop_hr']:.2f})"
    )


def _selection_facts(rnd: pd.DataFrame, pop: pd.DataFrame, sizes: list) -> str:
    """The two selections compared at the size where their HR differs most."""
    v = sizes[int(np.argmax([abs(pop.loc[x, "hr"] - rnd.loc[x, "hr"]) for x in sizes]))]
    ratio = pop.loc[v, "events_per_item"] / max(rnd.loc[v, "events_per_item"], 1e-9)
    return (
        f"at {v:,.0f} items the most-popular selection has {ratio:.1f}× the events per item of a "
        f"random one ({pop.loc[v, 'events_per_item']:,.1f} vs "
        f"{rnd.loc[v, 'events_per_item']:,.1f}) and HR {_ci(pop.loc[v], 'hr')} vs "
        f"{_ci(rnd.loc[v], 'hr')}"
    )


def _what_drops(rnd: pd.DataFrame, pop: pd.DataFrame, sizes: list, drop: str, facts: str) -> dict:
    """Lift drops with the catalog: from its size, from fewer interactions per item, or mixed."""
    a, b = rnd.loc[min(sizes)], rnd.loc[rnd.index.max()]
    votes = [_separated(pop.loc[v], rnd.loc[v], "hr") for v in sizes]
    helps = 1 in votes and -1 not in votes  # more interactions per item clearly help at one size
    flat = max(a["events_per_item"], b["events_per_item"]) < 1.5 * min(
        a["events_per_item"], b["events_per_item"]
    )
    if 1 in votes and -1 in votes:
        each = "; ".join(
            f"{x:,.0f} items HR {pop.loc[x, 'hr']:.2f} vs {rnd.loc[x, 'hr']:.2f}" for x in sizes
        )
        return {
            "driver": "mixed",
            "evidence": f"{drop}; the most-popular selection scores clearly better at some sizes "
            f"and clearly worse at others than a random one of the same size ({each}), so "
            "neither catalog size nor interactions per item alone explains the drop",
        }
    if flat:
        return _flat_events(drop, facts, helps, -1 in votes)
    if helps:
        return {
            "driver": "events per item",
            "evidence": f"{drop}; {facts}: more interactions per item lift it at the same size, "
            "so the drop comes from fewer interactions per item, not the size itself",
        }
    return {
        "driver": "catalog size",
        "evidence": f"{drop}; {facts}: "
        + (
            "more interactions per item do not help at the same size"
            if -1 in votes
            else "the intervals overlap at every size, so more interactions per item change little"
        )
        + ", so the drop follows the catalog size",
    }


def _flat_events(drop: str, facts: str, helps: bool, hurts: bool) -> dict:
    """Events per item stay flat along the random selections while lift falls: the size."""
    return {
        "driver": "catalog size",
        "evidence": f"{drop}: events per item stay flat along the random selections while "
        "lift falls, so the size itself (fewer co-occurring items per item, an easier "
        "popularity baseline) drives the drop; "
        + facts
        + (
            ", so interactions per item matter as well"
            if helps
            else ": more interactions per item do not rescue a small catalog"
            if hurts
            else ": the intervals overlap, so interactions per item change little"
        ),
    }


def _events_driver(g: pd.DataFrame) -> dict:
    if len(g) < 2:
        return {
            "driver": "unknown",
            "evidence": "the events axis needs two or more evaluated fractions",
        }
    lo, hi = g.iloc[0], g.iloc[-1]
    facts = (
        f"cutting events to {lo['value']:.0%} keeps {lo['items']:,} of {hi['items']:,} items but "
        f"events per item fall from {hi['events_per_item']:,.1f} to {lo['events_per_item']:,.1f}, "
        f"and lift from {_ci(hi, 'lift')} to {_ci(lo, 'lift')} "
        f"(HR {_ci(hi, 'hr')} to {_ci(lo, 'hr')})"
    )
    if _separated(hi, lo, "lift") > 0 or _separated(hi, lo, "hr") > 0:
        return {
            "driver": "events per item",
            "evidence": f"{facts}: with {lo['items'] / hi['items']:.0%} of the "
            "catalog still there, fewer interactions per item bring the drop",
        }
    if _separated(hi, lo, "lift") < 0:
        return {
            "driver": "no drop",
            "evidence": f"{facts}: it scores clearly better with fewer events, so a "
            "lack of interactions per item does not explain its level here",
        }
    return {
        "driver": "no drop",
        "evidence": f"{facts}: the intervals overlap, so interactions per item "
        "matter little in this range",
    }


def reading(summary: pd.DataFrame, axis: str, k: int = 10) -> str:
    """Sentences generated from the summary's numbers (not canned prose): where lift crosses the
    popularity baseline, what drives the drop, the stability across seeds; trivial points (k at
    least the items left, so every method hits) are named and left out.

    Parameters
    ----------
    summary : DataFrame
    axis : {"items", "events", "users"}
    k : int, default 10

    Returns
    -------
    str

    Examples
    --------
    >>> s = pd.DataFrame({"axis": "items", "value": [10, 20], "method": "a", "hr": [0.1, 0.2],
    ...                   "lift": [1.2, 1.3], "stability": np.nan, "stability_chance": 0.1})
    >>> reading(s, "items").split(" (")[0]
    'a beats the popularity baseline at every size tried, down to 10 items'
    """
    summary = summary.assign(
        mode=summary["mode"] if "mode" in summary else "random",
        trivial=summary["trivial"] if "trivial" in summary else False,
    )
    trivial = summary[summary["trivial"].astype(bool)]
    s = summary[~summary["trivial"].astype(bool)]
    main = (
        "random" if (s["mode"] == "random").any() else (s["mode"].iloc[0] if len(s) else "random")
    )
    parts = [] if s.empty else _lift_sentences(s[s["mode"] == main], axis)
    for method, d in driver(summary).items():
        if d["driver"] != "unknown":
            parts.append(f"What drives it for {method}: {d['driver']} — {d['evidence']}.")
    if not trivial.empty:
        fmt = _fmt(axis)
        parts.append(
            f"Left out as trivial (k={k} is at least the candidate items left, "
            "so every method hits): "
            + ", ".join(
                sorted({f"{fmt(v)} ({m})" for v, m in zip(trivial["value"], trivial["mode"])})
            )
            + "."
        )
    return " ".join(parts)


SHRINKS = {"items": "the catalog shrinks", "events": "events are cut", "users": "users are cut"}


def verdicts(summary: pd.DataFrame, axis: str) -> pd.DataFrame:
    """One short verdict per method, read off the line the chart draws (the random selection,
    else the only one; trivial points left out): how lift over popularity changes from the
    largest setting to the smallest, whether the change is clear (the 95% intervals at the two
    ends do not overlap), and where it is under the popularity baseline.

    Parameters
    ----------
    summary : DataFrame
        From ``summarise``.
    axis : {"items", "events", "users"}

    Returns
    -------
    DataFrame
        ``method``, ``verdict`` (one sentence), ``largest`` and ``smallest`` (lift with its
        interval at each end).

    Examples
    --------
    >>> s = pd.DataFrame({"axis": "items", "value": [50, 1000], "method": "als",
    ...                   "lift": [0.82, 5.44], "lift_lo": [0.62, 4.5], "lift_hi": [1.07, 6.79]})
    >>> verdicts(s, "items")["verdict"].iloc[0]
    'lift falls as the catalog shrinks (5.44 at 1,000 items → 0.82 at 50); under the popularity \
baseline at 50 items'
    """
    s = summary[~summary["trivial"].astype(bool)] if "trivial" in summary else summary
    if "mode" in s and (s["mode"] == "random").any():
        s = s[s["mode"] == "random"]
    fmt, unit = _fmt(axis), {"items": " items", "events": " of the events", "users": " users"}[axis]
    rows = []
    for method, g in s.groupby("method", sort=False):
        g = g.sort_values("value")
        small, large = g.iloc[0], g.iloc[-1]
        rows.append(
            {
                "method": method,
                "verdict": _trend(small, large, axis, fmt, unit) + _baseline(g, fmt, unit),
                "largest": f"{_ci(large, 'lift')} at {fmt(large['value'])}{unit}",
                "smallest": f"{_ci(small, 'lift')} at {fmt(small['value'])}{unit}",
            }
        )
    return pd.DataFrame(rows, columns=["method", "verdict", "largest", "smallest"])


def _trend(small: pd.Series, large: pd.Series, axis: str, fmt, unit: str) -> str:
    """How lift moves from the largest setting to the smallest, in the chart's numbers."""
    ends = (
        f"({large['lift']:.2f} at {fmt(large['value'])}{unit} → "
        f"{small['lift']:.2f} at {fmt(small['value'])})"
    )
    if small["value"] == large["value"]:
        return f"lift {large['lift']:.2f} at {fmt(large['value'])}{unit} (one setting)"
    known = all(
        np.isfinite(
            [row.get(f"lift_{e}", np.nan) for row in (small, large) for e in "lo hi".split()]
        )
    )
    side = _separated(large, small, "lift") if known else np.sign(large["lift"] - small["lift"])
    note = "" if known else " (no intervals to tell whether the change is clear)"
    if side > 0:
        return f"lift falls as {SHRINKS[axis]} {ends}{note}"
    if side < 0:
        return f"lift rises as {SHRINKS[axis]} {ends}{note}"
    return f"no clear change as {SHRINKS[axis]} {ends}" + (
        "; the 95% intervals overlap" if known else note
    )


def _baseline(g: pd.DataFrame, fmt, unit: str) -> str:
    """Where the line is under the popularity baseline (lift 1), if anywhere."""
    under = g[g["lift"] < 1.0]
    if under.empty:
        return "; above the popularity baseline at every setting"
    if len(under) == len(g):
        return "; under the popularity baseline at every setting"
    return "; under the popularity baseline at " + ", ".join(
        f"{fmt(v)}{unit}" for v in under["value"]
    )


def _lift_sentences(summary: pd.DataFrame, axis: str) -> list[str]:
    unit = {"items": "items", "events": "of the events", "users": "users"}[axis]
    fmt = _fmt(axis)
    parts = []
    for method, g in summary.groupby("method", sort=False):
        g = g.sort_values("value")
        lift, vals = g["lift"].to_numpy(), g["value"].to_numpy()
        above = lift >= 1.0
        if above.all():
            parts.append(
                f"{method} beats the popularity baseline at every size tried, down to "
                f"{fmt(vals[0])} {unit} (lift {lift[0]:.2f} there, {lift[-1]:.2f} at "
                f"{fmt(vals[-1])})."
            )
        elif not above.any():
            parts.append(
                f"{method} never beats the popularity baseline here "
                f"(lift at most {np.nanmax(lift):.2f})."
            )
        elif not above[-1]:
            parts.append(
                f"{method}'s lift over popularity falls under 1.0 at the largest size "
                f"({lift[-1]:.2f} at {fmt(vals[-1])})."
            )
        else:
            holds = next(i for i in range(len(vals)) if above[i:].all())
            parts.append(
                f"Below ~{fmt(vals[holds])} {unit} {method}'s lift over popularity falls under 1.0 "
                f"({lift[max(holds - 1, 0)]:.2f} at {fmt(vals[max(holds - 1, 0)])}, "
                f"{lift[holds]:.2f} at {fmt(vals[holds])})."
            )
        parts += _stability_sentence(g, fmt)
    return parts + _best_sentences(summary, unit, fmt)


def _stability_sentence(g: pd.DataFrame, fmt) -> list[str]:
    if "stability" not in g or np.isfinite(g["stability"].to_numpy(dtype=float)).sum() < 2:
        return []
    stab, chance, vals = (
        g[c].to_numpy(dtype=float) for c in ("stability", "stability_chance", "value")
    )
    low = int(np.nanargmin(stab))
    return [
        f"Its neighbour stability across seeds (Jaccard of top-10 sets) is {stab[0]:.2f} at "
        f"{fmt(vals[0])} (chance {chance[0]:.2f}) and {stab[-1]:.2f} at {fmt(vals[-1])} "
        f"(chance {chance[-1]:.2f})"
        + (f", lowest {stab[low]:.2f} at {fmt(vals[low])}." if 0 < low < len(stab) - 1 else ".")
    ]


def _best_sentences(summary: pd.DataFrame, unit: str, fmt) -> list[str]:
    parts = []
    small, large = summary["value"].min(), summary["value"].max()
    for v, name in ((small, "smallest"), (large, "largest")):
        g = summary[summary["value"] == v].sort_values("hr", ascending=False)
        if len(g) > 1:
            parts.append(
                f"At the {name} setting ({fmt(v)} {unit}) {g['method'].iloc[0]} has the best HR "
                f"({g['hr'].iloc[0]:.3f} vs {g['hr'].iloc[1]:.3f} for {g['method'].iloc[1]})."
            )
    return parts


SWEEP_ROW_COLUMNS = ("axis", "value", "method", "seed", "hr", "lift", "stability")
MAX_SWEEP_CSV = 50 << 20  # a sweep's rows are a few kB per point


def read_sweep_rows(path, name: str | None = None) -> pd.DataFrame:
    """A sweep's rows, read back from the CSV the Catalog page or ``embedlab sweep --out`` wrote.

    Parameters
    ----------
    path : str or Path
    name : str, optional
        The file's name in messages (an upload's own name; default: the path's).

    Returns
    -------
    DataFrame
        One row per (point, method, seed), as written.

    Raises
    ------
    DataError
        Larger than 50 MB, not a CSV, or missing one of :data:`SWEEP_ROW_COLUMNS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "rows.csv"
    >>> _ = f.write_text("axis,value,method,seed,hr,lift,stability\\nitems,50,svd,0,0.2,1.1,0.3\\n")
    >>> read_sweep_rows(f)["method"].tolist()
    ['svd']
    """
    path = Path(path)
    shown = name if name is not None else path.name
    if path.stat().st_size > MAX_SWEEP_CSV:
        raise DataError(f"{shown} is over 50 MB: not a sweep result (those are a few kB a point)")
    unreadable = DataError(f"{shown} is not a sweep result: it could not be read as CSV")
    with open(path, encoding="utf-8", errors="replace") as f:
        if len(f.readline()) > 4096:  # a header this wide names no sweep's columns
            raise unreadable
    try:
        rows = pd.read_csv(path, encoding="utf-8", encoding_errors="replace")
    except ValueError as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise unreadable from exc
    missing = set(SWEEP_ROW_COLUMNS) - set(rows.columns)
    if missing:
        raise DataError(
            f"{shown} is not a sweep result: it lacks the columns {', '.join(sorted(missing))}"
        )
    return rows
