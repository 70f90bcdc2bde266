"""SageMaker's hyperparameter tuning job operations over `jupyter_ext.tuning`.

CreateHyperParameterTuningJob builds each training job definition's Estimator as
CreateTrainingJob does (`training_jobs.request_estimator`), and a HyperparameterTuner over
them: the tuning job is an ordinary Tuning job, its trials ordinary training jobs that
DescribeTrainingJob answers for (with TuningJobArn). Describe/List/Stop answer for every
tuning job, the ones made in Python too.
"""

from __future__ import annotations

import copy
from contextlib import ExitStack
from typing import Any

from ..errors import ConflictError
from ..jobs.contract import decode_hyperparameter
from ..models import JobSummary
from ..tuning import (CategoricalParameter, ContinuousParameter, HyperparameterTuner, IntegerParameter,
                      ParameterRange, TuningJobCompletionCriteriaConfig, WarmStartConfig)
from ..tuning.trials import TrialRecord, all_trials, best_trial, read_config
from .job_requests import sagemaker_request
from .job_shapes import api_status, find_job, list_page, paged, stop_api_job
from .operations import Call
from .protocol import AwsError
from .tags import record_tags
from .builtin_algorithms import builtin_metric_definitions, runs_builtin_algorithm
from .training_jobs import channels, request_estimator
from .tuning_shapes import (objective_counters, python_request, status_counters, trial_summary, tuning_arn,
                            with_range_lists)

__all__ = ["SERVICE", "OPERATIONS"]

SERVICE = "sagemaker"
# What a training job definition holds that is not a training job's request.
_TUNING_ONLY = ("DefinitionName", "TuningObjective", "HyperParameterRanges", "StaticHyperParameters",
                "HyperParameterTuningResourceConfig")
_RESOURCE_KEYS = ("InstanceType", "InstanceCount", "VolumeSizeInGB", "VolumeKmsKeyId")
_ECHOED = ("HyperParameterTuningJobConfig", "TrainingJobDefinition", "TrainingJobDefinitions", "WarmStartConfig",
           "Autotune")
OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"


def _ranges(ranges: dict[str, Any] | None) -> dict[str, ParameterRange]:
    ranges = ranges or {}
    if ranges.get("AutoParameters"):
        raise AwsError("ValidationException", "AutoParameters (Autotune) do not run here; give the ranges.")
    found: dict[str, ParameterRange] = {}
    for item in ranges.get("ContinuousParameterRanges") or []:
        found[item["Name"]] = ContinuousParameter(float(item["MinValue"]), float(item["MaxValue"]),
                                                  item.get("ScalingType") or "Auto")
    for item in ranges.get("IntegerParameterRanges") or []:
        found[item["Name"]] = IntegerParameter(int(float(item["MinValue"])), int(float(item["MaxValue"])),
                                               item.get("ScalingType") or "Auto")
    for item in ranges.get("CategoricalParameterRanges") or []:
        found[item["Name"]] = CategoricalParameter([decode_hyperparameter(v) for v in item["Values"]])
    return found


def _training_request(definition: dict[str, Any], objective: str | None = None) -> dict[str, Any]:
    """A training job definition as the CreateTrainingJob request of each of its training jobs."""
    request = {k: v for k, v in definition.items() if k not in _TUNING_ONLY}
    static = dict(definition.get("StaticHyperParameters") or {})
    static.pop(OBJECTIVE_HYPERPARAMETER, None)  # SageMaker's own, for its algorithms: a script never needs it
    objective = (definition.get("TuningObjective") or {}).get("MetricName") or objective
    if objective and runs_builtin_algorithm(definition, static):
        static[OBJECTIVE_HYPERPARAMETER] = objective  # the algorithm evaluates the objective's metric too
    request["HyperParameters"] = static
    request["ResourceConfig"] = _resource_config(definition)
    return request


