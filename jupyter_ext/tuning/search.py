"""The search of one training job definition: an Optuna study under a strategy.

The tuning program asks it for hyperparameters and tells it results (Optuna's ask and
tell). A trial is pending from `ask()` (or `add_pending()`) until `tell()`: it stays
RUNNING in the study, which is how a pending-aware sampler knows what is still being
evaluated. A resumed tuning job rebuilds the search from the store: `add_finished()` for
the trials that ended, `add_pending()` for the ones it adopts while they still run.
"""

from __future__ import annotations

from typing import Any

from .parameters import ParameterRange
from .strategies import decode, distributions, early_stopping_pruner, encode, get_strategy

__all__ = ["Search"]


class Search:
    """Asks for hyperparameters within `ranges` and learns from the results.

    strategy: a name of STRATEGIES; seed: None for an unseeded search; strategy_config and
    static (the estimator's static hyperparameters) go to the strategy; early_stopping:
    SageMaker's "Auto" rule as the pruner. Raises ValidationError for an unknown strategy.
    """

    def __init__(self, strategy: str, ranges: dict[str, ParameterRange], seed: int | None = None,
                 strategy_config: dict[str, Any] | None = None, static: dict[str, Any] | None = None,
                 maximize: bool = True, early_stopping: bool = False) -> None:
        import optuna

        sampler, pruner = get_strategy(strategy)(ranges, seed, dict(strategy_config or {}), dict(static or {}))
        if early_stopping:
            pruner = early_stopping_pruner()
        self.ranges, self.dists = ranges, distributions(ranges)
        self.study = optuna.create_study(direction="maximize" if maximize else "minimize", sampler=sampler,
                                         pruner=pruner or optuna.pruners.NopPruner())  # Optuna's default prunes

    def ask(self) -> tuple[Any, dict[str, Any]]:
        """A new pending trial and its hyperparameter values (as the training job gets them)."""
        trial = self.study.ask(self.dists)
        return trial, decode(self.ranges, trial.params)

    def tell(self, trial: Any, value: float | None, pruned: bool = False) -> None:
        """End a pending trial: its objective value, stopped early (`pruned`), or failed (None)."""
        from optuna.trial import TrialState

        if pruned:
            self.study.tell(trial, state=TrialState.PRUNED)
        elif value is not None:
            self.study.tell(trial, value)
        else:
            self.study.tell(trial, state=TrialState.FAIL)

    def add_finished(self, hyperparameters: dict[str, Any], value: float | None,
                     intermediate: dict[int, float] | None = None) -> bool:
        """Learn an earlier trial's result; False (and nothing learnt) if it has no value
        or its hyperparameters lie outside the ranges."""
        import optuna

        params = encode(self.ranges, hyperparameters)
        if params is None or value is None:
            return False
        self.study.add_trial(optuna.trial.create_trial(params=params, distributions=self.dists, value=value,
                                                       intermediate_values=dict(intermediate or {})))
        return True

    def add_pending(self, hyperparameters: dict[str, Any]) -> Any | None:
        """A pending trial for a training job that is already running (adopted by a resumed
        tuning job), to `tell()` when it ends; None if it lies outside the ranges."""
        params = encode(self.ranges, hyperparameters)
        if params is None:
            return None
        # A queued trial takes the given values as they are: the sampler draws nothing for it.
        self.study.enqueue_trial(params, skip_if_exists=False)
        return self.study.ask(self.dists)

    def pending(self) -> int:
        """How many trials are pending."""
        from optuna.trial import TrialState

        return len(self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))

    def size(self) -> int:
        """How many trials the search has had: finished, pending and failed."""
        return len(self.study.trials)
