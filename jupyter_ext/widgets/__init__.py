"""Notebook widgets. `JobMonitor` shows one job live: status, elapsed time, log tail,
latest metrics with a sparkline each, and a Stop button. Its text form is the same
information as plain text (papermill, nbconvert)."""

from __future__ import annotations

from .drift_report import DriftReport
from .job_monitor import JobMonitor, watch_job
from .leaderboard import Leaderboard

__all__ = ["DriftReport", "JobMonitor", "Leaderboard", "watch_job"]
