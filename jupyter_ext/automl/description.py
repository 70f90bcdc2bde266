"""An AutoML job in one record (`AutoMLJobDescription`, its data profile included) for its page, and a copy of one of
its generated notebooks under JupyterLab's root so JupyterLab can open it (the job writes
them under the jupyter_ext home, outside that root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs import describe_job
from ..jobs.outputs import OUTPUTS_FOLDER, copy_under_root
from ..models import AutoMLCandidate, AutoMLJobDescription, AutoMLNotebook, DataProfile, JobDescription, ProfiledColumn
from .leaderboard import ENSEMBLE, IMPORTANCE_FILE, model_folder
from .notebooks import CANDIDATE_NOTEBOOK
from .report import EXPLORATION_NOTEBOOK

__all__ = ["NOTEBOOKS", "OUTPUTS_FOLDER", "describe_automl_job", "data_profile", "copy_notebook"]

#: kind → (title, file name) of the notebooks an AutoML job writes.
NOTEBOOKS = {"DataExploration": ("Data exploration notebook", EXPLORATION_NOTEBOOK),
             "CandidateDefinition": ("Candidate definition notebook", CANDIDATE_NOTEBOOK)}


def _automl_job(name: str) -> JobDescription:
    job = describe_job(name)
    if job.job_type != "AutoML":
        raise ValidationError(f"{name} is a {job.job_type} job, not an AutoML job; open it in the Jobs list.")
    return job


def _candidate(record: dict[str, Any], rank: int, best: bool) -> AutoMLCandidate:
    objective = record["FinalAutoMLJobObjectiveMetric"]["Value"]
    members = record["HyperParameters"].get("members", {}) if record["Algorithm"] == ENSEMBLE else {}
    if isinstance(members, list):
        members = {member: 1.0 for member in members}
    return AutoMLCandidate(record["CandidateName"], rank, record["Algorithm"], record.get("Preprocessing"), objective,
                           record["CandidateStatus"], dict(record.get("CandidateMetrics", {})),
                           {k: float(v) for k, v in members.items()}, best)


def _importance(best: dict[str, Any] | None) -> dict[str, float]:
    if best is None:
        return {}
    path = model_folder(best) / IMPORTANCE_FILE
    if not path.exists():
        return {}
    importance = json.loads(path.read_text())["importance"]
    return dict(sorted(importance.items(), key=lambda item: -item[1]))


def _column(name: str, kind: str, profile: dict[str, Any]) -> ProfiledColumn:
    stats = profile["descriptive_statistics"].get(name, {})
    return ProfiledColumn(name, kind, profile["missing_percent"].get(name, 0.0), profile["cardinality"].get(name, 0),
                          profile["prediction_power"].get(name), stats.get("mean"), stats.get("median"),
                          stats.get("min"), stats.get("max"))


def data_profile(folder: Path) -> DataProfile | None:
    """The job's `data_profile.json` as a record (None until the job has profiled its table)."""
    path = folder / "data_profile.json"
    if not path.exists():
        return None
    profile = json.loads(path.read_text())
    columns = [_column(c, kind, profile) for c, kind in profile["column_types"].items()]
    columns.sort(key=lambda c: -(c.prediction_power or 0.0))
    target = profile["target_analysis"]
    return DataProfile(profile["rows"], profile["sample_rows"], profile["duplicate_rows"],
                       profile["missing_feature_percent"], target.get("missing_percent", 0.0), columns,
                       dict(profile["dropped_columns"]), dict(target.get("class_counts", {})))


def describe_automl_job(name: str) -> AutoMLJobDescription:
    """The AutoML job `name` with its leaderboard, best first. Raises NotFoundError for an
    unknown job and ValidationError for a job that is not an AutoML job."""
    job = _automl_job(name)
    folder, details = Path(job.job_dir), job.details
    board = folder / "leaderboard.json"
    records = json.loads(board.read_text()) if board.exists() else []
    scored = bool(records) and records[0]["FinalAutoMLJobObjectiveMetric"]["Value"] is not None
    best = records[0] if scored else None
    notebooks = [AutoMLNotebook(kind, title, file) for kind, (title, file) in NOTEBOOKS.items()
                 if (folder / "notebooks" / file).exists()]
    return AutoMLJobDescription(
        name, job.status, details.get("problem_type"), details.get("objective"), details.get("target"),
        details.get("mode"), job.created_at, job.started_at, job.ended_at, job.failure_reason,
        [_candidate(r, i + 1, r is best) for i, r in enumerate(records)], best["CandidateName"] if best else None,
        notebooks, _importance(best), data_profile(folder))


def copy_notebook(name: str, kind: str, root: Path) -> str:
    """Copy AutoML job `name`'s notebook `kind` (DataExploration or CandidateDefinition) to
    `<root>/jupyter_ext-outputs/<name>/` and answer its path relative to `root`. Raises
    ValidationError for an unknown kind, NotFoundError when the job has not written it yet."""
    if kind not in NOTEBOOKS:
        raise ValidationError(f"Unknown notebook {kind!r}; choose one of: {', '.join(NOTEBOOKS)}.")
    source = Path(_automl_job(name).job_dir) / "notebooks" / NOTEBOOKS[kind][1]
    if not source.exists():
        raise NotFoundError(f"AutoML job {name} has not written its {NOTEBOOKS[kind][0]} yet; it is written "
                            "once the candidates are ranked.")
    return copy_under_root(source, name, root)
