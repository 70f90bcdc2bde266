"""The experiments tables (experiments, runs, and what runs log): their schema, name
validation, and every read and write of them. What a job-made run shows of its job comes
from the jobs records, never from the jobs tables here."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import MetricPoint, timestamp
from ..store import MetadataStore, execute_statements, parameter_chunks, register_migrations

__all__ = ["MAX_NAME", "check_name", "ensure_experiment", "ensure_run", "set_parameters",
           "add_artifact", "experiment_row", "run_row", "run_name_for", "experiment_summaries", "run_names",
           "rename_experiment", "logged_counts", "delete_experiment", "end_run", "add_run_metrics", "job_run",
           "run_parameters", "run_artifacts", "parameters_of_run", "artifacts_of_run",
           "run_metric_statistics", "run_metric_points", "run_metric_values", "run_job_name", "insert_run",
           "update_run", "delete_run", "remove_logged", "find_runs", "insert_trial", "trial_rows", "update_trial",
           "delete_trial", "update_experiment"]

MAX_NAME = 120
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_name(what: str, name: str) -> str:
    """`name` if valid: 1 to 120 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not isinstance(name, str) or not name:
        raise ValidationError(f"The {what} name must be a non-empty string; got {name!r}.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The {what} name is {len(name)} characters; the limit is {MAX_NAME}: {name[:40]}...")
    if not _NAME.fullmatch(name):
        raise ValidationError(f"The {what} name {name!r} may hold only letters, digits, '.', '_' and '-', "
                              "and must start with a letter or digit.")
    return name


def check_metric_name(what: str, name: str) -> str:
    """A metric or parameter name: a non-empty string of at most 120 characters."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"A {what} name must be a non-empty string; got {name!r}.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The {what} name is {len(name)} characters; the limit is {MAX_NAME}: {name[:40]}...")
    return name


def run_name_for(experiment: str | None, run: str) -> str:
    """The trial component name: lower(<experiment>-<run>), as SageMaker forms it."""
    return (f"{experiment}-{run}" if experiment else run).lower()


def ensure_experiment(store: MetadataStore, name: str, description: str = "", tags: dict | None = None) -> None:
    """Create the experiment if it does not exist (tags are merged in)."""
    with store.transaction() as db:
        row = db.execute("SELECT tags FROM experiments WHERE name = ?", (name,)).fetchone()
        if row is None:
            db.execute("INSERT INTO experiments (name, description, tags, created_at) VALUES (?, ?, ?, ?)",
                       (name, description, json.dumps(tags or {}), time.time()))
        elif tags:
            db.execute("UPDATE experiments SET tags = ? WHERE name = ?",
                       (json.dumps({**json.loads(row[0]), **tags}), name))


def ensure_run(store: MetadataStore, name: str, experiment: str | None, trial: str | None, display_name: str,
               source: str | None, job_name: str | None = None, status: str = "InProgress") -> None:
    """Create the run, or mark an existing one InProgress again (a re-entered run)."""
    now = time.time()
    with store.transaction() as db:
        existing = db.execute("SELECT experiment, job_name FROM runs WHERE name = ?", (name,)).fetchone()
        if existing is not None:
            if existing[0] != experiment:
                raise ConflictError(f"Run name {name!r} is taken by a run of experiment {existing[0]!r}; "
                                    "choose another run name.")
            if job_name and existing[1] and existing[1] != job_name:
                raise ConflictError(f"Run {name!r} belongs to job {existing[1]}; give this job another RunName.")
            db.execute("UPDATE runs SET status = ?, end_time = NULL, failure_reason = NULL,"
                       " job_name = COALESCE(?, job_name), trial = COALESCE(?, trial) WHERE name = ?",
                       (status, job_name, trial, name))
        else:
            db.execute("INSERT INTO runs (name, experiment, trial, display_name, status, start_time, source,"
                       " job_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (name, experiment, trial, display_name, status, now, source, job_name, now))


def set_parameters(store: MetadataStore, run: str, parameters: dict[str, Any]) -> None:
    """Record parameters (str, int or float; kept as JSON)."""
    rows = []
    for key, value in parameters.items():
        check_metric_name("parameter", key)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(f"Parameter {key!r} = {value!r}: a parameter is a string, int or float.")
        rows.append((run, key, json.dumps(value)))
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO run_parameters (run, name, value) VALUES (?, ?, ?)", rows)


def add_artifact(store: MetadataStore, run: str, name: str, value: str, media_type: str | None,
                 is_output: bool) -> None:
    """Record an input or output artifact (a path, URI or short value)."""
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO run_artifacts (run, name, value, media_type, is_output)"
                   " VALUES (?, ?, ?, ?, ?)", (run, name, value, media_type, int(is_output)))


def experiment_row(store: MetadataStore, name: str) -> Any:
    """The experiment's row; NotFoundError lists the known experiments."""
    rows = store.query("SELECT * FROM experiments WHERE name = ?", (name,))
    if not rows:
        known = [r[0] for r in store.query("SELECT name FROM experiments ORDER BY name LIMIT 20")]
        raise NotFoundError(f"No experiment named {name!r}; known: {', '.join(known) or 'none yet'}.")
    return rows[0]


