"""SageMaker's Describe* keys on our records: the one mapping of PascalCase names to fields.

Notebooks written for SageMaker read descriptions as dicts
(`job.describe()["TrainingJobStatus"]`, `["ModelArtifacts"]["S3ModelArtifacts"]`);
our records are typed (`description.status`). A record that mixes in `SageMakerKeys`
answers both: `description["TrainingJobStatus"] == description.status`. As in SageMaker's
dicts, a key whose value is absent (FailureReason of a job that did not fail,
ModelArtifacts before the model is written) raises KeyError, and `.get()` gives None.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["LOCAL_ACCOUNT", "DEFAULT_REGION", "SageMakerKeys", "JOB_PREFIXES", "job_keys", "endpoint_keys", "execution_keys", "schedule_keys", "model_package_keys", "model_package_group_keys",
           "sagemaker_status"]

Getter = Callable[[Any], Any]

# The account and region of every ARN made here (the local AWS endpoint answers for them).
LOCAL_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"

# SageMaker's resource name for each of our job types (a rule job is a processing job there).
JOB_PREFIXES = {"Training": "TrainingJob", "Processing": "ProcessingJob", "Tuning": "HyperParameterTuningJob",
                "AutoML": "AutoMLJob", "Transform": "TransformJob", "Rule": "ProcessingJob",
                "Compilation": "CompilationJob"}
# Where SageMaker's start and end times are called after the resource, and where not.
_TIME_NAMES = {"Training": ("TrainingStartTime", "TrainingEndTime"),
               "Processing": ("ProcessingStartTime", "ProcessingEndTime"),
               "Rule": ("ProcessingStartTime", "ProcessingEndTime"),
               "Transform": ("TransformStartTime", "TransformEndTime"),
               "Compilation": ("CompilationStartTime", "CompilationEndTime"),
               "Tuning": (None, "HyperParameterTuningEndTime"), "AutoML": (None, "EndTime")}


def sagemaker_status(status: str) -> str:
    """SageMaker's job status for ours: a Pending job is InProgress there."""
    return "InProgress" if status == "Pending" else status


def _seconds(d: Any) -> int | None:
    return None if d.ended_at is None or d.started_at is None else int(d.elapsed_seconds)


def _model_artifacts(d: Any) -> dict[str, str] | None:
    return {"S3ModelArtifacts": d.model_data} if d.status == "Completed" and d.model_data else None


def _final_metrics(d: Any) -> list[dict[str, Any]] | None:
    moment = d.ended_at or d.last_modified
    return [{"MetricName": k, "Value": v, "Timestamp": moment} for k, v in d.final_metrics.items()] or None


def _transitions(d: Any) -> list[dict[str, Any]] | None:
    return [{"Status": t.status, "StartTime": t.start_time, "EndTime": t.end_time, "StatusMessage": t.message}
            for t in d.transitions] or None


def job_keys(job_type: str) -> dict[str, Getter]:
    """The Describe<Job> keys of a job of `job_type`, each with how to read it from a
    JobDescription."""
    prefix = JOB_PREFIXES.get(job_type, f"{job_type}Job")
    start, end = _TIME_NAMES.get(job_type, (None, None))
    keys: dict[str, Getter] = {
        f"{prefix}Name": lambda d: d.name, f"{prefix}Status": lambda d: sagemaker_status(d.status),
        "FailureReason": lambda d: d.failure_reason, "CreationTime": lambda d: d.created_at,
        "LastModifiedTime": lambda d: d.last_modified,
    }
    if start:
        keys[start] = lambda d: d.started_at
    if end:
        keys[end] = lambda d: d.ended_at
    if job_type == "Training":
        keys.update({
            "SecondaryStatus": lambda d: d.secondary_status, "ModelArtifacts": _model_artifacts,
            "HyperParameters": lambda d: {k: json.dumps(v) for k, v in d.hyperparameters.items()},
            "FinalMetricDataList": _final_metrics, "SecondaryStatusTransitions": _transitions,
            "TrainingTimeInSeconds": _seconds, "BillableTimeInSeconds": _seconds,
            "MetricDefinitions": lambda d: d.metric_definitions or None,
        })
    if job_type in ("Processing", "Rule"):
        keys["ExitMessage"] = lambda d: d.failure_reason
    return keys


def _capture_summary(capture: dict[str, Any] | None) -> dict[str, Any] | None:
    """DescribeEndpoint's DataCaptureConfig (a DataCaptureConfigSummary) of an endpoint's capture settings."""
    if not capture:
        return None
    return {"EnableCapture": capture["enable_capture"],
            "CaptureStatus": "Started" if capture["enable_capture"] else "Stopped",
            "CurrentSamplingPercentage": int(capture["sampling_percentage"]),
            "DestinationS3Uri": capture["destination_s3_uri"], "KmsKeyId": ""}


