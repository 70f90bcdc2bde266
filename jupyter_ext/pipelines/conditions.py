"""Conditions of a ConditionStep (SageMaker's `sagemaker.workflow.conditions`), their
definition JSON and their evaluation at run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ValidationError
from .expressions import to_expr

__all__ = [
    "Condition", "ConditionEquals", "ConditionGreaterThan", "ConditionGreaterThanOrEqualTo", "ConditionLessThan",
    "ConditionLessThanOrEqualTo", "ConditionIn", "ConditionNot", "ConditionOr", "evaluate_condition",
]


class Condition:
    """A condition; `to_request()` is its definition JSON."""

    condition_type = ""

    def to_request(self) -> dict[str, Any]:
        """The Conditions entry of the definition."""
        raise NotImplementedError


class _Comparison(Condition):
    def __init__(self, left: Any, right: Any) -> None:
        self.left, self.right = left, right

    def to_request(self) -> dict[str, Any]:
        return {"Type": self.condition_type, "LeftValue": to_expr(self.left), "RightValue": to_expr(self.right)}


class ConditionEquals(_Comparison):
    """left == right."""

    condition_type = "Equals"


class ConditionGreaterThan(_Comparison):
    """left > right."""

    condition_type = "GreaterThan"


class ConditionGreaterThanOrEqualTo(_Comparison):
    """left >= right."""

    condition_type = "GreaterThanOrEqualTo"


class ConditionLessThan(_Comparison):
    """left < right."""

    condition_type = "LessThan"


class ConditionLessThanOrEqualTo(_Comparison):
    """left <= right."""

    condition_type = "LessThanOrEqualTo"


class ConditionIn(Condition):
    """`value` is one of `in_values`."""

    condition_type = "In"

    def __init__(self, value: Any, in_values: list[Any]) -> None:
        self.value, self.in_values = value, list(in_values)

    def to_request(self) -> dict[str, Any]:
        return {"Type": "In", "QueryValue": to_expr(self.value), "Values": to_expr(self.in_values)}


class ConditionNot(Condition):
    """Not `expression`."""

    condition_type = "Not"

    def __init__(self, expression: Condition) -> None:
        self.expression = expression

    def to_request(self) -> dict[str, Any]:
        return {"Type": "Not", "Condition": self.expression.to_request()}


class ConditionOr(Condition):
    """Any of `conditions`."""

    condition_type = "Or"

    def __init__(self, conditions: list[Condition]) -> None:
        self.conditions = list(conditions)

    def to_request(self) -> dict[str, Any]:
        return {"Type": "Or", "Conditions": [c.to_request() for c in self.conditions]}


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b, "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b, "LessThan": lambda a, b: a < b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    # A number read from a file or parameter as text still compares as a number.
    if isinstance(left, (int, float)) != isinstance(right, (int, float)):
        try:
            return float(left), float(right)
        except (TypeError, ValueError):
            pass
    return left, right


def evaluate_condition(request: dict[str, Any], resolve: Callable[[Any], Any]) -> bool:
    """Whether the condition `request` (definition JSON) holds, its values from `resolve`."""
    kind = request["Type"]
    if kind in _COMPARE:
        left, right = _comparable(resolve(request["LeftValue"]), resolve(request["RightValue"]))
        try:
            return bool(_COMPARE[kind](left, right))
        except TypeError:
            raise ValidationError(f"Condition {kind} cannot compare {left!r} with {right!r}.") from None
    if kind == "In":
        value = resolve(request["QueryValue"])
        return any(_comparable(value, v)[0] == _comparable(value, v)[1] for v in resolve(request["Values"]))
    if kind == "Not":
        return not evaluate_condition(request["Condition"], resolve)
    if kind == "Or":
        return any(evaluate_condition(c, resolve) for c in request["Conditions"])
    raise ValidationError(f"Unknown condition type {kind}.")
