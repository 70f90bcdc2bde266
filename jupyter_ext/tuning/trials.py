"""What a tuning job's training jobs gave: one record per trial, from the tuning job's
`trials.jsonl` (written as trials end) completed with its children in the store (those
that ended after the tuning runner died are not lost)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..jobs import describe_job, records
from ..models import TERMINAL_STATUSES
from ..store import get_store

__all__ = ["TrialRecord", "TRIALS_FILE", "LAUNCHED_FILE", "read_trials", "append_trial", "trial_from_job",
           "note_launch", "read_jsonl", "launched_definitions", "read_config", "all_trials", "best_trial"]

TRIALS_FILE = "trials.jsonl"
LAUNCHED_FILE = "launched.jsonl"


@dataclass
class TrialRecord:
    """One training job of a tuning job and its objective value (None if it has none)."""

    job: str
    definition: str
    hyperparameters: dict[str, Any]
    value: float | None
    status: str
    early_stopped: bool = False
    intermediate: dict[str, float] = field(default_factory=dict)


def append_trial(tuning_dir: Path, record: TrialRecord) -> None:
    """Add a finished trial to the tuning job's record."""
    with open(tuning_dir / TRIALS_FILE, "a", encoding="utf-8") as file:
        file.write(json.dumps(asdict(record)) + "\n")


def note_launch(tuning_dir: Path, job: str, definition: str) -> None:
    """Remember which training job definition a launched job runs."""
    with open(tuning_dir / LAUNCHED_FILE, "a", encoding="utf-8") as file:
        file.write(json.dumps({"job": job, "definition": definition}) + "\n")


def launched_definitions(tuning_job: str) -> dict[str, str]:
    """{training job: definition name} of what `tuning_job` launched."""
    folder = Path(describe_job(tuning_job).job_dir)
    return {r["job"]: r["definition"] for r in read_jsonl(folder / LAUNCHED_FILE)}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file (none when it does not exist)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def trial_from_job(job: str, definition: str, objective: str, tuned: list[str]) -> TrialRecord | None:
    """A record for a finished training job from the store; None while it runs."""
    description = describe_job(job)
    if description.status not in TERMINAL_STATUSES:
        return None
    points = records.metric_points(get_store(), job, objective)
    return TrialRecord(job, definition, {k: v for k, v in description.hyperparameters.items() if k in tuned},
                       description.final_metrics.get(objective) if description.status == "Completed" else None,
                       description.status, intermediate={str(p.step): p.value for p in points})


def read_trials(tuning_job: str) -> list[TrialRecord]:
    """Every finished trial of `tuning_job`, in the order they were launched."""
    description = describe_job(tuning_job)
    folder = Path(description.job_dir)
    known = {r["job"]: TrialRecord(**r) for r in read_jsonl(folder / TRIALS_FILE)}
    config = json.loads((folder / "tuning.json").read_text())
    definitions = {d["name"]: d for d in config["definitions"]}
    launched = {r["job"]: r["definition"] for r in read_jsonl(folder / LAUNCHED_FILE)}
    for child in description.children:
        if child not in known:
            definition = definitions.get(launched.get(child, ""), config["definitions"][0])
            record = trial_from_job(child, definition["name"], definition["objective_metric_name"],
                                    list(definition["ranges"]))
            if record is not None:
                known[child] = record
    order = description.children + [name for name in known if name not in description.children]
    return [known[name] for name in order if name in known]


def read_config(tuning_job: str) -> dict[str, Any]:
    """The tuning job's tuning.json: strategy, objective, limits and training job definitions."""
    return json.loads((Path(describe_job(tuning_job).job_dir) / "tuning.json").read_text())


def all_trials(tuning_job: str) -> list[TrialRecord]:
    """Every training job `tuning_job` launched, in launch order: finished ones as
    `read_trials` gives them, running ones with their tuned hyperparameters and no value."""
    finished = {record.job: record for record in read_trials(tuning_job)}
    config = read_config(tuning_job)
    definitions = {d["name"]: d for d in config["definitions"]}
    launched = launched_definitions(tuning_job)
    records = []
    for child in describe_job(tuning_job).children:
        if child in finished:
            records.append(finished.pop(child))
            continue
        definition = definitions.get(launched.get(child, ""), config["definitions"][0])
        description = describe_job(child)
        tuned = {k: v for k, v in description.hyperparameters.items() if k in definition["ranges"]}
        records.append(TrialRecord(child, definition["name"], tuned, None, description.status))
    return records + list(finished.values())


def best_trial(tuning_job: str) -> TrialRecord | None:
    """The finished trial with the best objective value (None before any has one)."""
    scored = [record for record in read_trials(tuning_job) if record.value is not None]
    if not scored:
        return None
    maximize = read_config(tuning_job)["objective_type"] == "Maximize"
    return (max if maximize else min)(scored, key=lambda record: record.value)
