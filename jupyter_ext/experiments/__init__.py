"""Experiments: every job tracked as a run, Run for notebook code, analytics, leaderboards."""

from __future__ import annotations

from .analytics import ExperimentAnalytics
from .experiment import Experiment, ExperimentSummary, list_experiments
from .run import Run, load_run
from .tracking import lineage, track_job

__all__ = ["Experiment", "ExperimentAnalytics", "ExperimentSummary", "Run", "lineage", "list_experiments",
           "load_run", "track_job"]
