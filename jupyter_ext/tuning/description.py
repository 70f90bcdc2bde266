"""A tuning job in one record (`TuningJobDescription`): its search settings from tuning.json,
and every training job it launched with the tuned hyperparameters, objective value, status
and duration. Built with a bounded number of store reads, so a 1,000-trial job answers fast."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..jobs import describe_job, records
from ..models import (TERMINAL_STATUSES, JobDescription, TuningJobDescription, TuningParameterRange, TuningTrial,
                      timestamp)
from ..store import get_store
from .analytics import _number
from .trials import LAUNCHED_FILE, TRIALS_FILE, TrialRecord, read_config, read_jsonl, trial_from_job

__all__ = ["describe_tuning_job"]


def _ranges(config: dict[str, Any]) -> list[TuningParameterRange]:
    ranges = []
    for definition in config["definitions"]:
        for name, data in definition["ranges"].items():
            ranges.append(TuningParameterRange(
                name, data["Type"], definition["name"], data.get("min_value"), data.get("max_value"),
                data.get("scaling_type"), [str(v) for v in data.get("values", [])]))
    return ranges


def _records(tuning: JobDescription, config: dict[str, Any]) -> tuple[list[TrialRecord], dict[str, dict[str, Any]]]:
    """Each launched training job's TrialRecord (running ones without a value), and the
    jobs' store rows (status and times), in launch order."""
    folder = Path(tuning.job_dir)
    known = {r["job"]: TrialRecord(**r) for r in read_jsonl(folder / TRIALS_FILE)}
    launched = {r["job"]: r["definition"] for r in read_jsonl(folder / LAUNCHED_FILE)}
    definitions = {d["name"]: d for d in config["definitions"]}
    order = tuning.children + [name for name in known if name not in tuning.children]
    rows = records.job_outcomes(get_store(), order)
    trials = []
    for name in order:
        record = known.get(name)
        row = rows.get(name)
        if record is None and row is not None:
            definition = definitions.get(launched.get(name, ""), config["definitions"][0])
            if row["status"] in TERMINAL_STATUSES:  # ended after the tuning runner died
                record = trial_from_job(name, definition["name"], definition["objective_metric_name"],
                                        list(definition["ranges"]))
            else:
                hps = describe_job(name).hyperparameters
                record = TrialRecord(name, definition["name"], {k: v for k, v in hps.items() if k in definition["ranges"]},
                                     None, row["status"])
        if record is not None:
            trials.append(record)
    return trials, rows


def _best(trials: list[TrialRecord], maximize: bool) -> str | None:
    scored = [t for t in trials if t.value is not None]
    if not scored:
        return None
    return (max if maximize else min)(scored, key=lambda t: t.value).job


def _trial(record: TrialRecord, row: dict[str, Any] | None, best: str | None) -> TuningTrial:
    started, ended = (row["started_at"], row["ended_at"]) if row else (None, None)
    status = row["status"] if row and record.value is None else record.status
    elapsed = None if started is None else (ended or time.time()) - started
    return TuningTrial(record.job, record.definition, status, {k: _number(v) for k, v in record.hyperparameters.items()},
                       record.value, timestamp(started), timestamp(ended), elapsed, record.early_stopped,
                       record.job == best)


def describe_tuning_job(name: str) -> TuningJobDescription:
    """The tuning job `name` with every training job it launched. Raises NotFoundError for
    an unknown job and ValidationError for a job that is not a tuning job."""
    tuning = describe_job(name)
    if tuning.job_type != "Tuning":
        raise ValidationError(f"{name} is a {tuning.job_type} job, not a tuning job; open it in the Jobs list.")
    config = read_config(name)
    trials, rows = _records(tuning, config)
    best = _best(trials, config["objective_type"] == "Maximize")
    first = config["definitions"][0]
    return TuningJobDescription(
        name, tuning.status, config["strategy"], first["objective_metric_name"], config["objective_type"],
        config["max_jobs"], config["max_parallel_jobs"], config["early_stopping_type"] or "Off",
        tuning.created_at, tuning.started_at, tuning.ended_at, tuning.failure_reason, _ranges(config),
        [_trial(record, rows.get(record.job), best) for record in trials], best)
