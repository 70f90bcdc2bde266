"""Experiments: every job tracked as a run, Run for notebook code, analytics, leaderboards."""

from __future__ import annotations

from .analytics import ExperimentAnalytics
from . import components
from .experiment import Experiment, ExperimentSummary, describe_experiment, list_experiments
from .run import Run, load_run
from .tracking import lineage, track_job

__all__ = ["Experiment", "ExperimentAnalytics", "ExperimentSummary", "Run", "components", "describe_experiment",
           "lineage", "list_experiments", "load_run", "track_job"]
