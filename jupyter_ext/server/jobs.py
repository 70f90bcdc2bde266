"""REST routes for jobs: list, describe, log, metrics, stop. Each is a few lines over
the jobs API; records and errors are handled by the base."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import ValidationError
from ..jobs import Job, describe_job, list_jobs_page, records, stop_job
from ..models import (
    GetLogRequest, JobDescription, ListJobsRequest, ListJobsResponse, ListMetricsRequest,
    ListMetricsResponse, LogChunk, OpenArtifactRequest, OpenArtifactResponse, StopJobRequest,
)
from ..jobs.outputs import open_job_artifact
from ..store import get_store
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class JobsHandler(ApiHandler):
    """GET /jobs: ListJobsRequest in the query → ListJobsResponse (ETag: 304 when nothing changed)."""

    @api
    def get(self) -> ListJobsResponse | None:
        request = self.query(ListJobsRequest)
        query = hashlib.sha1(str(request).encode()).hexdigest()[:12]
        if self.not_modified(f"{records.change_token(get_store())}-{query}"):
            return None
        return list_jobs_page(request)


class JobHandler(ApiHandler):
    """GET /jobs/{name} → JobDescription."""

    @api
    def get(self, name: str) -> JobDescription:
        return describe_job(name)


class JobLogHandler(ApiHandler):
    """GET /jobs/{name}/log: GetLogRequest in the query → LogChunk."""

    @api
    def get(self, name: str) -> LogChunk:
        request = self.query(GetLogRequest)
        job = Job(name)
        starts = [v for v in (request.offset, request.tail_lines, request.start_line) if v is not None]
        if len(starts) > 1:
            raise ValidationError("Give one of offset, tail_lines or start_line, not several.")
        if min([*starts, 0]) < 0 or min(request.max_bytes, request.max_lines) < 1:
            raise ValidationError("offset, tail_lines and start_line must be >= 0; max_bytes and max_lines >= 1.")
        if request.tail_lines is not None:
            return job.tail_log(request.tail_lines)
        if request.start_line is not None:
            return job.read_lines(request.start_line, request.max_lines)
        return job.read_log(request.offset or 0, request.max_bytes)


class JobMetricsHandler(ApiHandler):
    """GET /jobs/{name}/metrics: ListMetricsRequest in the query → ListMetricsResponse."""

    @api
    def get(self, name: str) -> ListMetricsResponse:
        request = self.query(ListMetricsRequest)
        return ListMetricsResponse(Job(name).metric_points(request.name))


class StopJobHandler(ApiHandler):
    """POST /jobs/{name}/stop: StopJobRequest body → 202 and the JobDescription (409 if ended)."""

    @api
    def post(self, name: str) -> JobDescription:
        request = self.body(StopJobRequest)
        stop_job(name, request.grace_seconds)
        self.set_status(202)
        return describe_job(name)


class OpenArtifactHandler(ApiHandler):
    """POST /jobs/{name}/artifacts/open: OpenArtifactRequest → OpenArtifactResponse (the
    artifact copied under JupyterLab's root, or a folder's or archive's listing)."""

    @api
    def post(self, name: str) -> OpenArtifactResponse:
        root = Path(self.settings["contents_manager"].root_dir)
        return open_job_artifact(name, self.body(OpenArtifactRequest).path, root)


ROUTES = [
    ("jobs", JobsHandler),
    (f"jobs/{_NAME}", JobHandler),
    (f"jobs/{_NAME}/log", JobLogHandler),
    (f"jobs/{_NAME}/metrics", JobMetricsHandler),
    (f"jobs/{_NAME}/stop", StopJobHandler),
    (f"jobs/{_NAME}/artifacts/open", OpenArtifactHandler),
]
