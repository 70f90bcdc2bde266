"""The AutoML job's program: `python -m jupyter_ext.automl.run_automl automl.json`.

It profiles the data (`data_profile.json` and the Data Exploration notebook, before any
training, so a doomed job can be stopped early), tunes the candidate pipelines with one
multi-algorithm tuning job (its child), keeps `leaderboard.json` current, best first, adds
the ensemble in ENSEMBLING mode, refits the winner on every row and writes the Candidate
Definition notebook. The search stops early enough that all of this ends within the budget.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import ConflictError
from ..jobs import describe_job, stop_job
from ..models import TERMINAL_STATUSES
from ..training import Estimator
from ..tuning import HyperparameterTuner
from ..tuning.trials import read_trials
from .leaderboard import (
    ENSEMBLE, duration, ensemble_candidate, explain, rank, refit, refit_seconds, sort_candidates,
)
from .insights import profile
from .notebooks import CANDIDATE_NOTEBOOK, candidate_notebook
from .publish import publish_code, publish_models, publish_notebook
from .report import EXPLORATION_NOTEBOOK, exploration_notebook
from .validation import validation_rows
from .pipelines import MINIMIZED, algorithm_ranges

__all__ = ["main", "supervise", "write_exploration", "write_candidate_notebook"]

# Seconds for stopping the search, ranking, choosing the ensemble and writing files.
FIXED_RESERVE = 4.0
# A refit has more rows than the training split, but no process start, as a candidate job has.
REFIT_FACTOR = 1.0
# How many of the best candidates an ensemble's refit is budgeted for while searching.
ENSEMBLE_MEMBERS_ESTIMATE = 3
# Seconds to start a kernel for the candidate notebook, beside re-training its candidate.
NOTEBOOK_SECONDS = 8.0
SUPERVISE_SECONDS = 0.5
# Seconds the winner's feature importance may take (permutations of up to 1,000 rows).
EXPLAIN_SECONDS = 10.0


def write_exploration(folder: Path, problem: dict[str, Any], frame: Any) -> None:
    """`data_profile.json` and the Data Exploration notebook (markdown only: nothing to execute)."""
    import nbformat

    summary = profile(problem, frame)
    (folder / "data_profile.json").write_text(json.dumps(summary, indent=1))
    (folder / "notebooks").mkdir(exist_ok=True)
    nbformat.write(exploration_notebook(folder, summary, frame), folder / "notebooks" / EXPLORATION_NOTEBOOK)


def write_candidate_notebook(folder: Path, problem: dict[str, Any], candidates: list[dict[str, Any]],
                             execute: bool) -> None:
    """The Candidate Definition notebook; with `execute`, run by papermill for the winner."""
    import nbformat

    path = folder / "notebooks" / CANDIDATE_NOTEBOOK
    scored = [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is not None]
    nbformat.write(candidate_notebook(folder, problem, scored), path)
    if scored and execute:
        import papermill

        from jupyter_client.manager import AsyncKernelManager
        from traitlets import Unicode

        class LocalKernelManager(AsyncKernelManager):
            """The notebook's kernel over local sockets: no TCP ports (nor their warning in the log)."""

            transport = Unicode("ipc")

        papermill.execute_notebook(path, path, cwd=str(path.parent), progress_bar=False, kernel_name="python3",
                                   kernel_manager_class=LocalKernelManager)
    elif scored:
        print("The candidate notebook is written but not executed: the budget is spent.", flush=True)
    print(f"Notebooks: {path.parent / EXPLORATION_NOTEBOOK}, {path}", flush=True)


def _deadline(config: dict[str, Any]) -> float:
    """When the budget ends (time.monotonic()), counted from the job's creation, so the
    seconds to start this program count too."""
    created = describe_job(config["name"]).created_at.timestamp()
    return time.monotonic() + config["total_runtime"] - max(0.0, time.time() - created)


