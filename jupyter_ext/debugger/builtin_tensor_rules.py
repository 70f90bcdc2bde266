"""Built-in rules over weights and arbitrary tensors, and the stalled-training rule."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import ValidationError
from .config import ModeKeys
from .exceptions import TensorUnavailableForStep
from .rules import Rule, mode_of
from .selection import SelectingRule, loss_names, mean_loss, parse_bool, parse_float, parse_names
from .trial import Trial

__all__ = ["PoorWeightInitialization", "WeightUpdateRatio", "AllZero", "ClassImbalance", "UnchangedTensor",
           "TensorVariance", "StalledTrainingRule"]


class PoorWeightInitialization(Rule):
    """Within the first `steps` steps: fires if the variance of activation inputs differs
    between layers by more than `threshold` (max/min), if a gradient's 5th-95th percentile
    spread is below `distribution_range`, or if the loss stays flat for `patience` steps."""

    default_collections = {"relu_input": {"include_regex": ".*relu_input", "save_interval": "500"}}

    def __init__(self, base_trial: Trial, activation_inputs_regex: Any = ".*relu_input", threshold: Any = 10.0,
                 distribution_range: Any = 0.001, patience: Any = 5, steps: Any = 10,
                 action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.regex, self.threshold = parse_names(activation_inputs_regex), float(threshold)
        self.distribution_range, self.patience, self.steps = float(distribution_range), int(patience), int(steps)
        self.flat = 0
        self.last_loss: float | None = None

    def invoke_at_step(self, step: int) -> bool:
        if step >= self.steps:
            return False
        trial = self.base_trial
        variances = [float(np.var(trial.tensor(n).value(step))) for n in trial.tensor_names(step=step, regex=self.regex)]
        if len(variances) > 1 and max(variances) / max(min(variances), 1e-30) > self.threshold:
            self.details = f"activation input variances range from {min(variances):.3g} to {max(variances):.3g}"
            return True
        for name in trial.tensor_names(step=step, regex="^gradient/"):
            try:
                low, high = np.percentile(trial.tensor(name).value(step), [5, 95])
            except TensorUnavailableForStep:
                continue
            if high - low < self.distribution_range:
                self.details = f"{name} spans only {high - low:.3g} between its 5th and 95th percentiles"
                return True
        loss = mean_loss(trial, step, loss_names(trial, step, [], True))
        if loss is not None and self.last_loss is not None:
            self.flat = self.flat + 1 if abs(loss - self.last_loss) < 1e-12 else 0
        self.last_loss = loss if loss is not None else self.last_loss
        self.details = f"loss unchanged for {self.flat} steps"
        return self.flat >= self.patience


class WeightUpdateRatio(Rule):
    """Fires when ‖w(s) − w(p)‖ / (‖w(p)‖ + epsilon) of a `weights` tensor is above
    `large_threshold` or below `small_threshold`; p is the previous saved training step
    (at least `num_steps` earlier when given)."""

    default_collections = {"weights": {"save_interval": "500"}}

    def __init__(self, base_trial: Trial, num_steps: Any = None, large_threshold: Any = 10.0, small_threshold: Any = 0.00000001,
                 epsilon: Any = 0.000000001, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.num_steps = int(num_steps) if parse_float(num_steps) is not None else None
        self.large, self.small, self.epsilon = float(large_threshold), float(small_threshold), float(epsilon)
        self.seen: list[int] = []

    def invoke_at_step(self, step: int) -> bool:
        trial = self.base_trial
        if mode_of(trial, step) not in (ModeKeys.TRAIN, ModeKeys.GLOBAL):
            return False
        names = trial.tensor_names(step=step, collection="weights") if "weights" in trial.collections() else []
        earlier = [s for s in self.seen if self.num_steps is None or s <= step - self.num_steps]
        if names:
            self.seen.append(step)
        if not earlier:
            return False
        previous = earlier[-1]
        for name in names:
            try:
                now, before = trial.tensor(name).value(step), trial.tensor(name).value(previous)
            except TensorUnavailableForStep:
                continue
            ratio = float(np.linalg.norm(now - before) / (np.linalg.norm(before) + self.epsilon))
            if ratio > self.large or ratio < self.small:
                self.details = f"{name}: update ratio {ratio:.3g} between steps {previous} and {step}"
                return True
        return False


class AllZero(SelectingRule):
    """Fires when at least `threshold` % of a chosen tensor's values are zero."""

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None, threshold: Any = 100,
                 action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, collection_names, tensor_regex, action_str, other_trials)
        self.threshold = float(threshold)

    def invoke_at_step(self, step: int) -> bool:
        for name, value in self.values(step).items():
            zeros = 100.0 * float(np.mean(value == 0)) if value.size else 0.0
            if zeros >= self.threshold:
                self.details = f"{zeros:.0f}% of {name} is zero"
                return True
        return False


