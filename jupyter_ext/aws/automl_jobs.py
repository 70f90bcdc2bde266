"""SageMaker Autopilot's operations over `jupyter_ext.automl.AutoML` jobs.

CreateAutoMLJob and CreateAutoMLJobV2 (tabular) start an `AutoML(...)` job on the
training channel's S3 data, with `output_path` the request's S3OutputPath, so the two
notebooks, the candidates' models and the inference code land there
(automl/publish.py); Describe(V2)/List/Stop and ListCandidatesForAutoMLJob answer for
every AutoML job, the ones made in Python too (automl_shapes.py shapes the answers).
"""

from __future__ import annotations

from typing import Any

from ..automl import AutoML
from ..automl.problem import DEFAULT_OBJECTIVE
from ..errors import ConflictError
from ..models import JobSummary
from .automl_shapes import candidate, describe_v1, describe_v2, job_arn, settings
from .job_shapes import api_status, list_page, stop_api_job
from .operations import Call
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "AUTOPILOT_ALGORITHMS"]

SERVICE = "sagemaker"
# Autopilot's algorithm names (AlgorithmsConfig) -> our candidate algorithms.
AUTOPILOT_ALGORITHMS = {"xgboost": "hgb", "lightgbm": "hgb", "catboost": "hgb", "linear-learner": "linear",
                        "randomforest": "random-forest", "extra-trees": "extra-trees", "mlp": "mlp",
                        "nn-torch": "mlp", "fastai": "mlp"}


def _training_uri(channels: list[dict[str, Any]]) -> str:
    """The S3 URI of the training channel (a validation channel is not taken yet)."""
    training = [c for c in channels if (c.get("ChannelType") or "training") == "training"]
    if len(training) != 1 or len(channels) != 1:
        raise AwsError("ValidationException", "Give one training channel: a separate validation channel is not "
                       "taken here yet (use DataSplitConfig.ValidationFraction).")
    source = (training[0].get("DataSource") or {}).get("S3DataSource") or {}
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise AwsError("ValidationException", f"S3DataType {source.get('S3DataType')} is not read here yet; give an "
                       "S3Prefix (a CSV or Parquet file, or a prefix holding them).")
    return source["S3Uri"]


def _algorithms(generation: dict[str, Any] | None) -> list[str] | None:
    configs = (generation or {}).get("AlgorithmsConfig") or []
    names = [name for config in configs for name in config.get("AutoMLAlgorithms") or []]
    unknown = [name for name in names if name not in AUTOPILOT_ALGORITHMS]
    if unknown:
        raise AwsError("ValidationException", f"AutoMLAlgorithms {unknown} are not run here; choose from "
                       f"{', '.join(AUTOPILOT_ALGORITHMS)}.")
    return list(dict.fromkeys(AUTOPILOT_ALGORITHMS[name] for name in names)) or None


def _start(call: Call, name: str, uri: str, target: str, tabular: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Start the AutoML job; `tabular` holds TabularJobConfig's keys (V1's are mapped onto them)."""
    if tabular.get("GenerateCandidateDefinitionsOnly"):
        raise AwsError("ValidationException", "GenerateCandidateDefinitionsOnly is not served here yet: the job "
                       "trains its candidates (the Candidate Definition notebook reproduces each one).")
    problem_type = tabular.get("ProblemType")
    objective = (request.get("AutoMLJobObjective") or {}).get("MetricName")
    if problem_type and not objective:
        objective = DEFAULT_OBJECTIVE.get(problem_type)
    criteria = tabular.get("CompletionCriteria") or {}
    automl = AutoML(
        target, problem_type=problem_type, job_objective={"MetricName": objective} if objective else None,
        max_candidates=criteria.get("MaxCandidates"),
        max_runtime_per_training_job_in_seconds=criteria.get("MaxRuntimePerTrainingJobInSeconds"),
        total_job_runtime_in_seconds=criteria.get("MaxAutoMLJobRuntimeInSeconds"), mode=tabular.get("Mode") or "AUTO",
        validation_fraction=(request.get("DataSplitConfig") or {}).get("ValidationFraction") or 0.2,
        algorithms=_algorithms(tabular.get("CandidateGenerationConfig")), base_job_name=name,
        output_path=request["OutputDataConfig"]["S3OutputPath"], sagemaker_request=request)
    try:
        automl.fit(uri, wait=False, logs=False, job_name=name)
    except ConflictError:
        raise AwsError("ResourceInUse", f"An AutoML job named {name} exists already: AutoML job names must be unique "
                       "within an AWS account and region.") from None
    record_tags(job_arn(call, name), request.get("Tags") or [])
    return {"AutoMLJobArn": job_arn(call, name)}


def create_auto_ml_job(call: Call) -> dict[str, Any]:
    """CreateAutoMLJob: InputDataConfig's channel with its TargetAttributeName, AutoMLJobConfig."""
    request = call.params
    channels = request["InputDataConfig"]
    config = request.get("AutoMLJobConfig") or {}
    tabular = {"ProblemType": request.get("ProblemType"), "CompletionCriteria": config.get("CompletionCriteria"),
               "Mode": config.get("Mode"), "CandidateGenerationConfig": config.get("CandidateGenerationConfig"),
               "GenerateCandidateDefinitionsOnly": request.get("GenerateCandidateDefinitionsOnly")}
    request = {**request, "DataSplitConfig": config.get("DataSplitConfig") or request.get("DataSplitConfig")}
    return _start(call, request["AutoMLJobName"], _training_uri(channels), channels[0]["TargetAttributeName"],
                  tabular, request)


