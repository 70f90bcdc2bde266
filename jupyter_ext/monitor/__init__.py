"""Model Monitor: baselines, monitoring runs over an endpoint's captured data, drift.

    from jupyter_ext.monitor import DefaultModelMonitor, DatasetFormat, CronExpressionGenerator
    monitor = DefaultModelMonitor()
    monitor.suggest_baseline("train.csv", DatasetFormat.csv(header=True), output_s3_uri="baseline/")
    monitor.create_monitoring_schedule(endpoint_input="churn", output_s3_uri="reports/",
                                       schedule_cron_expression=CronExpressionGenerator.hourly())
    execution = monitor.run_monitoring_now()      # report.html, statistics.json, constraint_violations.json

Files follow SageMaker's schemas (statistics.json, constraints.json,
constraint_violations.json); drift is Deequ's L-infinity distance (Simple/Robust) or
chi-squared. Every baseline and run is a Processing job in the store.
"""

from __future__ import annotations

from .executions import BaseliningJob, MonitoringExecution, list_executions
from .analysis_files import Constraints, ConstraintViolations, Statistics, validate_constraints, validate_statistics
from .datasets import DatasetFormat
from .schedule_expressions import CronExpressionGenerator
from .monitors import DefaultModelMonitor, endpoint_capture_root, monitoring_config
from .quality_monitor import ModelQualityMonitor, model_quality_settings
from .schedules import (
    MonitoringTicker, create_schedule, delete_schedule, describe_schedule, list_schedules, run_due_schedules,
    set_schedule_status, tick_interval, update_schedule,
)
from .status import endpoint_monitoring

__all__ = [
    "BaseliningJob", "ConstraintViolations", "Constraints", "CronExpressionGenerator", "DatasetFormat",
    "DefaultModelMonitor", "ModelQualityMonitor", "MonitoringExecution", "MonitoringTicker", "Statistics",
    "create_schedule", "delete_schedule", "describe_schedule", "endpoint_capture_root", "endpoint_monitoring",
    "list_executions", "list_schedules", "model_quality_settings", "monitoring_config", "run_due_schedules",
    "set_schedule_status", "tick_interval", "update_schedule", "validate_constraints", "validate_statistics",
]
