"""The Model Monitor tables: monitoring schedules and monitoring runs (executions) —
their schema and every read and write of them."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from ..errors import ConflictError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = [
    "insert_schedule", "update_schedule", "schedule_row", "schedule_names", "schedule_rows", "due_schedule_rows", "set_status",
    "delete_schedule", "claim_tick", "insert_execution", "execution_row", "execution_rows",
]


def insert_schedule(store: MetadataStore, name: str, endpoint: str, monitoring_type: str, expression: str,
                    config: dict[str, Any], last_scheduled_time: float | None,
                    sagemaker_request: dict[str, Any] | None = None, run_options: dict[str, Any] | None = None) -> None:
    """Record a new Scheduled schedule (ConflictError if the name is taken); ticks up to
    `last_scheduled_time` count as run already. `sagemaker_request` is the SageMaker request
    it was made from, `run_options` the job options each of its runs is submitted with."""
    now = time.time()
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM monitoring_schedules WHERE name = ?", (name,)).fetchone():
            raise ConflictError(f"Monitoring schedule {name!r} exists already; delete it first or pick another name.")
        db.execute("INSERT INTO monitoring_schedules (name, endpoint_name, monitoring_type, schedule_expression, "
                   "status, config, created_at, last_modified, last_scheduled_time, sagemaker_request, run_options) "
                   "VALUES (?, ?, ?, ?, 'Scheduled', ?, ?, ?, ?, ?, ?)",
                   (name, endpoint, monitoring_type, expression, json.dumps(config), now, now, last_scheduled_time,
                    _json_or_null(sagemaker_request), _json_or_null(run_options)))


def update_schedule(store: MetadataStore, name: str, endpoint: str, monitoring_type: str, expression: str,
                    config: dict[str, Any], last_scheduled_time: float | None,
                    sagemaker_request: dict[str, Any] | None = None, run_options: dict[str, Any] | None = None) -> None:
    """Replace what schedule `name` monitors and when (its status and past runs stay)."""
    with store.transaction() as db:
        db.execute("UPDATE monitoring_schedules SET endpoint_name = ?, monitoring_type = ?, schedule_expression = ?, "
                   "config = ?, last_modified = ?, last_scheduled_time = ?, sagemaker_request = ?, run_options = ? "
                   "WHERE name = ?",
                   (endpoint, monitoring_type, expression, json.dumps(config), time.time(), last_scheduled_time,
                    _json_or_null(sagemaker_request), _json_or_null(run_options), name))


def _json_or_null(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def schedule_row(store: MetadataStore, name: str) -> sqlite3.Row | None:
    """Schedule `name`'s row, or None."""
    rows = store.query("SELECT * FROM monitoring_schedules WHERE name = ?", (name,))
    return rows[0] if rows else None


def schedule_names(store: MetadataStore) -> list[str]:
    """Every schedule's name, sorted."""
    return [r["name"] for r in store.query("SELECT name FROM monitoring_schedules ORDER BY name")]


def schedule_rows(store: MetadataStore, endpoint: str | None = None) -> list[sqlite3.Row]:
    """The schedules (of `endpoint`, or all), by name."""
    sql, params = "SELECT * FROM monitoring_schedules", ()
    if endpoint:
        sql, params = sql + " WHERE endpoint_name = ?", (endpoint,)
    return store.query(sql + " ORDER BY name", params)


def due_schedule_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """The schedules that are Scheduled (not Stopped), by name."""
    return store.query("SELECT * FROM monitoring_schedules WHERE status = 'Scheduled' ORDER BY name")


def set_status(store: MetadataStore, name: str, status: str) -> None:
    """Set schedule `name`'s status ("Scheduled" or "Stopped")."""
    with store.transaction() as db:
        db.execute("UPDATE monitoring_schedules SET status = ?, last_modified = ? WHERE name = ?",
                   (status, time.time(), name))


def delete_schedule(store: MetadataStore, name: str) -> None:
    """Remove schedule `name` (its executions stay)."""
    with store.transaction() as db:
        db.execute("DELETE FROM monitoring_schedules WHERE name = ?", (name,))


