"""Tuning on a validation split, never on the test events.

The test split is made first (the evaluation protocol's: each user's last event, or one random item
of each basket); the tuner only ever sees its training part, from which the same protocol holds out
a *validation* case (for leave-last-out: each user's second-to-last event).  Optuna's TPE sampler,
seeded, searches the trainer's declared space (``Trainer.space``), the first trial being the
trainer's defaults, and a median pruner stops a trial whose validation score at 25/50/75% of its
epochs is below the median of earlier trials at the same point (item2vec, graph, supervised, ALS;
SVD has no epochs).  The winner is retrained on train + validation and scored once on the test split.

Splits and exclusion masks are made once, before the first trial; a trial trains and ranks.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import DataError, EmbedlabError, ParameterError
from ..evaluate.protocols import describe, make_split
from ..evaluate.recs import Split, held_out_ranks, hit_ndcg, report_for, scorer_for
from ..logs import Interactions
from ..logs.matrix import user_item_matrix
from ..train import declared, make_params, trainer

METRICS = ("hr", "ndcg")
CHECKPOINTS = (25, 50, 75)  # percent of a trial's epochs at which it may be pruned
CHECKPOINT_CASES = 1000  # checkpoints rank a seeded sample of the validation cases: enough to compare trials


@dataclass
class Prepared:
    """The splits and data every trial shares, made once.

    ``test``: the evaluation split of the whole log; ``validation``: the same protocol applied to
    ``test.train`` (so no test event is in it), its exclusion mask set."""

    test: Split
    validation: Split
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

    def lines(self) -> list[str]:
        """A human summary: trials, defaults (trial 0) vs best on validation, the chosen parameters."""
        first = self.trials.iloc[0]
        chosen = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.best_params.items())
        return [f"tuning: {len(self.trials)} trials ({self.timings['pruned']} pruned) in {self.timings['total_s']:.0f} s; "
                f"validation {self.metric} {first[self.metric]:.4f} with the defaults, "
                f"{self.validation[self.metric]:.4f} with the best (trial {self.validation['trial']})",
                f"best parameters: {chosen}"]

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
    >>> from core.logs import prepare
    >>> prep = prepare_tuning(prepare("sample_data/interactions.csv"))
    >>> len(prep.test.train) - len(prep.validation.train)  # one validation event per user with 3+
    3000
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
    return Prepared(test, val, time.perf_counter() - start)


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
    >>> import optuna
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
        Stop starting trials after this many seconds (not reproducible: the count depends on speed).
    k : int, default 10
    seed : int, default 0
        Seeds the sampler, the splits and every training: same seed, same best parameters.
    metric : {"ndcg", "hr"}, default "ndcg"
        The validation metric maximised.
    fixed : dict, optional
        Parameters held fixed (not searched), e.g. from ``--param``.
    prune : bool, default True
        Stop bad trials early where the method has epochs (``Trainer.early_stopping``).
    prepared : Prepared, optional
        Splits from :func:`prepare_tuning` (else made here).
    on_trial : callable, optional
        Called with each finished trial's row (a live table).
    **split_options : ``protocol``, ``max_users``, ``history``, ``decay`` (see :func:`prepare_tuning`)

    Returns
    -------
    TuningResult

    Raises
    ------
    ParameterError
        Bad method, metric, trial count, budget or fixed parameter.
    DataError
        No validation case, or no trial finished (the message quotes the first failure).

    Examples
    --------
    >>> from core.logs import prepare
    >>> res = tune(prepare("sample_data/interactions.csv"), "svd", trials=4, seed=0)
    >>> list(res.trials["state"])
    ['complete', 'complete', 'complete', 'complete']
    """
    _check(method, metric, trials, budget, k, fixed)
    start = time.perf_counter()
    prep = prepared or prepare_tuning(inter, seed=seed, **split_options)
    clock, study = {"train": np.zeros(2)}, _study(seed, prune)
    study.enqueue_trial(_as_trial(method, prep.validation.train, fixed))
    rows: list[dict] = []
    objective = _objective(method, prep, k, seed, metric, fixed, clock, prune and trainer(method).early_stopping)
    clock["search"] = _now()
    study.optimize(objective, n_trials=trials, timeout=budget, catch=(EmbedlabError,), n_jobs=1,
                   callbacks=[lambda s, tr: _record(tr, rows, on_trial)])
    clock["search"] = _now() - clock["search"]
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

    few = _some_cases(val, CHECKPOINT_CASES, seed)

    def score(result, split: Split = val) -> dict:
        return hit_ndcg(held_out_ranks(scorer_for(result, split), split), k)

    def objective(trial) -> float:
        c0 = time.process_time()
        try:
            return one_trial(trial)
        finally:  # CPU seconds: what a trial costs, whatever else shares the machine
            trial.set_user_attr("cpu_seconds", time.process_time() - c0)

    def one_trial(trial) -> float:
        try:
            params = make_params(t, suggest(trial, method, fixed), val.train)
        except EmbedlabError as exc:
            trial.set_user_attr("error", str(exc))
            raise
        spent = np.zeros(2)  # (wall, CPU) seconds spent scoring checkpoints, not training

        def checkpoint(done: int, total: int, result) -> None:
            step = next((c for c in CHECKPOINTS if done == max(1, round(total * c / 100))), None)
            if step is None:
                return
            s0 = _now()
            value = score(result(), few)[metric]
            spent[:] += _now() - s0
            trial.report(value, step)
            if trial.should_prune():
                trial.set_user_attr("pruned_at", step)
                import optuna
                raise optuna.TrialPruned()
        t0 = _now()
        try:
            result = t.fit(val.train, params, seed=seed, checkpoint=checkpoint if prune else None)
        except EmbedlabError as exc:  # a point of the space this log cannot train: recorded, search goes on
            trial.set_user_attr("error", str(exc))
            raise
        finally:
            clock["train"] += _now() - t0 - spent
        values = score(result)
        for name, v in values.items():
            trial.set_user_attr(name, v)
        return values[metric]
    return objective


