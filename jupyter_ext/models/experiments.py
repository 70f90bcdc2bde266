"""Records of experiments and their runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import Record


@dataclass(slots=True)
class ExperimentSummary(Record):
    """One experiment and how many runs it has."""

    name: str
    description: str
    tags: dict[str, str]
    runs: int
    created_at: datetime
    display_name: str | None = None


@dataclass(slots=True)
class ListExperimentsResponse(Record):
    """Every experiment, newest first."""

    experiments: list[ExperimentSummary]


@dataclass(slots=True)
class LeaderboardRequest(Record):
    """Query parameters of GET .../experiments/{name}/leaderboard: the metric (default: the
    first one logged), its statistic (Last, Min, Max, Avg, StdDev, Count), the order."""

    metric: str | None = None
    stat: str = "Last"
    ascending: bool = False


@dataclass(slots=True)
class LeaderboardRow(Record):
    """One ranked run."""

    rank: int
    run: str
    status: str
    value: float | None
    parameters: dict[str, Any]
    job_name: str | None


@dataclass(slots=True)
class LeaderboardResponse(Record):
    """An experiment's runs ranked by one metric; `metrics` lists every metric logged."""

    experiment: str
    metric: str | None
    stat: str
    metrics: list[str]
    rows: list[LeaderboardRow]


@dataclass(slots=True)
class RunArtifact(Record):
    """An input or output artifact of a run."""

    name: str
    value: str
    media_type: str | None
    is_output: bool


@dataclass(slots=True)
class RunDescription(Record):
    """Everything about one run (trial component); `metrics` holds each metric's statistics."""

    name: str
    experiment: str | None
    trial: str | None
    display_name: str
    status: str
    start_time: datetime | None
    end_time: datetime | None
    failure_reason: str | None
    source: str | None
    job_name: str | None
    parameters: dict[str, Any]
    metrics: dict[str, dict[str, float]]
    artifacts: list[RunArtifact]
    created_at: datetime | None = None
    job_type: str | None = None


@dataclass(slots=True)
class TrialSummary(Record):
    """A trial (run group) of an experiment and how many runs it holds."""

    name: str
    experiment: str
    display_name: str
    created_at: datetime
    runs: int
