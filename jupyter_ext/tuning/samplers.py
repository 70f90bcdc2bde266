"""Optuna samplers of our own: TPE for trials that run in parallel.

Imported only when a Bayesian search is built (it imports Optuna).
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

__all__ = ["PendingAwareTPESampler"]

_SEEN = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


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
        trials = study.get_trials(deepcopy=False, states=_SEEN)
        observed = sum(t.state != TrialState.RUNNING for t in trials)
        pending = sum(t.state == TrialState.RUNNING and t.number != trial.number for t in trials)
        return observed + pending < self.n_startup_trials or observed < self.min_observed

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