def run_row(store: MetadataStore, name: str) -> Any:
    """The run's row; NotFoundError if there is none."""
    rows = store.query("SELECT * FROM runs WHERE name = ?", (name,))
    if not rows:
        raise NotFoundError(f"No run named {name!r}.")
    return rows[0]


def experiment_summaries(store: MetadataStore) -> list[sqlite3.Row]:
    """(name, description, tags JSON, created_at, run count, display_name) of every experiment,
    newest first."""
    return store.query(
        "SELECT e.name, e.description, e.tags, e.created_at, COUNT(r.name), e.display_name FROM experiments e"
        " LEFT JOIN runs r ON r.experiment = e.name GROUP BY e.name ORDER BY e.created_at DESC")


def run_names(store: MetadataStore, experiment: str) -> list[str]:
    """The names of the experiment's runs, oldest first."""
    return [r[0] for r in store.query("SELECT name FROM runs WHERE experiment = ? ORDER BY created_at",
                                      (experiment,))]


def rename_experiment(store: MetadataStore, name: str, new_name: str) -> None:
    """Rename experiment `name` (its runs follow); ConflictError if `new_name` is taken."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM experiments WHERE name = ?", (new_name,)).fetchone():
            raise ConflictError(f"An experiment named {new_name!r} exists already.")
        db.execute("INSERT INTO experiments (name, description, tags, created_at, display_name)"
                   " SELECT ?, description, tags, created_at, display_name FROM experiments WHERE name = ?",
                   (new_name, name))
        db.execute("UPDATE runs SET experiment = ? WHERE experiment = ?", (new_name, name))
        db.execute("UPDATE trials SET experiment = ? WHERE experiment = ?", (new_name, name))
        db.execute("DELETE FROM experiments WHERE name = ?", (name,))


def logged_counts(store: MetadataStore, runs: Sequence[str]) -> dict[str, int]:
    """How many parameters, metric points and artifacts `runs` logged, by table."""
    marks = ", ".join("?" for _ in runs) or "NULL"
    return {table: store.query(f"SELECT COUNT(*) FROM {table} WHERE run IN ({marks})", list(runs))[0][0]
            for table in ("run_parameters", "run_metrics", "run_artifacts")}


def delete_experiment(store: MetadataStore, name: str) -> None:
    """Delete the experiment; its runs and what they logged go with it (ON DELETE CASCADE)."""
    with store.transaction() as db:
        db.execute("DELETE FROM experiments WHERE name = ?", (name,))


def end_run(store: MetadataStore, name: str, status: str, failure_reason: str | None) -> None:
    """Record that run `name` ended now with `status` (and why, if it failed)."""
    with store.transaction() as db:
        db.execute("UPDATE runs SET status = ?, end_time = ?, failure_reason = ? WHERE name = ?",
                   (status, time.time(), failure_reason, name))


def add_run_metrics(store: MetadataStore, points: Iterable[tuple[str, str, float, int | None, float]]) -> None:
    """Append (run, metric name, value, step, timestamp) points."""
    with store.transaction() as db:
        db.executemany("INSERT INTO run_metrics (run, name, value, step, timestamp) VALUES (?, ?, ?, ?, ?)",
                       list(points))


def job_run(store: MetadataStore, job_name: str) -> sqlite3.Row | None:
    """The run (name, experiment, display_name, source) job `job_name` made, or None."""
    rows = store.query("SELECT name, experiment, display_name, source FROM runs WHERE job_name = ?", (job_name,))
    return rows[0] if rows else None


def run_job_name(store: MetadataStore, run: str) -> str | None:
    """The job that made run `run`, or None (no such run, or a run of notebook code)."""
    rows = store.query("SELECT job_name FROM runs WHERE name = ?", (run,))
    return rows[0][0] if rows else None


def run_parameters(store: MetadataStore, runs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{run: {parameter: value}} of `runs` (every run named gets an entry), each run's
    parameters in the order they were first logged."""
    parameters: dict[str, dict[str, Any]] = {run: {} for run in runs}
    for chunk, marks in parameter_chunks(runs):
        for row in store.query(f"SELECT run, name, value FROM run_parameters WHERE run IN ({marks})"
                               " ORDER BY rowid", chunk):
            parameters[row[0]][row[1]] = json.loads(row[2])
    return parameters


