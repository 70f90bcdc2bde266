"""The jobs, transitions and metrics tables: every read and write of job state.

State changes are conditional (`UPDATE ... WHERE status IN (...)`), so two processes
racing to finish or stop a job cannot overwrite each other.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import NameTakenError, NotFoundError
from ..models import (
    ACTIVE_STATUSES,
    JobDescription,
    JobSummary,
    MetricPoint,
    PrimaryMetric,
    StatusTransition,
    timestamp,
)
from ..store import MetadataStore, execute_statements, parameter_chunks, register_migrations
from .process import this_process
from .spec import JobSpec

__all__ = [
    "insert_job",
    "delete_job",
    "set_status",
    "set_fields",
    "set_secondary_status",
    "add_metrics",
    "get_row",
    "describe",
    "list_summaries",
    "primary_metrics",
    "change_token",
    "metric_points",
    "final_metrics",
    "child_counts",
    "child_statuses",
    "job_outcomes",
    "job_producing",
    "metric_statistics",
    "job_exists",
    "active_jobs",
]

_SUMMARY_COLUMNS = (
    "name, job_type, status, secondary_status, created_at, started_at, ended_at, failure_reason, parent"
)


def insert_job(store: MetadataStore, spec: JobSpec, job_dir: str, parent: str | None = None) -> None:
    """Record a new Pending job (`parent`: the job whose program launched it), launched
    by the calling process; ConflictError if the name is taken."""
    now = time.time()
    launcher = this_process()
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO jobs (name, job_type, status, secondary_status, created_at,"
                " last_modified, executor, job_dir, spec, stop_grace, parent, launcher_pid, launcher_started)"
                " VALUES (?, ?, 'Pending', 'Starting', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (spec.name, spec.job_type, now, now, spec.executor, job_dir, spec.to_json(),
                 spec.stop_grace, parent, launcher.pid, launcher.started),
            )
            _open_transition(db, spec.name, "Starting", "Preparing the job", now)
    except sqlite3.IntegrityError:
        raise NameTakenError(
            f"A job named '{spec.name}' exists already. Job names are unique: choose another "
            "name, or leave it out to get a unique one."
        ) from None


def delete_job(store: MetadataStore, name: str) -> None:
    """Remove a job and its metrics (used to undo a half-created job)."""
    with store.transaction() as db:
        db.execute("DELETE FROM jobs WHERE name = ?", (name,))


def set_status(
    store: MetadataStore,
    name: str,
    status: str,
    *,
    only_from: Sequence[str] = ACTIVE_STATUSES,
    secondary: str | None = None,
    message: str = "",
    **fields: Any,
) -> bool:
    """Move `name` to `status` if it is in one of `only_from`; False if it was not."""
    now = time.time()
    columns = {"status": status, "last_modified": now, **fields}
    if status in ("Completed", "Failed", "Stopped"):
        columns.setdefault("ended_at", now)
    if secondary:
        columns["secondary_status"] = secondary
    assignments = ", ".join(f"{column} = ?" for column in columns)
    marks = ", ".join("?" for _ in only_from)
    with store.transaction() as db:
        changed = db.execute(
            f"UPDATE jobs SET {assignments} WHERE name = ? AND status IN ({marks})",
            (*columns.values(), name, *only_from),
        ).rowcount
        if changed and secondary:
            _open_transition(db, name, secondary, message, now)
        if changed and status in ("Completed", "Failed", "Stopped"):
            db.execute(
                "UPDATE job_transitions SET end_time = ? WHERE job_name = ? AND end_time IS NULL",
                (now, name),
            )
    return bool(changed)


def set_fields(store: MetadataStore, name: str, **fields: Any) -> None:
    """Update plain columns of a job (pids, heartbeat, artifact URIs)."""
    assignments = ", ".join(f"{column} = ?" for column in fields)
    with store.transaction() as db:
        db.execute(f"UPDATE jobs SET {assignments} WHERE name = ?", (*fields.values(), name))


def set_secondary_status(store: MetadataStore, name: str, secondary: str, message: str) -> None:
    """Record a new secondary status (Downloading, Training, Uploading, ...)."""
    now = time.time()
    with store.transaction() as db:
        db.execute(
            "UPDATE jobs SET secondary_status = ?, last_modified = ? WHERE name = ?",
            (secondary, now, name),
        )
        _open_transition(db, name, secondary, message, now)


def _open_transition(db: sqlite3.Connection, name: str, status: str, message: str, now: float) -> None:
    db.execute(
        "UPDATE job_transitions SET end_time = ? WHERE job_name = ? AND end_time IS NULL",
        (now, name),
    )
    db.execute(
        "INSERT INTO job_transitions (job_name, status, start_time, message) VALUES (?, ?, ?, ?)",
        (name, status, now, message),
    )


def add_metrics(store: MetadataStore, name: str, points: Iterable[tuple[str, float, int, float]]) -> None:
    """Append (metric name, value, step, timestamp) points to a job's series."""
    rows = [(name, *point) for point in points]
    if rows:
        with store.transaction() as db:
            db.executemany(
                "INSERT INTO metrics (job_name, name, value, step, timestamp) VALUES (?, ?, ?, ?, ?)",
                rows,
            )