def _resource_config(definition: dict[str, Any]) -> dict[str, Any]:
    """ResourceConfig, or what HyperParameterTuningResourceConfig (its first InstanceConfig) says."""
    if "ResourceConfig" in definition:
        return definition["ResourceConfig"]
    resources = dict(definition.get("HyperParameterTuningResourceConfig") or {})
    resources.update((resources.pop("InstanceConfigs", None) or [{}])[0])
    return {k: resources[k] for k in _RESOURCE_KEYS if k in resources}


def _completion(config: dict[str, Any]) -> TuningJobCompletionCriteriaConfig | None:
    criteria = config.get("TuningJobCompletionCriteria")
    if not criteria:
        return None
    return TuningJobCompletionCriteriaConfig(
        max_number_of_training_jobs_not_improving=(criteria.get("BestObjectiveNotImproving") or {}).get(
            "MaxNumberOfTrainingJobsNotImproving"),
        complete_on_convergence=(criteria.get("ConvergenceDetected") or {}).get("CompleteOnConvergence") == "Enabled",
        target_objective_metric_value=criteria.get("TargetObjectiveMetricValue"))


def _strategy_config(config: dict[str, Any]) -> dict[str, Any]:
    hyperband = (config.get("StrategyConfig") or {}).get("HyperbandStrategyConfig") or {}
    keys = {"MinResource": "min_resource", "MaxResource": "max_resource"}
    return {ours: hyperband[theirs] for theirs, ours in keys.items() if hyperband.get(theirs) is not None}


def _warm_start(request: dict[str, Any]) -> WarmStartConfig | None:
    warm = request.get("WarmStartConfig")
    if not warm:
        return None
    return WarmStartConfig(warm["WarmStartType"],
                           [p["HyperParameterTuningJobName"] for p in warm["ParentHyperParameterTuningJobs"]])


def _settings(request: dict[str, Any]) -> dict[str, Any]:
    """The HyperparameterTuner arguments every tuner takes, from HyperParameterTuningJobConfig."""
    config = request["HyperParameterTuningJobConfig"]
    limits = config.get("ResourceLimits") or {}
    settings = {"strategy": config["Strategy"], "max_jobs": limits.get("MaxNumberOfTrainingJobs"),
                "max_parallel_jobs": limits.get("MaxParallelTrainingJobs") or 1,
                "random_seed": config.get("RandomSeed"), "completion_criteria": _completion(config),
                "strategy_config": _strategy_config(config), "sagemaker_request": request}
    if limits.get("MaxRuntimeInSeconds"):
        settings["max_runtime_in_seconds"] = int(limits["MaxRuntimeInSeconds"])
    return settings


def _tuner(request: dict[str, Any], stack: ExitStack) -> tuple[HyperparameterTuner, Any]:
    """The tuner the request describes, and its inputs (per definition when there are several)."""
    name, config = request["HyperParameterTuningJobName"], request["HyperParameterTuningJobConfig"]
    settings = _settings(request)
    if request.get("TrainingJobDefinition"):
        objective = config.get("HyperParameterTuningJobObjective") or {}
        definition = _training_request(request["TrainingJobDefinition"], objective.get("MetricName"))
        estimator = stack.enter_context(request_estimator(definition, name))
        tuner = HyperparameterTuner(
            estimator, objective.get("MetricName", ""), _ranges(config.get("ParameterRanges")),
            objective_type=objective.get("Type", "Maximize"), warm_start_config=_warm_start(request),
            early_stopping_type=config.get("TrainingJobEarlyStoppingType") or "Off", **settings)
        return tuner, channels(definition)
    definitions = request.get("TrainingJobDefinitions") or []
    if not definitions:
        raise AwsError("ValidationException", "Give TrainingJobDefinition, or TrainingJobDefinitions with a "
                       "DefinitionName each.")
    if request.get("WarmStartConfig"):
        raise AwsError("ValidationException", "Warm start takes a single TrainingJobDefinition.")
    names = [d["DefinitionName"] for d in definitions]
    requests = {d["DefinitionName"]: _training_request(d) for d in definitions}
    estimators = {n: stack.enter_context(request_estimator(requests[n], name)) for n in names}
    settings.pop("max_runtime_in_seconds", None)
    tuner = HyperparameterTuner.create(
        estimators, {d["DefinitionName"]: d["TuningObjective"]["MetricName"] for d in definitions},
        {d["DefinitionName"]: _ranges(d.get("HyperParameterRanges")) for d in definitions},
        objective_type=definitions[0]["TuningObjective"].get("Type", "Maximize"), **settings)
    return tuner, {n: channels(requests[n]) for n in names}


