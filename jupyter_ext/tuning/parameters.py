"""Hyperparameter ranges, SageMaker-style, and how each becomes an Optuna distribution.

Scaling: Linear, Logarithmic (min > 0), ReverseLogarithmic (for values in [0, 1) close to
1, such as momentum), Auto (Logarithmic when min > 0 and the range spans 3 or more
orders of magnitude, else Linear).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError

__all__ = [
    "ContinuousParameter", "IntegerParameter", "CategoricalParameter", "ParameterRange",
    "SCALING_TYPES", "MAX_RANGES", "MAX_CATEGORIES", "validate_ranges", "range_from_dict",
]

SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
MAX_RANGES = 30
MAX_CATEGORIES = 30


def _label(name: str) -> str:
    return f" '{name}'" if name else ""


class ParameterRange:
    """Base of the three range kinds."""

    kind = ""

    def check(self, name: str) -> None:
        """Raise ValidationError naming `name` if the range is not usable."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (SageMaker's field names)."""
        return {"Type": self.kind, **{k: v for k, v in vars(self).items()}}


@dataclass
class _NumericRange(ParameterRange):
    min_value: float
    max_value: float
    scaling_type: str = "Auto"

    def __post_init__(self) -> None:
        self.check("")

    def check(self, name: str) -> None:
        for bound in (self.min_value, self.max_value):
            if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
                raise ValidationError(f"Range{_label(name)}: bounds must be finite numbers; got {bound!r}.")
        if self.min_value >= self.max_value:
            raise ValidationError(
                f"Range{_label(name)}: min ({self.min_value}) must be less than max ({self.max_value}).")
        if self.scaling_type not in SCALING_TYPES:
            raise ValidationError(f"Range{_label(name)}: scaling_type {self.scaling_type!r}; choose one of: "
                                  f"{', '.join(SCALING_TYPES)}.")
        if self.scaling_type == "Logarithmic" and self.min_value <= 0:
            raise ValidationError(f"Range{_label(name)}: Logarithmic scaling needs min > 0; got min {self.min_value}.")
        if self.scaling_type == "ReverseLogarithmic" and not (0 <= self.min_value and self.max_value < 1):
            raise ValidationError(f"Range{_label(name)}: ReverseLogarithmic scaling needs 0 <= min < max < 1.")

    @property
    def scaling(self) -> str:
        """The scaling in effect (Auto resolved)."""
        if self.scaling_type != "Auto":
            return self.scaling_type
        wide = self.min_value > 0 and self.max_value / self.min_value >= 1000
        return "Logarithmic" if wide else "Linear"


class ContinuousParameter(_NumericRange):
    """A float range: ContinuousParameter(min_value, max_value, scaling_type="Auto")."""

    kind = "Continuous"


class IntegerParameter(_NumericRange):
    """An integer range (both ends included): IntegerParameter(min_value, max_value, scaling_type)."""

    kind = "Integer"

    def check(self, name: str) -> None:
        super().check(name)
        if int(self.min_value) != self.min_value or int(self.max_value) != self.max_value:
            raise ValidationError(f"Range{_label(name)}: IntegerParameter bounds must be whole numbers.")


@dataclass
class CategoricalParameter(ParameterRange):
    """A choice among values: CategoricalParameter(["adam", "sgd"]) (at most 30)."""

    values: Sequence[Any]
    kind = "Categorical"

    def __init__(self, values: Sequence[Any]) -> None:
        self.values = list(values) if isinstance(values, (list, tuple)) else [values]
        self.check("")

    def check(self, name: str) -> None:
        if not self.values:
            raise ValidationError(f"Range{_label(name)}: CategoricalParameter needs at least one value.")
        if len(self.values) > MAX_CATEGORIES:
            raise ValidationError(f"Range{_label(name)}: {len(self.values)} values; at most {MAX_CATEGORIES}.")
        if len(set(map(repr, self.values))) != len(self.values):
            raise ValidationError(f"Range{_label(name)}: values must be distinct; got {self.values}.")
        for value in self.values:
            if not isinstance(value, (str, int, float, bool)):
                raise ValidationError(f"Range{_label(name)}: value {value!r} must be a string, number or bool.")


def validate_ranges(ranges: dict[str, ParameterRange], static: dict[str, Any]) -> dict[str, ParameterRange]:
    """Check every range and the total count; ValidationError names the problem."""
    if not ranges:
        raise ValidationError("hyperparameter_ranges is empty: give at least one range to tune.")
    if len(ranges) > MAX_RANGES:
        raise ValidationError(f"{len(ranges)} hyperparameter ranges given; a tuning job takes at most {MAX_RANGES}.")
    for name, item in ranges.items():
        if not isinstance(item, ParameterRange):
            raise ValidationError(f"Range '{name}' must be a ContinuousParameter, IntegerParameter or "
                                  f"CategoricalParameter; got {item!r}.")
        item.check(name)
    return dict(ranges)


def range_from_dict(data: dict[str, Any]) -> ParameterRange:
    """The inverse of `ParameterRange.to_dict()`."""
    if data["Type"] == "Categorical":
        return CategoricalParameter(data["values"])
    kind = ContinuousParameter if data["Type"] == "Continuous" else IntegerParameter
    return kind(data["min_value"], data["max_value"], data["scaling_type"])
