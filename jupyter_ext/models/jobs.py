"""Records of jobs: summaries, descriptions, logs, metrics, stop requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .base import Record
from .sagemaker_names import Getter, SageMakerKeys, job_keys


@dataclass(slots=True)
class PrimaryMetric(Record):
    """A job's headline metric: the first metric definition's (or first logged) last value."""

    name: str
    value: float


@dataclass(slots=True)
class JobSummary(Record):
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
    child_count: int = 0


@dataclass(slots=True)
class ListJobsRequest(Record):
    """ListJobs filters (query parameters of GET /jupyter-ext/api/jobs).

    `cursor` is the `next_cursor` of the previous page; `limit` is 1 to 1000. `parent`
    lists the jobs one job's program launched (a tuning job's trials); `top_level` only
    jobs no other job launched (each with its `child_count`).
    """

    type: str | None = None
    status: str | None = None
    name_contains: str | None = None
    limit: int = 50
    cursor: str | None = None
    parent: str | None = None
    top_level: bool = False


@dataclass(slots=True)
class ListJobsResponse(Record):
    """A page of jobs, newest first; `next_cursor` is null on the last page."""

    jobs: list[JobSummary]
    next_cursor: str | None


@dataclass(slots=True)
class StatusTransition(Record):
    """A secondary-status step (SageMaker's SecondaryStatusTransitions)."""

    status: str
    start_time: datetime
    end_time: datetime | None
    message: str


@dataclass(slots=True)
class JobDescription(Record, SageMakerKeys):
    """DescribeJob: everything known about one job. It also reads as SageMaker's
    Describe<Job> dict: `d["TrainingJobStatus"]`, `d["ModelArtifacts"]["S3ModelArtifacts"]`
    (see `sagemaker_names`)."""

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
    hosts: list[dict[str, str]] = field(default_factory=list)  # [{"name": "algo-1", "where": "this machine"}]

    @property
    def elapsed_seconds(self) -> float | None:
        """Seconds from start to end (or to now while running)."""
        if self.started_at is None:
            return None
        end = self.ended_at or datetime.now(timezone.utc)
        return (end - self.started_at).total_seconds()

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's Describe<Job> keys for this job's type."""
        return job_keys(self.job_type)


@dataclass(slots=True)
class MetricPoint(Record):
    """One value of a metric's time series."""

    name: str
    value: float
    step: int
    timestamp: datetime


@dataclass(slots=True)
class LogLine(Record):
    """One captured line: `stream` is stdout, stderr or runner (our own messages)."""

    timestamp: datetime
    stream: str
    message: str


@dataclass(slots=True)
class LogChunk(Record):
    """A slice of a job's log: whole lines from byte `offset` up to `next_offset`.

    Ask again from `next_offset` to follow the log; `size` is the file's size in bytes.
    """

    lines: list[LogLine]
    offset: int
    next_offset: int
    size: int = 0


@dataclass(slots=True)
class GetLogRequest(Record):
    """Which part of a log (query parameters of GET .../jobs/{name}/log), one of:
    bytes from `offset` (at most `max_bytes`); the last `tail_lines` lines; or
    `max_lines` lines from line `start_line` (0-based). Default: from byte 0."""

    offset: int | None = None
    max_bytes: int = 1 << 20
    tail_lines: int | None = None
    start_line: int | None = None
    max_lines: int = 1000


@dataclass(slots=True)
class ListMetricsRequest(Record):
    """Query parameters of GET .../jobs/{name}/metrics: one metric's series, or all."""

    name: str | None = None


@dataclass(slots=True)
class ListMetricsResponse(Record):
    """A job's metric time series, in the order the values were recorded."""

    metrics: list[MetricPoint]


@dataclass(slots=True)
class StopJobRequest(Record):
    """Body of POST /jupyter-ext/api/jobs/{name}/stop (all optional)."""

    grace_seconds: float | None = None


@dataclass(slots=True)
class ErrorResponse(Record):
    """What every failed REST call returns, with status 400, 403, 404, 409 or 500."""

    message: str


@dataclass(slots=True)
class OpenArtifactRequest(Record):
    """Body of POST .../jobs/{name}/artifacts/open: the artifact (a path or file:// URI in the
    job's folder or outputs)."""

    path: str = ""


@dataclass(slots=True)
class OpenArtifactResponse(Record):
    """A job's artifact made openable: `path` its copy under JupyterLab's root (None for a
    folder); `kind` notebook, html, archive, file or folder; `members` an archive's members
    or a folder's files (absolute paths, to open in turn)."""

    path: str | None
    kind: str
    members: list[str]
