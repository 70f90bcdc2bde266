"""Records of pipelines as the sidebar shows them: pipelines, their executions, and one
execution's steps as a graph (each step with the steps it waits for and how it stands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .base import Record

__all__ = ["PipelineExecutionSummary", "PipelineSummary", "ListPipelinesResponse", "ListPipelineExecutionsResponse",
           "PipelineStepNode", "PipelineExecutionGraph"]


@dataclass(slots=True)
class PipelineExecutionSummary(Record):
    """One execution of a pipeline: `status` is SageMaker's PipelineExecutionStatus
    (Executing, Stopping, Stopped, Failed, Succeeded); `job_name` is the Pipeline job that
    runs it."""

    execution_id: str
    pipeline_name: str
    arn: str
    display_name: str
    status: str
    created_at: datetime
    job_name: str
    failure_reason: str | None = None


@dataclass(slots=True)
class PipelineSummary(Record):
    """A stored pipeline with its newest execution (None before the first)."""

    name: str
    arn: str
    description: str | None
    created_at: datetime
    last_modified: datetime
    step_count: int
    latest_execution: PipelineExecutionSummary | None = None


@dataclass(slots=True)
class ListPipelinesResponse(Record):
    """Every stored pipeline, by name."""

    pipelines: list[PipelineSummary]


@dataclass(slots=True)
class ListPipelineExecutionsResponse(Record):
    """A pipeline's executions, newest first."""

    executions: list[PipelineExecutionSummary]


@dataclass(slots=True)
class PipelineStepNode(Record):
    """One step of an execution's graph. `kind` is the step's type (Training, Condition,
    ...); `depends_on` the steps it waits for; `status` SageMaker's StepStatus (Starting,
    Executing, Succeeded, Failed, Stopped) or NotStarted; `job_name` the step's job, if it
    has one; `cache_hit_execution` the execution whose run of it was reused; `outcome` a
    ConditionStep's result ("True"/"False")."""

    name: str
    kind: str
    depends_on: list[str] = field(default_factory=list)
    status: str = "NotStarted"
    job_name: str | None = None
    failure_reason: str | None = None
    cache_hit_execution: str | None = None
    outcome: str | None = None


@dataclass(slots=True)
class PipelineExecutionGraph(Record):
    """An execution and every step of its pipeline, in definition order."""

    execution: PipelineExecutionSummary
    steps: list[PipelineStepNode]
