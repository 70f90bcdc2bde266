"""Jobs as runs: every job is recorded as a run (trial component) when it starts, in the
experiment its `experiment_config` names (or in none), and lineage follows from the jobs'
inputs and outputs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..jobs import JobExtension, Submission
from ..jobs import records as job_records
from ..store import get_store, local_path
from . import records
from .run import current_run

__all__ = ["TRACKING_EXTENSION", "track_job", "lineage", "check_experiment_config", "EXPERIMENT_CONFIG_KEYS"]

EXPERIMENT_CONFIG_KEYS = ("ExperimentName", "TrialName", "TrialComponentDisplayName", "RunName")


def check_experiment_config(config: Mapping[str, str] | None) -> dict[str, str]:
    """Validate SageMaker's experiment_config dict before a job is created."""
    config = dict(config or {})
    unknown = set(config) - set(EXPERIMENT_CONFIG_KEYS)
    if unknown:
        raise ValidationError(f"experiment_config has unknown keys {sorted(unknown)}; use {EXPERIMENT_CONFIG_KEYS}.")
    if config and "ExperimentName" not in config:
        raise ValidationError("experiment_config needs 'ExperimentName'.")
    for key in ("ExperimentName", "RunName"):
        if key in config:
            records.check_name(key, config[key])
    return config


def track_job(job_name: str, config: Mapping[str, str] | None, hyperparameters: Mapping[str, Any],
              inputs: Mapping[str, str], source: str | None) -> str:
    """Record job `job_name` as a run; returns the run's name."""
    config = check_experiment_config(config)
    store = get_store()
    # Launched from a notebook in JupyterLab: the notebook is the source (a %%train cell's
    # script is a temporary copy).
    source = os.environ.get("JPY_SESSION_NAME") or source
    experiment = config.get("ExperimentName")
    run = records.run_name_for(experiment, config.get("RunName", job_name))
    if experiment:
        records.ensure_experiment(store, experiment)
    trial = config.get("TrialName") or (f"Default-Run-Group-{experiment}" if experiment else None)
    display = config.get("TrialComponentDisplayName", job_name)
    try:
        records.ensure_run(store, run, experiment, trial, display, source, job_name=job_name, status="InProgress")
    except ConflictError as clash:  # the job runs already: keep its run under the job's own name
        print(f"{clash} Recording the job as run {job_name.lower()} instead.")
        run = job_name.lower()
        records.ensure_run(store, run, experiment, trial, display, source, job_name=job_name, status="InProgress")
    records.set_parameters(store, run, {k: v if isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                        else str(v) for k, v in hyperparameters.items() if len(k) <= records.MAX_NAME})
    for name, uri in inputs.items():
        records.add_artifact(store, run, name, str(uri), None, is_output=False)
    return run


def _track(job: Submission) -> None:
    details = job.kind.run_details(job.spec)
    if details is not None:
        parameters, source = details
        # A job launched inside `with Run(...)` joins that run's experiment, as in SageMaker.
        context = current_run()
        config = job.options.get("experiment_config") or (context.experiment_config if context else None)
        track_job(job.name, config, parameters, job.spec.record.get("inputs", {}), source)


# Every job of a kind that has run details is recorded as a run when it starts, in the
# experiment its `experiment_config` names (or in none).
TRACKING_EXTENSION = JobExtension(
    options=("experiment_config",), check=lambda options: check_experiment_config(options.get("experiment_config")),
    on_created=_track,
)


def lineage(artifact: str) -> dict[str, Any]:
    """Which job made `artifact` (a model.tar.gz or other output) and from which data:
    {"artifact", "job", "job_type", "inputs", "experiment", "run", "source"}."""
    store = get_store()
    path = local_path(artifact)
    job = job_records.job_producing(store, [artifact, str(path)] if path is not None else [artifact])
    if job is None:
        raise NotFoundError(f"No job produced {artifact}.")
    run = records.job_run(store, job["name"])
    return {"artifact": artifact, "job": job["name"], "job_type": job["job_type"], "inputs": job["inputs"],
            "experiment": run["experiment"] if run else None, "run": run["name"] if run else None,
            "source": run["source"] if run else None}
