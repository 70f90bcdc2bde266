"""Search strategies, by name, over Optuna samplers and pruners.

A strategy turns the ranges into Optuna distributions and gives the sampler (and the
pruner, for Hyperband) a tuning job uses. Built in: Random, Bayesian (a Gaussian process
that knows which trials are still running, see samplers.py; TPE with strategy_config=
{"sampler": "tpe"}), Grid, Hyperband. More come from the
`jupyter_ext.tuning_strategies` entry-point group (a callable like `_random` below).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ValidationError
from ..plugins import Registry
from .parameters import CategoricalParameter, IntegerParameter, ParameterRange

__all__ = ["STRATEGIES", "get_strategy", "distributions", "decode", "encode", "grid_size", "early_stopping_pruner",
           "RESOURCE_HYPERPARAMETERS", "MedianRunningAveragePruner"]

# Static hyperparameters Hyperband takes its max_resource from (SageMaker's list).
RESOURCE_HYPERPARAMETERS = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")


def distributions(ranges: dict[str, ParameterRange]) -> dict[str, Any]:
    """Optuna distributions; a ReverseLogarithmic range is searched as 1 - x on a log scale."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    result: dict[str, Any] = {}
    for name, item in ranges.items():
        if isinstance(item, CategoricalParameter):
            result[name] = CategoricalDistribution(item.values)
        elif isinstance(item, IntegerParameter):
            result[name] = IntDistribution(int(item.min_value), int(item.max_value), log=item.scaling == "Logarithmic")
        elif item.scaling == "ReverseLogarithmic":
            result[name] = FloatDistribution(1 - item.max_value, 1 - item.min_value, log=True)
        else:
            result[name] = FloatDistribution(item.min_value, item.max_value, log=item.scaling == "Logarithmic")
    return result


def decode(ranges: dict[str, ParameterRange], params: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameter values from Optuna's parameter values."""
    return {name: 1 - value if getattr(ranges[name], "scaling", None) == "ReverseLogarithmic" else value
            for name, value in params.items()}


def encode(ranges: dict[str, ParameterRange], hyperparameters: dict[str, Any]) -> dict[str, Any] | None:
    """Optuna parameter values for known hyperparameters; None if any lies outside the ranges."""
    dists = distributions(ranges)
    params = {}
    for name in ranges:
        if name not in hyperparameters:
            return None
        value = hyperparameters[name]
        if getattr(ranges[name], "scaling", None) == "ReverseLogarithmic":
            value = 1 - value
        try:
            internal = dists[name].to_internal_repr(value)
        except (ValueError, TypeError):
            return None
        if not dists[name]._contains(internal):
            return None
        params[name] = dists[name].to_external_repr(internal)  # "0.5" stored as text is 0.5
    return params


def grid_size(ranges: dict[str, ParameterRange]) -> int:
    """How many points the grid has (ValidationError for a continuous range)."""
    size = 1
    for name, item in ranges.items():
        if isinstance(item, CategoricalParameter):
            size *= len(item.values)
        elif isinstance(item, IntegerParameter):
            size *= int(item.max_value - item.min_value + 1)
        else:
            raise ValidationError(f"Grid search needs Categorical or Integer ranges; '{name}' is continuous. "
                                  "Use IntegerParameter/CategoricalParameter, or another strategy.")
    return size


def _grid_space(ranges: dict[str, ParameterRange]) -> dict[str, list[Any]]:
    return {name: list(item.values) if isinstance(item, CategoricalParameter)
            else list(range(int(item.min_value), int(item.max_value) + 1)) for name, item in ranges.items()}


class MedianRunningAveragePruner:
    """SageMaker's "Auto" early stopping: stop a trial whose value at a step is worse than
    the median, over finished trials, of their running averages up to that step.

    (Optuna's MedianPruner compares best-so-far values instead.) Acts once
    `min_finished` trials have finished.
    """

    def __init__(self, min_finished: int = 3) -> None:
        self.min_finished = min_finished

    def prune(self, study: Any, trial: Any) -> bool:
        from optuna.trial import TrialState

        step = trial.last_step
        if step is None:
            return False
        value = trial.intermediate_values[step]
        averages = []
        for other in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)):
            seen = [v for s, v in other.intermediate_values.items() if s <= step]
            if seen and max(other.intermediate_values) >= step:
                averages.append(sum(seen) / len(seen))
        if len(averages) < self.min_finished:
            return False
        averages.sort()
        middle = len(averages) // 2
        median = averages[middle] if len(averages) % 2 else (averages[middle - 1] + averages[middle]) / 2
        worse = value < median if study.direction.name == "MAXIMIZE" else value > median
        return bool(worse)


def _pruner(base: Any) -> Any:
    import optuna

    class Pruner(optuna.pruners.BasePruner):
        def prune(self, study: Any, trial: Any) -> bool:
            return base.prune(study, trial)

    return Pruner()


def _random(ranges: dict, seed: int | None, config: dict, static: dict) -> tuple[Any, Any]:
    import optuna

    return optuna.samplers.RandomSampler(seed=seed), None


def _bayesian(ranges: dict, seed: int | None, config: dict, static: dict) -> tuple[Any, Any]:
    sampler = str(config.get("sampler", "gp")).lower()
    aware = bool(config.get("pending_aware", True))
    if sampler == "gp":
        from .samplers import PendingAwareGPSampler

        return PendingAwareGPSampler(seed=seed, n_startup_trials=int(config.get("n_startup_trials", 3)),
                                     pending_aware=aware), None
    if sampler != "tpe":
        raise ValidationError(f"strategy_config sampler '{sampler}' is not known; use 'gp' (the default) or 'tpe'.")
    startup = int(config.get("n_startup_trials", 10))
    if not aware:  # suggests as if no trial were running (to compare with)
        import optuna

        return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=False,
                                          n_startup_trials=startup), None
    from .samplers import PendingAwareTPESampler

    return PendingAwareTPESampler(seed=seed, n_startup_trials=startup), None


def _grid(ranges: dict, seed: int | None, config: dict, static: dict) -> tuple[Any, Any]:
    import optuna

    grid_size(ranges)

    class Grid(optuna.samplers.GridSampler):
        # The tuning loop stops at max_jobs (the grid's size); Optuna's own stop only
        # works inside study.optimize(), which the ask-and-tell loop does not use.
        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            pass

    return Grid(_grid_space(ranges), seed=seed), None


def _hyperband(ranges: dict, seed: int | None, config: dict, static: dict) -> tuple[Any, Any]:
    import optuna

    max_resource = config.get("max_resource") or next(
        (int(static[k]) for k in RESOURCE_HYPERPARAMETERS if k in static), "auto")
    pruner = optuna.pruners.HyperbandPruner(min_resource=int(config.get("min_resource", 1)),
                                            max_resource=max_resource, reduction_factor=3)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True), pruner


Strategy = Callable[[dict, "int | None", dict, dict], "tuple[Any, Any]"]
STRATEGIES: Registry[Strategy] = Registry(
    "strategy", "jupyter_ext.tuning_strategies",
    {"Random": _random, "Bayesian": _bayesian, "Grid": _grid, "Hyperband": _hyperband}, sort_names=False)
"""The search strategies by name: the built-ins, then the `jupyter_ext.tuning_strategies` entry points."""


def get_strategy(name: str) -> Strategy:
    """The strategy called `name`; ValidationError lists the valid ones."""
    return STRATEGIES.get(name)


def early_stopping_pruner() -> Any:
    """The pruner of early_stopping_type="Auto"."""
    return _pruner(MedianRunningAveragePruner())


