"""Read-only views of runs for the REST API: one run described, a leaderboard as records."""

from __future__ import annotations

import json
import math

from ..models import LeaderboardResponse, LeaderboardRow, MetricPoint, RunArtifact, RunDescription, timestamp
from ..store import get_store
from . import records
from .analytics import metric_stats
from .experiment import Experiment

__all__ = ["describe_run", "run_metric_points", "leaderboard"]


def describe_run(name: str) -> RunDescription:
    """Everything about run `name` (NotFoundError if none)."""
    store = get_store()
    run = records.run_row(store, name)
    params = {r[0]: json.loads(r[1]) for r in store.query("SELECT name, value FROM run_parameters WHERE run = ?", (name,))}
    artifacts = [RunArtifact(r["name"], r["value"], r["media_type"], bool(r["is_output"]))
                 for r in store.query("SELECT * FROM run_artifacts WHERE run = ?", (name,))]
    status, start, end = run["status"], run["start_time"], run["end_time"]
    if run["job_name"]:
        job = store.query("SELECT status, started_at, ended_at, model_data FROM jobs WHERE name = ?", (run["job_name"],))
        if job:
            status, start, end = job[0]["status"], job[0]["started_at"], job[0]["ended_at"]
            if job[0]["model_data"]:
                artifacts.append(RunArtifact("model_data", job[0]["model_data"], "application/x-tar", True))
    return RunDescription(name, run["experiment"], run["trial"], run["display_name"], status, timestamp(start),
                          timestamp(end), run["failure_reason"], run["source"], run["job_name"], params,
                          metric_stats([run])[name], artifacts)


def run_metric_points(name: str, metric: str | None = None) -> list[MetricPoint]:
    """A run's metric series (its job's, for a run a job made)."""
    store = get_store()
    run = records.run_row(store, name)
    table, key = ("metrics", run["job_name"]) if run["job_name"] else ("run_metrics", name)
    column = "job_name" if run["job_name"] else "run"
    sql = f"SELECT name, value, step, timestamp FROM {table} WHERE {column} = ?"
    params = [key]
    if metric:
        sql += " AND name = ?"
        params.append(metric)
    return [MetricPoint(r[0], r[1], r[2] if r[2] is not None else i, timestamp(r[3]))
            for i, r in enumerate(store.query(sql + " ORDER BY id", params))]


def leaderboard(experiment: str, metric: str | None, stat: str = "Last", ascending: bool = False) -> LeaderboardResponse:
    """The experiment's runs ranked by `metric` (the first one logged when None)."""
    frame = Experiment(experiment).analytics().dataframe()
    metrics = sorted({c.rsplit(" - ", 1)[0] for c in frame.columns if c.endswith(" - Count")})
    metric = metric or (metrics[0] if metrics else None)
    if metric is None:
        return LeaderboardResponse(experiment, None, stat, metrics, [])
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
    return LeaderboardResponse(experiment, metric, stat, metrics, rows)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain(value: object) -> object:
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


