"""Notebook widgets. `JobMonitor` shows one job live: status, elapsed time, log tail,
latest metrics with a sparkline each, and a Stop button. Its text form is the same
information as plain text (papermill, nbconvert).

Magics never import this package: they hand results to `jupyter_ext.display.show`,
which finds the widget for each kind of result in `widgets.views` (leaderboard, drift
report, tensor viewer) and jobs' `watch_job` through the watchers registry."""

from __future__ import annotations

from .drift_report import DriftReport
from .job_monitor import JobMonitor, watch_job
from .leaderboard import Leaderboard

__all__ = ["DriftReport", "JobMonitor", "Leaderboard", "watch_job"]
