"""Optuna samplers of our own: a Gaussian process and TPE for trials that run in parallel.

Imported only when a Bayesian search is built (it imports Optuna; the GP, torch).
"""

from __future__ import annotations

import statistics
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

__all__ = ["PendingAwareGPSampler", "PendingAwareTPESampler", "starting_up"]

_SEEN = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


def starting_up(study: Study, trial: FrozenTrial, n_startup_trials: int, min_observed: int) -> bool:
    """True while `trial` is a random start-up trial: fewer than `n_startup_trials` trials
    observed or pending (others than `trial`), or fewer than `min_observed` observed."""
    trials = study.get_trials(deepcopy=False, states=_SEEN)
    observed = sum(t.state != TrialState.RUNNING for t in trials)
    pending = sum(t.state == TrialState.RUNNING and t.number != trial.number for t in trials)
    return observed + pending < n_startup_trials or observed < min_observed


class _BelievedStudy:
    """The study as the GP sees it: each pending trial finished, with the mean of the results
    so far as its value (the constant liar), or left out (`lie=False`); a trial stopped early
    finished with its best reported value (the value SageMaker counts for it)."""

    def __init__(self, study: Study, lie: bool) -> None:
        self._study, self._lie = study, lie

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)

    def _get_trials(self, deepcopy: bool = False, states: Any = None, use_cache: bool = False) -> list[FrozenTrial]:
        trials = self._study._get_trials(deepcopy=False, states=None, use_cache=False)
        best = min if self._study.direction == StudyDirection.MINIMIZE else max
        stopped = {t.number: best(t.intermediate_values.values()) for t in trials
                   if t.state == TrialState.PRUNED and t.intermediate_values}
        results = [t.value for t in trials if t.state == TrialState.COMPLETE] + list(stopped.values())
        believed = []
        for t in trials:
            if t.number in stopped:
                t = self._finished(t, stopped[t.number])
            elif t.state == TrialState.RUNNING and t.params and results:
                if not self._lie:
                    continue
                t = self._finished(t, statistics.fmean(results))
            if states is None or t.state in states:
                believed.append(t)
        return believed

    @staticmethod
    def _finished(trial: FrozenTrial, value: float) -> FrozenTrial:
        return optuna.trial.create_trial(params=trial.params, distributions=trial.distributions, value=value)


class PendingAwareGPSampler(optuna.samplers.BaseSampler):
    """Optuna's GPSampler (a Gaussian process, log expected improvement) that knows which
    trials are pending (asked, not yet told).

    While other trials are pending:
    - the random start-up counts them (as PendingAwareTPESampler's);
    - the constant liar: the GP believes each pending trial finished with the mean of the
      results so far, so trials asked while others run spread out. Measured (benchmarks/
      tuning.py) well ahead of GPSampler's own q-batch expected improvement over running
      trials at 4 and 8 in parallel; believing the GP's own prediction instead (the kriging
      believer) did better at 4 after 30 trials but worse at 8.
    A trial stopped early counts with its best reported value. With no other trial pending
    and none stopped, every suggestion is the one
    `optuna.samplers.GPSampler(seed=seed, n_startup_trials=n_startup_trials)` makes.
    `pending_aware=False` leaves pending trials out of the GP's view (to compare with).
    """

    def __init__(self, seed: int | None = None, n_startup_trials: int = 3, min_observed: int | None = None,
                 pending_aware: bool = True) -> None:
        self.n_startup_trials = n_startup_trials
        self.min_observed = max(1, (n_startup_trials + 1) // 2) if min_observed is None else min_observed
        self.pending_aware = pending_aware
        # Its start-up draws from its own RandomSampler(seed=seed), as a plain GPSampler's does.
        self.gp = optuna.samplers.GPSampler(seed=seed, n_startup_trials=0, warn_independent_sampling=False)

    def starting_up(self, study: Study, trial: FrozenTrial) -> bool:
        """True while `trial` is one of the random start-up trials."""
        if not self.pending_aware:
            return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) < self.n_startup_trials
        return starting_up(study, trial, self.n_startup_trials, self.min_observed)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """The GP's search space once the start-up is over; nothing before."""
        if self.starting_up(study, trial):
            return {}
        return self.gp.infer_relative_search_space(study, trial)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """The GP's joint sample of `search_space`, pending trials believed finished."""
        believed = _BelievedStudy(study, self.pending_aware)
        if not search_space or not believed._get_trials(states=(TrialState.COMPLETE,)):
            return {}  # nothing to model yet: random values
        return self.gp.sample_relative(believed, trial, search_space)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """A random value (the start-up, or a parameter outside the GP's space)."""
        return self.gp.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Passed on to the GP sampler (and through it to its random sampler)."""
        self.gp.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Any) -> None:
        """Passed on to the GP sampler (and through it to its random sampler)."""
        self.gp.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        """New seeds for the GP and its random sampler."""
        self.gp.reseed_rng()


class PendingAwareTPESampler(optuna.samplers.BaseSampler):
    """Optuna's multivariate TPE that knows which trials are pending (asked, not yet told).

    Two things differ from a TPESampler used as is, and only while other trials are pending:
    - the random start-up counts pending trials: a search with several trials in flight
      models from the `n_startup_trials`-th launch on (once `min_observed` results are in,
      half the start-up by default), not from the `n_startup_trials`-th result;
    - the constant liar: pending trials count among the bad ones, so trials asked while
      others run spread out instead of piling onto the same promising point.
    With no other trial pending (one trial at a time) every suggestion is the one
    `optuna.samplers.TPESampler(seed=seed)` makes.
    """

    def __init__(self, seed: int | None = None, n_startup_trials: int = 10, min_observed: int | None = None) -> None:
        self.n_startup_trials = n_startup_trials
        self.min_observed = max(1, n_startup_trials // 2) if min_observed is None else min_observed
        # The same two generators a TPESampler(seed=seed) has: its TPE's and its start-up's.
        self.tpe = optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True, n_startup_trials=0)
        self.startup = optuna.samplers.RandomSampler(seed=seed)

    def starting_up(self, study: Study, trial: FrozenTrial) -> bool:
        """True while `trial` is one of the random start-up trials."""
        return starting_up(study, trial, self.n_startup_trials, self.min_observed)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """TPE's joint search space once the start-up is over; nothing before."""
        if self.starting_up(study, trial):
            return {}
        return self.tpe.infer_relative_search_space(study, trial)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """TPE's joint sample of `search_space` (pending trials as bad ones)."""
        if not search_space:
            return {}
        return self.tpe.sample_relative(study, trial, search_space)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """A random value during the start-up; TPE's own for one parameter afterwards."""
        if self.starting_up(study, trial):
            return self.startup.sample_independent(study, trial, param_name, param_distribution)
        return self.tpe.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Passed on to TPE (and through it to its random sampler)."""
        self.tpe.before_trial(study, trial)
        self.startup.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Any) -> None:
        """Passed on to TPE (and through it to its random sampler)."""
        self.tpe.after_trial(study, trial, state, values)
        self.startup.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        """New seeds for both generators."""
        self.tpe.reseed_rng()
        self.startup.reseed_rng()
