"""Tuning on a validation split, never on the test events.

The test split is made first (the evaluation protocol's: each user's last event, or one random item
of each basket); the tuner only ever sees its training part, from which the same protocol holds out
a *validation* case (for leave-last-out: each user's second-to-last event).  Optuna's TPE sampler,
seeded, searches the trainer's declared space (``Trainer.space``), the first trial being the
trainer's defaults, and a median pruner stops a trial whose validation score at 25/50/75% of its
epochs is below the median of earlier trials at the same point (item2vec, graph, supervised, ALS;
SVD has no epochs).  The winner is retrained on train + validation and scored once on the test split.

Splits, exclusion masks and item counts are made once, before the first trial.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import DataError, EmbedlabError, ParameterError
from ..evaluate.protocols import describe, make_split
from ..evaluate.recs import Split, rank_metrics, report_for, scorer_for
from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from ..train import declared, make_params, trainer

METRICS = ("hr", "ndcg")
CHECKPOINTS = (25, 50, 75)  # percent of a trial's epochs at which it may be pruned


@dataclass
class Prepared:
    """The splits and data every trial shares, made once.

    ``test``: the evaluation split of the whole log; ``validation``: the same protocol applied to
    ``test.train`` (so no test event is in it); ``counts``: item counts of ``validation.train``."""

    test: Split
    validation: Split
    counts: np.ndarray
    seconds: float


@dataclass
class TuningResult:
    """Every trial, the chosen parameters, and validation vs test metrics.

    ``trials`` is tidy: one row per trial with ``number``, ``state`` (complete / pruned / fail),
    the validation ``hr`` and ``ndcg``, ``seconds``, ``pruned_at`` (percent of epochs), ``error``
    and one column per searched parameter.  ``test`` is the full evaluation report (with bootstrap
    intervals and baselines) of the winner retrained on train + validation."""

    method: str
    metric: str
    trials: pd.DataFrame
    best_params: dict
    validation: dict
    test: dict
    protocol: dict
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        rows = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                for r in self.trials.to_dict(orient="records")]
        return {"method": self.method, "metric": self.metric, "trials": rows, "best_params": self.best_params,
                "validation": self.validation, "protocol": self.protocol, "timings": self.timings}


def prepare_tuning(inter: Interactions, protocol: str = "auto", max_users: int | None = 5000, seed: int = 0,
                   history: int = 1, decay: float = 1.0) -> Prepared:
    """The test split and, inside its training part, the validation split (same protocol).

    Parameters
    ----------
    inter : Interactions
    protocol, max_users, seed, history, decay
        As :func:`core.evaluate.protocols.make_split`.

    Returns
    -------
    Prepared

    Raises
    ------
    DataError
        No test or no validation case can be made (users need three events for leave-last-out).

    Examples
    --------
    >>> prep = prepare_tuning(inter)
    >>> prep.validation.train.n_items == inter.n_items
    True
    """
    start = time.perf_counter()
    test = make_split(inter, protocol, max_users, seed, history, decay)
    try:
        val = make_split(test.train, test.protocol, max_users, seed, history, decay)
    except DataError as exc:
        raise DataError(f"no validation case left once the test events are held out: {exc.message}",
                        path=inter.report.source, hint="tuning needs users with three or more events") from None
    if val.exclude is None:  # seen items, computed once instead of once per trial
        val.exclude = user_item_matrix(val.train, binary=True).tocsr()[val.users]
    return Prepared(test, val, val.train.item_counts(), time.perf_counter() - start)


def suggest(trial, method: str, fixed: dict | None = None) -> dict:
    """One point of ``method``'s declared search space (names in ``fixed`` are not searched).

    Parameters
    ----------
    trial : optuna.Trial
    method : str
    fixed : dict, optional

    Returns
    -------
    dict
        Parameter values, ``fixed`` included.

    Examples
    --------
    >>> suggest(optuna.trial.FixedTrial({"factors": 32}), "svd")
    {'factors': 32}
    """
    t = trainer(method)
    types = {d["name"]: d["type"] for d in declared(t.Params)}
    out = dict(fixed or {})
    for dim in (d for d in t.space if d.name not in out):
        if dim.choices:
            out[dim.name] = trial.suggest_categorical(dim.name, list(dim.choices))
        elif dim.off is not None and trial.suggest_categorical(f"{dim.name}_off", [False, True]):
            out[dim.name] = dim.off
        elif types[dim.name] is int:
            out[dim.name] = trial.suggest_int(dim.name, int(dim.low), int(dim.high), log=dim.log)
        else:
            out[dim.name] = trial.suggest_float(dim.name, float(dim.low), float(dim.high), log=dim.log)
    return out


def tune(inter: Interactions, method: str, trials: int | None = 20, budget: float | None = None, k: int = 10,
         seed: int = 0, metric: str = "ndcg", fixed: dict | None = None, prune: bool = True,
         prepared: Prepared | None = None, on_trial: Callable[[dict], None] | None = None,
         **split_options) -> TuningResult:
    """Search ``method``'s space on the validation split, retrain the winner, score it on test.

    Parameters
    ----------
    inter : Interactions
    method : str
        A trainer name.
    trials : int or None, default 20
        Number of trials (the first is the trainer's defaults).
    budget : float or None
        Stop starting new trials after this many seconds (then the trial count depends on speed,
        so only ``trials`` makes the choice reproducible).
    k : int, default 10
    seed : int, default 0
        Seeds the sampler, the splits and every training: same seed, same best parameters.
    metric : {"ndcg", "hr"}, default "ndcg"
        The validation metric maximised.
    fixed : dict, optional
        Parameters held fixed (not searched), e.g. from ``--param``.
    prune : bool, default True
        Stop bad trials early where the method has epochs.
    prepared : Prepared, optional
        Splits from :func:`prepare_tuning` (made here when not given).
    on_trial : callable, optional
        Called with each finished trial's row (a live table).
    **split_options
        ``protocol``, ``max_users``, ``history``, ``decay`` for :func:`prepare_tuning`.

    Returns
    -------
    TuningResult

    Raises
    ------
    ParameterError
        Bad method, metric, trial count, budget or fixed parameter.
    DataError
        No validation case, or every trial failed (the message quotes the first failure).

    Examples
    --------
    >>> res = tune(inter, "svd", trials=5, seed=0)
    >>> sorted(res.best_params) == ["factors", "n_iter"]
    True
    """
    _check(method, metric, trials, budget, k, fixed)
    start = time.perf_counter()
    prep = prepared or prepare_tuning(inter, seed=seed, **split_options)
    clock = {"train_s": 0.0}
    study = _study(seed, prune)
    study.enqueue_trial(_as_trial(method, prep.validation.train, fixed))
    rows: list[dict] = []
    objective = _objective(method, prep, k, seed, metric, fixed, clock, prune)
    study.optimize(objective, n_trials=trials, timeout=budget, catch=(EmbedlabError,), n_jobs=1,
                   callbacks=[lambda s, tr: _record(tr, rows, on_trial)])
    return _finish(study, rows, method, prep, k, seed, metric, fixed, clock, time.perf_counter() - start)


def _study(seed: int, prune: bool):
    """A maximising study: TPE seeded by ``seed``; median pruning after five trials when ``prune``."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5) if prune else optuna.pruners.NopPruner()
    return optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)


