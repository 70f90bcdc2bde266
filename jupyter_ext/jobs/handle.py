"""Job: a handle on one job in the store, and the module functions to find jobs.

Every read first runs the dead-runner check, so a job whose runner vanished shows as
Failed wherever it is looked at.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import ConflictError, UnexpectedStatusError, ValidationError
from ..models import (
    ACTIVE_STATUSES, JOB_TYPES, TERMINAL_STATUSES, JobDescription, JobSummary, ListJobsRequest,
    ListJobsResponse, LogChunk, LogLine, MetricPoint,
)
from ..store import get_store
from . import records
from .executors import get_executor
from .extensions import extensions
from .liveness import reconcile
from .logs import LOG_FILE, read_lines, read_log, tail_log
from .spec import JobSpec

if TYPE_CHECKING:
    import pandas

__all__ = ["Job", "list_jobs", "list_jobs_page", "describe_job", "stop_job", "MAX_PAGE"]

MAX_PAGE = 1000


def _check_choice(what: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise ValidationError(f"Unknown job {what} {value!r}; choose one of: {', '.join(choices)}.")


def list_jobs(
    type: str | None = None,  # noqa: A002 - SageMaker-style keyword
    status: str | None = None,
    name_contains: str | None = None,
    limit: int | None = 100,
) -> list[JobSummary]:
    """Jobs newest first; filter by type (Training, Processing), status and name part.

    `limit=None` lists all. Raises ValidationError for an unknown type or status.
    """
    _check_choice("type", type, JOB_TYPES)
    _check_choice("status", status, ACTIVE_STATUSES + TERMINAL_STATUSES)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValidationError(f"limit must be a whole number >= 1 (or None for all); got {limit!r}.")
    store = get_store()
    reconcile(store)
    return records.list_summaries(store, job_type=type, status=status, name_contains=name_contains, limit=limit)


def _encode_cursor(job: JobSummary) -> str:
    raw = json.dumps([job.created_at.timestamp(), job.name]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        created, name = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(created), str(name)
    except (ValueError, TypeError):
        raise ValidationError(f"cursor {cursor!r} is not one this server gave out; start without one.") from None


def list_jobs_page(request: ListJobsRequest) -> ListJobsResponse:
    """One page of ListJobs with each job's primary metric and the cursor of the next page."""
    if not isinstance(request.limit, int) or not 1 <= request.limit <= MAX_PAGE:
        raise ValidationError(f"limit must be a whole number from 1 to {MAX_PAGE}; got {request.limit!r}.")
    _check_choice("type", request.type, JOB_TYPES)
    _check_choice("status", request.status, ACTIVE_STATUSES + TERMINAL_STATUSES)
    after = _decode_cursor(request.cursor) if request.cursor else None
    store = get_store()
    reconcile(store)
    jobs = records.list_summaries(store, job_type=request.type, status=request.status,
                                  name_contains=request.name_contains, after=after, limit=request.limit + 1,
                                  parent=request.parent, top_level=request.top_level)
    page = jobs[: request.limit]
    names = [job.name for job in page]
    metrics, counts = records.primary_metrics(store, names), records.child_counts(store, names)
    for job in page:
        job.primary_metric = metrics.get(job.name)
        job.child_count = counts.get(job.name, 0)
    return ListJobsResponse(page, _encode_cursor(page[-1]) if len(jobs) > request.limit else None)


def describe_job(name: str) -> JobDescription:
    """Everything about job `name`, with what job extensions add (e.g. the debugger's
    rule statuses); NotFoundError if there is none."""
    store = get_store()
    reconcile(store, name)
    description = records.describe(store, name)
    for extension in extensions(description.job_type):
        if extension.on_describe is not None:
            extension.on_describe(description)
    return description


def stop_job(name: str, grace_seconds: float | None = None, reason: str | None = None) -> None:
    """Ask job `name` to stop: SIGTERM to its program, SIGKILL after the grace period.
    `reason` becomes the job's failure reason (default "Stop requested").

    ConflictError if the job has ended already.
    """
    store = get_store()
    reconcile(store, name)
    fields = {} if grace_seconds is None else {"stop_grace": float(grace_seconds)}
    if not records.set_status(store, name, "Stopping", only_from=("Pending", "InProgress"),
                              secondary="Stopping", message=reason or "Stop requested", **fields):
        status = records.get_row(store, name)["status"]
        if status != "Stopping":
            raise ConflictError(f"Job {name} is {status}; only a Pending or InProgress job can be stopped.")
    row = records.get_row(store, name)
    # A runner that has not claimed the job yet may not have its SIGTERM handler either (a
    # signal would kill it, not stop the job): it sees Stopping as it claims the job.
    if row["started_at"] is not None:
        get_executor(row["executor"]).request_stop(row)


