"""Tuning on a validation split, never on the test events.

The test split is made first (the evaluation protocol's: each user's last event, or one random item
of each basket); the tuner only ever sees its training part, from which the same protocol holds out
*validation* cases (leave-last-out: each user's last five training events, at most half of them,
each a case; baskets: one item of each basket).  The validation cases are split in two halves by
user (or basket): the search ranks trials on the first; the winner is compared with the defaults
on the second (:mod:`core.experiments.choice`, the noise rule) and kept only when it beats them
beyond noise.  Optuna's TPE sampler, seeded, searches the trainer's declared space
(``Trainer.space``), the first trial being the trainer's defaults, and a median rule stops a trial
whose validation score at 25/50/75% of its epochs is below the median of completed trials at the
same point (item2vec, graph, supervised; ALS and SVD are not pruned).  The chosen parameters (the
winner's or the defaults') are retrained on train + validation and scored once on the test split.

Splits and exclusion masks are made once, before the first trial; a trial trains and ranks.  Trials
run two at a time in worker processes, on a schedule that makes the choice independent of the
workers (:mod:`core.experiments.trials`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, EmbedlabError, ParameterError
from ..evaluate.baselines import baseline_reports, with_baselines
from ..evaluate.protocols import describe, make_split, validation_split
from ..evaluate.recs import Split
from ..logs import Interactions
from ..logs.shape import context_for
from ..train import Dimension, declared, make_params, trainer
from .choice import Choice, choose, halves
from .trials import (
    Context,
    Final,
    Job,
    Outcome,
    pipeline,
    pool,
    run_checks,
    run_final,
    workers_for,
)

OBJECTIVES = ("hr", "ndcg")  # the validation metrics a search can maximise


@dataclass
class Prepared:
    """The splits and data every trial shares, made once.

    ``test``: the evaluation split of the whole log; ``validation``: the search half of the
    validation cases held out of ``test.train`` (so no test event is in it), ``check`` the other
    half (the winner against the defaults), ``whole`` both (EASE's λ is chosen on it)."""

    test: Split
    validation: Split
    seconds: float
    check: Split | None = None
    whole: Split | None = None


@dataclass
class TuningResult:
    """Every trial, the chosen parameters, and validation vs test metrics.

    ``trials`` is tidy: one row per trial with ``number``, ``state`` (complete / pruned / fail),
    the validation ``hr`` and ``ndcg`` (search half), ``seconds``, ``pruned_at`` (percent of
    epochs), ``error`` and one column per searched parameter.  ``choice`` says whether the
    winner or the defaults were kept (the noise rule); ``best_params`` are the kept parameters
    and ``winner_params`` the search's best; ``test`` is the full evaluation report (with
    bootstrap intervals and baselines) of the kept parameters retrained on train + validation."""

    method: str
    metric: str
    trials: pd.DataFrame
    best_params: dict
    validation: dict
    test: dict
    protocol: dict
    timings: dict = field(default_factory=dict)
    choice: Choice | None = None
    winner_params: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        """A human summary: trials, defaults (trial 0) vs best on validation, the winner's
        parameters, and what was kept (the noise rule) and why."""
        first = self.trials.iloc[0]
        return [
            f"tuning: {len(self.trials)} trials ({self.timings['pruned']} pruned{self._failed()}) "
            f"in {self.timings['total_s']:.0f} s; "
            f"validation {self.metric} {first[self.metric]:.4f} with the defaults, "
            f"{self.validation[self.metric]:.4f} with the best (trial {self.validation['trial']})",
            f"best parameters: {_params_text(self.winner_params)}",
            *self.choice_lines(),
        ]

    def _failed(self) -> str:
        """ ", 2 failed: <reason>; <reason>" (each distinct reason once), or "" when none did."""
        reasons = failure_reasons(self.trials)[self.trials["state"] == "fail"]
        if reasons.empty:
            return ""
        return f", {len(reasons)} failed: " + "; ".join(dict.fromkeys(reasons))

    def choice_lines(self) -> list[str]:
        """What was kept, said plainly (empty without a choice)."""
        c = self.choice
        if c is None:
            return []
        if c.choice == "tuned":
            return [f"kept: the tuned parameters; {c.why}"]
        return [
            f"kept: the defaults; {c.why}, so the final model and its test score are the defaults'."
        ]

    def to_dict(self) -> dict:
        rows = [
            {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in self.trials.to_dict(orient="records")
        ]
        c = self.choice
        chosen = (
            {}
            if c is None
            else {
                "choice": c.choice,
                "gain": c.gain,
                "gain_lo": c.gain_lo,
                "gain_hi": c.gain_hi,
                "choice_detail": c.to_dict(),
            }
        )
        return {
            "method": self.method,
            "metric": self.metric,
            "trials": rows,
            **chosen,
            "best_params": self.best_params,
            "winner_params": self.winner_params,
            "validation": self.validation,
            "protocol": self.protocol,
            "timings": self.timings,
        }


NO_REASON = "no reason given"


def failure_reasons(trials: pd.DataFrame) -> pd.Series:
    """Why each failed trial failed (its ``error``, else :data:`NO_REASON`); "" for the others.

    Parameters
    ----------
    trials : DataFrame
        One row per trial, with ``state`` and (when any failed with a reason) ``error``.

    Returns
    -------
    Series of str
        On ``trials``' index.

    Examples
    --------
    >>> trials = pd.DataFrame({"state": ["complete", "fail", "fail"], "error": ["", "oom", None]})
    >>> failure_reasons(trials).tolist()
    ['', 'oom', 'no reason given']
    """
    failed = trials["state"] == "fail"
    if "error" not in trials:
        return pd.Series(NO_REASON, index=trials.index).where(failed, "")
    error = trials["error"].fillna("").astype(str)
    return error.mask(error == "", NO_REASON).where(failed, "")


def _params_text(params: dict) -> str:
    return ", ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
    )


def prepare_tuning(
    inter: Interactions,
    protocol: str = "auto",
    max_users: int | None = 5000,
    seed: int = 0,
    history: int | None = None,
    decay: float = 1.0,
) -> Prepared:
    """The test split and, inside its training part, the validation cases (same protocol,
    :func:`core.evaluate.protocols.validation_split`) in two halves by user or basket: the
    search's and the held-back one the winner is compared with the defaults on.

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
    >>> from embedlab.core.logs import prepare
    >>> prep = prepare_tuning(prepare("sample_data/interactions.csv"))
    >>> len(prep.validation.users) + len(prep.check.users) == len(prep.whole.users)
    True
    """
    start = time.perf_counter()
    test = make_split(inter, protocol, max_users, seed, history, decay)
    try:
        whole = validation_split(test, seed, max_users)
    except DataError as exc:
        raise DataError(
            f"no validation case left once the test events are held out: {exc.message}",
            path=inter.report.source,
            hint="tuning needs users with three or more events",
        ) from None
    search, check = halves(whole, seed)
    if not len(search.users) or not len(check.users):
        search, check = whole, None  # one user (or basket): no half to hold back
    return Prepared(test, search, time.perf_counter() - start, check, whole)


TRIAL_BUDGET = 1.5
"""A trial may be estimated at most this many times the work of the defaults (trial 0) on the
validation log, or :data:`FREE_TRIAL_SECONDS`, whichever is more: the space's budget axis
(``Dimension.budget``: item2vec's epochs, ALS's iterations) is drawn last, within what the other
values leave; a point over the budget even at that axis's low end is pruned before it starts."""
FREE_TRIAL_SECONDS = 10.0  # a trial estimated under this is never held to the budget


class OverBudget(Exception):
    """A drawn point whose estimated work is over the trial budget (the trial is pruned)."""


@dataclass(frozen=True)
class TrialBudget:
    """The most work one trial may take on ``inter`` (the validation log's training part)."""

    inter: Interactions
    work: float

    @classmethod
    def for_search(cls, method: str, inter: Interactions, fixed: dict | None, factor: float):
        """``factor`` times the defaults' work (with ``fixed``), at least FREE_TRIAL_SECONDS."""
        t = trainer(method)
        work = t.work_units(make_params(t, dict(fixed or {}), inter, check=False), inter)
        return cls(inter, max(factor * work, FREE_TRIAL_SECONDS * t.rate))

    def work_of(self, method: str, given: dict) -> float:
        t = trainer(method)
        return t.work_units(make_params(t, given, self.inter, check=False), self.inter)

    def most(self, method: str, given: dict, dim: Dimension) -> float:
        """The highest value of the budget axis ``dim`` that keeps ``given`` within the budget
        (the work taken as linear in it); below ``dim.low`` when nothing fits."""
        low, high = float(dim.low), float(dim.high)
        w_low = self.work_of(method, {**given, dim.name: dim.low})
        w_high = self.work_of(method, {**given, dim.name: dim.high})
        slope = (w_high - w_low) / (high - low) if high > low else 0.0
        if slope <= 0:
            return high if w_low <= self.work else low - 1
        return min(high, low + (self.work - w_low) / slope)


def suggest(
    trial,
    method: str,
    fixed: dict | None = None,
    budget: TrialBudget | None = None,
    bounds: dict | None = None,
) -> dict:
    """One point of ``method``'s declared search space (names in ``fixed`` are not searched),
    the budget axis drawn last within ``budget``, each axis capped at the log's bound.

    Parameters
    ----------
    trial : optuna.Trial
    method : str
    fixed : dict, optional
    budget : TrialBudget, optional
        Without it, every axis spans its whole declared range.
    bounds : dict, optional
        The highest valid value of parameters bound by the log (``Trainer.log_bounds``: MF
        factors below min(users, items)); an axis reaching beyond it is drawn up to it.

    Returns
    -------
    dict
        Parameter values, ``fixed`` included.

    Raises
    ------
    OverBudget
        The point is over ``budget`` even at the budget axis's low end.

    Examples
    --------
    >>> import optuna
    >>> suggest(optuna.trial.FixedTrial({"factors": 32, "query": "items"}), "svd")
    {'factors': 32, 'query': 'items'}
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> drawn = [suggest(study.ask(), "svd", bounds={"factors": 20}) for _ in range(20)]
    >>> max(d["factors"] for d in drawn) <= 20
    True
    """
    t = trainer(method)
    types = {d["name"]: d["type"] for d in declared(t.Params)}
    out = dict(fixed or {})
    free = [d for d in t.space if d.name not in out]
    for dim in sorted(free, key=lambda d: d.budget):  # the budget axis last
        high = dim.high if dim.name not in (bounds or {}) else min(dim.high, bounds[dim.name])
        if dim.budget and budget is not None:
            high = min(high, budget.most(method, out, dim))
            if high < dim.low:
                raise OverBudget(_over_budget(method, out, dim, budget))
        out[dim.name] = _draw(trial, dim, types[dim.name], high)
    if budget is not None and budget.work_of(method, out) > budget.work * 1.05:
        raise OverBudget(_over_budget(method, out, None, budget))
    return out


def _draw(trial, dim: Dimension, kind: type, high) -> object:
    """One value of ``dim`` (up to ``high``) from the trial."""
    if dim.choices:
        return trial.suggest_categorical(dim.name, list(dim.choices))
    if dim.off is not None and trial.suggest_categorical(f"{dim.name}_off", [False, True]):
        return dim.off
    if kind is int:
        return trial.suggest_int(dim.name, int(dim.low), max(int(dim.low), int(high)), log=dim.log)
    return trial.suggest_float(dim.name, float(dim.low), float(high), log=dim.log)


def _over_budget(method: str, given: dict, dim: Dimension | None, budget: TrialBudget) -> str:
    at = {**given, dim.name: dim.low} if dim is not None else given
    times = budget.work_of(method, at) / budget.work
    where = f" even with {dim.name}={dim.low:g}" if dim is not None else ""
    return f"over the trial budget{where}: estimated {times:.1f}× what one trial may take"


def tune(
    inter: Interactions,
    method: str,
    trials: int | None = 20,
    budget: float | None = None,
    k: int = 10,
    seed: int = 0,
    metric: str = "ndcg",
    fixed: dict | None = None,
    prune: bool = True,
    prepared: Prepared | None = None,
    on_trial: Callable[[dict], None] | None = None,
    workers: int | None = None,
    trial_budget: float | None = TRIAL_BUDGET,
    **split_options,
) -> TuningResult:
    """Search ``method``'s space on the validation split, keep the winner only when it beats the
    defaults beyond noise (:mod:`core.experiments.choice`), retrain what is kept, score it on test.

    Parameters
    ----------
    inter : Interactions
    method : str
    trials, budget : int or None (default 20), float or None (default None)
        The number of trials (the first: the defaults) and/or the seconds after which no trial
        starts (not reproducible: the count depends on the machine's speed).
    k, seed : int (default 10), int (default 0)
        The cut-off of HR/NDCG; the seed of the sampler, the splits and every training.
    metric, fixed : {"hr", "ndcg"} (default "ndcg"), dict (optional)
        The validation metric maximised (:data:`OBJECTIVES`); parameters held fixed (``--param``).
    prune, prepared, on_trial, workers, trial_budget : optional
        Prune bad trials where the method has epochs (``Trainer.early_stopping``; default True);
        splits from :func:`prepare_tuning` (else made with ``**split_options``); a callback given
        each finished trial's row, in order; the processes running trials (default 2, at most the
        cores; the choice does not depend on them); a trial's most work (:class:`TrialBudget`).

    Returns
    -------
    TuningResult

    Raises
    ------
    ParameterError
        Bad method, metric, trial count, budget, trial budget, workers or fixed parameter.
    DataError
        No validation case, or no trial finished (the message quotes the first failure).

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> tune(prepare("sample_data/interactions.csv"), "svd", trials=3).trials["state"].tolist()
    ['complete', 'complete', 'complete']
    """
    _check(method, metric, trials, budget, k, fixed, workers)
    start, prep = time.perf_counter(), prepared or prepare_tuning(inter, seed=seed, **split_options)
    ctx = Context(method, prep.validation, k, seed, metric, prune, prep.test, prep.check)
    search = _Search(_study(seed, _as_trial(ctx, fixed)), ctx, fixed, trials, budget, on_trial)
    search.trial_budget = budget_for(method, prep.validation.train, fixed, trial_budget)
    final, clock = _run(search, workers_for(workers))
    return _finish(search, prep, final, clock, time.perf_counter() - start)


def budget_for(
    method: str, inter: Interactions, fixed: dict | None, factor: float | None
) -> TrialBudget | None:
    """The trial budget of a search (None when ``factor`` is None)."""
    if factor is not None and not factor > 0:
        raise ParameterError(f"trial_budget({factor}) must be > 0")
    return None if factor is None else TrialBudget.for_search(method, inter, fixed, factor)


def _run(search: _Search, n: int) -> tuple[Final, dict]:
    """The search on ``n`` workers, then the winner's final retrain and test report."""
    w0, c0 = time.perf_counter(), time.process_time()
    runner, ok = pool(search.ctx, n), False
    try:
        spec = pipeline(search.ask, search.tell, runner, spare=search.winner_params)
        clock = search.clock(time.perf_counter() - w0, time.process_time() - c0, n)
        spec = search.decide(runner, spec)
        final = _final(search, runner, spec)
        ok = True
    finally:
        runner.close(ok)  # an error or Ctrl-C terminates the workers instead of waiting for them
    clock["after_search"] = time.perf_counter() - w0 - clock["search"][0]
    return final, clock


def _final(search: _Search, runner, spec) -> Final:
    """The kept parameters retrained and scored on test: the speculative retrain when it retrained
    them (same parameters and seed, so the same vectors), else here, the workers ended first
    (a stale speculation is not waited for)."""
    params = search.kept_params()
    if params is not None and spec is not None and spec[0] == params:
        search.speculation = "used"
        return spec[1].result()
    search.speculation = "discarded" if spec is not None else "none"
    runner.close(False)
    return run_final(search.ctx, params) if params is not None else Final(None)


class _Search:
    """The optuna side of the pipeline: asks trials (their parameters and pruning snapshot), tells
    outcomes in trial order, keeps one tidy row per trial."""

    trial_budget: TrialBudget | None = None  # the most work one trial may take (None: no cap)

    def __init__(self, study, ctx: Context, fixed, trials, budget, on_trial):
        self.study, self.ctx, self.fixed, self.trials, self.budget = (
            study,
            ctx,
            fixed,
            trials,
            budget,
        )
        self.on_trial, self.rows, self.asked, self.outcomes = on_trial, [], {}, []
        self.check: dict[int, np.ndarray] = {}  # check runs on the held-back half, by trial
        self.start, self.speculation = time.perf_counter(), "none"

    def winner_params(self):
        """The best told trial's parameters (None if no trial completed): what the final retrain
        speculates on while the last trial runs."""
        if not any(tr.state.name == "COMPLETE" for tr in self.study.get_trials(deepcopy=False)):
            return None
        return self.params_of(self.study.best_trial.number)

    def kept_params(self):
        """The parameters the noise rule kept (the winner's or the defaults'), for the final
        retrain; None if no trial completed."""
        choice = self.choice()
        if choice is None:
            return None
        return self.params_of(choice.winner if choice.choice == "tuned" else 0)

    def decide(self, runner, spec):
        """The check runs the noise rule needs: the winner and the defaults retrained with a
        fresh seed, scored on the held-back half (nothing to run when the defaults won, failed,
        or there is no held-back half).  The winner's final retrain runs beside them unless the
        speculative one (``spec``) already retrains it; returns the final retrain's
        ``(params, job)`` to use if the winner is kept."""
        trials = self.study.get_trials(deepcopy=False)
        if self.ctx.check is None or not any(tr.state.name == "COMPLETE" for tr in trials):
            return spec
        winner = self.study.best_trial.number
        if winner == 0 or trials[0].state.name != "COMPLETE":
            return spec
        as_tried = {  # as the trials trained them, on the validation split's training part
            n: make_params(
                trainer(self.ctx.method),
                suggest(trials[n], self.ctx.method, self.fixed),
                self.ctx.validation.train,
            )
            for n in (0, winner)
        }
        final = self.params_of(winner)
        if (spec is not None and spec[0] == final) or not runner.parallel:
            self.check, _ = run_checks(runner, as_tried)
            return spec
        self.check, job = run_checks(runner, as_tried, final=final)
        return final, job

    def params_of(self, number: int):
        """Trial ``number``'s parameters on the test split's training part."""
        t = trainer(self.ctx.method)
        tr = self.study.get_trials(deepcopy=False)[number]
        values = suggest(tr, self.ctx.method, self.fixed)
        given = make_params(t, values)  # values checked, no work limit:
        # the trial trained within the limit on the validation split; a log a few events longer
        # must not refuse it after the search
        chosen = {name: getattr(given, name) for name in values}
        return dataclasses.replace(t.defaults(self.ctx.test.train, chosen), **chosen)

    def choice(self) -> Choice | None:
        """The noise rule on the trials told so far (None if no trial completed)."""
        trials = self.study.get_trials(deepcopy=False)
        if not any(tr.state.name == "COMPLETE" for tr in trials):
            return None
        winner, ctx = self.study.best_trial.number, self.ctx
        if winner != 0 and trials[0].state.name != "COMPLETE":
            why = f"the defaults did not finish, so the winner (trial {winner}) is kept"
            return Choice("tuned", winner, ctx.metric, np.nan, np.nan, np.nan, 0, 0, why)
        if ctx.check is None:  # a validation too small to hold half back
            kept = "defaults" if trials[0].state.name == "COMPLETE" else "tuned"
            why = "too few validation cases to hold half back"
            return Choice(kept, winner, ctx.metric, np.nan, np.nan, np.nan, 0, 0, why)
        cases = len(ctx.check.users)
        return choose(winner, self.check, ctx.metric, cases, ctx.seed, ctx.check.unit)

    def ask(self) -> Job | Outcome | None:
        if self.trials is not None and len(self.asked) >= self.trials:
            return None
        if self.budget is not None and time.perf_counter() - self.start > self.budget:
            return None
        from optuna.trial import TrialState

        trial = self.study.ask()
        self.asked[trial.number] = trial
        params = self.draw(trial)
        if isinstance(params, Outcome):
            return params
        done = self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        snapshot: dict[int, list[float]] = {}
        for tr in done:
            for step, value in tr.intermediate_values.items():
                snapshot.setdefault(step, []).append(value)
        return Job(trial.number, params, snapshot, len(done))

    def draw(self, trial):
        """The trial's checked parameters, or its outcome when it cannot run: pruned before it
        starts (over the trial budget) or failed (a point the log cannot train, a server's cap)."""
        try:
            t, train = trainer(self.ctx.method), self.ctx.validation.train
            bounds = {name: b.high for name, b in t.log_bounds(train).items()}
            return make_params(
                t, suggest(trial, self.ctx.method, self.fixed, self.trial_budget, bounds), train
            )
        except OverBudget as exc:
            return Outcome(trial.number, "pruned", pruned_at=0.0, error=str(exc))
        except EmbedlabError as exc:
            return Outcome(trial.number, "fail", error=str(exc))

    def tell(self, out: Outcome) -> None:
        from optuna.trial import TrialState

        trial = self.asked[out.number]
        for step, value in out.checkpoints.items():
            trial.report(value, step)
        for name, value in {
            **out.metrics,
            "cpu_seconds": out.cpu_seconds,
            "error": out.error,
        }.items():
            trial.set_user_attr(name, value)
        if out.state == "complete":
            self.study.tell(trial, out.metrics[self.ctx.metric])
        else:
            self.study.tell(
                trial, state=TrialState.PRUNED if out.state == "pruned" else TrialState.FAIL
            )
        self.outcomes.append(out)
        row = {
            "number": out.number,
            "state": out.state,
            "hr": out.metrics.get("hr", np.nan),
            "ndcg": out.metrics.get("ndcg", np.nan),
            "seconds": out.seconds,
            "cpu_seconds": out.cpu_seconds,
            "pruned_at": out.pruned_at,
            "error": out.error,
            **trial.params,
        }
        if out.state == "pruned" and out.checkpoints:
            row["pruned_value"] = out.checkpoints[max(out.checkpoints)]
        self.rows.append(row)
        if self.on_trial:
            self.on_trial(row)

    def clock(self, wall: float, parent_cpu: float, workers: int) -> dict:
        """Search seconds: wall, CPU of this process and of every worker process, and the trainer's
        share (the trials' ``Trainer.fit`` seconds)."""
        last: dict[int, float] = {}
        for out in self.outcomes:
            if out.worker and out.worker != os.getpid():
                last[out.worker] = max(last.get(out.worker, 0.0), out.worker_cpu_total)
        return {
            "search": np.array([wall, parent_cpu + sum(last.values())]),
            "workers": workers,
            "train": np.array(
                [
                    sum(o.train_seconds for o in self.outcomes),
                    sum(o.train_cpu_seconds for o in self.outcomes),
                ]
            ),
        }


def _study(seed: int, first: dict):
    """A maximising study, TPE seeded by ``seed``, ``first`` queued as its first trial; pruning
    is decided by the trials themselves (:func:`core.experiments.trials.should_prune`, optuna's
    median rule on a snapshot)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.NopPruner(),
    )
    study.enqueue_trial(first)
    return study


def _check(method, metric, trials, budget, k, fixed, workers) -> None:
    t = trainer(method)
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ParameterError(f"workers({workers!r}) must be an integer >= 1")
    if metric not in OBJECTIVES:
        raise ParameterError(f"metric '{metric}' must be one of {', '.join(OBJECTIVES)}")
    if trials is None and budget is None:
        raise ParameterError("give a number of trials or a time budget")
    if trials is not None and trials < 1:
        raise ParameterError(f"trials({trials}) must be >= 1")
    if budget is not None and budget <= 0:
        raise ParameterError(f"budget({budget}) must be > 0 seconds")
    if k <= 0:
        raise ParameterError(f"k({k}) must be > 0")
    make_params(t, fixed or {})  # unknown or invalid fixed parameters fail before any work


def _as_trial(ctx: Context, fixed: dict | None) -> dict:
    """The trainer's defaults for the validation log, in the space's terms (the first trial)."""
    t = trainer(ctx.method)
    base = t.defaults(ctx.validation.train, fixed)
    out = {}
    for dim in (d for d in t.space if d.name not in (fixed or {})):
        value = getattr(base, dim.name)
        if value == "auto":  # the space holds the concrete choices: what auto is on this log
            value = _auto_value(t, dim.name, ctx.validation.train)
        if dim.off is not None:
            out[f"{dim.name}_off"] = value == dim.off
            if value == dim.off:
                continue
        out[dim.name] = value
    return out


def _auto_value(t, name: str, inter) -> str:
    """What ``name="auto"`` resolves to on ``inter``: item2vec's and graph's context, ALS's and
    SVD's query (``core.train.mf``)."""
    if name == "query":
        return t.query("auto").name
    return context_for(inter).name


def _finish(
    search: _Search, prep: Prepared, final: Final, clock: dict, seconds: float
) -> TuningResult:
    study, method, fixed = search.study, search.ctx.method, search.fixed
    if final.params is None:
        failed = [tr for tr in study.trials if tr.state.name == "FAIL"]
        why = failed[0].user_attrs.get("error", "failed") if failed else "every trial was pruned"
        raise DataError(f"no {method} trial finished: {why}", path=prep.test.train.report.source)
    best, choice = study.best_trial, search.choice()
    names = suggest(best, method, fixed)
    validation = {
        "hr": best.user_attrs["hr"],
        "ndcg": best.user_attrs["ndcg"],
        "trial": best.number,
        "protocol": describe(prep.validation),
    }
    base = baseline_reports(prep.test, search.ctx.k, search.ctx.seed, prep.whole)
    return TuningResult(
        method,
        search.ctx.metric,
        pd.DataFrame(search.rows),
        {name: getattr(final.params, name) for name in names},
        validation,
        with_baselines(final.report, base),
        describe(prep.test),
        {**_timings(clock, prep, final, seconds, search.rows), "final_retrain": search.speculation},
        choice,
        {name: getattr(search.params_of(best.number), name) for name in names},
    )


def _timings(clock, prep: Prepared, final: Final, total: float, rows: list[dict]) -> dict:
    """Where the seconds went.  Search CPU adds this process and every worker process (their
    start included); the wall share of the search outside the trainer is the share of the
    workers' time (wall × workers) not spent in ``Trainer.fit``, idle waits included.  The final
    retrain may have run in a worker beside the last trial: ``after_search_s`` is what it added."""
    (search, search_cpu), (train, train_cpu), n = clock["search"], clock["train"], clock["workers"]
    return {
        "total_s": round(total, 3),
        "prepare_s": round(prep.seconds, 3),
        "workers": n,
        "search_s": round(search, 3),
        "search_trainer_s": round(train, 3),
        "search_outside_trainer_share": round(1 - train / (search * n), 4) if search else 0.0,
        "search_cpu_s": round(search_cpu, 3),
        "search_trainer_cpu_s": round(train_cpu, 3),
        "search_outside_trainer_share_cpu": round(1 - train_cpu / search_cpu, 4)
        if search_cpu
        else 0.0,
        "final_train_s": round(final.train_seconds, 3),
        "final_train_cpu_s": round(final.train_cpu_seconds, 3),
        "test_report_s": round(final.seconds - final.train_seconds, 3),
        "after_search_s": round(clock["after_search"], 3),
        "trainer_s": round(train + final.train_seconds, 3),
        "trials": len(rows),
        "pruned": sum(r["state"] == "pruned" for r in rows),
    }