def claim_tick(store: MetadataStore, name: str, tick: float, last: float | None) -> bool:
    """Take tick `tick` of Scheduled schedule `name` if its last tick is still `last`;
    False if another process claimed a tick first (or the schedule stopped)."""
    with store.transaction() as db:
        claimed = db.execute("UPDATE monitoring_schedules SET last_scheduled_time = ? WHERE name = ? AND status = "
                             "'Scheduled' AND last_scheduled_time IS ?", (tick, name, last)).rowcount
    return bool(claimed)


def insert_execution(store: MetadataStore, job_name: str, schedule: str | None, endpoint: str, monitoring_type: str,
                     scheduled_time: float, output_path: str) -> None:
    """Record the monitoring run `job_name` of `endpoint` (and of `schedule`, if any)."""
    with store.transaction() as db:
        db.execute("INSERT INTO monitoring_executions VALUES (?, ?, ?, ?, ?, ?)",
                   (job_name, schedule, endpoint, monitoring_type, scheduled_time, output_path))


def execution_row(store: MetadataStore, job_name: str) -> sqlite3.Row | None:
    """The monitoring run `job_name`'s row, or None."""
    rows = store.query("SELECT * FROM monitoring_executions WHERE job_name = ?", (job_name,))
    return rows[0] if rows else None


def execution_rows(store: MetadataStore, endpoint: str | None = None, schedule: str | None = None,
                   limit: int | None = 20) -> list[sqlite3.Row]:
    """Monitoring runs, newest first, of an endpoint and/or schedule (`limit=None`: all)."""
    where: list[str] = []
    params: list[Any] = []
    if endpoint:
        where.append("endpoint_name = ?")
        params.append(endpoint)
    if schedule:
        where.append("schedule_name = ?")
        params.append(schedule)
    sql = "SELECT * FROM monitoring_executions" + (f" WHERE {' AND '.join(where)}" if where else "")
    return store.query(sql + " ORDER BY scheduled_time DESC, job_name DESC LIMIT ?",
                       (*params, -1 if limit is None else limit))


def _monitoring_tables(db: sqlite3.Connection) -> None:
    # Schedules on endpoints (`config` holds the baseline files, output path and analysis
    # settings as JSON; `last_scheduled_time` is the latest cron tick already run, claimed
    # in a transaction so two tickers never run one tick twice), and every monitoring run
    # (a Processing job) with its schedule and window.
    execute_statements(db, """
        CREATE TABLE monitoring_schedules (
            name TEXT PRIMARY KEY,
            endpoint_name TEXT NOT NULL,
            monitoring_type TEXT NOT NULL,
            schedule_expression TEXT NOT NULL,
            status TEXT NOT NULL,
            config TEXT NOT NULL,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL,
            last_scheduled_time REAL
        );
        CREATE INDEX monitoring_schedules_by_endpoint ON monitoring_schedules (endpoint_name);
        CREATE TABLE monitoring_executions (
            job_name TEXT PRIMARY KEY,
            schedule_name TEXT,
            endpoint_name TEXT NOT NULL,
            monitoring_type TEXT NOT NULL,
            scheduled_time REAL NOT NULL,
            output_path TEXT NOT NULL
        );
        CREATE INDEX monitoring_executions_by_endpoint ON monitoring_executions (endpoint_name, scheduled_time)
    """)


def _schedule_requests(db: sqlite3.Connection) -> None:
    # A schedule made through SageMaker's API keeps its request (for DescribeMonitoringSchedule)
    # and the job options its runs are submitted with (JSON; NULL for one made in Python).
    execute_statements(db, """
        ALTER TABLE monitoring_schedules ADD COLUMN sagemaker_request TEXT;
        ALTER TABLE monitoring_schedules ADD COLUMN run_options TEXT
    """)


# Migrations are code: entry i brings the monitoring tables from version i to i + 1.
register_migrations("monitoring", [_monitoring_tables, _schedule_requests])
