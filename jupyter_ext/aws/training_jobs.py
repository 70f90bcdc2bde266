"""SageMaker's training job operations over our training jobs.

CreateTrainingJob runs a framework image's script (`sagemaker_program` from the
`sagemaker_submit_directory` tarball the SDK uploads), or the built-in XGBoost algorithm
(builtin_algorithms.py), as a `jupyter_ext.Estimator` job;
Describe/List/Stop answer for every training job, the ones made in Python too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import ConflictError
from ..jobs import Job, JobSpec, describe_job
from ..jobs.contract import decode_hyperparameter, encode_hyperparameters
from ..models import JobDescription, JobSummary
from ..training import Estimator, TrainingInput
from .builtin_algorithms import builtin_metric_definitions, runs_builtin_algorithm, staged_algorithm
from .code import staged_code
from .credentials import LOCAL_ROLE
from .debugger_shapes import debugger_answer, debugger_options
from .images import framework_image
from .job_requests import sagemaker_request
from .job_shapes import api_status, final_metrics, find_job, list_page, model_artifacts, stop_api_job, transitions
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags
from .trial_components import job_experiment_config

__all__ = ["SERVICE", "OPERATIONS", "request_estimator", "channels"]

SERVICE = "sagemaker"
_DEFAULT_INSTANCE_TYPE = "ml.m5.large"
_ECHOED = ("AlgorithmSpecification", "RoleArn", "HyperParameters", "InputDataConfig", "OutputDataConfig",
           "ResourceConfig", "StoppingCondition", "VpcConfig", "EnableNetworkIsolation", "CheckpointConfig",
           "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining", "DebugHookConfig",
           "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
           "ProfilerRuleConfigurations", "Environment", "RetryStrategy", "RemoteDebugConfig", "InfraCheckConfig")


def channels(request: Mapping[str, Any]) -> dict[str, TrainingInput]:
    """The request's InputDataConfig as our input channels (S3Prefix and AugmentedManifestFile sources)."""
    found = {}
    for channel in request.get("InputDataConfig") or []:
        source = channel["DataSource"].get("S3DataSource")
        if source is None:
            raise AwsError("ValidationException", f"Channel {channel['ChannelName']}: only S3DataSource inputs run "
                           "here (FileSystemDataSource needs EFS or FSx).")
        if source.get("S3DataType", "S3Prefix") not in ("S3Prefix", "AugmentedManifestFile"):
            raise AwsError("ValidationException", f"Channel {channel['ChannelName']}: S3DataType "
                           f"{source['S3DataType']} does not run here yet; use S3Prefix or AugmentedManifestFile.")
        found[channel["ChannelName"]] = TrainingInput(
            source["S3Uri"], content_type=channel.get("ContentType"),
            distribution=source.get("S3DataDistributionType", "FullyReplicated"),
            input_mode=channel.get("InputMode") or request["AlgorithmSpecification"].get("TrainingInputMode", "File"),
            s3_data_type=source.get("S3DataType", "S3Prefix"), attribute_names=source.get("AttributeNames"))
    return found


# The SDK's estimators say which distribution they want in these hyperparameters.
_DISTRIBUTION_HYPERPARAMETERS = {
    "sagemaker_torch_distributed_enabled": "torch_distributed", "sagemaker_pytorch_ddp_enabled": "pytorchddp",
    "sagemaker_mpi_enabled": "mpi", "sagemaker_distributed_dataparallel_enabled": "smdistributed",
    "sagemaker_parameter_server_enabled": "parameter_server",
}