def endpoint_keys() -> dict[str, Getter]:
    """DescribeEndpoint's keys, read from an EndpointDescription."""
    return {
        "EndpointName": lambda e: e.name, "EndpointConfigName": lambda e: e.name,
        "EndpointStatus": lambda e: e.status, "FailureReason": lambda e: e.failure_reason,
        "CreationTime": lambda e: e.created_at, "LastModifiedTime": lambda e: e.last_modified,
        "ProductionVariants": lambda e: [
            {"VariantName": v.variant_name, "CurrentWeight": v.current_weight, "DesiredWeight": v.current_weight,
             "CurrentInstanceCount": v.current_instance_count, "DesiredInstanceCount": v.instance_count}
            for v in e.variants] or None,
        "DataCaptureConfig": lambda e: _capture_summary(e.data_capture),
    }


def execution_keys() -> dict[str, Getter]:
    """A monitoring run's keys (MonitoringExecutionSummary's, and DescribeProcessingJob's
    status, which SageMaker's MonitoringExecution.describe() answers)."""
    return {
        "MonitoringScheduleName": lambda x: x.monitoring_schedule_name,
        "MonitoringExecutionStatus": lambda x: x.monitoring_execution_status,
        "ScheduledTime": lambda x: x.scheduled_time, "ProcessingJobName": lambda x: x.job_name,
        "ProcessingJobStatus": lambda x: "Completed" if x.monitoring_execution_status.startswith("Completed")
        else x.monitoring_execution_status,
        "ExitMessage": lambda x: x.monitoring_execution_status if x.violations else None,
        "ProcessingEndTime": lambda x: x.ended_at, "FailureReason": lambda x: x.failure_reason,
        "EndpointName": lambda x: x.endpoint_name, "MonitoringType": lambda x: x.monitoring_type,
        "CreationTime": lambda x: x.created_at, "LastModifiedTime": lambda x: x.last_modified,
    }


def schedule_keys() -> dict[str, Getter]:
    """DescribeMonitoringSchedule's keys, read from a MonitoringScheduleSummary."""
    return {
        "MonitoringScheduleName": lambda s: s.monitoring_schedule_name,
        "MonitoringScheduleStatus": lambda s: s.status, "MonitoringType": lambda s: s.monitoring_type,
        "MonitoringScheduleConfig": lambda s: {"ScheduleConfig": {"ScheduleExpression": s.schedule_expression}},
        "LastMonitoringExecutionSummary": lambda s: None if s.last_execution is None
        else s.last_execution.to_sagemaker(),
    }


def model_package_keys() -> dict[str, Getter]:
    """DescribeModelPackage's keys, read from a ModelPackageDescription."""
    return {
        "ModelPackageName": lambda p: p.name, "ModelPackageGroupName": lambda p: p.group,
        "ModelPackageVersion": lambda p: p.version, "ModelPackageArn": lambda p: p.arn,
        "ModelPackageDescription": lambda p: p.description, "CreationTime": lambda p: p.created_at,
        "LastModifiedTime": lambda p: p.last_modified, "InferenceSpecification": lambda p: p.inference_specification,
        "ModelPackageStatus": lambda p: p.status, "ModelApprovalStatus": lambda p: p.approval_status,
        "ApprovalDescription": lambda p: p.approval_description, "ModelMetrics": lambda p: p.model_metrics,
        "CustomerMetadataProperties": lambda p: p.customer_metadata_properties or None,
    }


def model_package_group_keys() -> dict[str, Getter]:
    """DescribeModelPackageGroup's keys, read from a ModelPackageGroupDescription."""
    return {
        "ModelPackageGroupName": lambda g: g.name, "ModelPackageGroupArn": lambda g: g.arn,
        "ModelPackageGroupDescription": lambda g: g.description, "CreationTime": lambda g: g.created_at,
        "ModelPackageGroupStatus": lambda g: g.status,
    }


class SageMakerKeys:
    """A record that also reads as SageMaker's Describe* dict: `record["EndpointStatus"]`,
    `record.get(...)`, `record.keys()`, `"Key" in record`, `record.to_sagemaker()`.

    A subclass says which keys it has in `sagemaker_keys()`.
    """

    __slots__ = ()

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record, each with how to read its value."""
        raise NotImplementedError

    def _value(self, key: str) -> Any:
        getter = self.sagemaker_keys().get(key)
        return None if getter is None else getter(self)

    def __getitem__(self, key: str) -> Any:
        value = self._value(key)
        if value is None:
            known = ", ".join(self.keys())
            raise KeyError(f"{key!r} is not in this description (it has: {known}); "
                           "use .get(key) for a key that may be absent.")
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """The value of SageMaker's key `key`, or `default` where it has none."""
        value = self._value(key)
        return default if value is None else value

    def keys(self) -> list[str]:
        """SageMaker's keys that have a value here."""
        return [key for key, getter in self.sagemaker_keys().items() if getter(self) is not None]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._value(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def to_sagemaker(self) -> dict[str, Any]:
        """The description as SageMaker's Describe* dict (absent values left out)."""
        return {key: value for key, getter in self.sagemaker_keys().items() if (value := getter(self)) is not None}