def _check(method, metric, trials, budget, k, fixed) -> None:
    t = trainer(method)
    if metric not in METRICS:
        raise ParameterError(f"metric '{metric}' must be one of {', '.join(METRICS)}")
    if trials is None and budget is None:
        raise ParameterError("give a number of trials or a time budget")
    if trials is not None and trials < 1:
        raise ParameterError(f"trials({trials}) must be >= 1")
    if budget is not None and budget <= 0:
        raise ParameterError(f"budget({budget}) must be > 0 seconds")
    if k <= 0:
        raise ParameterError(f"k({k}) must be > 0")
    make_params(t, fixed or {})  # unknown or invalid fixed parameters fail before any work


def _as_trial(method: str, inter: Interactions, fixed: dict | None) -> dict:
    """The trainer's defaults for this log, in the space's terms (the first trial)."""
    t = trainer(method)
    base = t.defaults(inter)
    out = {}
    for dim in (d for d in t.space if d.name not in (fixed or {})):
        value = getattr(base, dim.name)
        if dim.off is not None:
            out[f"{dim.name}_off"] = value == dim.off
            if value == dim.off:
                continue
        out[dim.name] = value
    return out


def _objective(method, prep: Prepared, k, seed, metric, fixed, clock, prune):
    t = trainer(method)
    val = prep.validation

    def score(result) -> dict:
        m = rank_metrics(scorer_for(result, val), val, prep.counts, k, intervals=False)
        return {name: m[name] for name in METRICS}

    def objective(trial) -> float:
        try:
            params = make_params(t, suggest(trial, method, fixed), val.train)
        except EmbedlabError as exc:
            trial.set_user_attr("error", str(exc))
            raise
        spent = {"scoring": 0.0}

        def checkpoint(done: int, total: int, result) -> None:
            step = next((c for c in CHECKPOINTS if done == max(1, round(total * c / 100))), None)
            if step is None:
                return
            s0 = time.perf_counter()
            value = score(result())[metric]
            spent["scoring"] += time.perf_counter() - s0
            trial.report(value, step)
            if trial.should_prune():
                trial.set_user_attr("pruned_at", step)
                import optuna
                raise optuna.TrialPruned()
        t0 = time.perf_counter()
        try:
            result = t.fit(val.train, params, seed=seed, checkpoint=checkpoint if prune else None)
        except EmbedlabError as exc:  # a point of the space this log cannot train: recorded, search goes on
            trial.set_user_attr("error", str(exc))
            raise
        finally:
            clock["train_s"] += time.perf_counter() - t0 - spent["scoring"]
        values = score(result)
        for name, v in values.items():
            trial.set_user_attr(name, v)
        return values[metric]
    return objective