def get_row(store: MetadataStore, name: str) -> sqlite3.Row:
    """The raw jobs row; NotFoundError names the job when there is none."""
    rows = store.query("SELECT * FROM jobs WHERE name = ?", (name,))
    if not rows:
        raise NotFoundError(f"No job named '{name}'. `%jobs` or `jupyter-ext jobs list` lists them.")
    return rows[0]


def stop_reason(store: MetadataStore, name: str) -> str:
    """Why the job was asked to stop: the message of its latest Stopping transition."""
    rows = store.query("SELECT message FROM job_transitions WHERE job_name = ? AND status = 'Stopping' "
                       "ORDER BY start_time DESC LIMIT 1", (name,))
    return (rows[0]["message"] if rows else "") or "Stop requested"


def final_metrics(store: MetadataStore, name: str) -> dict[str, float]:
    """The last value of each metric (SageMaker's FinalMetricDataList)."""
    rows = store.query(
        "SELECT name, value FROM metrics WHERE id IN"
        " (SELECT MAX(id) FROM metrics WHERE job_name = ? GROUP BY name) ORDER BY name",
        (name,),
    )
    return {row["name"]: row["value"] for row in rows}


def describe(store: MetadataStore, name: str) -> JobDescription:
    """Everything about one job."""
    row = get_row(store, name)
    spec = json.loads(row["spec"])
    record = spec.get("record", {})
    transitions = [
        StatusTransition(r["status"], timestamp(r["start_time"]), timestamp(r["end_time"]), r["message"])
        for r in store.query(
            "SELECT * FROM job_transitions WHERE job_name = ? ORDER BY rowid", (name,)
        )
    ]
    return JobDescription(
        name=row["name"], job_type=row["job_type"], status=row["status"],
        secondary_status=row["secondary_status"], failure_reason=row["failure_reason"],
        created_at=timestamp(row["created_at"]), started_at=timestamp(row["started_at"]),
        ended_at=timestamp(row["ended_at"]), last_modified=timestamp(row["last_modified"]),
        heartbeat_at=timestamp(row["heartbeat_at"]), job_dir=row["job_dir"],
        log_path=f"{row['job_dir']}/job.log", executor=row["executor"],
        exit_code=row["exit_code"], max_run=spec["max_run"],
        hyperparameters=record.get("hyperparameters", {}),
        metric_definitions=spec["metric_definitions"],
        inputs=record.get("inputs", {}), outputs=record.get("outputs", {}),
        model_data=row["model_data"], output_data=row["output_data"],
        final_metrics=final_metrics(store, name), transitions=transitions, parent=row["parent"],
        children=[r[0] for r in store.query(
            "SELECT name FROM jobs WHERE parent = ? ORDER BY created_at, name", (name,))],
        details=record.get("details", {}), hosts=json.loads(row["hosts"] or "[]"),
    )


