"""Records of the Livy server: sessions, batches, logs."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Record


@dataclass(slots=True)
class LivySessionSummary(Record):
    """One interactive Spark session of the Livy server (Livy's id, kind and state)."""

    id: int
    name: str | None
    kind: str
    state: str
    app_id: str | None
    spark_ui_url: str | None


@dataclass(slots=True)
class LivyBatchSummary(Record):
    """One Spark batch of the Livy server (`success`, `dead` or `killed` when over)."""

    id: int
    name: str | None
    state: str
    app_id: str | None


@dataclass(slots=True)
class LivyOverview(Record):
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
class LivyLogRequest(Record):
    """Query of GET /jupyter-ext/api/spark/sessions/{id}/log: the last `size` lines."""

    size: int = 200


@dataclass(slots=True)
class LivyLog(Record):
    """Lines of a Livy session's log; `total` counts every line, `start` is the first shown."""

    id: int
    start: int
    total: int
    lines: list[str]


# The records of the REST API, in the order the TypeScript types are written.
