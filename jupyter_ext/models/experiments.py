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
    """Every experiment, newest first, and how many runs are in none."""

    experiments: list[ExperimentSummary]
    unassigned_runs: int = 0


@dataclass(slots=True)
class LeaderboardRequest(Record):
    """Query parameters of GET .../experiments/{name}/leaderboard: the metric (default: the
    first one logged), its statistic (Last, Min, Max, Avg, StdDev, Count), the order (default:
    the metric's own, lowest first for a loss or an error, else highest first)."""

    metric: str | None = None
    stat: str = "Last"
    ascending: bool | None = None


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
    """An experiment's runs ranked by one metric; `metrics` lists every metric logged;
    `ascending`: lowest first."""

    experiment: str
    metric: str | None
    stat: str
    metrics: list[str]
    rows: list[LeaderboardRow]
    ascending: bool = False


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


@dataclass(slots=True)
class CompareRunsRequest(Record):
    """Query of GET .../run-comparison: the experiment whose runs to compare; without one, the
    runs outside any experiment (Studio's unassigned trial components)."""

    experiment: str | None = None


@dataclass(slots=True)
class ComparedMetric(Record):
    """A metric the compared runs logged, and which way is better (a loss or an error: lower)."""

    name: str
    lower_is_better: bool


@dataclass(slots=True)
class ComparedRun(Record):
    """One run in a comparison: its parameters, each metric's last value, and the names of
    the charts it logged (ROC curves, confusion matrices, precision-recall curves)."""

    name: str
    display_name: str
    status: str
    job_name: str | None
    created_at: datetime | None
    parameters: dict[str, Any]
    metrics: dict[str, float]
    charts: list[str]


@dataclass(slots=True)
class RunComparison(Record):
    """The runs of an experiment (`experiment` None: the unassigned runs, newest `limit`
    of `total`), the metrics and parameters they logged, newest run first."""

    experiment: str | None
    metrics: list[ComparedMetric]
    parameters: list[str]
    runs: list[ComparedRun]
    total: int


@dataclass(slots=True)
class RocCurve(Record):
    """An ROC curve `Run.log_roc_curve` logged (artifact `name`)."""

    name: str
    false_positive_rate: list[float]
    true_positive_rate: list[float]
    area_under_curve: float | None


@dataclass(slots=True)
class PrecisionRecallCurve(Record):
    """A precision-recall curve `Run.log_precision_recall` logged (artifact `name`)."""

    name: str
    precision: list[float]
    recall: list[float]
    average_precision: float | None


@dataclass(slots=True)
class ConfusionMatrix(Record):
    """A confusion matrix `Run.log_confusion_matrix` logged: `matrix[true][predicted]` counts,
    rows and columns in the order of `labels`."""

    name: str
    labels: list[str]
    matrix: list[list[int]]


@dataclass(slots=True)
class RunCharts(Record):
    """The charts run `run` logged, read from their JSON artifacts."""

    run: str
    roc_curves: list[RocCurve]
    precision_recall_curves: list[PrecisionRecallCurve]
    confusion_matrices: list[ConfusionMatrix]