class Job:
    """A job in the store, by name: describe it, follow its log, read metrics, stop it."""

    def __init__(self, name: str) -> None:
        records.get_row(get_store(), name)  # NotFoundError early
        self.name = name

    def __repr__(self) -> str:
        return f"Job({self.name!r})"

    @property
    def job_name(self) -> str:
        """The job's name (SageMaker's `latest_training_job.job_name`)."""
        return self.name

    def describe(self) -> JobDescription:
        """DescribeJob for this job; it reads as SageMaker's dict too
        (`describe()["TrainingJobStatus"]`)."""
        return describe_job(self.name)

    @property
    def status(self) -> str:
        """The current primary status."""
        return self.describe().status

    @property
    def job_dir(self) -> Path:
        """The job's folder (laid out like SageMaker's /opt/ml)."""
        return Path(records.get_row(get_store(), self.name)["job_dir"])

    @property
    def log_path(self) -> Path:
        """The job's log file."""
        return self.job_dir / LOG_FILE

    def spec(self) -> JobSpec:
        """The spec the job was created with (its program, environment, record)."""
        return JobSpec.from_json(records.get_row(get_store(), self.name)["spec"])

    def stop(self, grace_seconds: float | None = None) -> None:
        """Stop the job (see `stop_job`)."""
        stop_job(self.name, grace_seconds)

    def watch(self, wait: bool = False, logs: bool = False) -> JobDescription | None:
        """A live monitor of this job, wherever it was started: the widget in JupyterLab,
        its log's tail and state as text elsewhere. With `wait`, until it ends (raises
        UnexpectedStatusError unless it Completed); `logs` prints its log meanwhile."""
        from .display import monitor

        return monitor(self, wait, logs)

    def _ipython_display_(self) -> None:
        """A job as a cell's value shows its monitor (`est.latest_training_job`)."""
        self.watch()

    def read_log(self, offset: int = 0, max_bytes: int = 1 << 20) -> LogChunk:
        """Whole log lines from byte `offset`; pass `next_offset` back to follow."""
        return read_log(self.log_path, offset, max_bytes)

    def tail(self, lines: int = 50) -> list[LogLine]:
        """The last `lines` lines of the log."""
        return tail_log(self.log_path, lines).lines

    def tail_log(self, lines: int = 50) -> LogChunk:
        """The last `lines` lines, with the offset to follow the log from."""
        return tail_log(self.log_path, lines)

    def read_lines(self, start_line: int = 0, max_lines: int = 1000) -> LogChunk:
        """Lines `start_line` (0-based) onwards, at most `max_lines`."""
        return read_lines(self.log_path, start_line, max_lines)

    def follow(self, poll: float = 0.5) -> Iterator[LogLine]:
        """Log lines as they come, until the job has ended and every line is read."""
        offset = 0
        for _ in self._until_ended(poll):
            lines, offset = self._new_lines(offset)
            yield from lines

    def logs(self, follow: bool = False, tail: int | None = None, file: TextIO | None = None) -> None:
        """Print the log's messages: all, the last `tail`, or on until the job ends if `follow`."""
        out = file or sys.stdout
        if follow:
            lines: Iterable[LogLine] = self.follow()
        elif tail is not None:
            lines = self.tail(tail)
        else:
            lines = self._new_lines(0)[0]
        for line in lines:
            print(line.message, file=out, flush=True)

    def metrics(self, name: str | None = None) -> pandas.DataFrame:
        """The metric time series: columns metric_name, value, step, timestamp."""
        import pandas

        points = self.metric_points(name)
        return pandas.DataFrame(
            [(p.name, p.value, p.step, p.timestamp) for p in points],
            columns=["metric_name", "value", "step", "timestamp"],
        )

    def metric_points(self, name: str | None = None) -> list[MetricPoint]:
        """The metric time series as records."""
        return records.metric_points(get_store(), self.name, name)

    def wait(
        self, logs: bool = False, poll: float = 0.5,
        on_update: Callable[[JobDescription], None] | None = None,
    ) -> JobDescription:
        """Block until the job ends; print the log as it comes if `logs`.

        Raises UnexpectedStatusError unless the job Completed.
        """
        offset = 0
        for description in self._until_ended(poll):
            if logs:
                lines, offset = self._new_lines(offset)
                for line in lines:
                    print(line.message, flush=True)
            if on_update is not None:
                on_update(description)
        if description.status != "Completed":
            raise UnexpectedStatusError(self.name, description.status, description.failure_reason)
        return description

    def _new_lines(self, offset: int) -> tuple[list[LogLine], int]:
        """Every whole line written since `offset`, and the offset after them."""
        lines: list[LogLine] = []
        while True:
            chunk = self.read_log(offset)
            if chunk.next_offset == offset:
                return lines, offset
            lines += chunk.lines
            offset = chunk.next_offset

    def _until_ended(self, poll: float) -> Iterator[JobDescription]:
        """Yield descriptions, quickly at first then every `poll` s, one last after the end."""
        delay = 0.02
        while True:
            description = self.describe()
            yield description
            if description.status in TERMINAL_STATUSES:
                return
            time.sleep(delay)
            delay = min(poll, delay * 1.5)
