"""Records of debugger rule evaluations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Record


@dataclass(slots=True)
class RuleEvaluationStatus(Record):
    """One debugger rule of a training job (SageMaker's DebugRuleEvaluationStatuses entry).

    `rule_evaluation_status`: InProgress, NoIssuesFound, IssuesFound, Error or Stopped;
    `triggered_step` is the global step at which the issue was found.
    """

    rule_configuration_name: str
    rule_evaluation_job_name: str
    rule_evaluation_status: str
    status_details: str
    triggered_step: int | None
    last_modified_time: datetime | None


@dataclass(slots=True)
class ListRuleEvaluationsResponse(Record):
    """The debugger rules of one training job and how each evaluation stands."""

    training_job_name: str
    rule_evaluations: list[RuleEvaluationStatus]