def list_summaries(
    store: MetadataStore,
    *,
    job_type: str | None = None,
    status: str | None = None,
    name_contains: str | None = None,
    after: tuple[float, str] | None = None,
    limit: int | None = 100,
    parent: str | None = None,
    top_level: bool = False,
) -> list[JobSummary]:
    """Jobs newest first (ties by name), filtered; `after` = (created_at, name) of the
    last row of the previous page; `parent`: the jobs that job launched; `top_level`: only
    jobs no job launched."""
    where: list[str] = ["parent IS NULL"] if top_level else []
    params: list[Any] = []
    for clause, value in (("job_type = ?", job_type), ("status = ?", status),
                          ("instr(lower(name), lower(?)) > 0", name_contains), ("parent = ?", parent)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if after is not None:
        where.append("(created_at < ? OR (created_at = ? AND name > ?))")
        params += [after[0], after[0], after[1]]
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM jobs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY created_at DESC, name"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [
        JobSummary(r[0], r[1], r[2], r[3], timestamp(r[4]), timestamp(r[5]), timestamp(r[6]), r[7], r[8])
        for r in store.connection().execute(sql, params)
    ]


def child_counts(store: MetadataStore, names: Sequence[str]) -> dict[str, int]:
    """How many jobs each named job launched (only those that launched any)."""
    counts: dict[str, int] = {}
    for chunk, marks in parameter_chunks(list(dict.fromkeys(names))):
        for row in store.query(f"SELECT parent, count(*) FROM jobs WHERE parent IN ({marks}) GROUP BY parent", chunk):
            counts[row[0]] = row[1]
    return counts


def primary_metrics(store: MetadataStore, names: list[str]) -> dict[str, PrimaryMetric]:
    """Each named job's headline metric: its first metric definition, else the first
    metric it logged; the value is the latest."""
    if not names:
        return {}
    marks = ", ".join("?" for _ in names)
    latest: dict[str, dict[str, float]] = {}
    for row in store.query(
        "SELECT job_name, name, value FROM metrics WHERE id IN (SELECT MAX(id) FROM metrics"
        f" WHERE job_name IN ({marks}) GROUP BY job_name, name) ORDER BY id",
        names,
    ):
        latest.setdefault(row[0], {})[row[1]] = row[2]
    firsts = {r[0]: r[1] for r in store.query(
        "SELECT job_name, name FROM metrics WHERE id IN (SELECT MIN(id) FROM metrics"
        f" WHERE job_name IN ({marks}) GROUP BY job_name)", names)}
    chosen = {}
    for row in store.query(f"SELECT name, spec FROM jobs WHERE name IN ({marks})", names):
        values = latest.get(row[0])
        if not values:
            continue
        defined = [d["Name"] for d in json.loads(row[1]).get("metric_definitions", []) if d["Name"] in values]
        metric = defined[0] if defined else firsts[row[0]]
        chosen[row[0]] = PrimaryMetric(metric, values[metric])
    return chosen


def change_token(store: MetadataStore) -> str:
    """A value that changes whenever any job or metric changes (an ETag for job lists)."""
    jobs = store.query("SELECT MAX(last_modified), COUNT(*) FROM jobs")[0]
    metrics = store.query("SELECT MAX(id) FROM metrics")[0]
    return f"{jobs[0]}-{jobs[1]}-{metrics[0]}"


def metric_points(store: MetadataStore, name: str, metric_name: str | None = None) -> list[MetricPoint]:
    """A job's metric series in the order they were recorded."""
    sql = "SELECT name, value, step, timestamp FROM metrics WHERE job_name = ?"
    params: list[Any] = [name]
    if metric_name is not None:
        sql += " AND name = ?"
        params.append(metric_name)
    return [
        MetricPoint(r[0], r[1], r[2], timestamp(r[3]))
        for r in store.query(sql + " ORDER BY id", params)
    ]


def child_statuses(store: MetadataStore, parent: str) -> list[str]:
    """The status of every job `parent`'s program launched (a tuning job's trials)."""
    return [row[0] for row in store.query("SELECT status FROM jobs WHERE parent = ?", (parent,))]


