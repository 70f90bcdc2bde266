"""REST routes for lifecycle scripts: status with the last runs and the failure flag, one
run, a run's log, and "run now". A run is named by its id or by a hook (its latest run)."""

from __future__ import annotations

from ..errors import ValidationError
from ..lifecycle import describe_lifecycle_run, lifecycle_log, lifecycle_status, start_lifecycle_hook
from ..models import GetLogRequest, LifecycleRun, LifecycleStatus, LifecycleStatusRequest, LogChunk, \
    StartLifecycleRunRequest
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_RUN = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class LifecycleStatusHandler(ApiHandler):
    """GET /lifecycle: LifecycleStatusRequest in the query → LifecycleStatus."""

    @api
    def get(self) -> LifecycleStatus:
        request = self.query(LifecycleStatusRequest)
        if not 1 <= request.limit <= 1000:
            raise ValidationError(f"limit must be 1 to 1000; got {request.limit}.")
        return lifecycle_status(request.limit)


class LifecycleRunsHandler(ApiHandler):
    """POST /lifecycle/runs: StartLifecycleRunRequest body → 202 and the InProgress
    LifecycleRun (the script runs in the background; 409 while that hook runs already)."""

    @api
    def post(self) -> LifecycleRun:
        request = self.body(StartLifecycleRunRequest)
        run = start_lifecycle_hook(request.hook, self.settings.get("server_root_dir"))
        self.set_status(202)
        return run


class LifecycleRunHandler(ApiHandler):
    """GET /lifecycle/runs/{id or hook} → LifecycleRun."""

    @api
    def get(self, name: str) -> LifecycleRun:
        return describe_lifecycle_run(name)


class LifecycleLogHandler(ApiHandler):
    """GET /lifecycle/runs/{id or hook}/log: GetLogRequest in the query → LogChunk."""

    @api
    def get(self, name: str) -> LogChunk:
        request = self.query(GetLogRequest)
        starts = [v for v in (request.offset, request.tail_lines, request.start_line) if v is not None]
        if len(starts) > 1:
            raise ValidationError("Give one of offset, tail_lines or start_line, not several.")
        if min([*starts, 0]) < 0 or min(request.max_bytes, request.max_lines) < 1:
            raise ValidationError("offset, tail_lines and start_line must be >= 0; max_bytes and max_lines >= 1.")
        return lifecycle_log(name, request.offset, request.tail_lines, request.start_line, request.max_bytes,
                             request.max_lines)


ROUTES = [
    ("lifecycle", LifecycleStatusHandler),
    ("lifecycle/runs", LifecycleRunsHandler),
    (f"lifecycle/runs/{_RUN}", LifecycleRunHandler),
    (f"lifecycle/runs/{_RUN}/log", LifecycleLogHandler),
]
