"""The Model Monitor verbs: `jupyter-ext monitor ...` and `%monitor ...`.

    baseline DATASET --output FOLDER [--json | --no-header]     profile a dataset
    schedule ENDPOINT [--baseline FOLDER] --output FOLDER [--cron hourly|daily|now|cron(...)] [--name N]
    run ENDPOINT --baseline FOLDER --output FOLDER               one run now, and its report
    run [--at ISO-TIME] [--wait]                                 start due schedules' runs (for cron)
    report JOB --baseline FOLDER                                 a run's report
    list [ENDPOINT] | executions | describe | stop | start | delete SCHEDULE
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..display import ShowDriftReport
from ..errors import JupyterExtError, UnexpectedStatusError, ValidationError
from . import Verb, VerbTable, arg

__all__ = ["MONITOR"]


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--at {text!r} is not an ISO time like 2026-11-21T10:05:00Z.") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _baseline_files(args: argparse.Namespace) -> tuple[str, str]:
    if not args.baseline:
        raise ValidationError(f"monitor {args.verb_name} needs --baseline FOLDER (a suggest_baseline output).")
    return str(Path(args.baseline) / "statistics.json"), str(Path(args.baseline) / "constraints.json")


def _baseline(args: argparse.Namespace) -> Any:
    from ..monitor import DatasetFormat, DefaultModelMonitor

    dataset_format = DatasetFormat.json(lines=True) if args.json else DatasetFormat.csv(header=not args.no_header)
    return DefaultModelMonitor().suggest_baseline(args.dataset, dataset_format, output_s3_uri=args.output)


def _schedule(args: argparse.Namespace) -> str:
    from ..monitor import CronExpressionGenerator, DefaultModelMonitor

    # Without a baseline, runs profile the captured data and check nothing, as SageMaker's do.
    statistics, constraints = _baseline_files(args) if args.baseline else (None, None)
    crons = {"hourly": CronExpressionGenerator.hourly, "daily": CronExpressionGenerator.daily,
             "now": CronExpressionGenerator.now}
    cron = crons[args.cron]() if args.cron in crons else args.cron
    name = DefaultModelMonitor().create_monitoring_schedule(
        args.endpoint, args.output, statistics, constraints, monitor_schedule_name=args.name,
        schedule_cron_expression=cron)
    print(f"Monitoring schedule {name} on endpoint {args.endpoint}: {cron}")
    return name


def _run(args: argparse.Namespace) -> ShowDriftReport | None:
    if args.endpoint is None:
        _run_due(args)
        return None
    from ..monitor import DefaultModelMonitor

    statistics, constraints = _baseline_files(args)
    execution = DefaultModelMonitor().run_monitoring_now(args.endpoint, args.output, statistics, constraints)
    summary = execution.describe()
    if summary.monitoring_execution_status == "Failed":
        raise JupyterExtError(f"Monitoring run {execution.job_name} failed: {summary.failure_reason}")
    return ShowDriftReport(execution, args.baseline)


def _run_due(args: argparse.Namespace) -> None:
    from ..jobs import Job
    from ..monitor import run_due_schedules

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


def _report(args: argparse.Namespace) -> ShowDriftReport:
    from ..monitor import MonitoringExecution, list_executions

    _baseline_files(args)
    rows = [r for r in list_executions(limit=1000) if r.job_name == args.job]
    if not rows or not rows[0].report_path:
        raise ValidationError(f"No monitoring run {args.job!r} with a report.")
    return ShowDriftReport(MonitoringExecution(args.job, str(Path(rows[0].report_path).parent)), args.baseline)


def _list(args: argparse.Namespace) -> list[Any] | None:
    from ..monitor import list_schedules

    schedules = list_schedules(args.endpoint or args.endpoint_option)
    if args.json:
        return schedules
    for s in schedules:
        last = s.last_execution
        print(f"{s.monitoring_schedule_name}  {s.monitoring_type}  {s.schedule_expression}  {s.status}  "
              f"last run: {last.job_name + ' ' + last.monitoring_execution_status if last else '-'}")
    if not schedules:
        print("No monitoring schedules.")
    return None


def _executions(args: argparse.Namespace) -> list[Any] | None:
    from ..monitor import list_executions

    runs = list_executions(args.endpoint, args.schedule, args.limit)
    if args.json:
        return runs
    for r in runs:
        print(f"{r.job_name}  {r.monitoring_execution_status}  {len(r.violations)} violation(s)  {r.report_path or '-'}")
    if not runs:
        print("No monitoring runs.")
    return None


def _describe(args: argparse.Namespace) -> dict[str, Any]:
    from ..monitor import describe_schedule

    return describe_schedule(args.name)


def _set_status(status: str | None) -> Any:
    def change(args: argparse.Namespace) -> None:
        from ..monitor import delete_schedule, set_schedule_status

        if status is None:
            delete_schedule(args.name)
            print(f"Deleted monitoring schedule {args.name}")
        else:
            set_schedule_status(args.name, status)
            print(f"Monitoring schedule {args.name}: {status}")
    return change


_BASELINE = arg("--baseline", metavar="FOLDER", help="the baseline's folder (statistics.json, constraints.json)")
_OUTPUT = arg("--output", metavar="FOLDER", help="where outputs go")
_JSON = arg("--json", action="store_true", help="JSON records")
_SCHEDULE = arg("name", help="the schedule's name")

MONITOR = VerbTable("monitor", "Model Monitor baselines, schedules and runs", (
    Verb("baseline", "profile a dataset into statistics.json and constraints.json", _baseline, (
        arg("dataset", help="a CSV or JSON lines file, or a folder of them"), _OUTPUT,
        arg("--json", action="store_true", help="the dataset is JSON lines (default: CSV with a header)"),
        arg("--no-header", action="store_true", help="the CSV has no header line"),
    )),
    Verb("schedule", "schedule monitoring runs of an endpoint (without --baseline they profile its data only)",
         _schedule, (
        arg("endpoint"), _BASELINE, _OUTPUT,
        arg("--cron", default="hourly", help="hourly, daily, now or a cron(...) expression"),
        arg("--name", help="the schedule's name"),
    )),
    Verb("run", "one run of ENDPOINT now and its report; without ENDPOINT, start the runs of due schedules "
         "(call it from cron)", _run, (
        arg("endpoint", nargs="?", help="the endpoint to monitor now"), _BASELINE, _OUTPUT,
        arg("--at", help="due schedules: the time to check against (ISO, UTC; default: now)"),
        arg("--wait", action="store_true", help="due schedules: wait for the runs to end"),
    )),
    Verb("report", "a monitoring run's drift report", _report, (arg("job", help="the run's job name"), _BASELINE)),
    Verb("list", "monitoring schedules with their latest run", _list, (
        arg("endpoint", nargs="?", help="only this endpoint's schedules"),
        arg("--endpoint", dest="endpoint_option", metavar="ENDPOINT", help="the same, as an option"), _JSON,
    )),
    Verb("executions", "monitoring runs, newest first", _executions, (
        arg("--endpoint"), arg("--schedule"), arg("--limit", type=int, default=20), _JSON,
    )),
    Verb("describe", "a schedule's settings, as JSON", _describe, (_SCHEDULE,)),
    Verb("stop", "stop scheduling runs", _set_status("Stopped"), (_SCHEDULE,)),
    Verb("start", "resume a schedule", _set_status("Scheduled"), (_SCHEDULE,)),
    Verb("delete", "delete a schedule", _set_status(None), (_SCHEDULE,)),
))