def job_outcomes(store: MetadataStore, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """For each named job that exists: its job_type, status, started_at, ended_at (epoch
    seconds), model_data and output_data, keyed by job name."""
    outcomes: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(names))
    for chunk, marks in parameter_chunks(unique):
        for row in store.query("SELECT name, job_type, status, started_at, ended_at, model_data, output_data FROM jobs"
                               f" WHERE name IN ({marks})", chunk):
            outcomes[row["name"]] = {key: row[key] for key in row.keys() if key != "name"}
    return outcomes


def job_producing(store: MetadataStore, artifacts: Iterable[str]) -> dict[str, Any] | None:
    """The job whose model_data or output_data is one of `artifacts` (spellings of one
    URI): {"name", "job_type", "inputs"}, or None if no job produced it."""
    candidates = list(dict.fromkeys(artifacts))
    marks = ", ".join("?" for _ in candidates)
    rows = store.query(f"SELECT name, job_type, spec FROM jobs WHERE model_data IN ({marks})"
                       f" OR output_data IN ({marks})", [*candidates, *candidates])
    if not rows:
        return None
    record = json.loads(rows[0]["spec"]).get("record", {})
    return {"name": rows[0]["name"], "job_type": rows[0]["job_type"], "inputs": record.get("inputs", {})}


def metric_statistics(store: MetadataStore, names: Sequence[str]) -> dict[str, dict[str, tuple[float, ...]]]:
    """{job: {metric: (min, max, mean, mean of squares, count, last value)}} of the named jobs."""
    statistics: dict[str, dict[str, tuple[float, ...]]] = {}
    for chunk, marks in parameter_chunks(names):
        for row in store.query(
            "SELECT job_name, name, MIN(value), MAX(value), AVG(value), AVG(value * value), COUNT(*),"
            " (SELECT value FROM metrics AS last WHERE last.job_name = m.job_name AND last.name = m.name"
            f" ORDER BY id DESC LIMIT 1) FROM metrics AS m WHERE job_name IN ({marks}) GROUP BY job_name, name",
            chunk,
        ):
            statistics.setdefault(row[0], {})[row[1]] = tuple(row[2:8])
    return statistics


def job_exists(store: MetadataStore, name: str) -> bool:
    """Whether a job named `name` is recorded."""
    return bool(store.query("SELECT 1 FROM jobs WHERE name = ?", (name,)))


def active_jobs(store: MetadataStore, name: str | None = None) -> list[sqlite3.Row]:
    """What the dead-runner check needs (name, status, executor, runner_pid, runner_started,
    program_pid, created_at, heartbeat_at, launcher_pid, launcher_started) of every active
    job, or of `name` if it is active."""
    sql = ("SELECT name, status, executor, runner_pid, runner_started, program_pid, created_at, heartbeat_at,"
           f" launcher_pid, launcher_started FROM jobs WHERE status IN ({', '.join('?' for _ in ACTIVE_STATUSES)})")
    params: list[Any] = list(ACTIVE_STATUSES)
    if name is not None:
        sql += " AND name = ?"
        params.append(name)
    return store.query(sql, params)


def _jobs_tables(db: sqlite3.Connection) -> None:
    execute_statements(db, """
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
        CREATE INDEX metrics_by_job ON metrics (job_name, name, id)
    """)


def _job_parents(db: sqlite3.Connection) -> None:
    # A job launched by another job's program (a tuning job's trials) names its parent.
    execute_statements(db, """
        ALTER TABLE jobs ADD COLUMN parent TEXT;
        CREATE INDEX jobs_by_parent ON jobs (parent)
    """)


def _job_launchers(db: sqlite3.Connection) -> None:
    # The process that created a job: if it dies before the runner starts, the job ends at once.
    execute_statements(db, """
        ALTER TABLE jobs ADD COLUMN launcher_pid INTEGER;
        ALTER TABLE jobs ADD COLUMN launcher_started REAL
    """)


def _job_hosts(db: sqlite3.Connection) -> None:
    # Where each host of a job runs (JSON: [{"name": "algo-1", "where": "Ray node ..."}]).
    execute_statements(db, "ALTER TABLE jobs ADD COLUMN hosts TEXT")


# Migrations are code: entry i brings the jobs tables from version i to i + 1.
register_migrations("jobs", [_jobs_tables, _job_parents, _job_launchers, _job_hosts])
