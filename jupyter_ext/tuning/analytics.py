"""Analytics of a tuning job: a DataFrame with SageMaker's columns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..jobs import describe_job
from .trials import read_trials

if TYPE_CHECKING:
    import pandas

__all__ = ["HyperparameterTuningJobAnalytics"]


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


class HyperparameterTuningJobAnalytics:
    """`dataframe()`: one row per training job, one column per tuned hyperparameter (as a
    float when it is a number), then TrainingJobName, TrainingJobStatus,
    FinalObjectiveValue, TrainingStartTime, TrainingEndTime, TrainingElapsedTimeSeconds
    (and TrainingJobDefinitionName when several definitions are tuned)."""

    def __init__(self, tuning_job_name: str) -> None:
        self.name = tuning_job_name

    @property
    def tuning_ranges(self) -> dict[str, Any]:
        """The ranges, per training job definition."""
        config = json.loads((Path(describe_job(self.name).job_dir) / "tuning.json").read_text())
        return {d["name"]: d["ranges"] for d in config["definitions"]}

    def training_job_summaries(self) -> list[dict[str, Any]]:
        """The rows as dicts."""
        several = len(self.tuning_ranges) > 1
        rows = []
        for record in read_trials(self.name):
            job = describe_job(record.job)
            row = {k: _number(v) for k, v in record.hyperparameters.items()}
            row.update(TrainingJobName=record.job, TrainingJobStatus=record.status,
                       FinalObjectiveValue=record.value, TrainingStartTime=job.started_at,
                       TrainingEndTime=job.ended_at, TrainingElapsedTimeSeconds=job.elapsed_seconds)
            if several:
                row["TrainingJobDefinitionName"] = record.definition
            rows.append(row)
        return rows

    def dataframe(self) -> pandas.DataFrame:
        """The training jobs of the tuning job as a DataFrame."""
        import pandas

        return pandas.DataFrame(self.training_job_summaries())

    def export_csv(self, filename: str) -> None:
        """Write `dataframe()` to a CSV file."""
        self.dataframe().to_csv(filename, index=False)
