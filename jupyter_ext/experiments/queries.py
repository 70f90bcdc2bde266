"""Views of runs for the REST API: one run described, a leaderboard as records, a run's artifact opened."""

from __future__ import annotations

import math
from pathlib import Path

from ..jobs import records as job_records
from ..jobs.outputs import open_artifact
from ..models import (
    LeaderboardResponse, LeaderboardRow, MetricPoint, OpenArtifactResponse, RunArtifact, RunDescription, timestamp,
)
from ..store import get_store, local_path
from . import records
from .analytics import metric_stats
from .comparison import lower_is_better
from .experiment import Experiment

__all__ = ["describe_run", "run_metric_points", "metric_series", "leaderboard", "open_run_artifact"]


def describe_run(name: str) -> RunDescription:
    """Everything about run `name` (NotFoundError if none)."""
    store = get_store()
    run = records.run_row(store, name)
    params = records.parameters_of_run(store, name)
    artifacts = [RunArtifact(r["name"], r["value"], r["media_type"], bool(r["is_output"]))
                 for r in records.artifacts_of_run(store, name)]
    status, start, end = run["status"], run["start_time"], run["end_time"]
    job = job_records.job_outcomes(store, [run["job_name"]]).get(run["job_name"]) if run["job_name"] else None
    if job:
        status, start, end = job["status"], job["started_at"], job["ended_at"]
        if job["model_data"]:
            artifacts.append(RunArtifact("model_data", job["model_data"], "application/x-tar", True))
    return RunDescription(name, run["experiment"], run["trial"], run["display_name"], status, timestamp(start),
                          timestamp(end), run["failure_reason"], run["source"], run["job_name"], params,
                          metric_stats([run])[name], artifacts, timestamp(run["created_at"]),
                          job["job_type"] if job else None)


def run_metric_points(name: str, metric: str | None = None) -> list[MetricPoint]:
    """A run's metric series (its job's, for a run a job made)."""
    store = get_store()
    run = records.run_row(store, name)
    if run["job_name"]:
        return job_records.metric_points(store, run["job_name"], metric or None)
    return records.run_metric_points(store, name, metric)


def metric_series(run: str, metric: str) -> list[tuple[int, float]]:
    """(step, value) of each point of `metric` run `run` logged (its job's points when the
    run logged none itself); a point without a step gets its position. Empty for an
    unknown run."""
    store = get_store()
    points = records.run_metric_values(store, run, metric)
    if not points:
        job = records.run_job_name(store, run)
        points = [(p.step, p.value) for p in job_records.metric_points(store, job, metric)] if job else []
    return [(step or i, value) for i, (step, value) in enumerate(points)]


def leaderboard(experiment: str, metric: str | None, stat: str = "Last",
                ascending: bool | None = None) -> LeaderboardResponse:
    """The experiment's runs ranked by `metric` (the first one logged when None), lowest
    first if `ascending` (None: as the metric goes, lowest first for a loss or an error)."""
    frame = Experiment(experiment).analytics().dataframe()
    metrics = sorted({c.rsplit(" - ", 1)[0] for c in frame.columns if c.endswith(" - Count")})
    metric = metric or (metrics[0] if metrics else None)
    if metric is None:
        return LeaderboardResponse(experiment, None, stat, metrics, [], bool(ascending))
    if ascending is None:
        ascending = lower_is_better(metric)
    board = Experiment(experiment).leaderboard(metric, ascending=ascending, stat=stat)
    jobs = dict(zip(frame["TrialComponentName"], frame.get("SourceArn", [None] * len(frame))))
    rows = []
    for _, row in board.iterrows():
        value = row[f"{metric} - {stat}"]
        parameters = {k: _plain(row[k]) for k in board.columns[4:] if _plain(row[k]) is not None}
        job = jobs.get(row["TrialComponentName"])
        rows.append(LeaderboardRow(int(row["Rank"]), row["TrialComponentName"], row["Status"],
                                   None if _missing(value) else float(value), parameters,
                                   job if isinstance(job, str) else None))
    return LeaderboardResponse(experiment, metric, stat, metrics, rows, ascending)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain(value: object) -> object:
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value




def open_run_artifact(name: str, artifact: str, root: Path) -> OpenArtifactResponse:
    """Make artifact `artifact` of run `name` (a file or folder the run recorded, or a file in
    such a folder) openable in JupyterLab, as a job's artifacts are: copied under `root`'s
    `jupyter_ext-outputs/runs/<run>/`, or listed."""
    recorded = [a.value for a in describe_run(name).artifacts if a.value.startswith(("/", "file://"))]
    owners = [path for path in map(local_path, recorded) if path is not None]  # not short values
    return open_artifact(artifact, owners, f"runs/{name}", root,
                         f"is not an artifact of run {name}: open the files and folders it recorded.")
