"""How a tuning job and its training jobs read in SageMaker's words: status counters, the
training job summaries (TunedHyperParameters, FinalHyperParameterTuningJobObjectiveMetric,
ObjectiveStatus), and the configuration a tuning job made in Python answers with."""

from __future__ import annotations

import json
from typing import Any

from ..jobs import describe_job
from ..jobs.contract import encode_hyperparameters
from ..models import TERMINAL_STATUSES
from ..tuning.trials import TrialRecord
from .credentials import LOCAL_ROLE
from .job_shapes import api_status
from .operations import Call, arn

__all__ = ["tuning_arn", "status_counters", "objective_counters", "trial_summary", "python_request",
           "api_ranges", "with_range_lists", "RANGE_LISTS"]

RANGE_LISTS = ("IntegerParameterRanges", "ContinuousParameterRanges", "CategoricalParameterRanges")
_RANGE_KEYS = {"Integer": "IntegerParameterRanges", "Continuous": "ContinuousParameterRanges",
               "Categorical": "CategoricalParameterRanges"}


def tuning_arn(call: Call, name: str) -> str:
    """The tuning job's ARN."""
    return arn(call, f"hyper-parameter-tuning-job/{name.lower()}")


def _objective_status(record: TrialRecord) -> str:
    if record.value is not None:
        return "Succeeded"
    return "Failed" if record.status in TERMINAL_STATUSES else "Pending"


def status_counters(trials: list[TrialRecord]) -> dict[str, int]:
    """TrainingJobStatusCounters: a failed training job is a NonRetryableError."""
    statuses = [api_status(record.status) for record in trials]
    return {"Completed": statuses.count("Completed"),
            "InProgress": statuses.count("InProgress") + statuses.count("Stopping"),
            "RetryableError": 0, "NonRetryableError": statuses.count("Failed"), "Stopped": statuses.count("Stopped")}


def objective_counters(trials: list[TrialRecord]) -> dict[str, int]:
    """ObjectiveStatusCounters: whether each training job gave the objective metric."""
    statuses = [_objective_status(record) for record in trials]
    return {name: statuses.count(name) for name in ("Succeeded", "Pending", "Failed")}


def trial_summary(call: Call, tuning_job: str, record: TrialRecord, objective: tuple[str, str],
                  several: bool) -> dict[str, Any]:
    """A HyperParameterTrainingJobSummary; `objective` is (Type, MetricName), `several`
    whether the tuning job has several training job definitions (then each names its own)."""
    job = describe_job(record.job)
    summary: dict[str, Any] = {
        "TrainingJobName": record.job, "TrainingJobArn": arn(call, f"training-job/{record.job.lower()}"),
        "TuningJobName": tuning_job, "CreationTime": job.created_at, "TrainingStartTime": job.started_at,
        "TrainingEndTime": job.ended_at, "TrainingJobStatus": api_status(job.status),
        "TunedHyperParameters": encode_hyperparameters(record.hyperparameters),
        "FailureReason": job.failure_reason, "ObjectiveStatus": _objective_status(record),
    }
    if several:
        summary["TrainingJobDefinitionName"] = record.definition
    if record.value is not None:
        summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
            "Type": objective[0], "MetricName": objective[1], "Value": record.value}
    return summary


def api_ranges(ranges: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """ParameterRanges from the ranges of tuning.json (our `ParameterRange.to_dict()`s)."""
    answer: dict[str, list[dict[str, Any]]] = {key: [] for key in RANGE_LISTS}
    for name, item in ranges.items():
        if item["Type"] == "Categorical":
            values = [v if isinstance(v, str) else json.dumps(v) for v in item["values"]]
            answer["CategoricalParameterRanges"].append({"Name": name, "Values": values})
        else:
            answer[_RANGE_KEYS[item["Type"]]].append({"Name": name, "MinValue": str(item["min_value"]),
                                                      "MaxValue": str(item["max_value"]),
                                                      "ScalingType": item["scaling_type"]})
    return answer


def with_range_lists(ranges: dict[str, Any] | None) -> dict[str, Any]:
    """ParameterRanges with all three lists, as SageMaker answers (the SDK's attach() reads each)."""
    return {key: [] for key in RANGE_LISTS} | dict(ranges or {})


def _python_definition(definition: dict[str, Any], several: bool, objective_type: str) -> dict[str, Any]:
    estimator = definition["estimator"]
    answer: dict[str, Any] = {
        "StaticHyperParameters": encode_hyperparameters(
            {k: v for k, v in estimator["hyperparameters"].items() if k not in definition["ranges"]}),
        "AlgorithmSpecification": {"TrainingImage": "jupyter-ext/local", "TrainingInputMode": "File",
                                   "MetricDefinitions": estimator["metric_definitions"]},
        "RoleArn": LOCAL_ROLE, "OutputDataConfig": {"S3OutputPath": estimator["output_path"] or ""},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": estimator["max_run"]},
    }
    if several:
        answer.update(DefinitionName=definition["name"], HyperParameterRanges=api_ranges(definition["ranges"]),
                      TuningObjective={"Type": objective_type, "MetricName": definition["objective_metric_name"]})
    return answer


def python_request(config: dict[str, Any], max_runtime: int) -> dict[str, Any]:
    """What a tuning job made in Python answers where the API echoes its request (from its tuning.json)."""
    definitions, objective_type = config["definitions"], config["objective_type"]
    several = len(definitions) > 1
    tuning: dict[str, Any] = {
        "Strategy": config["strategy"], "TrainingJobEarlyStoppingType": config["early_stopping_type"],
        "ResourceLimits": {"MaxNumberOfTrainingJobs": config["max_jobs"],
                           "MaxParallelTrainingJobs": config["max_parallel_jobs"], "MaxRuntimeInSeconds": max_runtime},
    }
    if config["random_seed"] is not None:
        tuning["RandomSeed"] = config["random_seed"]
    request: dict[str, Any] = {"HyperParameterTuningJobConfig": tuning}
    if several:
        request["TrainingJobDefinitions"] = [_python_definition(d, True, objective_type) for d in definitions]
    else:
        tuning.update(HyperParameterTuningJobObjective={"Type": objective_type,
                                                        "MetricName": definitions[0]["objective_metric_name"]},
                      ParameterRanges=api_ranges(definitions[0]["ranges"]))
        request["TrainingJobDefinition"] = _python_definition(definitions[0], False, objective_type)
    if config["warm_start_parents"]:
        request["WarmStartConfig"] = {"WarmStartType": config["warm_start_type"], "ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": parent} for parent in config["warm_start_parents"]]}
    return request
