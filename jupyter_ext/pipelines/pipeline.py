"""`Pipeline` (SageMaker's `sagemaker.workflow.pipeline.Pipeline`): parameters and steps,
stored with `upsert()` and run with `start()`; and the module-level operations on stored
pipelines (what the CLI, the magics and the AWS endpoint call)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import timestamp
from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..store import get_store
from . import records
from .definition import dumps, local_definition, sagemaker_definition
from .execution import PipelineExecution, launch_execution, pipeline_arn
from .expressions import ExecutionVariables, Parameter, ParameterString
from .sagemaker_steps import local_from_sagemaker
from .steps import Step

__all__ = ["Pipeline", "PipelineExperimentConfig", "list_pipelines", "describe_pipeline", "delete_pipeline",
           "start_pipeline_execution", "list_pipeline_executions", "upsert_pipeline"]


@dataclass
class PipelineExperimentConfig:
    """The experiment and trial an execution's jobs are grouped in (SageMaker's default:
    the pipeline's name and the execution's id)."""

    experiment_name: Any
    trial_name: Any


_PIPELINE_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}")
_DEFAULT_EXPERIMENT = PipelineExperimentConfig(ExecutionVariables.PIPELINE_NAME,
                                               ExecutionVariables.PIPELINE_EXECUTION_ID)


class Pipeline:
    """A DAG of steps with parameters.

    `definition()` is SageMaker's pipeline definition JSON; `upsert()` stores the pipeline,
    `start(parameters={...})` runs it as a job of type Pipeline. AWS-only arguments
    (sagemaker_session, role_arn...) are accepted and ignored."""

    def __init__(self, name: str, parameters: Sequence[Parameter] | None = None, steps: Sequence[Step] | None = None,
                 pipeline_experiment_config: PipelineExperimentConfig | None = _DEFAULT_EXPERIMENT,
                 sagemaker_session: Any = None, **sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("Pipeline", sagemaker_only)
        if not isinstance(name, str) or not _PIPELINE_NAME.fullmatch(name):
            raise ValidationError(f"Pipeline name {name!r}: use 1-256 letters, digits and hyphens, starting and "
                                  "ending with a letter or digit.")
        self.name, self.parameters, self.steps = name, list(parameters or []), list(steps or [])
        self.pipeline_experiment_config = pipeline_experiment_config
        for parameter in self.parameters:
            if not isinstance(parameter, Parameter):
                raise ValidationError(f"Pipeline {name}: {parameter!r} is not a Parameter*.")
        for step in self.steps:
            if not isinstance(step, Step):
                raise ValidationError(f"Pipeline {name}: {step!r} is not a step.")

    def definition(self) -> str:
        """SageMaker's pipeline definition, as JSON text (what CreatePipeline takes)."""
        return dumps(sagemaker_definition(self.name, self.parameters, self.steps, self.pipeline_experiment_config))

    def local_definition(self) -> dict[str, Any]:
        """The form an execution here runs (checked: names, references, no cycles)."""
        return local_definition(self.name, self.parameters, self.steps, self.pipeline_experiment_config)

    def upsert(self, role_arn: str | None = None, description: str | None = None, **_sagemaker_only: Any) -> dict[str, Any]:
        """Store the pipeline, creating or replacing it; {"PipelineArn": ...}."""
        return upsert_pipeline(self.name, self.definition(), self.local_definition(), description)

    def create(self, role_arn: str | None = None, description: str | None = None, **_sagemaker_only: Any) -> dict[str, Any]:
        """Store a new pipeline; ConflictError if one of this name exists."""
        if records.pipeline_row(get_store(), self.name) is not None:
            raise ConflictError(f"Pipeline {self.name} exists already; use upsert() or update().")
        return self.upsert(description=description)

    def update(self, role_arn: str | None = None, description: str | None = None, **_sagemaker_only: Any) -> dict[str, Any]:
        """Replace the stored pipeline; NotFoundError if there is none."""
        describe_pipeline(self.name)
        return self.upsert(description=description)

    def describe(self) -> dict[str, Any]:
        """DescribePipeline of the stored pipeline."""
        return describe_pipeline(self.name)

    def start(self, parameters: Mapping[str, Any] | None = None, execution_display_name: str | None = None,
              **_sagemaker_only: Any) -> PipelineExecution:
        """Start an execution of the stored pipeline (upsert() first) with `parameters`
        (others take their defaults); returns it at once."""
        return start_pipeline_execution(self.name, parameters, execution_display_name)

    def list_executions(self) -> dict[str, Any]:
        """{"PipelineExecutionSummaries": [...]}, newest first."""
        return {"PipelineExecutionSummaries": list_pipeline_executions(self.name)}


