"""How our AutoML jobs read in SageMaker's words: DescribeAutoMLJob(V2)'s answers and
the candidates (AutoMLCandidate), from `jupyter_ext.automl.AutoML` and the request kept
on the job.

A candidate's inference container is SageMaker's scikit-learn image with our AutoML
inference code as its program (SAGEMAKER_PROGRAM inference.py in SAGEMAKER_SUBMIT_DIRECTORY,
the sourcedir.tar.gz the job copies under its output path): hosting serves that image
(images.py), so CreateModel + CreateEndpointConfig + CreateEndpoint of a candidate's
containers answer as Autopilot's do, with the keys SAGEMAKER_INFERENCE_OUTPUT names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..automl import AutoML
from ..automl.pipelines import MINIMIZED
from ..models import JobDescription
from .credentials import LOCAL_ROLE
from .job_requests import sagemaker_request
from .job_shapes import api_status, find_job
from .operations import Call, arn

__all__ = ["INFERENCE_IMAGE", "inference_image", "job_arn", "settings", "candidate", "describe_v1", "describe_v2",
           "secondary_status"]

# SageMaker's scikit-learn image (sagemaker.image_uris.retrieve("sklearn", region, "1.2-1")).
INFERENCE_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
_SECONDARY = {"Completed": "Completed", "Failed": "Failed", "Stopped": "Stopped", "Stopping": "Stopping"}


def inference_image(call: Call) -> str:
    """The image the candidates' inference containers name, in the caller's region."""
    return INFERENCE_IMAGE.format(region=call.region)


def job_arn(call: Call, name: str) -> str:
    """The ARN of AutoML job `name`."""
    return arn(call, f"automl-job/{name.lower()}")


def settings(name: str) -> tuple[JobDescription, dict[str, Any], AutoML]:
    """The AutoML job `name`: its description, the request it was created with ({} for a
    job made in Python) and its AutoML; ValidationException if there is none."""
    description, spec = find_job(name, "AutoML")
    return description, sagemaker_request(spec.record), AutoML.attach(name)


def secondary_status(description: JobDescription, candidates: int) -> str:
    """AutoMLJobSecondaryStatus: Starting, AnalyzingData until the first candidate, then
    ModelTuning; the status itself once the job ended."""
    if description.status == "Pending":
        return "Starting"
    if description.status in _SECONDARY:
        return _SECONDARY[description.status]
    return "ModelTuning" if candidates else "AnalyzingData"


def _objective(record: dict[str, Any]) -> dict[str, Any] | None:
    metric = record["FinalAutoMLJobObjectiveMetric"]
    if metric["Value"] is None:
        return None
    kind = "Minimize" if metric["MetricName"] in MINIMIZED else "Maximize"
    return {"Type": kind, "MetricName": metric["MetricName"], "Value": metric["Value"],
            "StandardMetricName": metric["MetricName"]}


def candidate(call: Call, automl: AutoML, record: dict[str, Any], best: bool = False) -> dict[str, Any]:
    """One AutoMLCandidate; the best one (`best`) is served refitted on every row, as
    `AutoML.create_model()` serves it."""
    containers = []
    if record.get("InferenceContainers"):
        container = automl.inference_container(None if best else record)
        containers = [{"Image": inference_image(call), **container}]
    status = api_status(record["CandidateStatus"])
    steps = [{"CandidateStepType": step["CandidateStepType"], "CandidateStepName": step["CandidateStepName"],
              "CandidateStepArn": arn(call, f"training-job/{step['CandidateStepName'].lower()}")}
             for step in record.get("CandidateSteps") or []]
    objective = _objective(record)
    return {
        "CandidateName": record["CandidateName"], "FinalAutoMLJobObjectiveMetric": objective,
        "ObjectiveStatus": "Succeeded" if objective else "Pending" if status == "InProgress" else "Failed",
        "CandidateSteps": steps, "CandidateStatus": status, "InferenceContainers": containers,
        "CreationTime": record["CreationTime"], "EndTime": record.get("EndTime"),
        "LastModifiedTime": record.get("EndTime") or record["CreationTime"],
        "FailureReason": record.get("FailureReason"),
    }


def _problem(automl: AutoML) -> dict[str, Any]:
    """What the job resolved: problem type, objective, target and the completion criteria."""
    assert automl.latest_auto_ml_job is not None
    folder = Path(automl.latest_auto_ml_job.describe().job_dir)
    problem = json.loads((folder / "data" / "problem.json").read_text())
    criteria = {"MaxCandidates": automl.max_candidates,
                "MaxRuntimePerTrainingJobInSeconds": automl.max_runtime_per_training_job_in_seconds,
                "MaxAutoMLJobRuntimeInSeconds": automl.total_job_runtime_in_seconds}
    return {"ProblemType": problem["problem_type"], "AutoMLJobObjective": {"MetricName": problem["objective"]},
            "TargetAttributeName": problem["target"], "CompletionCriteria": criteria,
            "Mode": json.loads((folder / "automl.json").read_text())["mode"]}


def _common(call: Call, name: str, description: JobDescription, request: dict[str, Any],
            automl: AutoML) -> dict[str, Any]:
    """What both versions of DescribeAutoMLJob answer alike."""
    records = automl.list_candidates()
    answer: dict[str, Any] = {
        "AutoMLJobName": name, "AutoMLJobArn": job_arn(call, name), "RoleArn": request.get("RoleArn") or LOCAL_ROLE,
        "OutputDataConfig": request.get("OutputDataConfig") or {"S3OutputPath": automl.output_path or ""},
        "CreationTime": description.created_at, "EndTime": description.ended_at,
        "LastModifiedTime": description.last_modified, "FailureReason": description.failure_reason,
        "AutoMLJobStatus": api_status(description.status),
        "AutoMLJobSecondaryStatus": secondary_status(description, len(records)),
        "AutoMLJobArtifacts": automl.describe_auto_ml_job()["AutoMLJobArtifacts"],
    }
    if records and records[0]["FinalAutoMLJobObjectiveMetric"]["Value"] is not None:
        answer["BestCandidate"] = candidate(call, automl, records[0], best=True)
    return answer


def _channels(request: dict[str, Any], description: JobDescription) -> list[dict[str, Any]]:
    """The request's input channels (AutoMLJobInputDataConfig's shape), or the data a job
    made in Python was given."""
    given = request.get("InputDataConfig") or request.get("AutoMLJobInputDataConfig")
    if given:
        return [{k: v for k, v in channel.items() if k != "TargetAttributeName"} for channel in given]
    data = (description.inputs or {}).get("data", "")
    return [{"ChannelType": "training", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data}}}]


def describe_v1(call: Call, name: str) -> dict[str, Any]:
    """DescribeAutoMLJob of any AutoML job."""
    description, request, automl = settings(name)
    resolved = _problem(automl)
    config = dict(request.get("AutoMLJobConfig") or {})
    config["CompletionCriteria"] = {**resolved["CompletionCriteria"], **(config.get("CompletionCriteria") or {})}
    config.setdefault("Mode", resolved["Mode"])
    return {
        **_common(call, name, description, request, automl),
        "InputDataConfig": [{**channel, "TargetAttributeName": resolved["TargetAttributeName"]}
                            for channel in _channels(request, description)],
        "AutoMLJobObjective": request.get("AutoMLJobObjective") or resolved["AutoMLJobObjective"],
        "ProblemType": request.get("ProblemType") or resolved["ProblemType"], "AutoMLJobConfig": config,
        "GenerateCandidateDefinitionsOnly": bool(request.get("GenerateCandidateDefinitionsOnly")),
        "ResolvedAttributes": {key: resolved[key] for key in ("AutoMLJobObjective", "ProblemType",
                                                              "CompletionCriteria")},
    }


def describe_v2(call: Call, name: str) -> dict[str, Any]:
    """DescribeAutoMLJobV2 of any AutoML job (a tabular one: every AutoML job here is)."""
    description, request, automl = settings(name)
    resolved = _problem(automl)
    tabular = dict((request.get("AutoMLProblemTypeConfig") or {}).get("TabularJobConfig") or {})
    tabular.update(TargetAttributeName=resolved["TargetAttributeName"], ProblemType=resolved["ProblemType"],
                   CompletionCriteria={**resolved["CompletionCriteria"], **(tabular.get("CompletionCriteria") or {})})
    tabular.setdefault("Mode", resolved["Mode"])
    split = request.get("DataSplitConfig") or {"ValidationFraction": automl.validation_fraction}
    return {
        **_common(call, name, description, request, automl),
        "AutoMLJobInputDataConfig": _channels(request, description),
        "AutoMLJobObjective": request.get("AutoMLJobObjective") or resolved["AutoMLJobObjective"],
        "AutoMLProblemTypeConfig": {"TabularJobConfig": tabular}, "AutoMLProblemTypeConfigName": "Tabular",
        "DataSplitConfig": split, "SecurityConfig": request.get("SecurityConfig"),
        "ResolvedAttributes": {"AutoMLJobObjective": resolved["AutoMLJobObjective"],
                               "CompletionCriteria": resolved["CompletionCriteria"],
                               "AutoMLProblemTypeResolvedAttributes": {
                                   "TabularResolvedAttributes": {"ProblemType": resolved["ProblemType"]}}},
    }
