"""`%monitor baseline|schedule|run|report|list`: Model Monitor from a notebook. Each verb
is a few lines over `jupyter_ext.monitor` and raises on failure (papermill fails the cell)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..errors import JupyterExtError, ValidationError
from ..monitor import (
    CronExpressionGenerator, DatasetFormat, DefaultModelMonitor, MonitoringExecution, list_executions, list_schedules,
)
from . import parse_argstring

__all__ = ["MonitorMagics"]

_CRON = {"hourly": CronExpressionGenerator.hourly, "daily": CronExpressionGenerator.daily,
         "now": CronExpressionGenerator.now}


def _show(execution: MonitoringExecution, baseline: str) -> Any:
    """The drift report: a widget in JupyterLab, the static HTML report elsewhere."""
    from IPython.display import HTML, display

    from ..jobs.display import display_choice

    if display_choice() == "widget":
        from ..widgets import DriftReport

        display(DriftReport(execution, Path(baseline) / "statistics.json", Path(baseline) / "constraints.json"))
    else:
        display(HTML(execution._repr_html_()))
    return None


@magics_class
class MonitorMagics(Magics):
    """The %monitor magic."""

    @magic_arguments()
    @argument("action", choices=["baseline", "schedule", "run", "report", "list"], help="what to do")
    @argument("target", nargs="?", help="baseline: a dataset; schedule/run/list: an endpoint; report: a run's job name")
    @argument("--baseline", metavar="FOLDER", help="the baseline's folder (statistics.json, constraints.json)")
    @argument("--output", metavar="FOLDER", help="where outputs go")
    @argument("--json", action="store_true", help="baseline: the dataset is JSON lines (default: CSV with a header)")
    @argument("--no-header", action="store_true", help="baseline: the CSV has no header line")
    @argument("--cron", default="hourly", help="schedule: hourly, daily, now or a cron(...) expression")
    @argument("--name", help="schedule: the schedule's name")
    @line_magic
    def monitor(self, line: str) -> Any:
        """Model Monitor. `%monitor baseline data.csv --output baseline/` profiles a dataset;
        `%monitor schedule ENDPOINT --baseline baseline/ --output reports/ --cron hourly`
        schedules runs; `%monitor run ENDPOINT --baseline baseline/ --output reports/` runs
        one now and shows its report; `%monitor report JOB --baseline baseline/` shows a
        run's report; `%monitor list [ENDPOINT]` lists schedules and runs."""
        args = parse_argstring(self.monitor, line)
        if args.action == "list":
            for s in list_schedules(args.target):
                print(f"{s.monitoring_schedule_name}  {s.monitoring_type}  {s.schedule_expression}  {s.status}")
            for run in list_executions(args.target):
                print(f"{run.job_name}  {run.monitoring_execution_status}  {len(run.violations)} violation(s)")
            return None
        if not args.target:
            raise ValidationError(f"%monitor {args.action} needs a target: see %monitor?")
        if args.action == "baseline":
            dataset_format = DatasetFormat.json(lines=True) if args.json else DatasetFormat.csv(header=not args.no_header)
            return DefaultModelMonitor().suggest_baseline(args.target, dataset_format, output_s3_uri=args.output)
        if not args.baseline:
            raise ValidationError(f"%monitor {args.action} needs --baseline FOLDER (a suggest_baseline output).")
        statistics, constraints = Path(args.baseline) / "statistics.json", Path(args.baseline) / "constraints.json"
        if args.action == "report":
            rows = [r for r in list_executions(limit=1000) if r.job_name == args.target]
            if not rows or not rows[0].report_path:
                raise ValidationError(f"No monitoring run {args.target!r} with a report.")
            return _show(MonitoringExecution(args.target, str(Path(rows[0].report_path).parent)), args.baseline)
        monitor = DefaultModelMonitor()
        if args.action == "schedule":
            cron = _CRON[args.cron]() if args.cron in _CRON else args.cron
            name = monitor.create_monitoring_schedule(args.target, args.output, str(statistics), str(constraints),
                                                      monitor_schedule_name=args.name, schedule_cron_expression=cron)
            print(f"Monitoring schedule {name} on endpoint {args.target}: {cron}")
            return name
        execution = monitor.run_monitoring_now(args.target, args.output, str(statistics), str(constraints))
        summary = execution.describe()
        if summary.monitoring_execution_status == "Failed":
            raise JupyterExtError(f"Monitoring run {execution.job_name} failed: {summary.failure_reason}")
        return _show(execution, args.baseline)
