"""Metadata store: one SQLite database (WAL) under the jupyter_ext home.

Kernels, job runners, the Jupyter server and the CLI all open the same file. Every write
runs in a `BEGIN IMMEDIATE` transaction with a long busy timeout, so several writers
queue up instead of failing with "database is locked", and no update is lost.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["MetadataStore", "home", "get_store", "SCHEMA_VERSION"]

BUSY_TIMEOUT_SECONDS = 60.0


def home() -> Path:
    """The jupyter_ext home: `$JUPYTER_EXT_HOME`, else `jupyter_ext` in Jupyter's data dir."""
    configured = os.environ.get("JUPYTER_EXT_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyter_ext"


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # Statement by statement: executescript() would commit the open transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _run_script(
        db,
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
        """
    )


def _v2(db: sqlite3.Connection) -> None:
    # A job launched by another job's program (a tuning job's trials) names its parent.
    _run_script(db, """
        ALTER TABLE jobs ADD COLUMN parent TEXT;
        CREATE INDEX jobs_by_parent ON jobs (parent)
    """)


def _v3(db: sqlite3.Connection) -> None:
    # Experiments: runs (trial components) in trials (run groups) in experiments. A run
    # made by a job names it; its metrics then stay in the jobs' metrics table.
    _run_script(db, """
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
    """)


def _lifecycle(db: sqlite3.Connection) -> None:
    # Lifecycle configurations: named scripts (SageMaker's named configs), the settings
    # (a key per setting, JSON values) and every run of an on-create or on-start script.
    _run_script(db, """
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


# Migrations are code: entry i brings a database from version i to i + 1.
def _endpoints(db: sqlite3.Connection) -> None:
    # An endpoint is a server process; `config` (variants, weights, data capture) is what
    # it should serve, `config_version` bumps on every update and the server copies it
    # to `applied_version` once it serves that config. Traffic figures per variant.
    _run_script(db, """
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
    """)


def _monitoring_schedules(db: sqlite3.Connection) -> None:
    # Model Monitor: schedules on endpoints (`config` holds the baseline files, output
    # path and analysis settings as JSON; `last_scheduled_time` is the latest cron tick
    # already run, claimed in a transaction so two tickers never run one tick twice),
    # and every monitoring run (a Processing job) with its schedule and window.
    _run_script(db, """
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


def _launchers(db: sqlite3.Connection) -> None:
    # The process that created a job: if it dies before the runner starts, the job ends at once.
    _run_script(db, """
        ALTER TABLE jobs ADD COLUMN launcher_pid INTEGER;
        ALTER TABLE jobs ADD COLUMN launcher_started REAL
    """)


# Migrations are code: entry i brings a database from version i to i + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _lifecycle, _endpoints,
                                                          _monitoring_schedules, _launchers]
SCHEMA_VERSION = len(MIGRATIONS)


class MetadataStore:
    """The SQLite metadata database at `path`, safe to share between processes.

    Use `transaction()` for writes and `query()` for reads; connections are per thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; transactions are explicit)."""
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken with the write lock up front (no lost updates)."""
        db = self.connection()
        self._begin_immediate(db)
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only statement."""
        return self.connection().execute(sql, params).fetchall()

    @staticmethod
    def _begin_immediate(db: sqlite3.Connection) -> None:
        # The busy timeout covers nearly every wait; this loop covers the rare
        # SQLITE_BUSY that WAL recovery returns without calling the busy handler.
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"The store at {self.path} has schema version {version}, newer than this "
                    f"jupyter_ext ({SCHEMA_VERSION}); upgrade jupyter_ext to use it."
                )
            for migration in MIGRATIONS[version:]:
                migration(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


_stores: dict[Path, MetadataStore] = {}
_stores_lock = threading.Lock()


def get_store() -> MetadataStore:
    """The metadata store of the current home (one object per home per process)."""
    path = home() / "metadata.sqlite"
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = MetadataStore(path)
        return store