def _some_cases(split: Split, n: int, seed: int) -> Split:
    """A seeded sample of ``n`` of ``split``'s cases, same training part (enough to compare trials)."""
    if len(split.users) <= n:
        return split
    pick = np.sort(np.random.default_rng(seed).choice(len(split.users), n, replace=False))
    rows = {name: getattr(split, name)[pick] for name in ("users", "held_out", "last")}
    sparse = {name: getattr(split, name)[pick] for name in ("context", "exclude") if getattr(split, name) is not None}
    return dataclasses.replace(split, **rows, **sparse)


def _now() -> np.ndarray:
    """(wall, CPU) seconds now."""
    return np.array([time.perf_counter(), time.process_time()])


def _record(trial, rows: list[dict], on_trial) -> None:
    """One tidy row per finished trial (complete, pruned or failed)."""
    state = trial.state.name.lower()
    row = {"number": trial.number, "state": {"complete": "complete", "pruned": "pruned"}.get(state, "fail"),
           "hr": trial.user_attrs.get("hr", np.nan), "ndcg": trial.user_attrs.get("ndcg", np.nan),
           "seconds": (trial.datetime_complete - trial.datetime_start).total_seconds(),
           "cpu_seconds": trial.user_attrs.get("cpu_seconds", np.nan),
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
    (search, search_cpu), (train, train_cpu) = clock["search"], clock["train"]
    timings = {"total_s": round(total, 3), "prepare_s": round(prep.seconds, 3),
               "search_s": round(search, 3), "search_trainer_s": round(train, 3),
               "search_outside_trainer_share": round(1 - train / search, 4),
               "search_cpu_s": round(search_cpu, 3), "search_trainer_cpu_s": round(train_cpu, 3),
               "search_outside_trainer_share_cpu": round(1 - train_cpu / search_cpu, 4) if search_cpu else 0.0,
               "final_train_s": round(train_final, 3), "test_report_s": round(time.perf_counter() - t0 - train_final, 3),
               "trainer_s": round(train + train_final, 3),
               "outside_trainer_share": round(1 - (train + train_final) / total, 4),
               "trials": len(rows), "pruned": sum(r["state"] == "pruned" for r in rows)}
    validation = {"hr": best.user_attrs["hr"], "ndcg": best.user_attrs["ndcg"], "trial": best.number,
                  "protocol": describe(prep.validation)}
    return TuningResult(method, metric, pd.DataFrame(rows), best_params, validation, test,
                        describe(prep.test), timings)
