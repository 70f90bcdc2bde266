"""Monitoring schedules in the store, and running the ones that are due.

A schedule fires at each tick of its cron expression (UTC); the run at tick T analyses
the captures of [previous tick, T). "NOW" fires once, over everything captured so far.
`run_due_schedules()` is what the Jupyter server's ticker and `jupyter-ext monitor run`
call; a tick is claimed in a transaction, so two callers never run it twice.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs import validate_job_name
from ..models import MonitoringScheduleSummary
from ..store import get_store
from . import records
from .executions import list_executions, start_scheduled_run
from .schedule_expressions import latest_tick, previous_tick, schedule_ticks

__all__ = ["create_schedule", "describe_schedule", "list_schedules", "set_schedule_status", "delete_schedule",
           "run_due_schedules", "MonitoringTicker", "schedule_summary"]

TYPES = ("DataQuality", "ModelQuality")


def create_schedule(name: str, endpoint: str, monitoring_type: str, expression: str, config: dict[str, Any]) -> None:
    """Record a new schedule (ConflictError if the name is taken)."""
    validate_job_name(name)
    schedule_ticks(expression)
    if monitoring_type not in TYPES:
        raise ValidationError(f"monitoring_type {monitoring_type!r}; choose one of: {', '.join(TYPES)}.")
    first = None if expression == "NOW" else latest_tick(expression, datetime.now(timezone.utc)).timestamp()
    records.insert_schedule(get_store(), name, endpoint, monitoring_type, expression, config, first)


def _row(name: str) -> Any:
    row = records.schedule_row(get_store(), name)
    if row is None:
        known = records.schedule_names(get_store())
        raise NotFoundError(f"Monitoring schedule {name!r} not found; schedules: {', '.join(known) or 'none'}.")
    return row


def schedule_summary(row: Any) -> MonitoringScheduleSummary:
    """The summary of a schedule row, with its latest run."""
    latest = list_executions(schedule=row["name"], limit=1)
    return MonitoringScheduleSummary(row["name"], row["monitoring_type"], row["schedule_expression"], row["status"],
                                     latest[0] if latest else None)


def describe_schedule(name: str) -> dict[str, Any]:
    """Everything about a schedule: summary fields, endpoint, config, times; and SageMaker's
    DescribeMonitoringSchedule keys beside them (MonitoringScheduleStatus, EndpointName...)."""
    row = _row(name)
    created = datetime.fromtimestamp(row["created_at"], timezone.utc)
    summary = schedule_summary(row)
    return {**summary.to_dict(), "endpoint_name": row["endpoint_name"], "config": json.loads(row["config"]),
            "created_at": created.isoformat(), **summary.to_sagemaker(), "EndpointName": row["endpoint_name"],
            "CreationTime": created}


def list_schedules(endpoint: str | None = None) -> list[MonitoringScheduleSummary]:
    """Schedules (of one endpoint, or all), by name."""
    return [schedule_summary(row) for row in records.schedule_rows(get_store(), endpoint)]


def set_schedule_status(name: str, status: str) -> None:
    """Stop ("Stopped") or start again ("Scheduled") a schedule."""
    _row(name)
    records.set_status(get_store(), name, status)


def delete_schedule(name: str) -> None:
    """Delete a schedule (its past runs stay listed)."""
    _row(name)
    records.delete_schedule(get_store(), name)


def _claim(row: Any, now: datetime) -> tuple[datetime, datetime | None] | None:
    """Claim the schedule's due tick: (tick, window start), or None if nothing is due."""
    expression, last = row["schedule_expression"], row["last_scheduled_time"]
    if expression == "NOW":
        if last is not None:
            return None
        tick, start = now, None
    else:
        tick = latest_tick(expression, now)
        if last is not None and tick.timestamp() <= last:
            return None
        start = previous_tick(expression, tick)
    claimed = records.claim_tick(get_store(), row["name"], tick.timestamp(), last)
    return (tick, start) if claimed else None


def run_due_schedules(now: datetime | None = None) -> list[str]:
    """Start a run for every Scheduled schedule with a tick due at `now`; the job names started."""
    now = now or datetime.now(timezone.utc)
    started = []
    for row in records.due_schedule_rows(get_store()):
        if not _endpoint_exists(row["endpoint_name"]):
            set_schedule_status(row["name"], "Stopped")  # its endpoint was deleted: nothing to monitor
            continue
        claim = _claim(row, now)
        if claim is not None:
            started.append(start_scheduled_run(row["name"], row["endpoint_name"], row["monitoring_type"],
                                               json.loads(row["config"]), claim[0], claim[1]))
    return started


def _endpoint_exists(name: str) -> bool:
    from ..serving import describe_endpoint

    try:
        describe_endpoint(name)
    except NotFoundError:
        return False
    return True


class MonitoringTicker:
    """A daemon thread running due schedules every `interval` seconds until `stop()`."""

    def __init__(self, interval: float = 60.0, log: Any = None) -> None:
        self.interval, self.log = interval, log
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="jupyter-ext-monitoring", daemon=True)

    def start(self) -> MonitoringTicker:
        """Start ticking (the first check runs at once)."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking and wait for the thread."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def tick(self) -> list[str]:
        """One check: start the due runs (errors are logged, never raised: a broken schedule
        must not stop the ticker)."""
        try:
            started = run_due_schedules()
        except Exception:
            if self.log:
                self.log.exception("jupyter_ext: monitoring schedules could not run")
            return []
        for name in started:
            if self.log:
                self.log.info("jupyter_ext: started monitoring run %s", name)
        return started

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.tick()
            self._stopping.wait(self.interval)
