"""The AutoML job's program: `python -m jupyter_ext.automl.program automl.json`.

It profiles the data (`data_profile.json`), tunes the candidate pipelines with one
multi-algorithm tuning job (its child), and writes `leaderboard.json`, best first. A time
budget stops the tuning job; what finished by then is ranked.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import UnexpectedStatusError
from ..jobs import describe_job
from ..training import Estimator
from ..tuning import HyperparameterTuner
from ..tuning.trials import read_trials
from .notebooks import CANDIDATE_NOTEBOOK, EXPLORATION_NOTEBOOK, candidate_notebook, exploration_notebook
from .pipelines import MINIMIZED, algorithm_ranges

__all__ = ["main", "profile", "rank"]

# Seconds kept back from the total budget to rank candidates after the tuning job stops.
RANKING_MARGIN = 20


def profile(folder: Path, problem: dict[str, Any], frame: Any) -> dict[str, Any]:
    """Dataset summary, target analysis, missing values and cardinality, for machines."""
    target = frame[problem["target"]]
    summary = {
        "rows": len(frame), "columns": len(frame.columns), "duplicate_rows": int(frame.duplicated().sum()),
        "target": problem["target"], "problem_type": problem["problem_type"], "reason": problem["reason"],
        "column_types": problem["columns"], "dropped_columns": problem["dropped"],
        "missing_percent": {c: round(float(frame[c].isna().mean() * 100), 2) for c in frame.columns},
        "cardinality": {c: int(frame[c].nunique()) for c in frame.columns},
    }
    if problem["problem_type"] == "Regression":
        summary["target_stats"] = {k: float(v) for k, v in target.describe().items()}
    else:
        summary["class_counts"] = {str(k): int(v) for k, v in target.value_counts().items()}
    (folder / "data_profile.json").write_text(json.dumps(summary, indent=1))
    return summary


def rank(tuning_job: str, objective: str) -> list[dict[str, Any]]:
    """Candidates (the tuning job's training jobs), best first."""
    metric = f"validation:{objective}"
    candidates = []
    for record in read_trials(tuning_job):
        job = describe_job(record.job)
        candidates.append({
            "CandidateName": record.job, "Algorithm": record.definition,
            "Preprocessing": record.hyperparameters.get("preprocessing"),
            "HyperParameters": record.hyperparameters,
            "FinalAutoMLJobObjectiveMetric": {"MetricName": objective, "Value": record.value},
            "CandidateMetrics": {k.split(":", 1)[1]: v for k, v in job.final_metrics.items() if k.startswith("validation:")},
            "CandidateStatus": job.status, "ObjectiveStatus": "Succeeded" if record.value is not None else "Failed",
            "InferenceContainers": [{"ModelDataUrl": job.model_data}] if job.model_data else [],
            "CandidateSteps": [{"CandidateStepType": "AWS::SageMaker::TrainingJob", "CandidateStepName": record.job}],
            "CreationTime": job.created_at.isoformat(), "EndTime": job.ended_at.isoformat() if job.ended_at else None,
            "FailureReason": job.failure_reason, "MetricName": metric,
        })
    sign = 1 if objective in MINIMIZED else -1
    scored = [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is not None]
    scored.sort(key=lambda c: sign * c["FinalAutoMLJobObjectiveMetric"]["Value"])
    return scored + [c for c in candidates if c not in scored]


def write_notebooks(folder: Path, problem: dict[str, Any], summary: dict[str, Any],
                    candidates: list[dict[str, Any]], frame: Any) -> None:
    """Write both notebooks; the candidate notebook is executed for the best candidate."""
    import nbformat

    notebooks = folder / "notebooks"
    notebooks.mkdir(exist_ok=True)
    nbformat.write(exploration_notebook(folder, summary, frame), notebooks / EXPLORATION_NOTEBOOK)
    scored = [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is not None]
    nbformat.write(candidate_notebook(folder, problem, scored), notebooks / CANDIDATE_NOTEBOOK)
    if scored:
        import papermill

        papermill.execute_notebook(notebooks / CANDIDATE_NOTEBOOK, notebooks / CANDIDATE_NOTEBOOK,
                                   cwd=str(notebooks), progress_bar=False, kernel_name="python3")
    print(f"Notebooks: {notebooks / EXPLORATION_NOTEBOOK}, {notebooks / CANDIDATE_NOTEBOOK}", flush=True)


def run(config: dict[str, Any], folder: Path) -> int:
    """Profile, tune, rank; the exit status."""
    import pandas

    started = time.monotonic()
    problem = json.loads((folder / "data" / "problem.json").read_text())
    frame = pandas.read_pickle(folder / "data" / "data.pkl")
    summary = profile(folder, problem, frame)
    print(f"Problem type {problem['problem_type']} ({problem['reason']}); objective {problem['objective']}; "
          f"{summary['rows']} rows, {len(problem['columns'])} feature columns", flush=True)
    entry = folder / "code" / "candidate_entry.py"
    metric = f"validation:{problem['objective']}"
    definitions = [{"Name": f"validation:{m}", "Regex": f"validation:{m}: ([-0-9.e]+)"}
                   for m in ("MSE", "RMSE", "MAE", "R2", "Accuracy", "BalancedAccuracy", "F1", "Precision", "Recall",
                             "AUC", "F1macro", "PrecisionMacro", "RecallMacro")]
    estimators = {algorithm: Estimator(str(entry), hyperparameters={"algorithm": algorithm},
                                       metric_definitions=definitions, max_run=config["max_run_per_job"],
                                       base_job_name=f"{config['name'][:20]}-{algorithm}")
                  for algorithm in config["algorithms"]}
    remaining = int(config["total_runtime"] - (time.monotonic() - started) - RANKING_MARGIN)
    tuner = HyperparameterTuner.create(
        estimator_dict=estimators, objective_metric_name_dict={a: metric for a in estimators},
        hyperparameter_ranges_dict={a: algorithm_ranges(a) for a in estimators}, strategy="Bayesian",
        objective_type="Minimize" if problem["objective"] in MINIMIZED else "Maximize",
        max_jobs=config["max_candidates"], max_parallel_jobs=config["max_parallel_jobs"],
        random_seed=problem["seed"], base_tuning_job_name=f"{config['name'][:40]}-tuning")
    tuner.max_runtime = max(1, remaining)
    try:
        tuner.fit({"train": str(folder / "data")}, logs=False)
    except UnexpectedStatusError as error:  # the budget ran out: rank what finished
        print(f"Tuning ended early: {error}", flush=True)
    candidates = rank(tuner.latest_tuning_job.name, problem["objective"])
    (folder / "leaderboard.json").write_text(json.dumps(candidates, indent=1))
    write_notebooks(folder, problem, summary, candidates, frame)
    if not candidates or candidates[0]["FinalAutoMLJobObjectiveMetric"]["Value"] is None:
        failure = folder / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text("No candidate finished with an objective value; see the candidates' failure reasons.")
        return 1
    best = candidates[0]
    print(f"Best candidate: {best['CandidateName']} {problem['objective']}="
          f"{best['FinalAutoMLJobObjectiveMetric']['Value']:.6g}", flush=True)
    best["RefitModelDataUrl"] = refit(folder, problem, best, frame)
    (folder / "leaderboard.json").write_text(json.dumps(candidates, indent=1))
    return 0


def refit(folder: Path, problem: dict[str, Any], best: dict[str, Any], frame: Any) -> str:
    """The best candidate trained again on every row (train and validation), packed as
    `output/best-model/model.tar.gz`: the model `create_model()` gives by default."""
    import joblib

    from ..jobs.packaging import pack
    from .pipelines import build_pipeline

    frame = frame[frame[problem["target"]].notna()]
    hyperparameters = {k: v for k, v in best["HyperParameters"].items() if k != "preprocessing"}
    pipeline = build_pipeline(problem["problem_type"], problem["columns"], best["Preprocessing"],
                              best["Algorithm"], hyperparameters, problem["seed"])
    pipeline.fit(frame[list(problem["columns"])], frame[problem["target"]])
    model_dir = folder / "output" / "best-model"
    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, model_dir / "model.joblib")
    (model_dir / "candidate.json").write_text(json.dumps({**best, "RefitOn": "all rows"}, indent=1, default=str))
    archive = pack(model_dir, folder / "output" / "best-model.tar.gz")
    print(f"Best candidate refitted on all {len(frame)} rows: {archive}", flush=True)
    return str(archive)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the AutoML program."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]).resolve()
    sys.exit(run(json.loads(path.read_text()), path.parent))


if __name__ == "__main__":
    main()
