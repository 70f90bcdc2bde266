"""`jupyter-ext jobs list|describe|logs|stop` (the verbs are jupyter_ext.commands.jobs)."""

from __future__ import annotations

import argparse
from typing import Any

from ..commands.jobs import JOBS, jobs_table
from ..models import JobDescription
from .output import print_result

__all__ = ["add_jobs_commands"]


def _list(jobs: list[JobDescription], args: argparse.Namespace) -> None:
    print_result(jobs if args.json else jobs_table(jobs), args)


def add_jobs_commands(groups: Any) -> None:
    """Add the `jobs` group to the `jupyter-ext` sub-parsers `groups`."""
    JOBS.add_to(groups, {"list": _list}, print_result)
