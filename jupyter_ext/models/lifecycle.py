"""Records of lifecycle script runs and settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Record


@dataclass(slots=True)
class LifecycleRun(Record):
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
class LifecycleStatus(Record):
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
class LifecycleStatusRequest(Record):
    """Query parameters of GET /jupyter-ext/api/lifecycle: how many of the last runs (1 to 1000)."""

    limit: int = 10


@dataclass(slots=True)
class StartLifecycleRunRequest(Record):
    """Body of POST /jupyter-ext/api/lifecycle/runs: which hook to run now (in the background)."""

    hook: str = "on-start"


@dataclass(slots=True)
class LifecycleConfig(Record):
    """A named lifecycle configuration in the store (SageMaker's
    NotebookInstanceLifecycleConfig): the on-create and on-start script contents."""

    name: str
    on_create: str | None
    on_start: str | None
    created_at: datetime
    last_modified: datetime