def upsert_pipeline(name: str, definition: str, local: dict[str, Any] | None = None,
                    description: str | None = None) -> dict[str, Any]:
    """Store pipeline `name` with its SageMaker definition (JSON text) and the local form
    its executions run; without `local` (a definition the real SDK made), the local form
    is read from the definition (see `sagemaker_steps`). ValidationError for a definition
    that is not JSON or not a pipeline's."""
    if local is None:
        try:
            parsed = json.loads(definition)
        except ValueError as error:
            raise ValidationError(f"The pipeline definition is not JSON: {error}.") from None
        local = local_from_sagemaker(parsed, name)
    records.save_pipeline(get_store(), name, definition, json.dumps(local), description)
    return {"PipelineArn": pipeline_arn(name)}


def _row(name: str) -> Any:
    row = records.pipeline_row(get_store(), name)
    if row is None:
        known = ", ".join(r["name"] for r in records.pipeline_rows(get_store())) or "none yet"
        raise NotFoundError(f"No pipeline {name} (pipelines: {known}); call pipeline.upsert() first.")
    return row


def describe_pipeline(name: str) -> dict[str, Any]:
    """DescribePipeline: name, ARN, definition (SageMaker's), times."""
    row = _row(name)
    return {"PipelineName": name, "PipelineArn": pipeline_arn(name), "PipelineDefinition": row["definition"],
            "PipelineDescription": row["description"], "PipelineStatus": "Active",
            "CreationTime": timestamp(row["created_at"]), "LastModifiedTime": timestamp(row["last_modified"])}


def delete_pipeline(name: str) -> str:
    """Forget stored pipeline `name` (its executions' records and jobs stay); its ARN.
    NotFoundError if there is none."""
    _row(name)
    records.delete_pipeline(get_store(), name)
    return pipeline_arn(name)


def list_pipelines() -> list[dict[str, Any]]:
    """Every stored pipeline (ListPipelines' PipelineSummaries), by name."""
    return [{"PipelineName": r["name"], "PipelineArn": pipeline_arn(r["name"]), "PipelineDescription": r["description"],
             "CreationTime": timestamp(r["created_at"]), "LastModifiedTime": timestamp(r["last_modified"])}
            for r in records.pipeline_rows(get_store())]


def _parameters(definition: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    declared = {p["Name"]: p for p in definition["Parameters"]}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValidationError(f"Unknown pipeline parameter {', '.join(unknown)}; the pipeline has "
                              f"{', '.join(declared) or 'none'}.")
    values = {}
    for name, request in declared.items():
        parameter = _parameter_class(request["Type"])(name)
        if request.get("EnumValues"):
            parameter = ParameterString(name, enum_values=request["EnumValues"])
        if name in given:
            values[name] = parameter.cast(given[name])
        elif "DefaultValue" in request:
            values[name] = request["DefaultValue"]
        else:
            raise ValidationError(f"Pipeline parameter {name} has no default value: give parameters={{'{name}': ...}}.")
    return values


def _parameter_class(kind: str) -> type[Parameter]:
    for cls in Parameter.__subclasses__():
        if cls.parameter_type == kind:
            return cls
    raise ValidationError(f"Unknown parameter type {kind}.")


def start_pipeline_execution(name: str, parameters: Mapping[str, Any] | None = None,
                             display_name: str | None = None) -> PipelineExecution:
    """Start an execution of stored pipeline `name` with `parameters`; NotFoundError if
    there is no such pipeline, ValidationError for unknown or ill-typed parameters."""
    definition = json.loads(_row(name)["local_definition"])
    return launch_execution(name, _parameters(definition, dict(parameters or {})), definition, display_name)


def list_pipeline_executions(name: str | None = None) -> list[dict[str, Any]]:
    """Executions (of pipeline `name`, or all), newest first, as PipelineExecutionSummaries."""
    if name is not None:
        _row(name)
    summaries = []
    for row in records.execution_rows(get_store(), name):
        execution = PipelineExecution(row["execution_id"])
        description = execution.describe()
        summaries.append({"PipelineExecutionArn": execution.arn, "PipelineName": row["pipeline_name"],
                          "PipelineExecutionDisplayName": description["PipelineExecutionDisplayName"],
                          "PipelineExecutionStatus": description["PipelineExecutionStatus"],
                          "StartTime": timestamp(row["created_at"]),
                          "PipelineExecutionFailureReason": description.get("FailureReason")})
    return summaries

