"""`jupyter-ext monitor ...` (the verbs are jupyter_ext.commands.monitor).

A monitoring run's report is a file: the command line prints where it is.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..commands.monitor import MONITOR
from ..display import ShowDriftReport
from .output import print_result

__all__ = ["add_monitor_commands"]


def _report(result: ShowDriftReport | None, args: argparse.Namespace) -> None:
    if result is None:
        return
    summary = result.execution.describe()
    print(f"Monitoring run {summary.job_name}: {summary.monitoring_execution_status}, "
          f"{len(summary.violations)} violation(s); report: {summary.report_path or '-'}")


def _baseline(job: Any, args: argparse.Namespace) -> None:
    print(f"Baseline of {args.dataset}: statistics.json and constraints.json in {job.output_path}")


def add_monitor_commands(groups: Any) -> None:
    """Add the `monitor` group to the `jupyter-ext` sub-parsers `groups`."""
    MONITOR.add_to(groups, {"run": _report, "report": _report, "baseline": _baseline}, print_result)