def create_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """Start the tuning job the request describes."""
    request = call.params
    name = request["HyperParameterTuningJobName"]
    with ExitStack() as stack:
        tuner, inputs = _tuner(request, stack)
        try:
            tuner.fit(inputs or None, wait=False, logs=False, job_name=name)
        except ConflictError:
            raise AwsError("ResourceInUse", f"A hyperparameter tuning job named {name} already exists; "
                           "tuning job names must be unique.") from None
    job_arn = tuning_arn(call, name)
    record_tags(job_arn, request.get("Tags") or [])
    return {"HyperParameterTuningJobArn": job_arn}


def _echo(request: dict[str, Any]) -> dict[str, Any]:
    """The request's configuration as DescribeHyperParameterTuningJob answers it: every range
    list present, `_tuning_objective_metric` among the static hyperparameters and the
    algorithm's MetricDefinitions, as SageMaker adds them."""
    answer = copy.deepcopy({key: request[key] for key in _ECHOED if key in request})
    config = answer["HyperParameterTuningJobConfig"]
    objective = (config.get("HyperParameterTuningJobObjective") or {}).get("MetricName")
    definitions = list(answer.get("TrainingJobDefinitions") or [])
    if "TrainingJobDefinition" in answer:
        config["ParameterRanges"] = with_range_lists(config.get("ParameterRanges"))
        definitions.append(answer["TrainingJobDefinition"])
    for definition in definitions:
        if "DefinitionName" in definition:
            definition["HyperParameterRanges"] = with_range_lists(definition.get("HyperParameterRanges"))
        definition["ResourceConfig"] = _resource_config(definition)  # the SDK's attach() reads it
        metric = (definition.get("TuningObjective") or {}).get("MetricName") or objective
        if metric:
            definition.setdefault("StaticHyperParameters", {}).setdefault(OBJECTIVE_HYPERPARAMETER, metric)
        _with_metric_definitions(definition)
    return answer


def _with_metric_definitions(definition: dict[str, Any]) -> None:
    """MetricDefinitions in the definition's AlgorithmSpecification, as SageMaker answers them
    (the SDK's attach() reads them): a built-in algorithm's own, or the request's (none: [])."""
    algorithm = definition.get("AlgorithmSpecification")
    if algorithm is None:
        return
    static = {k: decode_hyperparameter(v) for k, v in (definition.get("StaticHyperParameters") or {}).items()}
    if runs_builtin_algorithm(definition, static):
        algorithm["MetricDefinitions"] = builtin_metric_definitions(definition, static)
    else:
        algorithm.setdefault("MetricDefinitions", [])


def _objective(config: dict[str, Any], definition: str) -> tuple[str, str]:
    item = next((d for d in config["definitions"] if d["name"] == definition), config["definitions"][0])
    return config["objective_type"], item["objective_metric_name"]


