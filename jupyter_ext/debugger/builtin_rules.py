"""The built-in rules, with SageMaker's names, parameters and documented defaults.

SageMaker's implementations are closed; each docstring says how we read the documented
condition. Parameters arrive as strings (rule jobs get them from JSON) and are parsed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .config import ModeKeys
from .rules import Rule, matching_tensors, mode_of
from .selection import SelectingRule, loss_names, mean_loss, parse_bool, parse_names
from .trial import Trial

__all__ = ["VanishingGradient", "ExplodingTensor", "LossNotDecreasing", "Overfit", "Overtraining", "DeadRelu",
           "SaturatedActivation"]


class VanishingGradient(Rule):
    """Fires when mean(|gradient|) of a `gradients` tensor falls below `threshold`."""

    default_collections = {"gradients": {"save_interval": "500"}}

    def __init__(self, base_trial: Trial, threshold: Any = 0.0000001, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.threshold = float(threshold)

    def invoke_at_step(self, step: int) -> bool:
        for name in self.base_trial.tensor_names(step=step, regex="^gradient/"):
            value = self.base_trial.tensor(name).reduction_value(step, "mean", abs=True)
            if value < self.threshold:
                self.details = f"mean |{name}| = {value:.3g} < {self.threshold:g}"
                return True
        return False


class ExplodingTensor(SelectingRule):
    """Fires on any NaN (and ±inf unless `only_nan`) in the chosen tensors (default: all)."""

    needs_selection = False

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None, only_nan: Any = False,
                 action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, collection_names, tensor_regex, action_str, other_trials)
        self.only_nan = parse_bool(only_nan)
        if not (self.collection_names or self.tensor_regex):
            self.tensor_regex = [".*"]

    def invoke_at_step(self, step: int) -> bool:
        for name, value in self.values(step).items():
            bad = np.isnan(value) if self.only_nan else ~np.isfinite(value)
            if np.any(bad):
                self.details = f"{name} has {int(np.sum(bad))} non-finite values"
                return True
        return False


class LossNotDecreasing(Rule):
    """Every `num_steps` mode steps, fires if the loss did not fall by `diff_percent` % since
    the newest saved step at least `num_steps` earlier (same mode). `mode` defaults to the step's."""

    default_collections = {"losses": {"save_interval": "500"}}

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None,
                 use_losses_collection: Any = True, num_steps: Any = 10, diff_percent: Any = 0.1,
                 increase_threshold_percent: Any = 5, mode: Any = None, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.regex, self.use_losses = parse_names(tensor_regex), parse_bool(use_losses_collection)
        self.collection_names = parse_names(collection_names)
        self.num_steps, self.diff_percent = int(num_steps), float(diff_percent)
        self.increase_threshold_percent = float(increase_threshold_percent)
        self.mode = ModeKeys[str(mode).upper()] if mode not in (None, "", "None") else None
        self.history: dict[ModeKeys, list[tuple[int, float]]] = {}
        self.last_checked: dict[ModeKeys, int] = {}

    def invoke_at_step(self, step: int) -> bool:
        mode = mode_of(self.base_trial, step)
        if self.mode is not None and mode != self.mode:
            return False
        names = loss_names(self.base_trial, step, self.regex, self.use_losses)
        names += matching_tensors(self.base_trial, step, self.collection_names, None)
        loss = mean_loss(self.base_trial, step, sorted(set(names)))
        if loss is None:
            return False
        mode_step = self.base_trial.mode_step(step)
        history = self.history.setdefault(mode, [])
        history.append((mode_step, loss))
        if mode_step - self.last_checked.get(mode, history[0][0]) < self.num_steps:
            return False
        self.last_checked[mode] = mode_step
        earlier = [(s, v) for s, v in history if s <= mode_step - self.num_steps]
        if not earlier:
            return False
        before = earlier[-1][1]
        if loss > before * (1 - self.diff_percent / 100):
            self.details = f"loss {loss:.4g} at mode step {mode_step} vs {before:.4g} at {earlier[-1][0]}"
            return True
        return False


