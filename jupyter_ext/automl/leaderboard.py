"""The AutoML job's leaderboard: candidate records as SageMaker's ListCandidatesForAutoMLJob
gives them, best first, with the ENSEMBLING candidate among them, and the refit of the
winner on every row."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..jobs import describe_job
from ..jobs.packaging import pack
from ..tuning.trials import read_trials
from .ensemble import WeightedEnsemble, load_predictions, select_members
from .insights import feature_importance
from .pipelines import MINIMIZED, build_pipeline
from .validation import metrics_of

__all__ = ["ENSEMBLE", "IMPORTANCE_FILE", "explain", "model_folder", "rank", "sort_candidates", "ensemble_candidate", "load_model", "refit", "refit_seconds",
           "duration"]

ENSEMBLE = "ensemble"
IMPORTANCE_FILE = "feature_importance.json"
REFIT_WORKERS = 2


def _record(name: str, algorithm: str, preprocessing: str | None, hyperparameters: dict[str, Any],
            objective: str, value: float | None, metrics: dict[str, float], status: str) -> dict[str, Any]:
    return {"CandidateName": name, "Algorithm": algorithm, "Preprocessing": preprocessing,
            "HyperParameters": hyperparameters,
            "FinalAutoMLJobObjectiveMetric": {"MetricName": objective, "Value": value},
            "CandidateMetrics": metrics, "CandidateStatus": status,
            "ObjectiveStatus": "Succeeded" if value is not None else "Failed",
            "MetricName": f"validation:{objective}"}


def rank(tuning_job: str, objective: str) -> list[dict[str, Any]]:
    """Candidates (the tuning job's training jobs), best first."""
    candidates = []
    for trial in read_trials(tuning_job):
        job = describe_job(trial.job)
        metrics = {k.split(":", 1)[1]: v for k, v in job.final_metrics.items() if k.startswith("validation:")}
        record = _record(trial.job, trial.definition, trial.hyperparameters.get("preprocessing"),
                         trial.hyperparameters, objective, trial.value, metrics, job.status)
        record.update({
            "InferenceContainers": [{"ModelDataUrl": job.model_data}] if job.model_data else [],
            "CandidateSteps": [{"CandidateStepType": "AWS::SageMaker::TrainingJob", "CandidateStepName": trial.job}],
            "CreationTime": job.created_at.isoformat(), "EndTime": job.ended_at.isoformat() if job.ended_at else None,
            "FailureReason": job.failure_reason, "JobDir": job.job_dir,
        })
        candidates.append(record)
    return sort_candidates(candidates, objective)


def sort_candidates(candidates: list[dict[str, Any]], objective: str) -> list[dict[str, Any]]:
    """Scored candidates best first (ties keep their order), then the unscored ones."""
    sign = 1 if objective in MINIMIZED else -1
    scored = [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is not None]
    scored.sort(key=lambda c: sign * c["FinalAutoMLJobObjectiveMetric"]["Value"])
    return scored + [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is None]


def duration(candidate: dict[str, Any]) -> float:
    """Seconds the candidate's training job ran (0 when it has not ended)."""
    if not candidate.get("EndTime"):
        return 0.0
    return (datetime.fromisoformat(candidate["EndTime"]) - datetime.fromisoformat(candidate["CreationTime"])).total_seconds()


def ensemble_candidate(folder: Path, job_name: str, problem: dict[str, Any], labels: Any,
                       candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The greedy ensemble of the best candidates as a candidate record, scored on the
    weighted average of its members' validation predictions (against `labels`) and packed
    from the members' models; None when the selection keeps the best candidate alone."""
    predictions = {}
    for candidate in candidates:
        if candidate["FinalAutoMLJobObjectiveMetric"]["Value"] is not None:
            loaded = load_predictions(Path(candidate["JobDir"]) / "output" / "data")
            if loaded is not None:
                predictions[candidate["CandidateName"]] = loaded
    if len(predictions) < 2:
        return None
    weights = select_members(problem, labels, predictions, [c["CandidateName"] for c in candidates])
    if len(weights) < 2:
        return None  # the best candidate alone: nothing to add
    values = sum(w * predictions[name][0] for name, w in weights.items()) / sum(weights.values())
    metrics = {k: float(v) for k, v in metrics_of(problem, labels, predictions[next(iter(weights))][1], values).items()}
    by_name = {c["CandidateName"]: c for c in candidates}
    members = [by_name[name] for name in weights]
    record = _record(f"{job_name}-{ENSEMBLE}", ENSEMBLE, None, {"members": weights}, problem["objective"],
                     metrics[problem["objective"]], metrics, "Completed")
    model = WeightedEnsemble([load_model(m) for m in members], list(weights.values()), problem["problem_type"])
    archive = _save(folder / "output" / ENSEMBLE, model, record)
    record.update({
        "InferenceContainers": [{"ModelDataUrl": str(archive)}],
        "CandidateSteps": [{"CandidateStepType": "AWS::SageMaker::TrainingJob", "CandidateStepName": m["CandidateName"]}
                           for m in members],
        "CreationTime": min(m["CreationTime"] for m in members),
        "EndTime": datetime.now(timezone.utc).isoformat(), "FailureReason": None, "JobDir": str(folder),
    })
    return record


def model_folder(candidate: dict[str, Any]) -> Path:
    """The folder holding a candidate's `model.joblib` (as trained on the training split)."""
    if candidate["Algorithm"] == ENSEMBLE:
        return Path(candidate["JobDir"]) / "output" / ENSEMBLE
    return Path(candidate["JobDir"]) / "model"


def load_model(candidate: dict[str, Any]) -> Any:
    """The fitted pipeline (or ensemble) a candidate saved."""
    import joblib

    return joblib.load(model_folder(candidate) / "model.joblib")


def explain(candidate: dict[str, Any], validation: tuple[Any, Any], seed: int = 0) -> Path:
    """The candidate's feature importance on the validation split, written once as
    `feature_importance.json` beside its model; returns that file."""
    path = model_folder(candidate) / IMPORTANCE_FILE
    if not path.exists():
        features, labels = validation
        importance = feature_importance(load_model(candidate), features, labels, seed)
        path.write_text(json.dumps({"method": "permutation importance on the validation split",
                                    "candidate": candidate["CandidateName"], "importance": importance}, indent=1))
    return path


def _save(model_dir: Path, model: Any, record: dict[str, Any]) -> Path:
    import joblib

    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_dir / "model.joblib")
    (model_dir / "candidate.json").write_text(json.dumps(record, indent=1, default=str))
    return pack(model_dir, model_dir.parent / f"{model_dir.name}.tar.gz")


def refit_seconds(durations: list[float]) -> float:
    """About how long refitting candidates that trained for `durations` takes, on
    `REFIT_WORKERS` threads (before the extra rows' cost)."""
    return max([*durations, sum(durations) / REFIT_WORKERS]) if durations else 0.0


def _fit(problem: dict[str, Any], candidate: dict[str, Any], frame: Any) -> Any:
    hyperparameters = {k: v for k, v in candidate["HyperParameters"].items() if k != "preprocessing"}
    pipeline = build_pipeline(problem["problem_type"], problem["columns"], candidate["Preprocessing"],
                              candidate["Algorithm"], hyperparameters, problem["seed"])
    return pipeline.fit(frame[list(problem["columns"])], frame[problem["target"]])


def refit(folder: Path, problem: dict[str, Any], best: dict[str, Any], candidates: list[dict[str, Any]],
          frame: Any) -> str:
    """The winner trained again on every row (train and validation), packed as
    `output/best-model.tar.gz`: the model `create_model()` gives by default. An ensemble
    is refitted member by member, with the same weights."""
    frame = frame[frame[problem["target"]].notna()]
    if best["Algorithm"] == ENSEMBLE:
        by_name = {c["CandidateName"]: c for c in candidates}
        weights = best["HyperParameters"]["members"]
        with ThreadPoolExecutor(REFIT_WORKERS) as pool:  # the search is over: both cores are free
            members = list(pool.map(lambda name: _fit(problem, by_name[name], frame), weights))
        model: Any = WeightedEnsemble(members, list(weights.values()), problem["problem_type"])
    else:
        model = _fit(problem, best, frame)
    archive = _save(folder / "output" / "best-model", model, {**best, "RefitOn": "all rows"})
    print(f"Best candidate refitted on all {len(frame)} rows: {archive}", flush=True)
    return str(archive)