def run_artifacts(store: MetadataStore, runs: Sequence[str]) -> dict[str, list[sqlite3.Row]]:
    """{run: [artifact rows (name, value, media_type, is_output)]} of `runs`, in the order
    they were logged."""
    artifacts: dict[str, list[sqlite3.Row]] = {run: [] for run in runs}
    for chunk, marks in parameter_chunks(runs):
        for row in store.query(f"SELECT * FROM run_artifacts WHERE run IN ({marks}) ORDER BY rowid", chunk):
            artifacts[row["run"]].append(row)
    return artifacts


def parameters_of_run(store: MetadataStore, run: str) -> dict[str, Any]:
    """Run `run`'s parameters, by name."""
    return {r[0]: json.loads(r[1]) for r in store.query(
        "SELECT name, value FROM run_parameters WHERE run = ? ORDER BY name", (run,))}


def artifacts_of_run(store: MetadataStore, run: str) -> list[sqlite3.Row]:
    """Run `run`'s artifact rows, by name (inputs before outputs of one name)."""
    return store.query("SELECT * FROM run_artifacts WHERE run = ? ORDER BY name, is_output", (run,))


def run_metric_statistics(store: MetadataStore, runs: Sequence[str]) -> dict[str, dict[str, tuple[float, ...]]]:
    """{run: {metric: (min, max, mean, mean of squares, count, last value)}} of what `runs` logged."""
    statistics: dict[str, dict[str, tuple[float, ...]]] = {}
    for chunk, marks in parameter_chunks(runs):
        for row in store.query(
            "SELECT run, name, MIN(value), MAX(value), AVG(value), AVG(value * value), COUNT(*),"
            " (SELECT value FROM run_metrics AS last WHERE last.run = m.run AND last.name = m.name"
            f" ORDER BY id DESC LIMIT 1) FROM run_metrics AS m WHERE run IN ({marks}) GROUP BY run, name",
            chunk,
        ):
            statistics.setdefault(row[0], {})[row[1]] = tuple(row[2:8])
    return statistics


def run_metric_points(store: MetadataStore, run: str, metric: str | None = None) -> list[MetricPoint]:
    """What run `run` logged itself, in order; a point logged without a step gets its position."""
    sql, params = "SELECT name, value, step, timestamp FROM run_metrics WHERE run = ?", [run]
    if metric:
        sql += " AND name = ?"
        params.append(metric)
    return [MetricPoint(r[0], r[1], r[2] if r[2] is not None else i, timestamp(r[3]))
            for i, r in enumerate(store.query(sql + " ORDER BY id", params))]


def run_metric_values(store: MetadataStore, run: str, metric: str) -> list[tuple[int | None, float]]:
    """(step, value) of each point of `metric` run `run` logged itself, in order."""
    return [(r[0], r[1]) for r in store.query(
        "SELECT step, value FROM run_metrics WHERE run = ? AND name = ? ORDER BY id", (run, metric))]


def update_experiment(store: MetadataStore, name: str, display_name: str | None, description: str | None) -> None:
    """Set the experiment's display name and description (None leaves one as it is)."""
    with store.transaction() as db:
        db.execute("UPDATE experiments SET display_name = COALESCE(?, display_name),"
                   " description = COALESCE(?, description) WHERE name = ?", (display_name, description, name))


def insert_run(store: MetadataStore, name: str, display_name: str, status: str) -> None:
    """Create run `name` in no experiment; ConflictError if a run of that name exists already."""
    now = time.time()
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM runs WHERE name = ?", (name,)).fetchone():
            raise ConflictError(f"Run (trial component) {name!r} already exists; choose another name.")
        db.execute("INSERT INTO runs (name, display_name, status, created_at) VALUES (?, ?, ?, ?)",
                   (name, display_name, status, now))


_RUN_FIELDS = ("display_name", "status", "failure_reason", "start_time", "end_time", "experiment", "trial")


def update_run(store: MetadataStore, name: str, fields: dict[str, Any]) -> None:
    """Set the run's `fields` (among display_name, status, failure_reason, start_time,
    end_time, experiment, trial); NotFoundError if there is no such run."""
    unknown = set(fields) - set(_RUN_FIELDS)
    if unknown:
        raise ValueError(f"update_run: unknown fields {sorted(unknown)}")
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM runs WHERE name = ?", (name,)).fetchone():
            raise NotFoundError(f"No run (trial component) named {name!r}.")
        if fields:
            assignments = ", ".join(f"{key} = ?" for key in fields)
            db.execute(f"UPDATE runs SET {assignments} WHERE name = ?", (*fields.values(), name))


