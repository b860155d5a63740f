"""A model's report beside the baselines every recommender is measured against: popularity,
random, item-based CF and EASE (:mod:`core.evaluate.ease`), on the same held-out cases.

The baselines do not depend on the model, so :func:`baseline_reports` can be computed once and
handed to several :func:`report_for` calls (tuning scores its winner against baselines made once).
"""

from __future__ import annotations

import logging

import numpy as np

from .ease import ease_baseline
from .recs import (
    BUCKETS,
    Split,
    hit_ndcg,
    itemcf_scorer,
    popularity_buckets,
    popularity_scorer,
    random_scorer,
    rank_metrics,
    scorer_for,
)

BASELINES = ("popularity", "random", "itemcf", "ease")
"""The baselines of every report, in their table order."""
NAMES = {"popularity": "popularity", "random": "random", "itemcf": "item-CF", "ease": "EASE"}
"""How the baselines are named to people."""

log = logging.getLogger(__name__)


def scored(baselines: dict) -> dict:
    """The baselines that ran (a skipped one is ``{"skipped": why}``), in their order.

    Examples
    --------
    >>> scored({"popularity": {"hr": 0.1}, "ease": {"skipped": "too large"}})
    {'popularity': {'hr': 0.1}}
    """
    return {name: m for name, m in baselines.items() if "skipped" not in m}


def ease_line(info: dict) -> str:
    """What the EASE baseline did, for people: its λ and how it was chosen, or why it was
    skipped ("" when there is nothing to say).

    Examples
    --------
    >>> ease_line({"lambda": 300.0, "lambda_items": 2500, "items": 9724})
    'EASE: lambda 300 chosen on the validation split (its 2,500 most popular items)'
    """
    if "skipped" in info:
        return f"EASE skipped: {info['skipped']}"
    if "lambda" not in info:
        return ""
    on = (
        f"its {info['lambda_items']:,} most popular items"
        if info["lambda_items"] < info["items"]
        else "the whole catalog"
    )
    text = f"EASE: lambda {info['lambda']:g} chosen on the validation split ({on})"
    return text + (f"; {info['note']}" if "note" in info else "")


def baseline_reports(
    split: Split,
    k: int,
    seed: int,
    validation: Split | None = None,
    max_users: int | None = 5000,
) -> dict:
    """The baselines' metrics on ``split`` and their HR/NDCG by popularity bucket.

    Parameters
    ----------
    split : Split
    k : int
    seed : int
        Seeds the random baseline and the validation split EASE's λ is chosen on.
    validation : Split, optional
        Held out from ``split.train`` for EASE's λ (made here when not given, by
        :func:`core.evaluate.protocols.validation_split` with ``max_users``: the validation
        tuning makes for the same split).
    max_users : int or None, default 5000

    Returns
    -------
    dict
        ``{"baselines": {name: metrics}, "by_popularity_bucket": {name: {bucket: ...}}}``; a
        baseline that could not run is ``{"skipped": why}`` and has no buckets.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> from embedlab.core.evaluate.protocols import make_split
    >>> split = make_split(prepare("sample_data/interactions.csv"), max_users=200)
    >>> rep = baseline_reports(split, 10, 0)
    >>> list(rep["baselines"])
    ['popularity', 'random', 'itemcf', 'ease']
    """
    from .protocols import validation_split

    counts = split.train.item_counts()
    bucket = popularity_buckets(counts)[split.held_out]
    scorers = [
        popularity_scorer(counts),
        random_scorer(split.train.n_items, seed),
        itemcf_scorer(split.train),
    ]
    metrics = {s.name: rank_metrics(s, split, counts, k) for s in scorers}
    del scorers  # item-CF's co-occurrence matrix is not held while EASE fits
    if validation is None:
        validation = validation_split(split, seed, max_users)
    ease, info = ease_baseline(split, validation, k, seed)
    if ease is not None:
        metrics["ease"] = {**rank_metrics(ease, split, counts, k), **info}
    else:
        log.info("EASE skipped: %s", info["skipped"])
    by_bucket = {name: _bucketed(m.pop("_ranks"), bucket, k) for name, m in metrics.items()}
    if ease is None:
        metrics["ease"] = info
    return {"baselines": metrics, "by_popularity_bucket": by_bucket}


def report_for(
    result,
    split: Split,
    k: int,
    seed: int,
    baselines: dict | None = None,
    max_users: int | None = 5000,
) -> dict:
    """Metrics of a model trained on ``split.train`` beside the baselines.

    Parameters
    ----------
    result : TrainResult
    split : Split
    k, seed : int
    baselines : dict, optional
        :func:`baseline_reports` of the same split, when already made.
    max_users : int or None, default 5000
        As :func:`baseline_reports`.

    Returns
    -------
    dict
        :func:`model_report` with ``baselines`` and every model's ``by_popularity_bucket``.
    """
    base = baselines if baselines is not None else baseline_reports(split, k, seed, None, max_users)
    return with_baselines(model_report(result, split, k, seed), base)


def model_report(result, split: Split, k: int, seed: int) -> dict:
    """The model's own metrics on ``split`` (no baselines: see :func:`with_baselines`).

    Returns
    -------
    dict
        ``hr``, ``ndcg``, ``mrr`` (with ``_lo``/``_hi``), ``coverage``, ``mean_rec_popularity``;
        ``cases``, ``unit``, ``users_evaluated`` (distinct users), ``catalog_items``, the model's
        ``by_popularity_bucket``, ``params`` and ``seed``.
    """
    counts = split.train.item_counts()
    model = rank_metrics(scorer_for(result, split), split, counts, k)
    bucket = popularity_buckets(counts)[split.held_out]
    return {
        "method": result.method,
        "k": k,
        **{name: v for name, v in model.items() if name != "_ranks"},
        "cases": int(len(split.users)),
        "unit": split.unit,
        "users_evaluated": int(len(np.unique(split.users))),
        "users_skipped_repeat": split.skipped_repeat,
        "catalog_items": int(split.train.n_items),
        "by_popularity_bucket": {result.method: _bucketed(model["_ranks"], bucket, k)},
        "params": result.params,
        "seed": seed,
    }


def with_baselines(report: dict, baselines: dict) -> dict:
    """``report`` (:func:`model_report`) with :func:`baseline_reports`' baselines and buckets."""
    out = {key: v for key, v in report.items() if key not in ("params", "seed")}
    out["baselines"] = baselines["baselines"]
    out["by_popularity_bucket"] = {
        **report["by_popularity_bucket"],
        **baselines["by_popularity_bucket"],
    }
    return {**out, "params": report["params"], "seed": report["seed"]}


def _bucketed(ranks: np.ndarray, bucket: np.ndarray, k: int) -> dict:
    return {
        b: {"users": int((bucket == b).sum()), **hit_ndcg(ranks[bucket == b], k)}
        for b in BUCKETS
        if (bucket == b).any()
    }