class ClassImbalance(Rule):
    """After `samples` labels: fires if the largest class count is more than
    `threshold_imbalance` times the smallest, or a class is mispredicted more often than
    `threshold_misprediction` (predictions are argmax-ed when `argmax`)."""

    def __init__(self, base_trial: Trial, threshold_imbalance: Any = 10, threshold_misprediction: Any = 0.7,
                 samples: Any = 500, argmax: Any = False, labels_regex: Any = ".*labels",
                 predictions_regex: Any = ".*predictions", action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.threshold_imbalance, self.threshold_misprediction = float(threshold_imbalance), float(threshold_misprediction)
        self.samples, self.argmax = int(samples), parse_bool(argmax)
        self.labels_regex, self.predictions_regex = str(labels_regex), str(predictions_regex)
        self.labels: list[np.ndarray] = []
        self.predictions: list[np.ndarray] = []

    def invoke_at_step(self, step: int) -> bool:
        trial = self.base_trial
        labels = trial.tensor_names(step=step, regex=self.labels_regex)
        predictions = trial.tensor_names(step=step, regex=self.predictions_regex)
        if not labels:
            return False
        self.labels.append(np.asarray(trial.tensor(labels[0]).value(step)).reshape(-1))
        if predictions:
            value = trial.tensor(predictions[0]).value(step)
            self.predictions.append(np.argmax(value, axis=-1).reshape(-1) if self.argmax else np.asarray(value).reshape(-1))
        every = np.concatenate(self.labels).astype(np.int64)
        if every.size < self.samples:
            return False
        counts = np.bincount(every)
        counts = counts[counts > 0]
        if counts.max() > self.threshold_imbalance * counts.min():
            self.details = f"class counts range from {counts.min()} to {counts.max()}"
            return True
        return self._mispredicted(every)

    def _mispredicted(self, labels: np.ndarray) -> bool:
        if not self.predictions:
            return False
        predicted = np.concatenate(self.predictions).astype(np.int64)[: labels.size]
        labels = labels[: predicted.size]
        for label in np.unique(labels):
            wrong = float(np.mean(predicted[labels == label] != label))
            if wrong > self.threshold_misprediction:
                self.details = f"class {label} is mispredicted {wrong:.0%} of the time"
                return True
        return False


class UnchangedTensor(SelectingRule):
    """Fires when a chosen tensor is `np.allclose` across its last `num_steps` saved steps."""

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None, num_steps: Any = 3,
                 rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, collection_names, tensor_regex, action_str, other_trials)
        self.num_steps, self.rtol, self.atol, self.equal_nan = int(num_steps), float(rtol), float(atol), parse_bool(equal_nan)

    def invoke_at_step(self, step: int) -> bool:
        for name in self.tensors(step):
            tensor = self.base_trial.tensor(name)
            steps = [s for s in tensor.steps() if s <= step][-self.num_steps:]
            if len(steps) < self.num_steps:
                continue
            try:
                values = [tensor.value(s) for s in steps]
            except TensorUnavailableForStep:
                continue
            if all(np.allclose(values[0], v, self.rtol, self.atol, self.equal_nan) for v in values[1:]):
                self.details = f"{name} unchanged over steps {steps}"
                return True
        return False


class TensorVariance(SelectingRule):
    """Fires when a chosen tensor's variance is above `max_threshold` or below `min_threshold`."""

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None, max_threshold: Any = None,
                 min_threshold: Any = None, action_str: str = "", other_trials: Any = None) -> None:
        super().__init__(base_trial, collection_names, tensor_regex, action_str, other_trials)
        self.max_threshold, self.min_threshold = parse_float(max_threshold), parse_float(min_threshold)
        if self.max_threshold is None and self.min_threshold is None:
            raise ValidationError("TensorVariance needs max_threshold and/or min_threshold.")

    def invoke_at_step(self, step: int) -> bool:
        for name in self.tensors(step):
            variance = self.base_trial.tensor(name).reduction_value(step, "variance")
            if (self.max_threshold is not None and variance > self.max_threshold) or (
                    self.min_threshold is not None and variance < self.min_threshold):
                self.details = f"variance of {name} is {variance:.3g}"
                return True
        return False


class StalledTrainingRule(Rule):
    """Fires when no new step has been saved for `threshold` seconds (with
    `stop_training_on_fire`, the training job whose name starts with the prefix is stopped)."""

    def __init__(self, base_trial: Trial, threshold: Any = 1800, stop_training_on_fire: Any = False,
                 training_job_name_prefix: Any = None, action_str: str = "", other_trials: Any = None) -> None:
        if parse_bool(stop_training_on_fire) and training_job_name_prefix:
            action_str = action_str or f'[{{"name": "stoptraining", "training_job_prefix": "{training_job_name_prefix}"}}]'
        super().__init__(base_trial, action_str, other_trials)
        self.threshold = float(threshold)
        self.last_step_time = time.time()

    def invoke_at_step(self, step: int) -> bool:
        self.last_step_time = time.time()
        return False

    def on_idle(self, now: float) -> bool:
        stalled = now - self.last_step_time
        self.details = f"no new step for {stalled:.0f} s"
        return stalled > self.threshold