def delete_run(store: MetadataStore, name: str) -> None:
    """Delete run `name` and what it logged."""
    with store.transaction() as db:
        db.execute("DELETE FROM runs WHERE name = ?", (name,))


def remove_logged(store: MetadataStore, run: str, parameters: Sequence[str], inputs: Sequence[str],
                  outputs: Sequence[str]) -> None:
    """Forget the named parameters and input and output artifacts of `run`."""
    with store.transaction() as db:
        db.executemany("DELETE FROM run_parameters WHERE run = ? AND name = ?", [(run, n) for n in parameters])
        db.executemany("DELETE FROM run_artifacts WHERE run = ? AND name = ? AND is_output = ?",
                       [(run, n, 0) for n in inputs] + [(run, n, 1) for n in outputs])


def find_runs(store: MetadataStore, experiment: str | None = None, trial: str | None = None,
              job_name: str | None = None) -> list[sqlite3.Row]:
    """The runs matching every criterion given (all runs when none is), oldest first."""
    criteria = {k: v for k, v in (("experiment", experiment), ("trial", trial), ("job_name", job_name)) if v}
    where = " AND ".join(f"{key} = ?" for key in criteria) or "1"
    return store.query(f"SELECT * FROM runs WHERE {where} ORDER BY created_at", list(criteria.values()))


def unassigned_runs(store: MetadataStore, limit: int) -> tuple[list[sqlite3.Row], int]:
    """The newest `limit` runs outside any experiment, newest first, and how many there are."""
    total = store.query("SELECT COUNT(*) FROM runs WHERE experiment IS NULL")[0][0]
    return store.query("SELECT * FROM runs WHERE experiment IS NULL ORDER BY created_at DESC LIMIT ?", (limit,)), total


def insert_trial(store: MetadataStore, name: str, experiment: str, display_name: str) -> None:
    """Create trial (run group) `name` in `experiment`; ConflictError if one of that name exists."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM trials WHERE name = ? UNION SELECT 1 FROM runs WHERE trial = ?",
                      (name, name)).fetchone():
            raise ConflictError(f"Trial {name!r} already exists; choose another name.")
        db.execute("INSERT INTO trials (name, experiment, display_name, created_at) VALUES (?, ?, ?, ?)",
                   (name, experiment, display_name, time.time()))


def trial_rows(store: MetadataStore) -> list[sqlite3.Row]:
    """(name, experiment, display_name, created_at, runs) of every trial, oldest first: those
    created as trials, and the run groups runs name without one (a Run's default group)."""
    return store.query(
        "SELECT t.name, t.experiment, t.display_name, t.created_at, COUNT(r.name) AS runs FROM trials t"
        " LEFT JOIN runs r ON r.trial = t.name GROUP BY t.name"
        " UNION ALL SELECT trial, MIN(experiment), trial, MIN(created_at), COUNT(*) FROM runs"
        " WHERE trial IS NOT NULL AND trial NOT IN (SELECT name FROM trials) GROUP BY trial ORDER BY 4")


def update_trial(store: MetadataStore, name: str, experiment: str, display_name: str) -> None:
    """Set the trial's display name (recording a run group as a trial if it was not one)."""
    with store.transaction() as db:
        db.execute("INSERT INTO trials (name, experiment, display_name, created_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name",
                   (name, experiment, display_name, time.time()))


def delete_trial(store: MetadataStore, name: str) -> None:
    """Delete the trial's record (its runs are not touched)."""
    with store.transaction() as db:
        db.execute("DELETE FROM trials WHERE name = ?", (name,))


def _experiments_tables(db: sqlite3.Connection) -> None:
    # Runs (trial components) in trials (run groups) in experiments. A run made by a job
    # names it; its metrics then stay in the jobs' metrics table.
    execute_statements(db, """
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


def _trials_table(db: sqlite3.Connection) -> None:
    # Trials made through SageMaker's API (CreateTrial); a run group a run names without
    # a trial record is a trial too. Experiments get SageMaker's display name.
    execute_statements(db, """
        CREATE TABLE trials (
            name TEXT PRIMARY KEY,
            experiment TEXT NOT NULL REFERENCES experiments (name) ON DELETE CASCADE,
            display_name TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        ALTER TABLE experiments ADD COLUMN display_name TEXT
    """)


# Migrations are code: entry i brings the experiments tables from version i to i + 1.
register_migrations("experiments", [_experiments_tables, _trials_table])
