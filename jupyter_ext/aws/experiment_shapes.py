"""Experiments, trials and trial components in the SageMaker API's shapes, read from
jupyter_ext.experiments' records; and what their List* operations share (time filters,
sorting, paging)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ConflictError
from ..experiments import ExperimentSummary, components, describe_experiment
from ..experiments.queries import describe_run
from ..models import RunDescription, TrialSummary
from ..models.sagemaker_names import sagemaker_status
from ..store import get_store
from . import records
from .job_shapes import paged
from .operations import Call, arn
from .protocol import AwsError

__all__ = ["experiment_arn", "trial_arn", "component_arn", "job_source", "experiment_document",
           "trial_document", "component_document", "already_exists", "list_page", "tags_of", "JOB_RESOURCES"]

# Our job types as SageMaker names the resources (their ARNs, and a trial component's SourceType).
JOB_RESOURCES = {"Training": ("training-job", "SageMakerTrainingJob"),
                 "Processing": ("processing-job", "SageMakerProcessingJob"),
                 "Rule": ("processing-job", "SageMakerProcessingJob"),
                 "Transform": ("transform-job", "SageMakerTransformJob"),
                 "Tuning": ("hyper-parameter-tuning-job", "SageMakerHyperParameterTuningJob"),
                 "AutoML": ("automl-job", "SageMakerAutoMLJob")}


def experiment_arn(call: Call, name: str) -> str:
    """The ARN of experiment `name`."""
    return arn(call, f"experiment/{name.lower()}")


def trial_arn(call: Call, name: str) -> str:
    """The ARN of trial `name`."""
    return arn(call, f"experiment-trial/{name.lower()}")


def component_arn(call: Call, name: str) -> str:
    """The ARN of trial component (run) `name`."""
    return arn(call, f"experiment-trial-component/{name.lower()}")


def tags_of(resource_arn: str) -> list[dict[str, str]]:
    """The resource's tags as the API lists them."""
    return [{"Key": key, "Value": value} for key, value in records.tags_of(get_store(), resource_arn)]


@contextmanager
def already_exists(kind: str, name: str) -> Iterator[None]:
    """Our ConflictError as SageMaker says a name is taken (the SDK's load-or-create reads
    `ValidationException` with "already exists")."""
    try:
        yield
    except ConflictError:
        raise AwsError("ValidationException", f"{kind} '{name}' already exists.") from None


def experiment_document(call: Call, experiment: ExperimentSummary | str) -> dict[str, Any]:
    """DescribeExperiment's answer (with Tags, as Search shows an experiment)."""
    found = describe_experiment(experiment) if isinstance(experiment, str) else experiment
    resource = experiment_arn(call, found.name)
    return {"ExperimentName": found.name, "ExperimentArn": resource, "DisplayName": found.display_name or found.name,
            "Description": found.description or None, "CreationTime": found.created_at,
            "LastModifiedTime": found.created_at, "Tags": tags_of(resource)}


def trial_document(call: Call, trial: TrialSummary | str) -> dict[str, Any]:
    """DescribeTrial's answer (with Tags and the trial's components, as Search shows a trial)."""
    found = components.describe_trial(trial) if isinstance(trial, str) else trial
    resource = trial_arn(call, found.name)
    members = [{"TrialComponentName": run, "TrialComponentArn": component_arn(call, run)}
               for run in components.list_runs(trial=found.name)]
    return {"TrialName": found.name, "TrialArn": resource, "DisplayName": found.display_name,
            "ExperimentName": found.experiment, "CreationTime": found.created_at,
            "LastModifiedTime": found.created_at, "Tags": tags_of(resource), "TrialComponentSummaries": members}


def job_source(call: Call, run: RunDescription) -> dict[str, str] | None:
    """{"SourceArn", "SourceType"} of a run a job made (None for a run of notebook code)."""
    if not run.job_name:
        return None
    resource, source_type = JOB_RESOURCES.get(run.job_type or "Training", JOB_RESOURCES["Training"])
    return {"SourceArn": arn(call, f"{resource}/{run.job_name.lower()}"), "SourceType": source_type}


def _parameter(value: Any) -> dict[str, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"NumberValue": value}
    return {"StringValue": str(value)}


def component_document(call: Call, run: RunDescription | str) -> dict[str, Any]:
    """DescribeTrialComponent's answer (with Tags and Parents, as Search shows a component)."""
    found = describe_run(run) if isinstance(run, str) else run
    source = job_source(call, found)
    moment = found.end_time or found.start_time or found.created_at
    metrics = [{"MetricName": name, "SourceArn": source["SourceArn"] if source else None, "TimeStamp": moment,
                "Max": stats["Max"], "Min": stats["Min"], "Last": stats["Last"], "Count": int(stats["Count"]),
                "Avg": stats["Avg"], "StdDev": stats["StdDev"]} for name, stats in found.metrics.items()]
    resource = component_arn(call, found.name)
    document = {
        "TrialComponentName": found.name, "TrialComponentArn": resource, "DisplayName": found.display_name,
        "Source": source, "Status": {"PrimaryStatus": sagemaker_status(found.status), "Message": found.failure_reason},
        "StartTime": found.start_time, "EndTime": found.end_time, "CreationTime": found.created_at,
        "LastModifiedTime": moment, "Parameters": {k: _parameter(v) for k, v in found.parameters.items()},
        "InputArtifacts": {a.name: {"Value": a.value, "MediaType": a.media_type}
                           for a in found.artifacts if not a.is_output},
        "OutputArtifacts": {a.name: {"Value": a.value, "MediaType": a.media_type} for a in found.artifacts if a.is_output},
        "Metrics": metrics, "Tags": tags_of(resource),
        "Parents": [{"TrialName": found.trial, "ExperimentName": found.experiment}] if found.trial else [],
    }
    if source:
        document["Sources"] = [source]
    return document


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(item: dict[str, Any]) -> tuple[bool, Any]:
        value = item.get(field)
        return value is None, value if value is not None else 0
    return key


def list_page(items: list[dict[str, Any]], params: dict[str, Any], key: str, name_field: str,
              max_results: int = 10) -> dict[str, Any]:
    """One page of a List* answer: CreatedAfter/CreatedBefore applied, sorted by SortBy
    (Name or CreationTime, the default) in SortOrder (Descending by default)."""
    after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
    items = [item for item in items if (after is None or item["CreationTime"] > after)
             and (before is None or item["CreationTime"] < before)]
    field = name_field if params.get("SortBy") == "Name" else "CreationTime"
    items.sort(key=_sort_key(field), reverse=(params.get("SortOrder") or "Descending") == "Descending")
    return paged(items, {**params, "MaxResults": params.get("MaxResults") or max_results}, key)
