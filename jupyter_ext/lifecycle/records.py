"""The lifecycle tables: named configurations, settings and runs of on-create/on-start
scripts — their schema and every read and write of them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConflictError
from ..store import MetadataStore, execute_statements, register_migrations

__all__ = [
    "read_settings", "write_settings", "config_row", "config_rows", "save_config", "delete_config",
    "in_progress_runs", "fail_runs", "insert_run", "finish_run", "select_runs",
]


def read_settings(store: MetadataStore) -> dict[str, Any]:
    """Every configured setting, {key: value}."""
    return {row["key"]: json.loads(row["value"]) for row in store.query("SELECT key, value FROM lifecycle_settings")}


def write_settings(store: MetadataStore, updates: dict[str, Any]) -> None:
    """Set each setting in `updates` (values kept as JSON)."""
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO lifecycle_settings (key, value) VALUES (?, ?)",
                       [(key, json.dumps(value)) for key, value in updates.items()])


def config_row(store: MetadataStore, name: str) -> sqlite3.Row | None:
    """The named configuration's row, or None."""
    rows = store.query("SELECT * FROM lifecycle_configs WHERE name = ?", (name,))
    return rows[0] if rows else None


def config_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """Every named configuration's row, by name."""
    return store.query("SELECT * FROM lifecycle_configs ORDER BY name")


def save_config(store: MetadataStore, name: str, on_create: str | None, on_start: str | None,
                overwrite: bool) -> None:
    """Store configuration `name` (keeping its creation time when it is replaced);
    ConflictError if it exists and not `overwrite`."""
    now = time.time()
    with store.transaction() as db:
        exists = db.execute("SELECT 1 FROM lifecycle_configs WHERE name = ?", (name,)).fetchone()
        if exists and not overwrite:
            raise ConflictError(f"Lifecycle configuration {name} exists already; delete it first or pass overwrite.")
        db.execute("INSERT OR REPLACE INTO lifecycle_configs (name, on_create, on_start, created_at, last_modified)"
                   " VALUES (?, ?, ?, COALESCE((SELECT created_at FROM lifecycle_configs WHERE name = ?), ?), ?)",
                   (name, on_create, on_start, name, now, now))


def delete_config(store: MetadataStore, name: str) -> None:
    """Remove configuration `name` (nothing happens if there is none)."""
    with store.transaction() as db:
        db.execute("DELETE FROM lifecycle_configs WHERE name = ?", (name,))


def in_progress_runs(store: MetadataStore, hook: str) -> list[sqlite3.Row]:
    """The runs of `hook` recorded as InProgress."""
    return store.query("SELECT * FROM lifecycle_runs WHERE hook = ? AND status = 'InProgress'", (hook,))


def fail_runs(store: MetadataStore, run_ids: Iterable[int], reason: str) -> None:
    """Mark the runs `run_ids` that are still InProgress Failed now, for `reason`."""
    with store.transaction() as db:
        db.executemany("UPDATE lifecycle_runs SET status = 'Failed', ended_at = ?, failure_reason = ?"
                       " WHERE id = ? AND status = 'InProgress'", [(time.time(), reason, i) for i in run_ids])


def insert_run(store: MetadataStore, hook: str, source: str, trigger: str, supervisor: tuple[int, float | None],
               log_folder: Path) -> tuple[int, Path]:
    """Record a new InProgress run of `hook` supervised by process (pid, start time);
    returns (its id, its log file `<id>-<hook>.log` in `log_folder`). ConflictError
    while another run of `hook` is InProgress."""
    with store.transaction() as db:
        busy = db.execute("SELECT id FROM lifecycle_runs WHERE hook = ? AND status = 'InProgress'",
                          (hook,)).fetchone()
        if busy:
            raise ConflictError(f"The {hook} script is running already (run {busy['id']}); wait for it to end.")
        cursor = db.execute(
            "INSERT INTO lifecycle_runs (hook, source, trigger, status, started_at, log_path, supervisor_pid,"
            " supervisor_started) VALUES (?, ?, ?, 'InProgress', ?, '', ?, ?)",
            (hook, source, trigger, time.time(), *supervisor))
        run_id = int(cursor.lastrowid or 0)
        log_path = log_folder / f"{run_id}-{hook}.log"
        db.execute("UPDATE lifecycle_runs SET log_path = ? WHERE id = ?", (str(log_path), run_id))
    return run_id, log_path


def finish_run(store: MetadataStore, run_id: int, status: str, exit_code: int | None, failure_reason: str | None,
               ended_at: float) -> None:
    """Record how run `run_id` ended."""
    with store.transaction() as db:
        db.execute("UPDATE lifecycle_runs SET status = ?, exit_code = ?, failure_reason = ?, ended_at = ?"
                   " WHERE id = ?", (status, exit_code, failure_reason, ended_at, run_id))


def select_runs(store: MetadataStore, *, hook: str | None = None, run_id: int | None = None,
                limit: int = 20) -> list[sqlite3.Row]:
    """The last `limit` runs, newest first: of `hook`, the one `run_id`, or all."""
    where, params = "", ()
    if hook is not None:
        where, params = "WHERE hook = ?", (hook,)
    elif run_id is not None:
        where, params = "WHERE id = ?", (run_id,)
    return store.query(f"SELECT * FROM lifecycle_runs {where} ORDER BY id DESC LIMIT ?", (*params, limit))


def _lifecycle_tables(db: sqlite3.Connection) -> None:
    # Named scripts (SageMaker's named configs), the settings (a key per setting, JSON
    # values) and every run of an on-create or on-start script.
    execute_statements(db, """
        CREATE TABLE lifecycle_configs (
            name TEXT PRIMARY KEY,
            on_create TEXT,
            on_start TEXT,
            created_at REAL NOT NULL,
            last_modified REAL NOT NULL
        );
        CREATE TABLE lifecycle_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE lifecycle_runs (
            id INTEGER PRIMARY KEY,
            hook TEXT NOT NULL,
            source TEXT NOT NULL,
            trigger TEXT NOT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER,
            started_at REAL NOT NULL,
            ended_at REAL,
            failure_reason TEXT,
            log_path TEXT NOT NULL,
            supervisor_pid INTEGER,
            supervisor_started REAL
        );
        CREATE INDEX lifecycle_runs_by_hook ON lifecycle_runs (hook, id)
    """)


# Migrations are code: entry i brings the lifecycle tables from version i to i + 1.
register_migrations("lifecycle", [_lifecycle_tables])