def _tuner(config: dict[str, Any], folder: Path, problem: dict[str, Any], seconds: float) -> HyperparameterTuner:
    """One multi-algorithm tuning job over every algorithm, its runtime capped at `seconds`."""
    entry = folder / "code" / "candidate_entry.py"
    metric = f"validation:{problem['objective']}"
    definitions = [{"Name": f"validation:{m}", "Regex": f"validation:{m}: ([-0-9.e]+)"}
                   for m in ("MSE", "RMSE", "MAE", "R2", "Accuracy", "BalancedAccuracy", "F1", "Precision", "Recall",
                             "AUC", "F1macro", "PrecisionMacro", "RecallMacro")]
    estimators = {algorithm: Estimator(str(entry), hyperparameters={"algorithm": algorithm},
                                       metric_definitions=definitions, max_run=config["max_run_per_job"],
                                       base_job_name=f"{config['name'][:20]}-{algorithm}",
                                       instance_type=config.get("instance_type", "local"))
                  for algorithm in config["algorithms"]}
    tuner = HyperparameterTuner.create(
        estimator_dict=estimators, objective_metric_name_dict={a: metric for a in estimators},
        hyperparameter_ranges_dict={a: algorithm_ranges(a) for a in estimators}, strategy="Bayesian",
        objective_type="Minimize" if problem["objective"] in MINIMIZED else "Maximize",
        max_jobs=config["max_candidates"], max_parallel_jobs=config["max_parallel_jobs"],
        random_seed=problem["seed"], base_tuning_job_name=f"{config['name'][:40]}-tuning")
    tuner.max_runtime = max(1, int(seconds))
    return tuner


def _reserve(candidates: list[dict[str, Any]], mode: str, refit_needed: bool) -> float:
    """Seconds to keep back for the end: stopping, ranking, the ensemble, and refitting the
    likely winner (its members, for an ensemble) on every row (not needed after cross-validation)."""
    if not refit_needed:
        return FIXED_RESERVE
    scored = [c for c in candidates if c["FinalAutoMLJobObjectiveMetric"]["Value"] is not None]
    winners = [duration(c) for c in scored[:ENSEMBLE_MEMBERS_ESTIMATE if mode == "ENSEMBLING" else 1]]
    return FIXED_RESERVE + REFIT_FACTOR * refit_seconds(winners)


def supervise(tuning_job: str, folder: Path, problem: dict[str, Any], deadline: float,
              mode: str) -> list[dict[str, Any]]:
    """Follow the tuning job: keep `leaderboard.json` current as candidates finish, and stop
    the search when only the reserve is left before `deadline` (time.monotonic())."""
    seen, candidates = -1, []
    while True:
        ended = describe_job(tuning_job).status in TERMINAL_STATUSES
        finished = len(read_trials(tuning_job))
        if finished != seen:
            seen, candidates = finished, rank(tuning_job, problem["objective"])
            _write_leaderboard(folder, candidates)
        if ended:
            return candidates
        if deadline - time.monotonic() <= _reserve(candidates, mode, not problem.get("cross_validation_folds")):
            print(f"Stopping the search: the rest of the budget is kept to finish ({len(candidates)} candidates).",
                  flush=True)
            try:
                stop_job(tuning_job)
            except ConflictError:
                pass  # it ended meanwhile
            _wait_ended(tuning_job)
        time.sleep(SUPERVISE_SECONDS)


def _stop_search(tuning_job: str) -> None:
    """On SIGTERM (the AutoML job is stopped): stop the tuning job too, then end."""
    try:
        stop_job(tuning_job, reason="Its AutoML job was stopped")
    except ConflictError:
        pass  # it ended meanwhile
    sys.exit(143)


def _wait_ended(job: str) -> None:
    while describe_job(job).status not in TERMINAL_STATUSES:
        time.sleep(SUPERVISE_SECONDS)


def _write_leaderboard(folder: Path, candidates: list[dict[str, Any]]) -> None:
    path = folder / "leaderboard.json"
    path.with_suffix(".tmp").write_text(json.dumps(candidates, indent=1))
    path.with_suffix(".tmp").replace(path)  # readers never see half a file


def run(config: dict[str, Any], folder: Path) -> int:
    """Profile, search, rank, ensemble, refit; the exit status."""
    import pandas

    deadline = _deadline(config)
    problem = json.loads((folder / "data" / "problem.json").read_text())
    frame = pandas.read_pickle(folder / "data" / "data.pkl")
    print(f"Problem type {problem['problem_type']} ({problem['reason']}); objective {problem['objective']}; "
          f"{len(frame)} rows, {len(problem['columns'])} feature columns; mode {config['mode']}", flush=True)
    tuner = _tuner(config, folder, problem, deadline - time.monotonic() - FIXED_RESERVE)
    tuner.fit({"train": str(folder / "data")}, wait=False, logs=False)
    tuning_job = tuner.latest_tuning_job.name
    signal.signal(signal.SIGTERM, lambda *_: _stop_search(tuning_job))
    write_exploration(folder, problem, frame)  # while the first candidates train
    if config.get("output_path"):
        publish_notebook(folder, config["output_path"], config["name"], folder / "notebooks" / EXPLORATION_NOTEBOOK)
    _import_for_the_end(config)
    candidates = supervise(tuning_job, folder, problem, deadline, config["mode"])
    if config["mode"] == "ENSEMBLING":
        candidates = _with_ensemble(folder, config["name"], problem, candidates)
    _write_leaderboard(folder, candidates)
    if not candidates or candidates[0]["FinalAutoMLJobObjectiveMetric"]["Value"] is None:
        failure = folder / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text("No candidate finished with an objective value; see the candidates' failure reasons.")
        return 1
    finish(folder, problem, candidates, frame, deadline)
    if config.get("output_path"):
        _publish(folder, config, candidates)
    return 0