def _record(trial, rows: list[dict], on_trial) -> None:
    """One tidy row per finished trial (complete, pruned or failed)."""
    state = trial.state.name.lower()
    row = {"number": trial.number, "state": {"complete": "complete", "pruned": "pruned"}.get(state, "fail"),
           "hr": trial.user_attrs.get("hr", np.nan), "ndcg": trial.user_attrs.get("ndcg", np.nan),
           "seconds": (trial.datetime_complete - trial.datetime_start).total_seconds(),
           "pruned_at": trial.user_attrs.get("pruned_at", np.nan), "error": trial.user_attrs.get("error", ""),
           **trial.params}
    if row["state"] == "pruned" and trial.intermediate_values:
        row["pruned_value"] = trial.intermediate_values[max(trial.intermediate_values)]
    rows.append(row)
    if on_trial:
        on_trial(row)


def _finish(study, rows, method, prep: Prepared, k, seed, metric, fixed, clock, seconds) -> TuningResult:
    done = [tr for tr in study.trials if tr.state.name == "COMPLETE"]
    if not done:
        failed = [tr for tr in study.trials if tr.state.name == "FAIL"]
        why = failed[0].user_attrs.get("error", "failed") if failed else "every trial was pruned"
        raise DataError(f"no {method} trial finished: {why}", path=prep.test.train.report.source)
    best = study.best_trial
    t = trainer(method)
    chosen = make_params(t, suggest(best, method, fixed), prep.test.train)
    best_params = {name: getattr(chosen, name) for name in suggest(best, method, fixed)}
    t0 = time.perf_counter()
    final = t.fit(prep.test.train, chosen, seed=seed)
    train_final = time.perf_counter() - t0
    test = {**report_for(final, prep.test, k, seed), "protocol": describe(prep.test)}
    total = seconds + (time.perf_counter() - t0)
    trainer_s = clock["train_s"] + train_final
    timings = {"total_s": round(total, 3), "prepare_s": round(prep.seconds, 3), "trainer_s": round(trainer_s, 3),
               "outside_trainer_share": round(1 - trainer_s / total, 4) if total else 0.0,
               "trials": len(rows), "pruned": sum(r["state"] == "pruned" for r in rows)}
    validation = {"hr": best.user_attrs["hr"], "ndcg": best.user_attrs["ndcg"], "trial": best.number,
                  "protocol": describe(prep.validation)}
    return TuningResult(method, metric, pd.DataFrame(rows), best_params, validation, test,
                        describe(prep.test), timings)
