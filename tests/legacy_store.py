"""The schema jupyter_ext wrote before its tables became per-capability migration chains:
one list of six migrations, the version in PRAGMA user_version (copied from
jupyter_ext/store/metadata.py as it was, so upgrades from it stay tested)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The DDL of versions 1 to 6, one script per version, in order.
SCRIPTS_V1_TO_V6 = [
    """
    CREATE TABLE jobs (
        name TEXT PRIMARY KEY,
        job_type TEXT NOT NULL,
        status TEXT NOT NULL,
        secondary_status TEXT,
        failure_reason TEXT,
        created_at REAL NOT NULL,
        started_at REAL,
        ended_at REAL,
        last_modified REAL NOT NULL,
        heartbeat_at REAL,
        executor TEXT NOT NULL,
        runner_pid INTEGER,
        runner_started REAL,
        program_pid INTEGER,
        exit_code INTEGER,
        stop_grace REAL,
        job_dir TEXT NOT NULL,
        spec TEXT NOT NULL,
        model_data TEXT,
        output_data TEXT
    );
    CREATE INDEX jobs_by_created ON jobs (created_at DESC, name);
    CREATE INDEX jobs_by_status ON jobs (status);
    CREATE INDEX jobs_by_modified ON jobs (last_modified);
    CREATE TABLE job_transitions (
        job_name TEXT NOT NULL REFERENCES jobs (name) ON DELETE CASCADE,
        status TEXT NOT NULL,
        start_time REAL NOT NULL,
        end_time REAL,
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX transitions_by_job ON job_transitions (job_name);
    CREATE TABLE metrics (
        id INTEGER PRIMARY KEY,
        job_name TEXT NOT NULL REFERENCES jobs (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        step INTEGER NOT NULL,
        timestamp REAL NOT NULL
    );
    CREATE INDEX metrics_by_job ON metrics (job_name, name, id);
    """,
    """
    ALTER TABLE jobs ADD COLUMN parent TEXT;
    CREATE INDEX jobs_by_parent ON jobs (parent)
    """,
    """
    CREATE TABLE experiments (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE TABLE runs (
        name TEXT PRIMARY KEY,
        experiment TEXT REFERENCES experiments (name) ON DELETE CASCADE,
        trial TEXT,
        display_name TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time REAL,
        end_time REAL,
        failure_reason TEXT,
        source TEXT,
        job_name TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX runs_by_experiment ON runs (experiment, created_at);
    CREATE INDEX runs_by_job ON runs (job_name);
    CREATE TABLE run_parameters (
        run TEXT NOT NULL REFERENCES runs (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run, name)
    );
    CREATE TABLE run_metrics (
        id INTEGER PRIMARY KEY,
        run TEXT NOT NULL REFERENCES runs (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        step INTEGER,
        timestamp REAL NOT NULL
    );
    CREATE INDEX run_metrics_by_run ON run_metrics (run, name, id);
    CREATE TABLE run_artifacts (
        run TEXT NOT NULL REFERENCES runs (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        media_type TEXT,
        is_output INTEGER NOT NULL,
        PRIMARY KEY (run, name, is_output)
    )
    """,
    """
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
    """,
    """
    CREATE TABLE endpoints (
        name TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        failure_reason TEXT,
        host TEXT NOT NULL,
        port INTEGER,
        pid INTEGER,
        pid_started REAL,
        endpoint_dir TEXT NOT NULL,
        config TEXT NOT NULL,
        config_version INTEGER NOT NULL DEFAULT 1,
        applied_version INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        last_modified REAL NOT NULL
    );
    CREATE TABLE endpoint_variant_stats (
        endpoint TEXT NOT NULL REFERENCES endpoints (name) ON DELETE CASCADE,
        variant TEXT NOT NULL,
        invocations INTEGER NOT NULL DEFAULT 0,
        errors_4xx INTEGER NOT NULL DEFAULT 0,
        errors_5xx INTEGER NOT NULL DEFAULT 0,
        latency_avg_ms REAL,
        latency_p50_ms REAL,
        latency_p99_ms REAL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (endpoint, variant)
    )
    """,
    """
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
    """,
]


def create_legacy_store(path: Path, version: int = 6) -> sqlite3.Connection:
    """A database as jupyter_ext left it at `version` (1 to 6); the open connection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for script in SCRIPTS_V1_TO_V6[:version]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {version}")
    return db