def _distribution(hyperparameters: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `distribution` an SDK estimator asked for, from its `sagemaker_*_enabled` flags."""
    for key, name in _DISTRIBUTION_HYPERPARAMETERS.items():
        if hyperparameters.get(key) in (True, "true", "True"):
            return {name: {"enabled": True}}
    return None


def _resources(request: Mapping[str, Any]) -> tuple[str, int]:
    resources = request.get("ResourceConfig") or {}
    if resources.get("InstanceGroups"):
        raise AwsError("ValidationException", "InstanceGroups (heterogeneous clusters) do not run here; give "
                       "InstanceType and InstanceCount.")
    return resources.get("InstanceType") or _DEFAULT_INSTANCE_TYPE, int(resources.get("InstanceCount") or 1)


@contextmanager
def request_estimator(request: Mapping[str, Any], base_job_name: str,
                      job_arn: str | None = None) -> Iterator[Estimator]:
    """The Estimator a CreateTrainingJob request describes (a tuning job's training job
    definition, reshaped as one, too), usable while the request's code is staged: start
    its job inside the `with`. `job_arn` becomes the script's TRAINING_JOB_ARN."""
    algorithm = request["AlgorithmSpecification"]
    if algorithm.get("AlgorithmName"):
        raise AwsError("ValidationException", f"AlgorithmName {algorithm['AlgorithmName']!r}: algorithm resources "
                       "do not run here; give a framework TrainingImage and a script.")
    image = framework_image(algorithm.get("TrainingImage"))
    hyperparameters = {k: decode_hyperparameter(v) for k, v in (request.get("HyperParameters") or {}).items()}
    instance_type, instance_count = _resources(request)
    environment = dict(request.get("Environment") or {})
    if job_arn:  # how the SDK's load_run() in the script finds its job (and so its run)
        environment["TRAINING_JOB_ARN"] = job_arn
    debugging, debugger_notices = debugger_options(request)
    builtin = runs_builtin_algorithm(request, hyperparameters)
    metric_definitions = (builtin_metric_definitions(request, hyperparameters) if builtin
                          else algorithm.get("MetricDefinitions"))
    staged = staged_algorithm(request) if builtin else staged_code(hyperparameters, algorithm)
    with staged as (source_dir, entry_point):
        yield Estimator(
            entry_point, source_dir=str(source_dir), hyperparameters=hyperparameters,
            metric_definitions=metric_definitions or None, instance_type=instance_type,
            instance_count=instance_count, distribution=_distribution(hyperparameters),
            output_path=request["OutputDataConfig"]["S3OutputPath"],
            max_run=int(request["StoppingCondition"].get("MaxRuntimeInSeconds") or 86400),
            environment=environment, base_job_name=base_job_name, sagemaker_request=dict(request),
            job_notices=image.notices() + debugger_notices, **debugging)


def start_training_job(request: Mapping[str, Any], job_arn: str,
                       experiment_config: Mapping[str, str] | None = None) -> Job:
    """Start the training job a CreateTrainingJob `request` describes (its TrainingJobName
    included), in `experiment_config` or the request's own; AwsError if it cannot run here."""
    name = request["TrainingJobName"]
    with request_estimator(request, name, job_arn) as estimator:
        try:
            return estimator.start(channels(request), job_name=name,
                                   experiment_config=experiment_config or job_experiment_config(request))
        except ConflictError:
            raise AwsError("ResourceInUse", "Training job names must be unique within an AWS account and region, "
                           f"and a training job with this name already exists ({name}).") from None


def create_training_job(call: Call) -> dict[str, Any]:
    """Start the training job the request describes."""
    job_arn = arn(call, f"training-job/{call.params['TrainingJobName'].lower()}")
    start_training_job(call.params, job_arn)
    record_tags(job_arn, call.params.get("Tags") or [])
    return {"TrainingJobArn": job_arn}


def _instance_type(asked: str | None) -> str:
    """A SageMaker instance type for the answer: a job made in Python may say `local`,
    which the API does not know (and the SDK's attach() refuses outside local mode)."""
    return asked if asked and asked.startswith("ml.") else _DEFAULT_INSTANCE_TYPE


def _defaults(description: JobDescription, spec: JobSpec) -> dict[str, Any]:
    """What a job made in Python answers where the API would echo its request."""
    record = spec.record
    channels = [{"ChannelName": channel, "DataSource": {"S3DataSource": {
        "S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}}
        for channel, uri in description.inputs.items()]
    output_path = (record.get("estimator") or {}).get("output_path") or ""
    debugger = {k: v for k, v in description.details.items()
                if k in ("DebugHookConfig", "DebugRuleConfigurations", "TensorBoardOutputConfig") and v}
    return {**debugger,
        "AlgorithmSpecification": {"TrainingImage": "jupyter-ext/local", "TrainingInputMode": "File",
                                   "MetricDefinitions": description.metric_definitions},
        "RoleArn": LOCAL_ROLE, "HyperParameters": encode_hyperparameters(description.hyperparameters),
        "InputDataConfig": channels, "OutputDataConfig": {"S3OutputPath": output_path, "KmsKeyId": ""},
        "ResourceConfig": {"InstanceType": _instance_type(record.get("instance_type")),
                           "InstanceCount": record.get("instance_count", 1),
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": description.max_run},
    }


def _timing(description: JobDescription) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    if description.started_at and description.ended_at:
        seconds = max(1, int((description.ended_at - description.started_at).total_seconds()))
        answer.update(TrainingTimeInSeconds=seconds, BillableTimeInSeconds=seconds)
    return answer


def describe_training_job(call: Call) -> dict[str, Any]:
    """DescribeTrainingJob of any training job."""
    name = call.params["TrainingJobName"]
    description, spec = find_job(name, "Training")
    request = sagemaker_request(spec.record)
    answer = _defaults(description, spec)  # OutputDataConfig.KmsKeyId among them: the SDK's attach() reads it
    for key in _ECHOED:
        if key in request:
            answer[key] = {**answer[key], **request[key]} if isinstance(answer.get(key), dict) else request[key]
    answer.update(
        TrainingJobName=name, TrainingJobArn=arn(call, f"training-job/{name.lower()}"),
        TrainingJobStatus=api_status(description.status), SecondaryStatus=description.secondary_status or "Starting",
        FailureReason=description.failure_reason, CreationTime=description.created_at,
        TrainingStartTime=description.started_at, TrainingEndTime=description.ended_at,
        LastModifiedTime=description.last_modified, SecondaryStatusTransitions=transitions(description),
        FinalMetricDataList=final_metrics(description),
        ModelArtifacts=model_artifacts(description) or {"S3ModelArtifacts": description.outputs.get("model_data", "")},
        **_timing(description), **debugger_answer(call, name, request, description.created_at))
    if description.parent and describe_job(description.parent).job_type == "Tuning":
        answer["TuningJobArn"] = arn(call, f"hyper-parameter-tuning-job/{description.parent.lower()}")
    return answer


def _summary(call: Call) -> Any:
    def summary(job: JobSummary) -> dict[str, Any]:
        return {"TrainingJobName": job.name, "TrainingJobArn": arn(call, f"training-job/{job.name.lower()}"),
                "CreationTime": job.created_at, "TrainingEndTime": job.ended_at,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at,
                "TrainingJobStatus": api_status(job.status), "SecondaryStatus": job.secondary_status or "Starting"}
    return summary


def list_training_jobs(call: Call) -> dict[str, Any]:
    """ListTrainingJobs, newest first unless SortBy/SortOrder say otherwise."""
    return list_page("Training", call.params, _summary(call), "TrainingJobSummaries")


def stop_training_job(call: Call) -> None:
    """StopTrainingJob: SIGTERM to the script, as SageMaker sends it, then SIGKILL."""
    stop_api_job(call.params["TrainingJobName"], "Training", "StopTrainingJob")


OPERATIONS = {"CreateTrainingJob": create_training_job, "DescribeTrainingJob": describe_training_job,
              "ListTrainingJobs": list_training_jobs, "StopTrainingJob": stop_training_job}
