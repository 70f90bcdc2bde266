"""SageMaker Pipelines over jupyter_ext.pipelines: Create/Update/Describe/List/Delete
Pipeline, Start/Describe/List/Stop/Retry PipelineExecution, ListPipelineExecutionSteps and
the execution's parameters and definition. A definition the real SDK made runs from its
JSON; its job steps start through pipeline_steps.py."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError
from ..pipelines import (
    PipelineExecution, delete_pipeline, describe_pipeline, list_pipeline_executions, list_pipelines,
    start_pipeline_execution, upsert_pipeline,
)
from ..store import artifact_store_for
from .job_shapes import paged
from .operations import Call
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS"]

SERVICE = "sagemaker"


def _definition(params: dict[str, Any]) -> str:
    """The definition's JSON text, given inline or as PipelineDefinitionS3Location."""
    if params.get("PipelineDefinition"):
        return params["PipelineDefinition"]
    location = params.get("PipelineDefinitionS3Location")
    if not location:
        raise AwsError("ValidationException", "Give PipelineDefinition (JSON) or PipelineDefinitionS3Location.")
    uri = f"s3://{location['Bucket']}/{location['ObjectKey']}"
    with tempfile.TemporaryDirectory() as scratch:
        try:
            return artifact_store_for(uri).fetch(uri, Path(scratch)).read_text()
        except (FileNotFoundError, OSError):
            raise AwsError("ValidationException", f"No pipeline definition at {uri}.") from None


def create_pipeline(call: Call) -> dict[str, Any]:
    """CreatePipeline: store the definition (ValidationException if the name is taken, which
    the SDK's upsert() reads as "update it")."""
    name = call.params["PipelineName"]
    try:
        describe_pipeline(name)
    except NotFoundError:
        answer = upsert_pipeline(name, _definition(call.params), description=call.params.get("PipelineDescription"))
        record_tags(answer["PipelineArn"], call.params.get("Tags") or [])
        return answer
    raise AwsError("ValidationException", f"Pipeline names must be unique within an AWS account and region. "
                   f"Pipeline with name ({name}) already exists.")


def update_pipeline(call: Call) -> dict[str, Any]:
    """UpdatePipeline: a new definition (and description) for a stored pipeline."""
    name = call.params["PipelineName"]
    stored = describe_pipeline(name)
    definition = _definition(call.params) if (call.params.get("PipelineDefinition") or
                                              call.params.get("PipelineDefinitionS3Location")) else stored["PipelineDefinition"]
    return upsert_pipeline(name, definition, description=call.params.get("PipelineDescription",
                                                                         stored["PipelineDescription"]))


def _describe_pipeline(call: Call) -> dict[str, Any]:
    return {**describe_pipeline(call.params["PipelineName"]), "PipelineDisplayName": call.params["PipelineName"]}


def _list_pipelines(call: Call) -> dict[str, Any]:
    prefix = call.params.get("PipelineNamePrefix") or ""
    chosen = [p for p in list_pipelines() if p["PipelineName"].startswith(prefix)]
    chosen.sort(key=lambda p: p["PipelineName"] if call.params.get("SortBy") == "Name" else p["CreationTime"],
                reverse=(call.params.get("SortOrder") or "Descending") == "Descending")
    return paged(chosen, call.params, "PipelineSummaries")


def _delete_pipeline(call: Call) -> dict[str, Any]:
    return {"PipelineArn": delete_pipeline(call.params["PipelineName"])}


def start_execution(call: Call) -> dict[str, Any]:
    """StartPipelineExecution with PipelineParameters [{Name, Value}] (values are text, cast
    to the parameters' types)."""
    parameters = {p["Name"]: p["Value"] for p in call.params.get("PipelineParameters") or []}
    execution = start_pipeline_execution(call.params["PipelineName"], parameters,
                                         call.params.get("PipelineExecutionDisplayName"))
    return {"PipelineExecutionArn": execution.arn}


def _execution(call: Call) -> PipelineExecution:
    return PipelineExecution(call.params["PipelineExecutionArn"])


def _describe_execution(call: Call) -> dict[str, Any]:
    return _execution(call).describe()


def _list_executions(call: Call) -> dict[str, Any]:
    executions = list_pipeline_executions(call.params["PipelineName"])
    if call.params.get("SortOrder") == "Ascending":
        executions.reverse()
    return paged(executions, call.params, "PipelineExecutionSummaries")


def _list_steps(call: Call) -> dict[str, Any]:
    steps = _execution(call).list_steps()
    if call.params.get("SortOrder") == "Ascending":
        steps.reverse()
    return paged(steps, call.params, "PipelineExecutionSteps")


def _stop_execution(call: Call) -> dict[str, Any]:
    execution = _execution(call)
    try:
        execution.stop()
    except ConflictError as error:
        raise AwsError("ValidationException", str(error)) from None
    return {"PipelineExecutionArn": execution.arn}


def _retry_execution(call: Call) -> dict[str, Any]:
    execution = _execution(call)
    try:
        execution.retry()
    except ConflictError as error:
        raise AwsError("ValidationException", str(error)) from None
    return {"PipelineExecutionArn": execution.arn}


def _parameters(call: Call) -> dict[str, Any]:
    return paged(_execution(call).describe()["PipelineParameters"], call.params, "PipelineParameters")


def _definition_for_execution(call: Call) -> dict[str, Any]:
    execution = _execution(call)
    return {"PipelineDefinition": describe_pipeline(execution.pipeline_name)["PipelineDefinition"],
            "CreationTime": execution.describe()["CreationTime"]}


OPERATIONS = {
    "CreatePipeline": create_pipeline, "UpdatePipeline": update_pipeline, "DescribePipeline": _describe_pipeline,
    "ListPipelines": _list_pipelines, "DeletePipeline": _delete_pipeline,
    "StartPipelineExecution": start_execution, "DescribePipelineExecution": _describe_execution,
    "ListPipelineExecutions": _list_executions, "ListPipelineExecutionSteps": _list_steps,
    "StopPipelineExecution": _stop_execution, "RetryPipelineExecution": _retry_execution,
    "ListPipelineParametersForExecution": _parameters,
    "DescribePipelineDefinitionForExecution": _definition_for_execution,
}
