"""DefaultModelMonitor and ModelQualityMonitor: SageMaker's Model Monitor API over local
Processing jobs, endpoint captures and the store."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..jobs import check_job_options, submit, unique_job_name, watch
from ..store import default_output_path, get_store, join_uri
from . import records
from .analysis_files import CONSTRAINTS_FILE, STATISTICS_FILE, Constraints, Statistics
from .datasets import dataset_and_format, require_local_path
from .executions import AnalysisJob, BaseliningJob, MonitoringExecution, list_executions, start_scheduled_run
from .executions import short_name
from .schedule_expressions import CronExpressionGenerator
from .schedules import create_schedule, delete_schedule, describe_schedule, set_schedule_status

__all__ = ["DefaultModelMonitor", "start_scheduled_run", "endpoint_capture_root", "monitoring_config"]


def endpoint_capture_root(endpoint: Any) -> tuple[str, str]:
    """(endpoint name, its capture folder); clear errors for an unknown endpoint or one without capture."""
    from ..serving import describe_endpoint

    name = getattr(endpoint, "endpoint_name", endpoint)
    if not isinstance(name, str):
        raise ValidationError(f"endpoint_input must be an endpoint name or a Predictor; got {endpoint!r}.")
    capture = describe_endpoint(name).data_capture
    if not capture or not capture.get("enable_capture", True):
        raise ValidationError(f"Endpoint {name!r} does not capture data: deploy it with data_capture_config="
                              "DataCaptureConfig(True, sampling_percentage=..., destination_s3_uri=...).")
    if capture.get("upload_to"):
        raise ValidationError(f"Endpoint {name!r} captures to {capture['upload_to']}, outside this machine; Model "
                              "Monitor reads captures in local folders or the local S3 folder.")
    return name, capture["destination"]


def _baseline_file(given: Any, latest: BaseliningJob | None, name: str) -> str | None:
    """The baseline file `given`, else the `latest` baselining job's; None for neither."""
    if given is None:
        return None if latest is None else str(Path(latest.output_path) / name)
    path = getattr(given, "file_path", None) or str(given)
    return require_local_path(path, name)


def monitoring_config(monitoring_type: str, endpoint_input: Any, output_s3_uri: str | None = None,
                      statistics: Any = None, constraints: Any = None, latest: BaseliningJob | None = None,
                      output_path: str | None = None, **extra: Any) -> tuple[str, dict[str, Any]]:
    """(endpoint name, schedule config) for monitoring `endpoint_input`'s captured data.

    The baseline files are `statistics` / `constraints` (paths, s3:// URIs of the local S3
    folder, or Statistics/Constraints objects), else the `latest` baselining job's; a
    ModelQuality schedule needs constraints only; with none of them the runs check no
    constraints (a schedule without a baseline, as SageMaker allows). Outputs go to
    `output_s3_uri` (default: `monitoring` under `output_path` or the default output path). `extra` are analysis
    settings kept as they are (window offsets, model-quality settings). ValidationError for
    an endpoint without data capture, half a baseline or a URI outside this machine.
    """
    endpoint, capture_root = endpoint_capture_root(endpoint_input)
    output = require_local_path(output_s3_uri or join_uri(output_path or default_output_path(), "monitoring"),
                                "output_s3_uri")
    config = {"capture_root": capture_root, "output_path": output, **extra}
    if statistics is None and constraints is None and latest is None:
        return endpoint, config  # no baseline: runs write statistics and check no constraints, as SageMaker's
    config["baseline_constraints"] = _baseline_file(constraints, latest, CONSTRAINTS_FILE)
    if monitoring_type == "DataQuality":  # model quality compares with constraints only
        config["baseline_statistics"] = _baseline_file(statistics, latest, STATISTICS_FILE)
    missing = [key for key, value in config.items() if key.startswith("baseline_") and value is None]
    if missing:
        raise ValidationError(f"Half a baseline: {' and '.join(missing)} missing and no suggest_baseline() job. "
                              "Pass constraints= (and statistics= for data quality), or neither to monitor "
                              "without a baseline.")
    return endpoint, config


def _offsets(start: str | None, end: str | None) -> dict[str, str]:
    """The window offsets SageMaker's data_analysis_start_time / _end_time give ("-PT1H")."""
    return {key: value for key, value in (("start_time_offset", start), ("end_time_offset", end)) if value}