def create_auto_ml_job_v2(call: Call) -> dict[str, Any]:
    """CreateAutoMLJobV2 of a tabular problem (AutoMLProblemTypeConfig.TabularJobConfig)."""
    request = call.params
    problem = request["AutoMLProblemTypeConfig"]
    tabular = problem.get("TabularJobConfig")
    if tabular is None:
        given = ", ".join(k for k, v in problem.items() if v) or "none"
        raise AwsError("ValidationException", f"Only TabularJobConfig problems run here (given: {given}); image, "
                       "text and time-series AutoML need models this machine does not have.")
    return _start(call, request["AutoMLJobName"], _training_uri(request["AutoMLJobInputDataConfig"]),
                  tabular["TargetAttributeName"], tabular, request)


def describe_auto_ml_job(call: Call) -> dict[str, Any]:
    """DescribeAutoMLJob."""
    return describe_v1(call, call.params["AutoMLJobName"])


def describe_auto_ml_job_v2(call: Call) -> dict[str, Any]:
    """DescribeAutoMLJobV2."""
    return describe_v2(call, call.params["AutoMLJobName"])


def list_auto_ml_jobs(call: Call) -> dict[str, Any]:
    """ListAutoMLJobs, newest first unless SortBy/SortOrder say otherwise."""
    def summary(job: JobSummary) -> dict[str, Any]:
        status = api_status(job.status)
        return {"AutoMLJobName": job.name, "AutoMLJobArn": job_arn(call, job.name), "AutoMLJobStatus": status,
                "AutoMLJobSecondaryStatus": {"Pending": "Starting", "InProgress": "ModelTuning"}.get(job.status, status),
                "CreationTime": job.created_at, "EndTime": job.ended_at, "FailureReason": job.failure_reason,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at}
    return list_page("AutoML", call.params, summary, "AutoMLJobSummaries")


def stop_auto_ml_job(call: Call) -> None:
    """StopAutoMLJob: the search stops; the candidates that finished are kept."""
    stop_api_job(call.params["AutoMLJobName"], "AutoML", "StopAutoMLJob")


def _page(items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("NextToken") or "0"
    if not token.isdigit():
        raise AwsError("ValidationException", f"NextToken {token!r} is not one this endpoint gave out; list again "
                       "without it.")
    start, size = int(token), int(params.get("MaxResults") or 10)
    page: dict[str, Any] = {"Candidates": items[start:start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page


def list_candidates_for_auto_ml_job(call: Call) -> dict[str, Any]:
    """ListCandidatesForAutoMLJob: best first, or by SortBy/SortOrder; StatusEquals and
    CandidateNameEquals filter; MaxResults (default 10) per page."""
    params = call.params
    _, _, automl = settings(params["AutoMLJobName"])
    records = automl.list_candidates(sort_by=params.get("SortBy"), sort_order=params.get("SortOrder"),
                                     candidate_name=params.get("CandidateNameEquals"))
    chosen = [candidate(call, automl, record) for record in records]
    status = params.get("StatusEquals")
    return _page([c for c in chosen if status is None or c["CandidateStatus"] == status], params)


OPERATIONS = {
    "CreateAutoMLJob": create_auto_ml_job, "CreateAutoMLJobV2": create_auto_ml_job_v2,
    "DescribeAutoMLJob": describe_auto_ml_job, "DescribeAutoMLJobV2": describe_auto_ml_job_v2,
    "ListAutoMLJobs": list_auto_ml_jobs, "StopAutoMLJob": stop_auto_ml_job,
    "ListCandidatesForAutoMLJob": list_candidates_for_auto_ml_job,
}
