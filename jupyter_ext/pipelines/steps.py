"""Steps of a pipeline: the base `Step`, `CacheConfig`, retry policies, `ConditionStep`
and `FailStep` (the job steps are in `job_steps`).

Every step has two JSON forms: `to_request()`, its entry in SageMaker's pipeline
definition, and `to_local()`, what an execution here runs (the arguments of our own
capability objects), both with expressions (`{"Get": ...}`) where values come from
parameters or other steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from ..errors import ValidationError
from .conditions import Condition
from .expressions import Properties, PropertyFile, to_expr

__all__ = [
    "Step", "CacheConfig", "StepRetryPolicy", "SageMakerJobStepRetryPolicy", "RetryPolicy", "StepExceptionTypeEnum",
    "SageMakerJobExceptionTypeEnum", "ConditionStep", "FailStep",
]

_STEP_NAME = re.compile(r"[A-Za-z0-9\-_]{1,64}")


class StepExceptionTypeEnum:
    """Errors of the step machinery itself (launching a step's job)."""

    SERVICE_FAULT = "Step.SERVICE_FAULT"
    THROTTLING = "Step.THROTTLING"


class SageMakerJobExceptionTypeEnum:
    """Failures of a step's job; here every failed job counts as JOB_INTERNAL_ERROR."""

    INTERNAL_ERROR = "SageMaker.JOB_INTERNAL_ERROR"
    CAPACITY_ERROR = "SageMaker.CAPACITY_ERROR"
    RESOURCE_LIMIT = "SageMaker.RESOURCE_LIMIT"


@dataclass
class StepRetryPolicy:
    """Retry a step whose launch failed (`exception_types`: StepExceptionTypeEnum values).

    The n-th retry waits `interval_seconds * backoff_rate ** (n - 1)`; at most
    `max_attempts` retries (5 when neither it nor `expire_after_mins` is given)."""

    exception_types: list[str]
    backoff_rate: float = 2.0
    interval_seconds: float = 1
    max_attempts: int | None = None
    expire_after_mins: int | None = None

    def to_request(self) -> dict[str, Any]:
        """The step's RetryPolicies entry."""
        request: dict[str, Any] = {"ExceptionType": list(self.exception_types), "IntervalSeconds": self.interval_seconds,
                                   "BackoffRate": self.backoff_rate}
        if self.max_attempts is not None:
            request["MaxAttempts"] = self.max_attempts
        if self.expire_after_mins is not None:
            request["ExpireAfterMin"] = self.expire_after_mins
        return request


@dataclass
class SageMakerJobStepRetryPolicy:
    """Retry a step whose job failed (`exception_types`: SageMakerJobExceptionTypeEnum
    values; `failure_reason_types` is kept for SageMaker). Timing as StepRetryPolicy's."""

    exception_types: list[str] | None = None
    failure_reason_types: list[str] | None = None
    backoff_rate: float = 2.0
    interval_seconds: float = 1
    max_attempts: int | None = None
    expire_after_mins: int | None = None

    def __post_init__(self) -> None:
        if not self.exception_types and not self.failure_reason_types:
            raise ValidationError("SageMakerJobStepRetryPolicy needs exception_types or failure_reason_types, "
                                  "e.g. [SageMakerJobExceptionTypeEnum.INTERNAL_ERROR].")

    def to_request(self) -> dict[str, Any]:
        """The step's RetryPolicies entry."""
        types = list(self.exception_types or []) + list(self.failure_reason_types or [])
        return StepRetryPolicy(types, self.backoff_rate, self.interval_seconds, self.max_attempts,
                               self.expire_after_mins).to_request()


RetryPolicy = Union[StepRetryPolicy, SageMakerJobStepRetryPolicy]


@dataclass
class CacheConfig:
    """Reuse a step of an earlier execution whose arguments (parameters and other steps'
    properties resolved) and code are unchanged. `expire_after` is an ISO 8601 duration
    ("P30D", "PT1H"); None: no limit."""

    enable_caching: bool = False
    expire_after: str | None = None

    def to_request(self) -> dict[str, Any]:
        """The step's CacheConfig."""
        request: dict[str, Any] = {"Enabled": self.enable_caching}
        if self.expire_after:
            request["ExpireAfter"] = self.expire_after
        return request


@dataclass
class _Options:
    depends_on: list[Any] = field(default_factory=list)
    cache_config: CacheConfig | None = None
    retry_policies: list[RetryPolicy] = field(default_factory=list)
    display_name: str | None = None
    description: str | None = None


class Step:
    """A pipeline step: `name`, its SageMaker `step_type`, `depends_on` (steps or names),
    and `properties` (its Describe* answer's paths, for later steps)."""

    step_type = ""
    local_kind = ""  # what an execution here runs, when it is not `step_type`

    def __init__(self, name: str, depends_on: Sequence[Any] | None = None, display_name: str | None = None,
                 description: str | None = None, cache_config: CacheConfig | None = None,
                 retry_policies: Sequence[RetryPolicy] | None = None) -> None:
        if not isinstance(name, str) or not _STEP_NAME.fullmatch(name):
            raise ValidationError(f"Step name {name!r}: use 1-64 letters, digits, '-' or '_'.")
        self.name = name
        self.options = _Options(list(depends_on or []), cache_config, list(retry_policies or []),
                                display_name, description)
        self.property_files: list[PropertyFile] = []

    @property
    def properties(self) -> Properties:
        """This step's properties: `step.properties.ModelArtifacts.S3ModelArtifacts`, ..."""
        return Properties(f"Steps.{self.name}")

    @property
    def depends_on(self) -> list[str]:
        """The names of the steps this one waits for besides those whose properties it uses."""
        return [d if isinstance(d, str) else d.name for d in self.options.depends_on]

    def add_depends_on(self, steps: Sequence[Any]) -> None:
        """Wait for `steps` (steps or names) too."""
        self.options.depends_on.extend(steps)

    def arguments(self) -> dict[str, Any]:
        """The step's SageMaker Arguments (definition JSON)."""
        return {}

    def local_arguments(self) -> dict[str, Any]:
        """What an execution here runs: our capability objects' arguments (JSON)."""
        return {}

    def _common(self) -> dict[str, Any]:
        request: dict[str, Any] = {"Name": self.name, "Type": self.step_type}
        if self.options.display_name:
            request["DisplayName"] = self.options.display_name
        if self.options.description:
            request["Description"] = self.options.description
        if self.depends_on:
            request["DependsOn"] = self.depends_on
        if self.options.cache_config is not None:
            request["CacheConfig"] = self.options.cache_config.to_request()
        if self.options.retry_policies:
            request["RetryPolicies"] = [p.to_request() for p in self.options.retry_policies]
        if self.property_files:
            request["PropertyFiles"] = [f.to_request() for f in self.property_files]
        return request

    def to_request(self) -> dict[str, Any]:
        """The step's entry in SageMaker's definition."""
        return {**self._common(), "Arguments": to_expr(self.arguments())}

    def to_local(self) -> dict[str, Any]:
        """The step's entry in the form an execution here runs."""
        return {**self._common(), "Kind": self.local_kind or self.step_type, "Local": to_expr(self.local_arguments())}

    def nested_steps(self) -> list[Step]:
        """Steps held inside this one (a ConditionStep's branches)."""
        return []


class ConditionStep(Step):
    """Runs `if_steps` when every one of `conditions` holds, else `else_steps`.
    `properties.Outcome` is which way it went."""

    step_type = "Condition"

    def __init__(self, name: str, conditions: Sequence[Condition] | None = None, if_steps: Sequence[Step] | None = None,
                 else_steps: Sequence[Step] | None = None, depends_on: Sequence[Any] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        super().__init__(name, depends_on, display_name, description)
        self.conditions, self.if_steps, self.else_steps = list(conditions or []), list(if_steps or []), list(else_steps or [])
        for condition in self.conditions:
            if not isinstance(condition, Condition):
                raise ValidationError(f"ConditionStep {name}: {condition!r} is not a Condition.")

    def to_request(self) -> dict[str, Any]:
        return {**self._common(), "Arguments": {
            "Conditions": [c.to_request() for c in self.conditions],
            "IfSteps": [s.to_request() for s in self.if_steps], "ElseSteps": [s.to_request() for s in self.else_steps]}}

    def local_arguments(self) -> dict[str, Any]:
        return {"Conditions": [c.to_request() for c in self.conditions],
                "IfSteps": [s.name for s in self.if_steps], "ElseSteps": [s.name for s in self.else_steps]}

    def nested_steps(self) -> list[Step]:
        return [*self.if_steps, *self.else_steps]


class FailStep(Step):
    """Ends the execution Failed with `error_message` (a string or a Join of values)."""

    step_type = "Fail"

    def __init__(self, name: str, error_message: Any = None, depends_on: Sequence[Any] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        super().__init__(name, depends_on, display_name, description)
        self.error_message = "" if error_message is None else error_message

    def arguments(self) -> dict[str, Any]:
        return {"ErrorMessage": self.error_message}

    def local_arguments(self) -> dict[str, Any]:
        return {"ErrorMessage": self.error_message}
