"""What built-in rules share: their string parameters parsed, `SelectingRule` (a rule over
tensors chosen by collection or regex), and the losses saved at a step."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError
from .exceptions import StepUnavailable, TensorUnavailableForStep
from .rules import Rule, matching_tensors
from .trial import Trial

__all__ = ["SelectingRule", "parse_float", "parse_bool", "parse_names", "loss_names", "mean_loss"]


def parse_float(value: Any) -> float | None:
    """A rule parameter (a string from the rule job's JSON) as a float; None for "", "None" or None."""
    return None if value in (None, "", "None") else float(value)


def parse_bool(value: Any) -> bool:
    """A rule parameter as a bool: True only for "true" (any case)."""
    return str(value).strip().lower() == "true"


def parse_names(value: Any) -> list[str]:
    """A rule parameter as a list of names: a list, or a comma-separated string ([] for "" or "None")."""
    if value in (None, "", "None"):
        return []
    return [v for v in (value if isinstance(value, list) else str(value).split(",")) if v]


class SelectingRule(Rule):
    """A rule over tensors chosen by `collection_names` and/or `tensor_regex`."""

    needs_selection = True

    def __init__(self, base_trial: Trial, collection_names: Any = None, tensor_regex: Any = None,
                 action_str: str = "", other_trials: list[Trial] | None = None) -> None:
        super().__init__(base_trial, action_str, other_trials)
        self.collection_names, self.tensor_regex = parse_names(collection_names), parse_names(tensor_regex)
        self.matched_any = False
        if self.needs_selection and not (self.collection_names or self.tensor_regex):
            raise ValidationError(f"{type(self).__name__} needs collection_names or tensor_regex.")

    def tensors(self, step: int) -> list[str]:
        """The chosen tensors saved at `step`."""
        chosen = matching_tensors(self.base_trial, step, self.collection_names, self.tensor_regex)
        self.matched_any = self.matched_any or bool(chosen)
        return chosen

    @property
    def nothing_matched(self) -> str | None:
        """A warning when no saved tensor was ever chosen (a regex or collection that matches nothing)."""
        if self.matched_any:
            return None
        return (f"no saved tensor matched collection_names {self.collection_names} or tensor_regex "
                f"{self.tensor_regex}, so nothing was checked; `%debugger tensors JOB` lists the saved ones.")

    def values(self, step: int) -> dict[str, np.ndarray]:
        """Full values of the chosen tensors at `step` (reduction-only tensors left out)."""
        out = {}
        for name in self.tensors(step):
            try:
                out[name] = self.base_trial.tensor(name).value(step)
            except TensorUnavailableForStep:
                continue
        return out


def loss_names(trial: Trial, step: int, regex: list[str], use_losses: bool) -> list[str]:
    """The loss tensors saved at `step`: those matching `regex`, plus the `losses` collection if `use_losses`."""
    return matching_tensors(trial, step, ["losses"] if use_losses else [], regex)


def mean_loss(trial: Trial, step: int, names: list[str]) -> float | None:
    """The mean of the tensors `names` at `step` (None if none of them was saved there)."""
    values = []
    for name in names:
        try:
            values.append(float(np.mean(trial.tensor(name).value(step))))
        except (TensorUnavailableForStep, StepUnavailable):
            continue
    return float(np.mean(values)) if values else None
