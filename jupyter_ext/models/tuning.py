"""Records of a hyperparameter tuning job as its page shows it: the search it ran (objective,
strategy, ranges, limits) and every training job it launched with its objective value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .base import Record

__all__ = ["TuningParameterRange", "TuningTrial", "TuningJobDescription"]


@dataclass(slots=True)
class TuningParameterRange(Record):
    """One tuned hyperparameter: `kind` is Continuous, Integer or Categorical; numeric ranges
    have `min_value`, `max_value` and `scaling_type` (Auto, Linear, Logarithmic,
    ReverseLogarithmic); categorical ones their `values`."""

    name: str
    kind: str
    definition: str
    min_value: float | None = None
    max_value: float | None = None
    scaling_type: str | None = None
    values: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TuningTrial(Record):
    """One training job of a tuning job: its tuned hyperparameters (numbers as numbers), its
    final objective value (None while it runs or when it has none), and whether it is the
    tuning job's best so far. `elapsed_seconds` counts up while the job runs."""

    name: str
    definition: str
    status: str
    hyperparameters: dict[str, Any]
    objective: float | None
    started_at: datetime | None
    ended_at: datetime | None
    elapsed_seconds: float | None
    early_stopped: bool = False
    is_best: bool = False


@dataclass(slots=True)
class TuningJobDescription(Record):
    """A tuning job as its page shows it. `objective_type` is Maximize or Minimize; `trials`
    are in launch order; `best_trial` names the best finished one (None before any has an
    objective value)."""

    name: str
    status: str
    strategy: str
    objective_metric_name: str
    objective_type: str
    max_jobs: int
    max_parallel_jobs: int
    early_stopping_type: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    failure_reason: str | None
    ranges: list[TuningParameterRange]
    trials: list[TuningTrial]
    best_trial: str | None = None