def describe_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """DescribeHyperParameterTuningJob of any tuning job: status, counters, the best training job."""
    name = call.params["HyperParameterTuningJobName"]
    description, spec = find_job(name, "Tuning")
    config = read_config(name)
    answer = _echo(sagemaker_request(spec.record) or python_request(config, description.max_run))
    trials = all_trials(name)
    answer.update(description.to_sagemaker())
    answer.update(HyperParameterTuningJobArn=tuning_arn(call, name), TrainingJobStatusCounters=status_counters(trials),
                  ObjectiveStatusCounters=objective_counters(trials))
    best = best_trial(name)
    if best is not None:
        answer["BestTrainingJob"] = trial_summary(call, name, best, _objective(config, best.definition),
                                                  len(config["definitions"]) > 1)
    if description.elapsed_seconds is not None:
        answer["ConsumedResources"] = {"RuntimeInSeconds": int(description.elapsed_seconds)}
    return answer


def _summary(call: Call) -> Any:
    def summary(job: JobSummary) -> dict[str, Any]:
        config, trials = read_config(job.name), all_trials(job.name)
        return {"HyperParameterTuningJobName": job.name, "HyperParameterTuningJobArn": tuning_arn(call, job.name),
                "HyperParameterTuningJobStatus": api_status(job.status), "Strategy": config["strategy"],
                "CreationTime": job.created_at, "HyperParameterTuningEndTime": job.ended_at,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at,
                "TrainingJobStatusCounters": status_counters(trials),
                "ObjectiveStatusCounters": objective_counters(trials),
                "ResourceLimits": {"MaxNumberOfTrainingJobs": config["max_jobs"],
                                   "MaxParallelTrainingJobs": config["max_parallel_jobs"]}}
    return summary


def list_hyper_parameter_tuning_jobs(call: Call) -> dict[str, Any]:
    """ListHyperParameterTuningJobs, newest first unless SortBy/SortOrder say otherwise."""
    return list_page("Tuning", call.params, _summary(call), "HyperParameterTuningJobSummaries")


# Each sorts (trial, summary) pairs.
_SORT_KEYS = {"Name": lambda pair: pair[0].job, "Status": lambda pair: pair[1]["TrainingJobStatus"],
              "CreationTime": lambda pair: pair[1]["CreationTime"],
              "FinalObjectiveMetricValue": lambda pair: pair[0].value}


def list_training_jobs_for_hyper_parameter_tuning_job(call: Call) -> dict[str, Any]:
    """ListTrainingJobsForHyperParameterTuningJob: the tuning job's training jobs (by Name
    unless SortBy says otherwise; sorting by FinalObjectiveMetricValue leaves out those without one)."""
    params = call.params
    name = params["HyperParameterTuningJobName"]
    find_job(name, "Tuning")
    config = read_config(name)
    trials: list[TrialRecord] = all_trials(name)
    status, sort_by = params.get("StatusEquals"), params.get("SortBy") or "Name"
    if status:
        trials = [record for record in trials if api_status(record.status) == status]
    if sort_by == "FinalObjectiveMetricValue":
        trials = [record for record in trials if record.value is not None]
    pairs = [(record, trial_summary(call, name, record, _objective(config, record.definition),
                                    len(config["definitions"]) > 1)) for record in trials]
    pairs.sort(key=_SORT_KEYS.get(sort_by, _SORT_KEYS["Name"]),
               reverse=(params.get("SortOrder") or "Ascending") == "Descending")
    return paged([summary for _, summary in pairs], params, "TrainingJobSummaries")


def stop_hyper_parameter_tuning_job(call: Call) -> None:
    """StopHyperParameterTuningJob: the tuning job stops its running training jobs, then itself."""
    stop_api_job(call.params["HyperParameterTuningJobName"], "Tuning", "StopHyperParameterTuningJob")


OPERATIONS = {
    "CreateHyperParameterTuningJob": create_hyper_parameter_tuning_job,
    "DescribeHyperParameterTuningJob": describe_hyper_parameter_tuning_job,
    "ListHyperParameterTuningJobs": list_hyper_parameter_tuning_jobs,
    "StopHyperParameterTuningJob": stop_hyper_parameter_tuning_job,
    "ListTrainingJobsForHyperParameterTuningJob": list_training_jobs_for_hyper_parameter_tuning_job,
}
