"""Pipelines as the sidebar draws them: summaries of pipelines and executions, and an
execution's steps as a graph, each step with the steps it waits for and how it stands."""

from __future__ import annotations

import json
from typing import Any

from ..models import PipelineExecutionGraph, PipelineExecutionSummary, PipelineStepNode, PipelineSummary
from ..store import get_store
from . import records
from .definition import dependencies
from .execution import PipelineExecution
from .pipeline import list_pipelines

__all__ = ["pipeline_summaries", "execution_summaries", "execution_graph"]


def _summary(execution: PipelineExecution) -> PipelineExecutionSummary:
    description = execution.describe()
    pipeline_name = records.execution_row(get_store(), execution.execution_id)["pipeline_name"]
    return PipelineExecutionSummary(
        execution.execution_id, pipeline_name, execution.arn,
        description["PipelineExecutionDisplayName"], description["PipelineExecutionStatus"],
        description["CreationTime"], description["JobName"], description.get("FailureReason"))


def execution_summaries(pipeline_name: str | None = None) -> list[PipelineExecutionSummary]:
    """The executions of `pipeline_name` (or of every pipeline), newest first."""
    rows = records.execution_rows(get_store(), pipeline_name)
    return [_summary(PipelineExecution(row["execution_id"])) for row in rows if row["job_name"]]


def pipeline_summaries() -> list[PipelineSummary]:
    """Every stored pipeline, by name, with its newest execution."""
    summaries = []
    for item in list_pipelines():
        name = item["PipelineName"]
        row = records.pipeline_row(get_store(), name)
        executions = execution_summaries(name)
        summaries.append(PipelineSummary(
            name, item["PipelineArn"], item["PipelineDescription"], item["CreationTime"], item["LastModifiedTime"],
            len(json.loads(row["local_definition"])["Steps"]), executions[0] if executions else None))
    return summaries


def _node(entry: dict[str, Any], step: dict[str, Any] | None) -> PipelineStepNode:
    node = PipelineStepNode(entry["Name"], entry.get("Kind", ""), sorted(dependencies(entry)))
    if step is None:
        return node
    node.status, node.failure_reason = step["StepStatus"], step.get("FailureReason")
    for value in step.get("Metadata", {}).values():
        if isinstance(value, dict) and "Name" in value:
            node.job_name = value["Name"]
        if isinstance(value, dict) and "Outcome" in value:
            node.outcome = value["Outcome"]
    cache = step.get("CacheHitResult")
    if cache:
        node.cache_hit_execution = cache["SourcePipelineExecutionArn"].rsplit("/", 1)[-1]
    return node


def execution_graph(execution_id: str) -> PipelineExecutionGraph:
    """Execution `execution_id` (an id or ARN) with every step of the definition it runs, in
    definition order. NotFoundError if there is no such execution."""
    execution = PipelineExecution(execution_id)
    definition = json.loads(records.execution_row(get_store(), execution.execution_id)["local_definition"])
    steps = {step["StepName"]: step for step in execution.list_steps()}
    return PipelineExecutionGraph(_summary(execution),
                                  [_node(entry, steps.get(entry["Name"])) for entry in definition["Steps"]])
