"""`jupyter-ext`: the command line over the same API.

    jupyter-ext jobs list [--type T] [--status S] [--name-contains X] [--limit N] [--json]
    jupyter-ext jobs describe NAME
    jupyter-ext jobs logs NAME [--follow] [--tail N]
    jupyter-ext jobs stop NAME [--grace SECONDS]
    jupyter-ext lifecycle run|status|logs|configure|create-config|delete-config|list-configs
    jupyter-ext debugger rules NAME [--wait]
    jupyter-ext endpoints list|describe|delete ...
    jupyter-ext monitor run|list|executions|describe|stop|start|delete ...   (see cli_monitor.py)
    jupyter-ext livy serve|status|stop|configure ...   (see jupyter_ext/spark/_cli.py)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from .cli_lifecycle import add_lifecycle_commands
from .errors import JupyterExtError
from .jobs import Job, describe_job, list_jobs, stop_job
from .spark._cli import add_livy_commands

__all__ = ["main", "build_parser"]


def _jobs_list(args: argparse.Namespace) -> None:
    jobs = list_jobs(args.type, args.status, args.name_contains, args.limit)
    if args.json:
        print(json.dumps([job.to_dict() for job in jobs], indent=1))
        return
    rows = [("NAME", "TYPE", "STATUS", "CREATED", "FAILURE")]
    rows += [(j.name, j.job_type, j.status, j.created_at.strftime("%Y-%m-%d %H:%M:%S"),
              (j.failure_reason or "")[:60]) for j in jobs]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])


def _jobs_describe(args: argparse.Namespace) -> None:
    print(json.dumps(describe_job(args.name).to_dict(), indent=1))


def _jobs_logs(args: argparse.Namespace) -> None:
    Job(args.name).logs(follow=args.follow, tail=args.tail)


def _jobs_stop(args: argparse.Namespace) -> None:
    stop_job(args.name, args.grace)
    print(f"Stopping {args.name}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `jupyter-ext`."""
    parser = argparse.ArgumentParser(prog="jupyter-ext", description="jupyter_ext from the command line")
    groups = parser.add_subparsers(dest="group", required=True)
    jobs = groups.add_parser("jobs", help="list, describe, follow and stop jobs").add_subparsers(
        dest="command", required=True)
    listing = jobs.add_parser("list", help="jobs, newest first")
    listing.add_argument("--type", help="Training, Processing or Tuning")
    listing.add_argument("--status", help="Pending, InProgress, Completed, Failed, Stopping, Stopped")
    listing.add_argument("--name-contains")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(run=_jobs_list)
    describe = jobs.add_parser("describe", help="everything about a job, as JSON")
    describe.add_argument("name")
    describe.set_defaults(run=_jobs_describe)
    logs = jobs.add_parser("logs", help="a job's log")
    logs.add_argument("name")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing until the job ends")
    logs.add_argument("--tail", type=int, help="only the last N lines")
    logs.set_defaults(run=_jobs_logs)
    stop = jobs.add_parser("stop", help="stop a running job")
    stop.add_argument("name")
    stop.add_argument("--grace", type=float, help="seconds between SIGTERM and SIGKILL")
    stop.set_defaults(run=_jobs_stop)
    add_lifecycle_commands(groups)
    _add_debugger_commands(groups)
    from .cli_endpoints import add_endpoints_commands; add_endpoints_commands(groups)  # noqa: E702
    from .cli_monitor import add_monitor_commands; add_monitor_commands(groups)  # noqa: E702
    add_livy_commands(groups)
    return parser


def _add_debugger_commands(groups: Any) -> None:
    """`jupyter-ext debugger rules JOB [--wait]`: a training job's rule statuses as JSON."""
    debugger = groups.add_parser("debugger", help="debugger rule results").add_subparsers(dest="command", required=True)
    rules = debugger.add_parser("rules", help="a training job's rule statuses, as JSON")
    rules.add_argument("name")
    rules.add_argument("--wait", action="store_true", help="wait until every rule has a final status")
    rules.set_defaults(run=_debugger_rules)


def _debugger_rules(args: argparse.Namespace) -> None:
    from .debugger.rule_jobs import rule_evaluations, wait_for_rule_evaluations

    evaluations = wait_for_rule_evaluations(args.name) if args.wait else rule_evaluations(args.name)
    print(json.dumps([r.to_dict() for r in evaluations], indent=1))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 on a jupyter_ext error)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except JupyterExtError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away, as `jupyter-ext jobs list | head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
