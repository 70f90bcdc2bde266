"""Experiments: list, leaderboard, tags, rename, delete."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..models import ExperimentSummary, timestamp
from ..store import get_store, home
from . import records
from .analytics import STATS, ExperimentAnalytics

if TYPE_CHECKING:
    import pandas

__all__ = ["Experiment", "ExperimentSummary", "describe_experiment", "list_experiments"]


def list_experiments() -> list[ExperimentSummary]:
    """Every experiment with its run count, newest first."""
    rows = records.experiment_summaries(get_store())
    return [ExperimentSummary(r[0], r[1], json.loads(r[2]), r[4], timestamp(r[3]), r[5]) for r in rows]


def describe_experiment(name: str) -> ExperimentSummary:
    """Experiment `name` with its run count; NotFoundError names the known experiments."""
    records.experiment_row(get_store(), name)
    return next(summary for summary in list_experiments() if summary.name == name)


class Experiment:
    """An experiment in the store, by name (NotFoundError if there is none)."""

    def __init__(self, name: str) -> None:
        records.experiment_row(get_store(), name)
        self.name = name

    @classmethod
    def create(cls, name: str, description: str = "", tags: dict[str, str] | None = None) -> Experiment:
        """Create the experiment (or return the existing one with the tags added)."""
        records.ensure_experiment(get_store(), records.check_name("experiment", name), description, tags)
        return cls(name)

    def __repr__(self) -> str:
        return f"Experiment({self.name!r})"

    @property
    def tags(self) -> dict[str, str]:
        """The experiment's tags."""
        return json.loads(records.experiment_row(get_store(), self.name)["tags"])

    def add_tags(self, **tags: str) -> None:
        """Add or replace tags."""
        records.ensure_experiment(get_store(), self.name, tags={k: str(v) for k, v in tags.items()})

    def update(self, display_name: str | None = None, description: str | None = None) -> None:
        """Set the display name and description (None leaves one as it is)."""
        records.update_experiment(get_store(), self.name, display_name, description)

    def runs(self) -> list[str]:
        """The names of the experiment's runs, oldest first."""
        return records.run_names(get_store(), self.name)

    def analytics(self, **kwargs: Any) -> ExperimentAnalytics:
        """ExperimentAnalytics of this experiment."""
        return ExperimentAnalytics(experiment_name=self.name, **kwargs)

    def leaderboard(self, metric: str, ascending: bool = False, stat: str = "Last") -> pandas.DataFrame:
        """Runs ranked by `metric` (its Last value by default; best first = highest unless
        `ascending`): rank, run, status, the metric, then parameters."""
        if stat not in STATS:
            raise ValidationError(f"stat {stat!r}; choose one of: {', '.join(STATS)}.")
        frame = self.analytics().dataframe()
        column = f"{metric} - {stat}"
        if column not in frame.columns:
            known = sorted({c.rsplit(" - ", 1)[0] for c in frame.columns if c.endswith(" - Count")})
            raise ValidationError(f"No run of {self.name} logged metric {metric!r}; logged: {', '.join(known) or 'none'}.")
        frame = frame.sort_values(column, ascending=ascending, na_position="last").reset_index(drop=True)
        parameters = [c for c in frame.columns if " - " not in c and c not in (
            "TrialComponentName", "DisplayName", "SourceArn", "Status", "Trials", "Experiments")]
        frame.insert(0, "Rank", range(1, len(frame) + 1))
        return frame[["Rank", "TrialComponentName", "Status", column, *parameters]]

    def rename(self, new_name: str) -> None:
        """Rename the experiment (its runs follow)."""
        records.check_name("experiment", new_name)
        records.rename_experiment(get_store(), self.name, new_name)
        self.name = new_name

    def delete(self) -> dict[str, int]:
        """Delete the experiment, its runs and what they logged (parameters, metric points,
        artifact records and files under the experiments artifact folder). Jobs, their
        logs and their model artifacts are kept. Returns what was deleted, by kind."""
        store = get_store()
        runs = self.runs()
        counts = {"runs": len(runs), **records.logged_counts(store, runs)}
        records.delete_experiment(store, self.name)
        for run in runs:
            shutil.rmtree(home() / "artifacts" / "experiments" / run, ignore_errors=True)
        return counts