def _publish(folder: Path, config: dict[str, Any], candidates: list[dict[str, Any]]) -> None:
    """The notebook, models and inference code copied under `output_path` (publish.py)."""
    output_path, name = config["output_path"], config["name"]
    publish_notebook(folder, output_path, name, folder / "notebooks" / CANDIDATE_NOTEBOOK)
    publish_code(folder, output_path, name)
    _write_leaderboard(folder, publish_models(output_path, name, candidates))
    print(f"Artifacts copied under {output_path.rstrip('/')}/{name}/", flush=True)


def finish(folder: Path, problem: dict[str, Any], candidates: list[dict[str, Any]], frame: Any,
           deadline: float) -> None:
    """What the winner gets while the budget lasts: a refit on every row, its feature
    importance, and the executed Candidate Definition notebook."""
    best = candidates[0]
    print(f"Best candidate: {best['CandidateName']} {problem['objective']}="
          f"{best['FinalAutoMLJobObjectiveMetric']['Value']:.6g}", flush=True)
    if problem.get("cross_validation_folds"):  # its fold models together have seen every row
        archive = Path(best["InferenceContainers"][0]["ModelDataUrl"])
        (folder / "output").mkdir(exist_ok=True)
        best["RefitModelDataUrl"] = str(shutil.copyfile(archive, folder / "output" / "best-model.tar.gz"))
    elif deadline - time.monotonic() > REFIT_FACTOR * _members_duration(best, candidates):
        best["RefitModelDataUrl"] = refit(folder, problem, best, candidates, frame)
    else:
        print("Not refitted on every row: the budget is spent; create_model() gives the candidate as trained.",
              flush=True)
    if deadline - time.monotonic() > EXPLAIN_SECONDS:
        _explain(folder, problem, best)
    _write_leaderboard(folder, candidates)
    execute = deadline - time.monotonic() > NOTEBOOK_SECONDS + _members_duration(best, candidates)
    write_candidate_notebook(folder, problem, candidates, execute)


def _explain(folder: Path, problem: dict[str, Any], best: dict[str, Any]) -> None:
    """The winner's feature importance, linked from its record as SageMaker's Explainability
    artifact; a failure here is reported, and the job still delivers its models."""
    features, labels = validation_rows(folder / "data")
    try:
        path = explain(best, (features, labels), problem["seed"])
    except Exception as error:  # noqa: BLE001 - an optional report must not fail the job
        print(f"Feature importance failed: {type(error).__name__}: {error}", flush=True)
        return
    best["CandidateProperties"] = {"CandidateArtifactLocations": {"Explainability": str(path)}}


def _import_for_the_end(config: dict[str, Any]) -> None:
    """Import now what loading the candidates' models needs later, when seconds count."""
    import joblib  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    if "mlp" in config["algorithms"]:
        import torch  # noqa: F401


def _members_duration(best: dict[str, Any], candidates: list[dict[str, Any]]) -> float:
    if best["Algorithm"] != ENSEMBLE:
        return duration(best)
    by_name = {c["CandidateName"]: c for c in candidates}
    return refit_seconds([duration(by_name[name]) for name in best["HyperParameters"]["members"]])


def _with_ensemble(folder: Path, name: str, problem: dict[str, Any],
                   candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    _, labels = validation_rows(folder / "data")
    ensemble = ensemble_candidate(folder, name, problem, labels, candidates)
    if ensemble is None:
        return candidates
    members = ", ".join(f"{k} x{v}" for k, v in ensemble["HyperParameters"]["members"].items())
    print(f"Ensemble of {members}: {problem['objective']}="
          f"{ensemble['FinalAutoMLJobObjectiveMetric']['Value']:.6g}", flush=True)
    return sort_candidates([*candidates, ensemble], problem["objective"])


def main(argv: list[str] | None = None) -> None:
    """Entry point of the AutoML program."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]).resolve()
    sys.exit(run(json.loads(path.read_text()), path.parent))


if __name__ == "__main__":
    main()
