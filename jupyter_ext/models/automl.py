"""Records of an AutoML job as its page shows it: the problem, the candidate leaderboard (the
ensemble included), the best candidate, the generated notebooks, the data profile and the
feature importance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .base import Record

__all__ = ["AutoMLCandidate", "AutoMLNotebook", "ProfiledColumn", "DataProfile", "AutoMLJobDescription",
           "OpenNotebookResponse"]


@dataclass(slots=True)
class AutoMLCandidate(Record):
    """One candidate: `objective` is its validation score on the job's objective metric (None
    when it has none); `metrics` its other validation metrics; an ensemble (`algorithm`
    "ensemble") lists its `members` with their weights."""

    name: str
    rank: int
    algorithm: str
    preprocessing: str | None
    objective: float | None
    status: str
    metrics: dict[str, float]
    members: dict[str, float] = field(default_factory=dict)
    is_best: bool = False


@dataclass(slots=True)
class AutoMLNotebook(Record):
    """A notebook the job wrote: `kind` is DataExploration or CandidateDefinition."""

    kind: str
    title: str
    file_name: str


@dataclass(slots=True)
class ProfiledColumn(Record):
    """One input column as the data profile found it: its type (numeric, categorical, text,
    datetime, boolean), missing share, distinct values, prediction power (0 to 1: how well it
    alone predicts the target) and, for numbers, its statistics."""

    name: str
    column_type: str
    missing_percent: float
    cardinality: int
    prediction_power: float | None
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(slots=True)
class DataProfile(Record):
    """What an AutoML job found in its table before training (its `data_profile.json`, the
    numbers of the Data Exploration notebook): `columns` the inputs, most predictive first;
    `dropped_columns` column → why it was left out; `target_classes` class → rows (a
    classification's target)."""

    rows: int
    sample_rows: int
    duplicate_rows: int
    missing_feature_percent: float
    target_missing_percent: float
    columns: list[ProfiledColumn]
    dropped_columns: dict[str, str]
    target_classes: dict[str, int]


@dataclass(slots=True)
class AutoMLJobDescription(Record):
    """An AutoML job as its page shows it. `candidates` best first; `feature_importance`
    is the best candidate's (how much its score drops when a column is shuffled), most
    important first, once computed."""

    name: str
    status: str
    problem_type: str | None
    objective_metric_name: str | None
    target: str | None
    mode: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    failure_reason: str | None
    candidates: list[AutoMLCandidate]
    best_candidate: str | None
    notebooks: list[AutoMLNotebook]
    feature_importance: dict[str, float] = field(default_factory=dict)
    data_profile: DataProfile | None = None


@dataclass(slots=True)
class OpenNotebookResponse(Record):
    """Where a job's notebook was copied under JupyterLab's root: `path` is relative to it
    (what JupyterLab opens)."""

    path: str
