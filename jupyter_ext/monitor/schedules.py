"""Monitoring schedules in the store, and running the ones that are due.

A schedule fires at each tick of its cron expression (UTC); the run at tick T analyses
the captures of [previous tick, T). "NOW" fires once, over everything captured so far.
Window offsets in the config (`start_time_offset`, `end_time_offset`: SageMaker's
DataAnalysisStartTime/EndTime, "-PT1H") move the window to [T + start, T + end).
`run_due_schedules()` is what the Jupyter server's ticker, `jupyter-ext aws serve` and
`jupyter-ext monitor run` call; a tick is claimed in a transaction, so two callers never
run it twice.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs import check_job_options, validate_job_name
from ..models import MonitoringScheduleSummary
from ..store import get_store
from . import records
from .executions import list_executions, start_scheduled_run
from .schedule_expressions import latest_tick, previous_tick, schedule_ticks, time_offset

__all__ = ["create_schedule", "update_schedule", "describe_schedule", "list_schedules", "set_schedule_status",
           "delete_schedule", "run_due_schedules", "MonitoringTicker", "schedule_summary", "tick_interval",
           "TICK_VARIABLE"]

TYPES = ("DataQuality", "ModelQuality")
TICK_VARIABLE = "JUPYTER_EXT_MONITOR_TICK_SECONDS"


def tick_interval() -> float:
    """Seconds between two checks for due schedules: $JUPYTER_EXT_MONITOR_TICK_SECONDS, else 60."""
    return float(os.environ.get(TICK_VARIABLE) or 60)


def _checked(name: str, monitoring_type: str, expression: str, config: dict[str, Any],
             run_options: dict[str, Any] | None) -> float | None:
    """Check a schedule's settings; the tick it counts as run already (None for NOW)."""
    validate_job_name(name)
    schedule_ticks(expression)
    if monitoring_type not in TYPES:
        raise ValidationError(f"monitoring_type {monitoring_type!r}; choose one of: {', '.join(TYPES)}.")
    for key in ("start_time_offset", "end_time_offset"):
        if config.get(key) is not None:
            time_offset(config[key], key)
    check_job_options("Processing", run_options or {})
    return None if expression == "NOW" else latest_tick(expression, datetime.now(timezone.utc)).timestamp()


def create_schedule(name: str, endpoint: str, monitoring_type: str, expression: str, config: dict[str, Any],
                    sagemaker_request: dict[str, Any] | None = None, run_options: dict[str, Any] | None = None) -> None:
    """Record a new schedule (ConflictError if the name is taken). `sagemaker_request` is
    kept beside it (the SageMaker request it was made from); `run_options` are the job
    options (for job extensions) each of its runs is submitted with."""
    first = _checked(name, monitoring_type, expression, config, run_options)
    records.insert_schedule(get_store(), name, endpoint, monitoring_type, expression, config, first,
                            sagemaker_request, run_options)


def update_schedule(name: str, endpoint: str, monitoring_type: str, expression: str, config: dict[str, Any],
                    sagemaker_request: dict[str, Any] | None = None, run_options: dict[str, Any] | None = None) -> None:
    """Replace what schedule `name` monitors and when; its status and past runs stay, and a
    NOW schedule runs again."""
    _row(name)
    first = _checked(name, monitoring_type, expression, config, run_options)
    records.update_schedule(get_store(), name, endpoint, monitoring_type, expression, config, first,
                            sagemaker_request, run_options)


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
    modified = datetime.fromtimestamp(row["last_modified"], timezone.utc)
    summary = schedule_summary(row)
    return {**summary.to_dict(), "endpoint_name": row["endpoint_name"], "config": json.loads(row["config"]),
            "created_at": created.isoformat(), "last_modified": modified.isoformat(),
            "sagemaker_request": _loaded(row["sagemaker_request"]), "run_options": _loaded(row["run_options"]),
            **summary.to_sagemaker(), "EndpointName": row["endpoint_name"], "CreationTime": created,
            "LastModifiedTime": modified}


def _loaded(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


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


def _window(config: dict[str, Any], tick: datetime, start: datetime | None) -> tuple[datetime | None, datetime]:
    """The window [start, end) a run at `tick` analyses: the config's offsets from `tick`, if given."""
    begin = config.get("start_time_offset")
    end = config.get("end_time_offset")
    return (tick + time_offset(begin) if begin else start), (tick + time_offset(end) if end else tick)


def run_due_schedules(now: datetime | None = None, schedule: str | None = None) -> list[str]:
    """Start a run for every Scheduled schedule (or just `schedule`) with a tick due at
    `now`; the job names started."""
    now = now or datetime.now(timezone.utc)
    started = []
    for row in records.due_schedule_rows(get_store()):
        if schedule is not None and row["name"] != schedule:
            continue
        if not _endpoint_exists(row["endpoint_name"]):
            set_schedule_status(row["name"], "Stopped")  # its endpoint was deleted: nothing to monitor
            continue
        claim = _claim(row, now)
        if claim is not None:
            config = json.loads(row["config"])
            start, end = _window(config, *claim)
            started.append(start_scheduled_run(row["name"], row["endpoint_name"], row["monitoring_type"], config,
                                               claim[0], start, end=end, options=_loaded(row["run_options"])))
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