def _drift_method(override: Any) -> dict[str, str]:
    """categorical_drift_method of a monitoring_config_override (SageMaker's
    DataQualityMonitoringConfig, or its dict form)."""
    if override is None:
        return {}
    distribution = override.get("distribution_constraints") if isinstance(override, dict) else \
        getattr(override, "distribution_constraints", None)
    method = distribution.get("categorical_drift_method") if isinstance(distribution, dict) else \
        getattr(distribution, "categorical_drift_method", None)
    if method is not None and method not in ("LInfinity", "ChiSquared"):
        raise ValidationError(f"categorical_drift_method {method!r}; choose LInfinity or ChiSquared.")
    return {"categorical_drift_method": method} if method else {}


def _execution(job_name: str) -> MonitoringExecution:
    row = records.execution_row(get_store(), job_name)
    return MonitoringExecution(job_name, row["output_path"])


class DefaultModelMonitor:
    """Data-quality monitoring (SageMaker's DefaultModelMonitor): a baseline from a dataset,
    then runs over an endpoint's captured data that flag drift and broken constraints.

    SageMaker arguments about AWS (role, instance_type, ...) are accepted silently; others
    we cannot honour (post_analytics_processor_script, ...) with a warning naming them.
    Options of job extensions (`experiment_config`, ...) go to every job the monitor starts.
    """

    monitoring_type = "DataQuality"

    def __init__(self, base_job_name: str | None = None, output_path: str | None = None,
                 **options: Any) -> None:
        self.job_options = check_job_options("Processing", options)
        ignore_sagemaker_arguments(type(self).__name__,
                                   {k: v for k, v in options.items() if k not in self.job_options})
        self.base_job_name = base_job_name or "baseline"
        self.output_path = output_path
        self.latest_baselining_job: BaseliningJob | None = None
        self.monitoring_schedule_name: str | None = None
        self.latest_execution: MonitoringExecution | None = None
        self._schedule_config: dict[str, Any] | None = None
        self._endpoint: str | None = None

    def suggest_baseline(self, baseline_dataset: Any, dataset_format: dict[str, Any] | None = None,
                         output_s3_uri: str | None = None, wait: bool = True, logs: bool = True,
                         job_name: str | None = None, monitoring_config_override: Any = None,
                         **_sagemaker_only: Any) -> BaseliningJob:
        """Profile `baseline_dataset` (a path, a folder of files or a DataFrame) in a
        Processing job writing statistics.json and constraints.json to `output_s3_uri`;
        `monitoring_config_override`'s categorical_drift_method goes into the constraints."""
        ignore_sagemaker_arguments("DefaultModelMonitor.suggest_baseline", _sagemaker_only)
        dataset, dataset_format = dataset_and_format(baseline_dataset, dataset_format)
        analysis = {"kind": "baseline", "dataset": dataset, "dataset_format": dataset_format,
                    **_drift_method(monitoring_config_override)}
        return self._start_baselining(analysis, output_s3_uri, job_name, wait, logs)

    def _start_baselining(self, analysis: dict[str, Any], output_s3_uri: str | None, job_name: str | None,
                          wait: bool, logs: bool) -> BaseliningJob:
        """Run `analysis` as a baselining job writing to `output_s3_uri` (by default a
        `baseline` folder under the job's name in the output path)."""
        def config(name: str) -> dict[str, Any]:
            output = output_s3_uri or join_uri(self.output_path or default_output_path(), name, "baseline")
            return {**analysis, "output_path": require_local_path(output, "output_s3_uri")}

        kind = AnalysisJob(self.base_job_name, config)
        self.latest_baselining_job = BaseliningJob(submit(kind, job_name, self.job_options),
                                                   kind.config["output_path"])
        if wait or logs:
            watch(self.latest_baselining_job.job, wait, logs)
        return self.latest_baselining_job

    def baseline_statistics(self) -> Statistics:
        """The latest baselining job's statistics."""
        if self.latest_baselining_job is None:
            raise ValidationError("No baselining job yet: call suggest_baseline() first.")
        return self.latest_baselining_job.baseline_statistics()

    def suggested_constraints(self) -> Constraints:
        """The latest baselining job's suggested constraints."""
        if self.latest_baselining_job is None:
            raise ValidationError("No baselining job yet: call suggest_baseline() first.")
        return self.latest_baselining_job.suggested_constraints()

    def _config(self, endpoint_input: Any, output_s3_uri: str | None, statistics: Any, constraints: Any,
                **extra: Any) -> tuple[str, dict[str, Any]]:
        return monitoring_config(self.monitoring_type, endpoint_input, output_s3_uri, statistics, constraints,
                                 self.latest_baselining_job, self.output_path, **extra)

    def create_monitoring_schedule(self, endpoint_input: Any, output_s3_uri: str | None = None,
                                   statistics: Any = None, constraints: Any = None,
                                   monitor_schedule_name: str | None = None,
                                   schedule_cron_expression: str | None = None,
                                   output_columns_position: str = "START", data_analysis_start_time: str | None = None,
                                   data_analysis_end_time: str | None = None, **_sagemaker_only: Any) -> str:
        """Schedule runs over `endpoint_input`'s captured data (hourly by default); each
        run writes statistics.json, constraint_violations.json and a report under
        `output_s3_uri/<endpoint>/<schedule>/<run>/`. A run at T analyses [previous tick, T),
        or [T + data_analysis_start_time, T + data_analysis_end_time) when given ("-PT1H").
        Returns the schedule name."""
        ignore_sagemaker_arguments("DefaultModelMonitor.create_monitoring_schedule", _sagemaker_only)
        endpoint, config = self._config(endpoint_input, output_s3_uri, statistics, constraints,
                                        output_columns_position=output_columns_position, **self._extra_config(),
                                        **_offsets(data_analysis_start_time, data_analysis_end_time))
        name = monitor_schedule_name or unique_job_name(f"{short_name(endpoint, 20)}-{self.monitoring_type.lower()}")
        create_schedule(name, endpoint, self.monitoring_type,
                        schedule_cron_expression or CronExpressionGenerator.hourly(), config,
                        run_options=self.job_options or None)
        self.monitoring_schedule_name, self._schedule_config, self._endpoint = name, config, endpoint
        return name

    def _extra_config(self) -> dict[str, Any]:
        return {}

    def run_monitoring_now(self, endpoint_input: Any = None, output_s3_uri: str | None = None,
                           statistics: Any = None, constraints: Any = None, start_time: datetime | None = None,
                           end_time: datetime | None = None, wait: bool = True, logs: bool = True) -> MonitoringExecution:
        """One run now, over the captures of [start_time, end_time) (default: all captured so
        far), with this monitor's schedule settings or the arguments given."""
        if endpoint_input is None and self._schedule_config is not None:
            endpoint, config = self._endpoint, dict(self._schedule_config)
        elif endpoint_input is None:
            raise ValidationError("run_monitoring_now needs endpoint_input=... (or create_monitoring_schedule first).")
        else:
            endpoint, config = self._config(endpoint_input, output_s3_uri, statistics, constraints,
                                            **self._extra_config())
        end = end_time or datetime.now(timezone.utc)
        schedule = self.monitoring_schedule_name if endpoint_input is None else None
        name = start_scheduled_run(schedule, endpoint, self.monitoring_type, config, end, start_time,
                                   wait=wait, logs=logs, options=self.job_options)
        self.latest_execution = _execution(name)
        return self.latest_execution

    def _schedule(self) -> str:
        if not self.monitoring_schedule_name:
            raise ValidationError("No monitoring schedule yet: call create_monitoring_schedule() first.")
        return self.monitoring_schedule_name

    def describe_schedule(self) -> dict[str, Any]:
        """The schedule's settings, status and latest run."""
        return describe_schedule(self._schedule())

    def list_executions(self) -> list[MonitoringExecution]:
        """The schedule's runs, newest first."""
        return [_execution(e.job_name) for e in list_executions(schedule=self._schedule(), limit=1000)]

    def stop_monitoring_schedule(self) -> None:
        """Stop scheduling runs (start_monitoring_schedule() resumes)."""
        set_schedule_status(self._schedule(), "Stopped")

    def start_monitoring_schedule(self) -> None:
        """Resume a stopped schedule."""
        set_schedule_status(self._schedule(), "Scheduled")

    def delete_monitoring_schedule(self) -> None:
        """Delete the schedule (its runs stay listed)."""
        delete_schedule(self._schedule())
        self.monitoring_schedule_name = None
