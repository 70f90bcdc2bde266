"""The pipeline tables: pipelines, their executions and the executions' steps — their
schema and every read and write of them."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from ..store import MetadataStore, execute_statements, register_migrations

__all__ = [
    "save_pipeline", "pipeline_row", "pipeline_rows", "insert_execution", "delete_execution", "set_execution_job", "execution_row",
    "execution_rows", "save_step", "step_rows", "step_row", "cached_step", "reset_steps",
]


def save_pipeline(store: MetadataStore, name: str, definition: str, local_definition: str,
                  description: str | None) -> bool:
    """Store pipeline `name` (keeping its creation time when it is replaced); True if it is new."""
    now = time.time()
    with store.transaction() as db:
        exists = db.execute("SELECT 1 FROM pipelines WHERE name = ?", (name,)).fetchone() is not None
        db.execute("INSERT OR REPLACE INTO pipelines (name, definition, local_definition, description, created_at,"
                   " last_modified) VALUES (?, ?, ?, ?, COALESCE((SELECT created_at FROM pipelines WHERE name = ?), ?),"
                   " ?)", (name, definition, local_definition, description, name, now, now))
    return not exists


def delete_pipeline(store: MetadataStore, name: str) -> None:
    """Remove pipeline `name`'s definition."""
    with store.transaction() as db:
        db.execute("DELETE FROM pipelines WHERE name = ?", (name,))


def pipeline_row(store: MetadataStore, name: str) -> sqlite3.Row | None:
    """Pipeline `name`'s row, or None."""
    rows = store.query("SELECT * FROM pipelines WHERE name = ?", (name,))
    return rows[0] if rows else None


def pipeline_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """Every pipeline's row, by name."""
    return store.query("SELECT * FROM pipelines ORDER BY name")


