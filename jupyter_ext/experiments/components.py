"""Trials and runs managed a field at a time, as SageMaker's API manages trials and trial
components (CreateTrialComponent, UpdateTrialComponent, AssociateTrialComponent, ...),
beside `with Run(...)`, which makes and ends a run in one block.

A trial is a run group of an experiment: one made with `create_trial`, or one that runs
name (a Run's default group `Default-Run-Group-<experiment>`). A run belongs to at most one
trial, and through it to that trial's experiment.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import TrialSummary, timestamp
from ..store import get_store, home
from . import records

__all__ = ["RUN_STATUSES", "create_run", "update_run", "delete_run", "list_runs", "log_metrics", "create_trial",
           "describe_trial", "list_trials", "update_trial", "delete_trial", "associate_run", "disassociate_run"]

RUN_STATUSES = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")


def _seconds(moment: datetime | float | None) -> float | None:
    return moment.timestamp() if isinstance(moment, datetime) else moment


def create_run(name: str, display_name: str | None = None, **fields: Any) -> None:
    """Create run (trial component) `name`, in no experiment until it joins a trial;
    `fields` are update_run's. ConflictError if the name is taken."""
    records.check_name("run", name)
    records.insert_run(get_store(), name, display_name or name, fields.pop("status", None) or "InProgress")
    update_run(name, **fields)


def update_run(name: str, display_name: str | None = None, status: str | None = None,
               status_message: str | None = None, start_time: datetime | float | None = None,
               end_time: datetime | float | None = None, parameters: Mapping[str, Any] | None = None,
               input_artifacts: Mapping[str, tuple[str, str | None]] | None = None,
               output_artifacts: Mapping[str, tuple[str, str | None]] | None = None,
               remove_parameters: Sequence[str] = (), remove_inputs: Sequence[str] = (),
               remove_outputs: Sequence[str] = ()) -> None:
    """Change what is given of run `name`: artifacts map a name to (value, media type);
    `status_message` is kept as the failure reason of a Failed run. NotFoundError if there
    is no such run; ValidationError for a status not in RUN_STATUSES."""
    if status is not None and status not in RUN_STATUSES:
        raise ValidationError(f"Status {status!r}; choose one of: {', '.join(RUN_STATUSES)}.")
    fields: dict[str, Any] = {key: value for key, value in (
        ("display_name", display_name), ("start_time", _seconds(start_time)), ("end_time", _seconds(end_time)),
        ("status", status)) if value is not None}
    if status is not None:
        fields["failure_reason"] = status_message if status == "Failed" else None
    store = get_store()
    records.update_run(store, name, fields)
    if parameters:
        records.set_parameters(store, name, dict(parameters))
    for artifacts, is_output in ((input_artifacts, False), (output_artifacts, True)):
        for key, (value, media_type) in (artifacts or {}).items():
            records.check_metric_name("artifact", key)
            records.add_artifact(store, name, key, str(value), media_type, is_output)
    if remove_parameters or remove_inputs or remove_outputs:
        records.remove_logged(store, name, remove_parameters, remove_inputs, remove_outputs)


def delete_run(name: str) -> None:
    """Delete run `name`, what it logged and its files (a job that made it is kept)."""
    store = get_store()
    records.run_row(store, name)
    records.delete_run(store, name)
    shutil.rmtree(home() / "artifacts" / "experiments" / name, ignore_errors=True)


def list_runs(experiment: str | None = None, trial: str | None = None, job_name: str | None = None) -> list[str]:
    """The names of the runs matching every criterion given, oldest first."""
    return [row["name"] for row in records.find_runs(get_store(), experiment, trial, job_name)]


def log_metrics(run: str, points: Iterable[tuple[str, float, int | None, datetime | float | None]]) -> int:
    """Add (metric, value, step, timestamp) points to run `run` (a timestamp of None is
    now); returns how many. NotFoundError if there is no such run."""
    store = get_store()
    records.run_row(store, run)
    rows = []
    for metric, value, step, moment in points:
        records.check_metric_name("metric", metric)
        if not math.isfinite(float(value)):
            raise ValidationError(f"Metric {metric!r}: {value!r} is not a finite number.")
        rows.append((run, metric, float(value), step, time.time() if moment is None else _seconds(moment)))
    records.add_run_metrics(store, rows)
    return len(rows)


def _summaries() -> list[TrialSummary]:
    return [TrialSummary(r[0], r[1], r[2], timestamp(r[3]), r[4]) for r in records.trial_rows(get_store())]


def describe_trial(name: str) -> TrialSummary:
    """Trial `name`; NotFoundError names some known trials."""
    trials = _summaries()
    for trial in trials:
        if trial.name == name:
            return trial
    known = ", ".join(t.name for t in trials[:20]) or "none yet"
    raise NotFoundError(f"No trial (run group) named {name!r}; known: {known}.")


def list_trials(experiment: str | None = None, run: str | None = None) -> list[TrialSummary]:
    """The trials (of `experiment`, or holding run `run`), oldest first."""
    trials = [t for t in _summaries() if experiment is None or t.experiment == experiment]
    if run is not None:
        holding = records.run_row(get_store(), run)["trial"]
        trials = [t for t in trials if t.name == holding]
    return trials


def create_trial(name: str, experiment: str, display_name: str | None = None) -> None:
    """Create trial `name` in `experiment` (which must exist); ConflictError if the name is taken."""
    records.check_name("trial", name)
    store = get_store()
    records.experiment_row(store, experiment)
    records.insert_trial(store, name, experiment, display_name or name)


def update_trial(name: str, display_name: str) -> None:
    """Rename trial `name` for display."""
    trial = describe_trial(name)
    records.update_trial(get_store(), name, trial.experiment, display_name)


def delete_trial(name: str) -> None:
    """Delete trial `name`; ConflictError while runs are in it (disassociate them first)."""
    trial = describe_trial(name)
    if trial.runs:
        held = ", ".join(list_runs(trial=name)[:10])
        raise ConflictError(f"Trial {name!r} still holds {trial.runs} run(s) ({held}); disassociate or delete "
                            "them first.")
    records.delete_trial(get_store(), name)


def associate_run(run: str, trial: str) -> None:
    """Put run `run` in trial `trial` (and so in the trial's experiment), leaving any other trial."""
    target = describe_trial(trial)
    store = get_store()
    records.run_row(store, run)
    records.update_run(store, run, {"trial": trial, "experiment": target.experiment})


def disassociate_run(run: str, trial: str) -> None:
    """Take run `run` out of trial `trial` (and its experiment); the trial stays, empty.
    NotFoundError if the run is not in that trial."""
    store = get_store()
    if records.run_row(store, run)["trial"] != trial:
        raise NotFoundError(f"Run {run!r} is not in trial {trial!r}.")
    target = describe_trial(trial)
    records.update_trial(store, trial, target.experiment, target.display_name)  # an implied group stays
    records.update_run(store, run, {"trial": None, "experiment": None})
