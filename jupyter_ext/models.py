"""Typed records every surface shares: the Python API returns them, the CLI prints them
as JSON, the REST API serves them. One contract, defined once.

Times are timezone-aware UTC datetimes; `to_dict()` gives JSON-ready values (ISO 8601).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "JOB_TYPES",
    "ACTIVE_STATUSES",
    "TERMINAL_STATUSES",
    "JobSummary",
    "PrimaryMetric",
    "ListJobsRequest",
    "ListJobsResponse",
    "JobDescription",
    "StatusTransition",
    "MetricPoint",
    "LogLine",
    "LogChunk",
    "GetLogRequest",
    "ListMetricsRequest",
    "ListMetricsResponse",
    "StopJobRequest",
    "ErrorResponse",
    "ExperimentSummary",
    "ListExperimentsResponse",
    "LeaderboardRequest",
    "LeaderboardRow",
    "LeaderboardResponse",
    "RunArtifact",
    "RunDescription",
    "LifecycleRun",
    "LifecycleStatus",
    "StartLifecycleRunRequest",
    "LifecycleStatusRequest",
    "LifecycleConfig",
    "RuleEvaluationStatus",
    "ListRuleEvaluationsResponse",
    "VariantDescription",
    "EndpointDescription",
    "ListEndpointsResponse",
    "InvokeEndpointRequest",
    "InvokeEndpointResponse",
    "LivySessionSummary",
    "LivyBatchSummary",
    "LivyOverview",
    "LivyLogRequest",
    "LivyLog",
    "MonitoringViolation",
    "MonitoringExecutionSummary",
    "MonitoringScheduleSummary",
    "EndpointMonitoring",
    "API_RECORDS",
    "timestamp",
]

JOB_TYPES = ("Training", "Processing", "Tuning", "AutoML", "Rule", "Transform")
ACTIVE_STATUSES = ("Pending", "InProgress", "Stopping")
TERMINAL_STATUSES = ("Completed", "Failed", "Stopped")


def timestamp(seconds: float | None) -> datetime | None:
    """A store time (seconds since the epoch) as an aware UTC datetime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return _jsonable(dataclasses.asdict(value))
    return value


class _Record:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(slots=True)
class PrimaryMetric(_Record):
    """A job's headline metric: the first metric definition's (or first logged) last value."""

    name: str
    value: float


@dataclass(slots=True)
class JobSummary(_Record):
    """One row of ListJobs. `primary_metric` is filled for REST pages only."""

    name: str
    job_type: str
    status: str
    secondary_status: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    failure_reason: str | None
    parent: str | None = None
    primary_metric: PrimaryMetric | None = None


@dataclass(slots=True)
class ListJobsRequest(_Record):
    """ListJobs filters (query parameters of GET /jupyter-ext/api/jobs).

    `cursor` is the `next_cursor` of the previous page; `limit` is 1 to 1000.
    """

    type: str | None = None
    status: str | None = None
    name_contains: str | None = None
    limit: int = 50
    cursor: str | None = None


@dataclass(slots=True)
class ListJobsResponse(_Record):
    """A page of jobs, newest first; `next_cursor` is null on the last page."""

    jobs: list[JobSummary]
    next_cursor: str | None


@dataclass(slots=True)
class StatusTransition(_Record):
    """A secondary-status step (SageMaker's SecondaryStatusTransitions)."""

    status: str
    start_time: datetime
    end_time: datetime | None
    message: str


@dataclass(slots=True)
class JobDescription(_Record):
    """DescribeJob: everything known about one job."""

    name: str
    job_type: str
    status: str
    secondary_status: str | None
    failure_reason: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    last_modified: datetime
    heartbeat_at: datetime | None
    job_dir: str
    log_path: str
    executor: str
    exit_code: int | None
    max_run: int
    hyperparameters: dict[str, Any]
    metric_definitions: list[dict[str, str]]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    model_data: str | None
    output_data: str | None
    final_metrics: dict[str, float]
    transitions: list[StatusTransition] = field(default_factory=list)
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def elapsed_seconds(self) -> float | None:
        """Seconds from start to end (or to now while running)."""
        if self.started_at is None:
            return None
        end = self.ended_at or datetime.now(timezone.utc)
        return (end - self.started_at).total_seconds()


@dataclass(slots=True)
class MetricPoint(_Record):
    """One value of a metric's time series."""

    name: str
    value: float
    step: int
    timestamp: datetime


@dataclass(slots=True)
class LogLine(_Record):
    """One captured line: `stream` is stdout, stderr or runner (our own messages)."""

    timestamp: datetime
    stream: str
    message: str


@dataclass(slots=True)
class LogChunk(_Record):
    """A slice of a job's log: whole lines from byte `offset` up to `next_offset`.

    Ask again from `next_offset` to follow the log; `size` is the file's size in bytes.
    """

    lines: list[LogLine]
    offset: int
    next_offset: int
    size: int = 0


