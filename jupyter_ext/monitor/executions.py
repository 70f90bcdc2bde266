"""Monitoring and baselining runs as Processing jobs in the store, and what a run shows:
status (InProgress, Completed, CompletedWithViolations, Failed), violations and report."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs import Job, JobKind, JobSpec, describe_job, submit, unique_job_name, watch
from ..jobs.contract import base_environment
from ..models import JobDescription, MonitoringExecutionSummary, MonitoringViolation, timestamp
from ..store import get_store, join_uri
from . import records
from .analysis_files import CONSTRAINTS_FILE, STATISTICS_FILE, VIOLATIONS_FILE, Constraints, ConstraintViolations, Statistics
from .report import REPORT_HTML

__all__ = ["AnalysisJob", "record_execution", "start_scheduled_run", "short_name", "execution_summary",
           "MonitoringExecution", "list_executions"]

CONFIG_FILE = "analysis.json"


class AnalysisJob(JobKind):
    """A baselining or monitoring run (a Processing job of the analysis program): `config`
    gives the analysis for the job's name (outputs are often kept under it)."""

    def __init__(self, base_job_name: str, config: Callable[[str], dict[str, Any]],
                 details: dict[str, Any] | None = None) -> None:
        self.base_job_name, self.make_config, self.details = base_job_name, config, details or {}
        self.config: dict[str, Any] = {}

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        self.config = config = self.make_config(name)
        inputs = {k: str(config[k]) for k in ("dataset", "capture_root", "baseline_statistics",
                                              "baseline_constraints", "ground_truth") if config.get(k)}
        return JobSpec(name=name, job_type="Processing",
                       program=[sys.executable, "-m", "jupyter_ext.monitor.run_analysis", CONFIG_FILE],
                       environment=base_environment(name, job_dir, None),
                       record={"inputs": inputs, "outputs": {"output_path": str(config["output_path"])},
                               "arguments": ["jupyter_ext.monitor.run_analysis", config["kind"]],
                               "details": {"AnalysisKind": config["kind"], **self.details}})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        (job_dir / CONFIG_FILE).write_text(json.dumps(self.config, indent=1))


def record_execution(job_name: str, schedule: str | None, endpoint: str, monitoring_type: str,
                     scheduled_time: datetime, output_path: str) -> None:
    """Remember a monitoring run of `endpoint` (and of `schedule`, if any)."""
    records.insert_execution(get_store(), job_name, schedule, endpoint, monitoring_type, scheduled_time.timestamp(),
                             output_path)


def short_name(name: str, length: int) -> str:
    """`name` without a generated timestamp suffix, cut to `length` at a dash if it can be."""
    name = re.sub(r"(-\d{4}(-\d{2}){5}-\d{3})+$", "", name)
    if len(name) <= length:
        return name
    cut = name[:length]
    return cut[:cut.rfind("-")] if cut.rfind("-") > length // 2 else cut


def start_scheduled_run(schedule: str | None, endpoint: str, monitoring_type: str, config: dict[str, Any],
                        tick: datetime, start: datetime | None, wait: bool = False, logs: bool = False,
                        end: datetime | None = None, options: dict[str, Any] | None = None) -> str:
    """Start one monitoring run of `endpoint`, scheduled at `tick`, over [start, end) (`end`
    defaults to `tick`); `options` are job options for the run's job extensions. Returns its
    job name (lowercase, as SageMaker's ARNs name processing jobs)."""
    name = unique_job_name(f"{short_name(schedule or endpoint, 24)}-run".lower())
    output = join_uri(config["output_path"], endpoint, schedule or "on-demand", name)
    kind = "monitoring" if monitoring_type == "DataQuality" else "model_quality_monitoring"
    end = end or tick
    analysis = {**config, "kind": kind, "endpoint": endpoint, "output_path": output,
                "start_time": start.isoformat() if start else None, "end_time": end.isoformat()}
    details = {"MonitoringScheduleName": schedule, "EndpointName": endpoint, "MonitoringType": monitoring_type,
               "ScheduledTime": tick.isoformat()}
    job = submit(AnalysisJob(name, lambda _: analysis, details), name, options)
    # Recorded once its job exists, so a listing never shows a run without its job.
    record_execution(name, schedule, endpoint, monitoring_type, tick, output)
    if wait or logs:
        watch(job, wait, logs)
    return name


def _violations(output: Path) -> list[MonitoringViolation]:
    try:
        document = json.loads((output / VIOLATIONS_FILE).read_text())
    except (OSError, ValueError):
        return []
    return [MonitoringViolation(v.get("feature_name", ""), v.get("constraint_check_type", ""), v.get("description", ""))
            for v in document.get("violations", [])]


