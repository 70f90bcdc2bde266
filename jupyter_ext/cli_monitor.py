"""`jupyter-ext monitor ...`: Model Monitor schedules from the command line.

    jupyter-ext monitor run [--at ISO-TIME] [--wait]   # start due schedules' runs (for cron)
    jupyter-ext monitor list [--endpoint NAME] [--json]
    jupyter-ext monitor describe SCHEDULE
    jupyter-ext monitor executions [--endpoint NAME] [--schedule NAME] [--json]
    jupyter-ext monitor stop|start|delete SCHEDULE
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from .errors import UnexpectedStatusError, ValidationError

__all__ = ["add_monitor_commands"]


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--at {text!r} is not an ISO time like 2026-11-21T10:05:00Z.") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _run(args: argparse.Namespace) -> None:
    from .jobs import Job
    from .monitor import run_due_schedules

    started = run_due_schedules(_when(args.at))
    for name in started:
        print(f"Started monitoring run {name}")
    if not started:
        print("No monitoring schedule is due.")
    if not args.wait:
        return
    failed = []
    for name in started:  # every run is reported, a failed one included
        try:
            print(f"{name}: {Job(name).wait(poll=0.2).status}")
        except UnexpectedStatusError as error:
            print(f"{name}: {error.status} ({error.failure_reason})")
            failed.append(name)
    if failed:
        raise UnexpectedStatusError(", ".join(failed), "Failed", f"{len(failed)} of {len(started)} runs did not "
                                    "complete; `jupyter-ext monitor executions` lists them.")


def _list(args: argparse.Namespace) -> None:
    from .monitor import list_schedules

    schedules = list_schedules(args.endpoint)
    if args.json:
        print(json.dumps([s.to_dict() for s in schedules], indent=1))
        return
    for s in schedules:
        last = s.last_execution
        print(f"{s.monitoring_schedule_name}  {s.monitoring_type}  {s.schedule_expression}  {s.status}  "
              f"last run: {last.job_name + ' ' + last.monitoring_execution_status if last else '-'}")
    if not schedules:
        print("No monitoring schedules.")


def _executions(args: argparse.Namespace) -> None:
    from .monitor import list_executions

    runs = list_executions(args.endpoint, args.schedule, args.limit)
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=1))
        return
    for r in runs:
        print(f"{r.job_name}  {r.monitoring_execution_status}  {len(r.violations)} violation(s)  {r.report_path or '-'}")
    if not runs:
        print("No monitoring runs.")


def _describe(args: argparse.Namespace) -> None:
    from .monitor import describe_schedule

    print(json.dumps(describe_schedule(args.name), indent=1))


def _status(status: str | None) -> Any:
    def change(args: argparse.Namespace) -> None:
        from .monitor import delete_schedule, set_schedule_status

        if status is None:
            delete_schedule(args.name)
            print(f"Deleted monitoring schedule {args.name}")
        else:
            set_schedule_status(args.name, status)
            print(f"Monitoring schedule {args.name}: {status}")
    return change


def add_monitor_commands(groups: Any) -> None:
    """Add the `monitor` command group to the `jupyter-ext` parser's subparsers."""
    commands = groups.add_parser("monitor", help="Model Monitor schedules and runs").add_subparsers(
        dest="command", required=True)
    run = commands.add_parser("run", help="start the runs of schedules that are due (call it from cron)")
    run.add_argument("--at", help="the time to check against (ISO, UTC; default: now)")
    run.add_argument("--wait", action="store_true", help="wait for the runs to end")
    run.set_defaults(run=_run)
    listing = commands.add_parser("list", help="monitoring schedules with their latest run")
    listing.add_argument("--endpoint")
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(run=_list)
    runs = commands.add_parser("executions", help="monitoring runs, newest first")
    runs.add_argument("--endpoint")
    runs.add_argument("--schedule")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true", help="print JSON records")
    runs.set_defaults(run=_executions)
    describe = commands.add_parser("describe", help="a schedule's settings, as JSON")
    describe.add_argument("name")
    describe.set_defaults(run=_describe)
    for verb, status, text in (("stop", "Stopped", "stop scheduling runs"), ("start", "Scheduled", "resume a schedule"),
                               ("delete", None, "delete a schedule")):
        command = commands.add_parser(verb, help=text)
        command.add_argument("name")
        command.set_defaults(run=_status(status))
