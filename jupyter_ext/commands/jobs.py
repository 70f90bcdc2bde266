"""The jobs verbs: `jupyter-ext jobs list|describe|logs|stop` and `%jobs`, `%describe`,
`%logs`, `%stop`."""

from __future__ import annotations

import argparse
from typing import Any

from ..jobs import Job, describe_job, list_jobs, stop_job
from ..models import JobDescription
from . import Verb, VerbTable, arg
from .text import text_table

__all__ = ["JOBS", "jobs_table"]


def jobs_table(jobs: list[JobDescription]) -> str:
    """Jobs as a text table: name, type, status, creation time, failure reason."""
    rows = [("NAME", "TYPE", "STATUS", "CREATED", "FAILURE")]
    rows += [(j.name, j.job_type, j.status, j.created_at.strftime("%Y-%m-%d %H:%M:%S"),
              (j.failure_reason or "")[:60]) for j in jobs]
    return text_table(rows)


def _list(args: argparse.Namespace) -> list[JobDescription]:
    return list_jobs(args.type, args.status, args.name_contains, args.limit)


def _describe(args: argparse.Namespace) -> dict[str, Any]:
    return describe_job(args.name).to_dict()


def _logs(args: argparse.Namespace) -> None:
    Job(args.name).logs(follow=args.follow, tail=args.tail)


def _stop(args: argparse.Namespace) -> None:
    stop_job(args.name, args.grace)
    print(f"Stopping {args.name}")


JOBS = VerbTable("jobs", "list, describe, follow and stop jobs", (
    Verb("list", "jobs, newest first", _list, (
        arg("--type", help="Training, Processing or Tuning"),
        arg("--status", help="Pending, InProgress, Completed, Failed, Stopping or Stopped"),
        arg("--name-contains", help="part of the name"),
        arg("--limit", type=int, default=50, help="how many (default 50; 20 in a notebook)"),
        arg("--json", action="store_true", help="JSON records"),
    ), magic_defaults={"limit": 20}),
    Verb("describe", "everything about a job, as JSON", _describe, (arg("name", help="the job name"),)),
    Verb("logs", "a job's log", _logs, (
        arg("name", help="the job name"),
        arg("--follow", "-f", action="store_true", help="keep printing until the job ends"),
        arg("--tail", type=int, default=None, help="only the last N lines"),
    )),
    Verb("stop", "stop a running job", _stop, (
        arg("name", help="the job name"),
        arg("--grace", type=float, default=None, help="seconds between SIGTERM and SIGKILL"),
    )),
))