def execution_summary(row: Any) -> MonitoringExecutionSummary:
    """The summary of the run recorded in `row` (a monitoring_executions row)."""
    output = Path(row["output_path"])
    created = modified = timestamp(row["scheduled_time"])
    try:
        job = describe_job(row["job_name"])
        status, ended, reason = job.status, job.ended_at, job.failure_reason
        created, modified = job.created_at, job.last_modified
    except NotFoundError:
        status, ended, reason = "Failed", None, "The run's job record was deleted."
    violations = _violations(output) if status == "Completed" else []
    shown = {"Completed": "CompletedWithViolations" if violations else "Completed",
             "Failed": "Failed", "Stopped": "Failed"}.get(status, "InProgress")
    report = output / REPORT_HTML
    return MonitoringExecutionSummary(
        job_name=row["job_name"], monitoring_schedule_name=row["schedule_name"], monitoring_execution_status=shown,
        scheduled_time=timestamp(row["scheduled_time"]), ended_at=ended, violations=violations,
        report_path=str(report) if report.is_file() else None,
        failure_reason=reason if shown == "Failed" else None, endpoint_name=row["endpoint_name"],
        monitoring_type=row["monitoring_type"], created_at=created, last_modified=modified)


def list_executions(endpoint: str | None = None, schedule: str | None = None,
                    limit: int | None = 20) -> list[MonitoringExecutionSummary]:
    """Monitoring runs, newest first, of an endpoint and/or schedule (`limit=None`: all)."""
    return [execution_summary(row) for row in records.execution_rows(get_store(), endpoint, schedule, limit)]


class MonitoringExecution:
    """A monitoring run: its job, status, outputs (statistics, violations) and report."""

    def __init__(self, job_name: str, output_path: str) -> None:
        self.job_name, self.output_path = job_name, output_path
        self.job = Job(job_name)

    def __repr__(self) -> str:
        return f"MonitoringExecution({self.job_name!r}, {self.output_path!r})"

    def describe(self) -> MonitoringExecutionSummary:
        """Status, violations, report path."""
        row = records.execution_row(get_store(), self.job_name)
        if row is None:
            raise NotFoundError(f"No monitoring run {self.job_name!r}.")
        return execution_summary(row)

    def wait(self, timeout: float = 3600.0) -> MonitoringExecutionSummary:
        """Block until the run ends; returns its summary (a failed run does not raise)."""
        deadline = time.monotonic() + timeout
        while self.job.status not in ("Completed", "Failed", "Stopped") and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.describe()

    def statistics(self) -> Statistics:
        """The run's statistics.json."""
        return Statistics.from_file_path(Path(self.output_path) / STATISTICS_FILE)

    def constraint_violations(self) -> ConstraintViolations | None:
        """The run's constraint_violations.json; None for a run without a baseline (none is
        written then), as SageMaker's SDK answers for a missing file."""
        path = Path(self.output_path) / VIOLATIONS_FILE
        return ConstraintViolations.from_file_path(path) if path.is_file() else None

    @property
    def report_path(self) -> Path:
        """report.html of the run."""
        return Path(self.output_path) / REPORT_HTML

    def _repr_html_(self) -> str:
        if self.report_path.is_file():
            return self.report_path.read_text().split("<title>Model Monitor report</title>", 1)[-1]
        return f"<pre>{self!r}: no report (yet)</pre>"


class BaseliningJob:
    """A finished (or running) baselining job: its statistics and suggested constraints."""

    def __init__(self, job: Job, output_path: str) -> None:
        self.job, self.output_path = job, output_path

    @classmethod
    def attach(cls, job_name: str) -> BaseliningJob:
        """The baselining job `job_name` (NotFoundError if there is none; ValidationError
        for a job that is not a baselining job)."""
        job = Job(job_name)
        record = job.spec().record
        if not str(record.get("details", {}).get("AnalysisKind", "")).endswith("baseline"):
            raise ValidationError(f"Job {job_name!r} is not a baselining job (suggest_baseline makes those); give "
                                  "the statistics and constraints files instead.")
        return cls(job, record["outputs"]["output_path"])

    @property
    def job_name(self) -> str:
        """The baselining job's name."""
        return self.job.name

    def describe(self) -> JobDescription:
        """The baselining (Processing) job's description; `["ProcessingJobStatus"]` too."""
        return self.job.describe()

    def baseline_statistics(self) -> Statistics:
        """statistics.json of the baseline, editable (`body_dict`) and saveable (`save()`)."""
        return Statistics.from_file_path(Path(self.output_path) / STATISTICS_FILE)

    def suggested_constraints(self) -> Constraints:
        """constraints.json suggested from the baseline, editable and saveable."""
        return Constraints.from_file_path(Path(self.output_path) / CONSTRAINTS_FILE)

    def __repr__(self) -> str:
        return f"BaseliningJob({self.job.name!r}, {self.output_path!r})"
