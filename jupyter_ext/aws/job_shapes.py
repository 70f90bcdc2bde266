"""What Describe* and List* of training and processing jobs share: statuses, times,
status transitions and paged, sorted listings, from our own job records."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ..errors import ConflictError, NotFoundError
from ..jobs import Job, JobSpec, list_jobs, stop_job
from ..models import JobDescription, JobSummary
from .protocol import AwsError

__all__ = ["stop_api_job", "api_status", "find_job", "transitions", "list_page", "paged", "model_artifacts", "final_metrics"]


def api_status(status: str) -> str:
    """SageMaker's job status for ours (a Pending job is InProgress, Starting)."""
    return "InProgress" if status == "Pending" else status


def find_job(name: str, job_type: str, *other_types: str) -> tuple[JobDescription, JobSpec]:
    """The job `name` of `job_type` (or one of `other_types`) and its spec; SageMaker's
    ValidationException if there is none."""
    try:
        job = Job(name)
        description, spec = job.describe(), job.spec()
    except NotFoundError:
        description = None
    if description is None or description.job_type not in (job_type, *other_types):
        raise AwsError("ValidationException", f"Requested resource not found: no {job_type.lower()} job named "
                       f"{name!r} (`jupyter-ext jobs list` lists every job).")
    return description, spec


def transitions(description: JobDescription) -> list[dict[str, Any]]:
    """SecondaryStatusTransitions, starting with Starting (from creation to the first step)."""
    steps = []
    if not description.transitions or description.transitions[0].status != "Starting":
        steps.append({"Status": "Starting", "StartTime": description.created_at,
                      "EndTime": description.transitions[0].start_time if description.transitions else None,
                      "StatusMessage": "Preparing the job folder and starting its runner"})
    for step in description.transitions:
        steps.append({"Status": step.status, "StartTime": step.start_time, "EndTime": step.end_time,
                      "StatusMessage": step.message})
    return steps


def final_metrics(description: JobDescription) -> list[dict[str, Any]]:
    """FinalMetricDataList: each metric's last value."""
    moment = description.ended_at or description.last_modified
    return [{"MetricName": name, "Value": value, "Timestamp": moment}
            for name, value in description.final_metrics.items()]


def model_artifacts(description: JobDescription) -> dict[str, str] | None:
    """ModelArtifacts of a completed training job."""
    if description.status != "Completed" or not description.model_data:
        return None
    return {"S3ModelArtifacts": description.model_data}


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset":
            return int(value)
    except ValueError:
        pass
    raise AwsError("ValidationException", f"NextToken {token!r} is not one this endpoint gave out; list again without it.")


def _matches(job: JobSummary, params: dict[str, Any]) -> bool:
    modified = job.ended_at or job.started_at or job.created_at
    checks = [("CreationTimeAfter", job.created_at, 1), ("CreationTimeBefore", job.created_at, -1),
              ("LastModifiedTimeAfter", modified, 1), ("LastModifiedTimeBefore", modified, -1)]
    for key, moment, sign in checks:
        bound = params.get(key)
        if bound is not None and (moment - bound).total_seconds() * sign <= 0:
            return False
    status = params.get("StatusEquals")
    return status is None or api_status(job.status) == status


_SORT_KEYS: dict[str, Callable[[JobSummary], Any]] = {
    "Name": lambda job: job.name, "Status": lambda job: api_status(job.status),
    "CreationTime": lambda job: job.created_at,
}


def list_page(job_type: str, params: dict[str, Any], summary: Callable[[JobSummary], dict[str, Any]],
              key: str) -> dict[str, Any]:
    """One page of a List*Jobs answer: filtered, sorted (SortBy/SortOrder), MaxResults long."""
    jobs = [job for job in list_jobs(type=job_type, name_contains=params.get("NameContains"), limit=None)
            if _matches(job, params)]
    jobs.sort(key=_SORT_KEYS.get(params.get("SortBy") or "CreationTime", _SORT_KEYS["CreationTime"]),
              reverse=(params.get("SortOrder") or "Descending") == "Descending")
    return paged(jobs, params, key, summary)


def paged(items: list[Any], params: dict[str, Any], key: str,
          summary: Callable[[Any], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The page of `items` (each shaped by `summary`, if given) that the request's NextToken
    and MaxResults (10 by default) ask for."""
    start, size = _offset(params.get("NextToken")), int(params.get("MaxResults") or 10)
    page: dict[str, Any] = {key: [summary(item) if summary else item for item in items[start:start + size]]}
    if start + size < len(items):
        page["NextToken"] = _token(start + size)
    return page


def stop_api_job(name: str, job_type: str, operation: str) -> None:
    """A Stop*Job call: SIGTERM to the job's program, then SIGKILL; ValidationException if
    there is no such job or it has ended."""
    find_job(name, job_type)
    try:
        stop_job(name, reason=f"Stopped by {operation}")
    except ConflictError as error:
        raise AwsError("ValidationException", str(error)) from None