def insert_execution(store: MetadataStore, execution_id: str, pipeline: str, display_name: str | None,
                     parameters: dict[str, Any], local_definition: str) -> None:
    """Record a new execution of `pipeline` (its job comes with `set_execution_job`)."""
    now = time.time()
    with store.transaction() as db:
        db.execute("INSERT INTO pipeline_executions (execution_id, pipeline_name, display_name, parameters,"
                   " local_definition, created_at, last_modified, runs) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                   (execution_id, pipeline, display_name, json.dumps(parameters), local_definition, now, now))


def delete_execution(store: MetadataStore, execution_id: str) -> None:
    """Forget execution `execution_id` and its steps."""
    with store.transaction() as db:
        db.execute("DELETE FROM pipeline_execution_steps WHERE execution_id = ?", (execution_id,))
        db.execute("DELETE FROM pipeline_executions WHERE execution_id = ?", (execution_id,))


def set_execution_job(store: MetadataStore, execution_id: str, job_name: str) -> None:
    """The job that runs the execution now (a retry starts another)."""
    with store.transaction() as db:
        db.execute("UPDATE pipeline_executions SET job_name = ?, runs = runs + 1, last_modified = ?"
                   " WHERE execution_id = ?", (job_name, time.time(), execution_id))


def execution_row(store: MetadataStore, execution_id: str) -> sqlite3.Row | None:
    """Execution `execution_id`'s row, or None."""
    rows = store.query("SELECT * FROM pipeline_executions WHERE execution_id = ?", (execution_id,))
    return rows[0] if rows else None


def execution_rows(store: MetadataStore, pipeline: str | None = None) -> list[sqlite3.Row]:
    """Executions (of `pipeline`, or all), newest first."""
    if pipeline is None:
        return store.query("SELECT * FROM pipeline_executions ORDER BY created_at DESC")
    return store.query("SELECT * FROM pipeline_executions WHERE pipeline_name = ? ORDER BY created_at DESC",
                       (pipeline,))


def save_step(store: MetadataStore, execution_id: str, step_name: str, **values: Any) -> None:
    """Create or update the step row of `step_name` in `execution_id` with `values`
    (columns of pipeline_execution_steps; `outputs` given as JSON-ready data)."""
    if "outputs" in values:
        values["outputs"] = json.dumps(values["outputs"], default=str)
    columns = ", ".join(values)
    updates = ", ".join(f"{k} = excluded.{k}" for k in values)
    marks = ", ".join("?" for _ in values)
    with store.transaction() as db:
        db.execute(f"INSERT INTO pipeline_execution_steps (execution_id, step_name, {columns}) VALUES (?, ?, {marks})"
                   f" ON CONFLICT (execution_id, step_name) DO UPDATE SET {updates}",
                   (execution_id, step_name, *values.values()))


def step_rows(store: MetadataStore, execution_id: str) -> list[sqlite3.Row]:
    """The steps of `execution_id` that have started, latest first (as SageMaker lists them)."""
    return store.query("SELECT * FROM pipeline_execution_steps WHERE execution_id = ? ORDER BY started_at DESC,"
                       " step_name", (execution_id,))


def step_row(store: MetadataStore, execution_id: str, step_name: str) -> sqlite3.Row | None:
    """One step's row, or None."""
    rows = store.query("SELECT * FROM pipeline_execution_steps WHERE execution_id = ? AND step_name = ?",
                       (execution_id, step_name))
    return rows[0] if rows else None


def cached_step(store: MetadataStore, pipeline: str, step_name: str, cache_key: str,
                not_before: float) -> sqlite3.Row | None:
    """The newest Succeeded run of `step_name` in an execution of `pipeline` with
    `cache_key`, which ran (not itself reused) at or after `not_before`."""
    rows = store.query(
        "SELECT s.* FROM pipeline_execution_steps s JOIN pipeline_executions e ON e.execution_id = s.execution_id"
        " WHERE e.pipeline_name = ? AND s.step_name = ? AND s.cache_key = ? AND s.status = 'Succeeded'"
        " AND s.cache_hit_execution IS NULL AND s.started_at >= ? ORDER BY s.started_at DESC LIMIT 1",
        (pipeline, step_name, cache_key, not_before))
    return rows[0] if rows else None


def reset_steps(store: MetadataStore, execution_id: str) -> None:
    """Forget the steps of `execution_id` that did not succeed (a retry runs them again)."""
    with store.transaction() as db:
        db.execute("DELETE FROM pipeline_execution_steps WHERE execution_id = ? AND status != 'Succeeded'",
                   (execution_id,))


def _pipeline_tables(db: sqlite3.Connection) -> None:
    execute_statements(db, """
        CREATE TABLE pipelines (
            name TEXT PRIMARY KEY,
            definition TEXT NOT NULL,
            local_definition TEXT NOT NULL,
            description TEXT,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL
        );
        CREATE TABLE pipeline_executions (
            execution_id TEXT PRIMARY KEY,
            pipeline_name TEXT NOT NULL,
            display_name TEXT,
            job_name TEXT,
            parameters TEXT NOT NULL,
            local_definition TEXT NOT NULL,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL,
            runs INTEGER NOT NULL
        );
        CREATE INDEX pipeline_executions_by_pipeline ON pipeline_executions (pipeline_name, created_at);
        CREATE TABLE pipeline_execution_steps (
            execution_id TEXT NOT NULL,
            step_name TEXT NOT NULL,
            step_type TEXT,
            status TEXT,
            job_name TEXT,
            job_type TEXT,
            started_at REAL,
            ended_at REAL,
            failure_reason TEXT,
            cache_key TEXT,
            cache_hit_execution TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            outputs TEXT,
            PRIMARY KEY (execution_id, step_name)
        );
        CREATE INDEX pipeline_steps_by_cache_key ON pipeline_execution_steps (step_name, cache_key)
    """)


# Migrations are code: entry i brings the pipeline tables from version i to i + 1.
register_migrations("pipelines", [_pipeline_tables])
