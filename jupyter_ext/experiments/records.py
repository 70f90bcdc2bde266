"""The experiments tables: names, validation, and the few writes every part shares."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..store import MetadataStore

__all__ = ["MAX_NAME", "check_name", "ensure_experiment", "ensure_run", "set_parameters",
           "add_artifact", "experiment_row", "run_row", "run_name_for"]

MAX_NAME = 120
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_name(what: str, name: str) -> str:
    """`name` if valid: 1 to 120 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not isinstance(name, str) or not name:
        raise ValidationError(f"The {what} name must be a non-empty string; got {name!r}.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The {what} name is {len(name)} characters; the limit is {MAX_NAME}: {name[:40]}...")
    if not _NAME.match(name):
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