@dataclass(slots=True)
class GetLogRequest(_Record):
    """Which part of a log (query parameters of GET .../jobs/{name}/log), one of:
    bytes from `offset` (at most `max_bytes`); the last `tail_lines` lines; or
    `max_lines` lines from line `start_line` (0-based). Default: from byte 0."""

    offset: int | None = None
    max_bytes: int = 1 << 20
    tail_lines: int | None = None
    start_line: int | None = None
    max_lines: int = 1000


@dataclass(slots=True)
class ListMetricsRequest(_Record):
    """Query parameters of GET .../jobs/{name}/metrics: one metric's series, or all."""

    name: str | None = None


@dataclass(slots=True)
class ListMetricsResponse(_Record):
    """A job's metric time series, in the order the values were recorded."""

    metrics: list[MetricPoint]


@dataclass(slots=True)
class StopJobRequest(_Record):
    """Body of POST /jupyter-ext/api/jobs/{name}/stop (all optional)."""

    grace_seconds: float | None = None


@dataclass(slots=True)
class ErrorResponse(_Record):
    """What every failed REST call returns, with status 400, 403, 404, 409 or 500."""

    message: str


@dataclass(slots=True)
class ExperimentSummary(_Record):
    """One experiment and how many runs it has."""

    name: str
    description: str
    tags: dict[str, str]
    runs: int
    created_at: datetime


@dataclass(slots=True)
class ListExperimentsResponse(_Record):
    """Every experiment, newest first."""

    experiments: list[ExperimentSummary]


@dataclass(slots=True)
class LeaderboardRequest(_Record):
    """Query parameters of GET .../experiments/{name}/leaderboard: the metric (default: the
    first one logged), its statistic (Last, Min, Max, Avg, StdDev, Count), the order."""

    metric: str | None = None
    stat: str = "Last"
    ascending: bool = False


@dataclass(slots=True)
class LeaderboardRow(_Record):
    """One ranked run."""

    rank: int
    run: str
    status: str
    value: float | None
    parameters: dict[str, Any]
    job_name: str | None


@dataclass(slots=True)
class LeaderboardResponse(_Record):
    """An experiment's runs ranked by one metric; `metrics` lists every metric logged."""

    experiment: str
    metric: str | None
    stat: str
    metrics: list[str]
    rows: list[LeaderboardRow]


@dataclass(slots=True)
class RunArtifact(_Record):
    """An input or output artifact of a run."""

    name: str
    value: str
    media_type: str | None
    is_output: bool


@dataclass(slots=True)
class RunDescription(_Record):
    """Everything about one run (trial component); `metrics` holds each metric's statistics."""

    name: str
    experiment: str | None
    trial: str | None
    display_name: str
    status: str
    start_time: datetime | None
    end_time: datetime | None
    failure_reason: str | None
    source: str | None
    job_name: str | None
    parameters: dict[str, Any]
    metrics: dict[str, dict[str, float]]
    artifacts: list[RunArtifact]


@dataclass(slots=True)
class LifecycleRun(_Record):
    """One run of a lifecycle script: `hook` is on-create or on-start; `status` is
    InProgress, Completed or Failed (a script over the time limit fails, killed with its
    children). `source` says where the script came from (a file or `config:NAME`);
    `trigger` is server-start or manual. The log's lines have stream `output` (stdout and
    stderr in the order written) or `runner` (our own messages)."""

    run_id: int
    hook: str
    source: str
    trigger: str
    status: str
    exit_code: int | None
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: float | None
    failure_reason: str | None
    log_path: str


@dataclass(slots=True)
class LifecycleStatus(_Record):
    """Where the scripts come from, the time limit (seconds), the environment they get,
    whether on-create has run in this home, and the last runs, newest first. `failed` is
    true when the latest run of either hook failed (the sidebar's badge)."""

    source: str
    scripts: dict[str, str | None]
    time_limit: int
    environment: dict[str, str]
    on_create_done: bool
    failed: bool
    runs: list[LifecycleRun]


@dataclass(slots=True)
class LifecycleStatusRequest(_Record):
    """Query parameters of GET /jupyter-ext/api/lifecycle: how many of the last runs (1 to 1000)."""

    limit: int = 10


@dataclass(slots=True)
class StartLifecycleRunRequest(_Record):
    """Body of POST /jupyter-ext/api/lifecycle/runs: which hook to run now (in the background)."""

    hook: str = "on-start"


@dataclass(slots=True)
class LifecycleConfig(_Record):
    """A named lifecycle configuration in the store (SageMaker's
    NotebookInstanceLifecycleConfig): the on-create and on-start script contents."""

    name: str
    on_create: str | None
    on_start: str | None
    created_at: datetime
    last_modified: datetime


@dataclass(slots=True)
class RuleEvaluationStatus(_Record):
    """One debugger rule of a training job (SageMaker's DebugRuleEvaluationStatuses entry).

    `rule_evaluation_status`: InProgress, NoIssuesFound, IssuesFound, Error or Stopped;
    `triggered_step` is the global step at which the issue was found.
    """

    rule_configuration_name: str
    rule_evaluation_job_name: str
    rule_evaluation_status: str
    status_details: str
    triggered_step: int | None
    last_modified_time: datetime | None


