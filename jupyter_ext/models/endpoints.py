"""Records of endpoints, test requests and their Model Monitor schedules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .base import Record
from .sagemaker_names import Getter, SageMakerKeys, endpoint_keys, execution_keys, schedule_keys


@dataclass(slots=True)
class InstanceDescription(Record):
    """One instance of a variant: a process that loaded the variant's model; `invocations`
    counts the requests it answered since it started."""

    instance_name: str
    pid: int
    invocations: int
    started_at: datetime


@dataclass(slots=True)
class VariantDescription(Record):
    """One production variant of an endpoint: its model(s), weight and traffic so far.

    `traffic_share` is weight / sum of weights. `instance_count` is the number of
    instances asked for, `current_instance_count` the number serving now (`instances`).
    Latencies are in milliseconds over the variant's recent requests (model time, as
    SageMaker's ModelLatency); counts since start. `model_package_arn` names the registered
    model version it serves, when it was deployed from the model registry.
    """

    variant_name: str
    model_name: str
    model_data: list[str]
    current_weight: float
    traffic_share: float
    instance_count: int
    invocations: int
    errors_4xx: int
    errors_5xx: int
    latency_avg_ms: float | None
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    current_instance_count: int = 0
    instances: list[InstanceDescription] = field(default_factory=list)
    model_package_arn: str | None = None


@dataclass(slots=True)
class EndpointDescription(Record, SageMakerKeys):
    """DescribeEndpoint: status (Creating, InService, Updating, Failed, Deleting), where it
    listens (`url`, on 127.0.0.1 by default), its variants and data capture settings."""

    name: str
    status: str
    failure_reason: str | None
    url: str | None
    port: int | None
    pid: int | None
    created_at: datetime
    last_modified: datetime
    endpoint_dir: str
    log_path: str
    variants: list[VariantDescription]
    data_capture: dict[str, Any] | None = None

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record (see `sagemaker_names`)."""
        return endpoint_keys()


@dataclass(slots=True)
class ListEndpointsResponse(Record):
    """Every endpoint, newest first."""

    endpoints: list[EndpointDescription]


@dataclass(slots=True)
class InvokeEndpointRequest(Record):
    """Body of POST .../endpoints/{name}/invocations: a test request sent to the endpoint.

    `body` is the payload as text; `target_variant` picks a variant instead of the weights.
    """

    body: str = ""
    content_type: str = "application/json"
    accept: str | None = None
    target_variant: str | None = None
    inference_id: str | None = None


@dataclass(slots=True)
class InvokeEndpointResponse(Record):
    """What the endpoint answered: its HTTP status, body (text), content type, the variant
    that served it and the round-trip time in milliseconds."""

    status_code: int
    body: str
    content_type: str | None
    invoked_variant: str | None
    latency_ms: float



@dataclass(slots=True)
class MonitoringViolation(Record):
    """One line of a run's constraint_violations.json."""

    feature_name: str
    constraint_check_type: str
    description: str


@dataclass(slots=True)
class MonitoringExecutionSummary(Record, SageMakerKeys):
    """One monitoring run (a Processing job) of an endpoint: InProgress, Completed,
    CompletedWithViolations or Failed; `report_path` is its report.html once written."""

    job_name: str
    monitoring_schedule_name: str | None
    monitoring_execution_status: str
    scheduled_time: datetime
    ended_at: datetime | None
    violations: list[MonitoringViolation]
    report_path: str | None
    failure_reason: str | None
    endpoint_name: str | None = None
    monitoring_type: str | None = None
    created_at: datetime | None = None
    last_modified: datetime | None = None

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record (see `sagemaker_names`)."""
        return execution_keys()


@dataclass(slots=True)
class MonitoringScheduleSummary(Record, SageMakerKeys):
    """A monitoring schedule on an endpoint: type DataQuality or ModelQuality, status
    Scheduled or Stopped, and its latest run."""

    monitoring_schedule_name: str
    monitoring_type: str
    schedule_expression: str
    status: str
    last_execution: MonitoringExecutionSummary | None

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record (see `sagemaker_names`)."""
        return schedule_keys()


@dataclass(slots=True)
class EndpointMonitoring(Record):
    """GET endpoints/{name}/monitoring: the endpoint's schedules and its latest runs (newest first, at most 20)."""

    endpoint_name: str
    schedules: list[MonitoringScheduleSummary]
    executions: list[MonitoringExecutionSummary]