class Overfit(Rule):
    """At each EVAL step: fires if (validation loss − latest training loss) / training loss
    exceeds `ratio_threshold` for `patience` evaluations in a row."""

    def __init__(self, base_trial: Trial, tensor_regex: Any = None, start_step: Any = 0, patience: Any = 1,
                 ratio_threshold: Any = 0.1, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.regex, self.start_step = parse_names(tensor_regex), int(start_step)
        self.patience, self.ratio_threshold = int(patience), float(ratio_threshold)
        self.train_loss: float | None = None
        self.count = 0

    def invoke_at_step(self, step: int) -> bool:
        names = loss_names(self.base_trial, step, self.regex, not self.regex)
        loss = mean_loss(self.base_trial, step, names)
        mode = mode_of(self.base_trial, step)
        if loss is None or step < self.start_step:
            return False
        if mode != ModeKeys.EVAL:
            self.train_loss = loss
            return False
        if not self.train_loss:
            return False
        ratio = (loss - self.train_loss) / self.train_loss
        self.count = self.count + 1 if ratio > self.ratio_threshold else 0
        self.details = f"validation/training loss gap {ratio:.1%} at step {step}"
        return self.count >= self.patience


class Overtraining(Rule):
    """Fires when the training loss has not improved by `delta` within `patience_train` saved
    TRAIN steps, or the validation loss within `patience_validation` EVAL steps."""

    def __init__(self, base_trial: Trial, patience_train: Any = 5, patience_validation: Any = 10, delta: Any = 0.01,
                 action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.patience = {ModeKeys.TRAIN: int(patience_train), ModeKeys.EVAL: int(patience_validation)}
        self.delta = float(delta)
        self.best: dict[ModeKeys, float] = {}
        self.waited: dict[ModeKeys, int] = {}

    def invoke_at_step(self, step: int) -> bool:
        mode = mode_of(self.base_trial, step)
        loss = mean_loss(self.base_trial, step, loss_names(self.base_trial, step, [], True))
        if loss is None or mode not in self.patience:
            return False
        if mode not in self.best or loss < self.best[mode] - self.delta:
            self.best[mode], self.waited[mode] = loss, 0
            return False
        self.waited[mode] += 1
        self.details = f"{mode.name} loss has not improved by {self.delta:g} for {self.waited[mode]} saved steps"
        return self.waited[mode] >= self.patience[mode]


def _unit_active_percent(value: np.ndarray, active: np.ndarray) -> np.ndarray:
    """% of samples (axis 0) in which each unit is active."""
    if value.ndim < 2:
        return np.asarray([100.0 * float(np.mean(active))])
    return 100.0 * active.reshape(active.shape[0], -1).mean(axis=0)


class DeadRelu(SelectingRule):
    """Fires when more than `threshold_layer` % of a layer's units are active (> 0) in fewer
    than `threshold_inactivity` % of the samples."""

    default_collections = {"relu_output": {"include_regex": ".*relu_output", "save_interval": "500"}}

    def __init__(self, base_trial: Trial, tensor_regex: Any = ".*relu_output", threshold_inactivity: Any = 1.0,
                 threshold_layer: Any = 50.0, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, None, tensor_regex, action_str, other_trials)
        self.threshold_inactivity, self.threshold_layer = float(threshold_inactivity), float(threshold_layer)

    def invoke_at_step(self, step: int) -> bool:
        for name, value in self.values(step).items():
            dead = _unit_active_percent(value, value > 0) < self.threshold_inactivity
            if 100.0 * float(np.mean(dead)) > self.threshold_layer:
                self.details = f"{100 * np.mean(dead):.0f}% of the units of {name} are dead"
                return True
        return False


class SaturatedActivation(SelectingRule):
    """Fires when more than `threshold_layer` % of a tanh/sigmoid layer's units get inputs
    inside the non-saturated range in fewer than `threshold_inactivity` % of the samples."""

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = ".*tanh_input|.*sigmoid_input",
                 threshold_tanh_min: Any = -9.4999, threshold_tanh_max: Any = 9.4999, threshold_sigmoid_min: Any = -23,
                 threshold_sigmoid_max: Any = 16.99999, threshold_inactivity: Any = 1.0, threshold_layer: Any = 50.0,
                 action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, collection_names, tensor_regex, action_str, other_trials)
        self.bounds = {"tanh": (float(threshold_tanh_min), float(threshold_tanh_max)),
                       "sigmoid": (float(threshold_sigmoid_min), float(threshold_sigmoid_max))}
        self.threshold_inactivity, self.threshold_layer = float(threshold_inactivity), float(threshold_layer)

    def invoke_at_step(self, step: int) -> bool:
        for name, value in self.values(step).items():
            low, high = self.bounds["sigmoid" if "sigmoid" in name else "tanh"]
            inside = (value > low) & (value < high)
            saturated = _unit_active_percent(value, inside) < self.threshold_inactivity
            if 100.0 * float(np.mean(saturated)) > self.threshold_layer:
                self.details = f"{100 * np.mean(saturated):.0f}% of the units of {name} are saturated"
                return True
        return False