@dataclass(slots=True)
class ListRuleEvaluationsResponse(_Record):
    """The debugger rules of one training job and how each evaluation stands."""

    training_job_name: str
    rule_evaluations: list[RuleEvaluationStatus]


@dataclass(slots=True)
class VariantDescription(_Record):
    """One production variant of an endpoint: its model(s), weight and traffic so far.

    `traffic_share` is weight / sum of weights. Latencies are in milliseconds over the
    variant's recent requests (model time, as SageMaker's ModelLatency); counts since start.
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


@dataclass(slots=True)
class EndpointDescription(_Record):
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


@dataclass(slots=True)
class ListEndpointsResponse(_Record):
    """Every endpoint, newest first."""

    endpoints: list[EndpointDescription]


@dataclass(slots=True)
class InvokeEndpointRequest(_Record):
    """Body of POST .../endpoints/{name}/invocations: a test request sent to the endpoint.

    `body` is the payload as text; `target_variant` picks a variant instead of the weights.
    """

    body: str = ""
    content_type: str = "application/json"
    accept: str | None = None
    target_variant: str | None = None
    inference_id: str | None = None


@dataclass(slots=True)
class InvokeEndpointResponse(_Record):
    """What the endpoint answered: its HTTP status, body (text), content type, the variant
    that served it and the round-trip time in milliseconds."""

    status_code: int
    body: str
    content_type: str | None
    invoked_variant: str | None
    latency_ms: float


@dataclass(slots=True)
class LivySessionSummary(_Record):
    """One interactive Spark session of the Livy server (Livy's id, kind and state)."""

    id: int
    name: str | None
    kind: str
    state: str
    app_id: str | None
    spark_ui_url: str | None


@dataclass(slots=True)
class LivyBatchSummary(_Record):
    """One Spark batch of the Livy server (`success`, `dead` or `killed` when over)."""

    id: int
    name: str | None
    state: str
    app_id: str | None


@dataclass(slots=True)
class LivyOverview(_Record):
    """The configured Livy server: whether it answers, its sessions and batches.

    `message` says why it is unreachable; `gateway_pid` is set when the embedded gateway
    runs detached (`jupyter-ext livy serve --detach`).
    """

    url: str
    reachable: bool
    version: str | None
    message: str | None
    gateway_pid: int | None
    sessions: list[LivySessionSummary]
    batches: list[LivyBatchSummary]


@dataclass(slots=True)
class LivyLogRequest(_Record):
    """Query of GET /jupyter-ext/api/spark/sessions/{id}/log: the last `size` lines."""

    size: int = 200


@dataclass(slots=True)
class LivyLog(_Record):
    """Lines of a Livy session's log; `total` counts every line, `start` is the first shown."""

    id: int
    start: int
    total: int
    lines: list[str]


# The records of the REST API, in the order the TypeScript types are written.
@dataclass(slots=True)
class MonitoringViolation(_Record):
    """One line of a run's constraint_violations.json."""

    feature_name: str
    constraint_check_type: str
    description: str


@dataclass(slots=True)
class MonitoringExecutionSummary(_Record):
    """One monitoring run (a Processing job): InProgress, Completed, CompletedWithViolations
    or Failed; `report_path` is its report.html once written."""

    job_name: str
    monitoring_schedule_name: str | None
    monitoring_execution_status: str
    scheduled_time: datetime
    ended_at: datetime | None
    violations: list[MonitoringViolation]
    report_path: str | None
    failure_reason: str | None


@dataclass(slots=True)
class MonitoringScheduleSummary(_Record):
    """A monitoring schedule on an endpoint: type DataQuality or ModelQuality, status
    Scheduled or Stopped, and its latest run."""

    monitoring_schedule_name: str
    monitoring_type: str
    schedule_expression: str
    status: str
    last_execution: MonitoringExecutionSummary | None


@dataclass(slots=True)
class EndpointMonitoring(_Record):
    """GET endpoints/{name}/monitoring: the endpoint's schedules and its latest runs (newest first, at most 20)."""

    endpoint_name: str
    schedules: list[MonitoringScheduleSummary]
    executions: list[MonitoringExecutionSummary]


API_RECORDS = (
    PrimaryMetric, JobSummary, ListJobsRequest, ListJobsResponse, StatusTransition,
    JobDescription, MetricPoint, ListMetricsRequest, ListMetricsResponse, LogLine, GetLogRequest,
    LogChunk, StopJobRequest, ErrorResponse, ExperimentSummary, ListExperimentsResponse, LeaderboardRequest,
    LeaderboardRow, LeaderboardResponse, RunArtifact, RunDescription,
    LifecycleRun, LifecycleStatus, LifecycleStatusRequest, StartLifecycleRunRequest,
    RuleEvaluationStatus, ListRuleEvaluationsResponse, VariantDescription,
    EndpointDescription, ListEndpointsResponse, InvokeEndpointRequest, InvokeEndpointResponse,
    LivySessionSummary, LivyBatchSummary, LivyOverview, LivyLogRequest, LivyLog,
    MonitoringViolation, MonitoringExecutionSummary, MonitoringScheduleSummary, EndpointMonitoring,
)
