"""The job spine: specs, the runner, executors, and handles on jobs in the store."""

from __future__ import annotations

from .executors import Executor, LocalExecutor, executor_names, get_executor, register_executor
from .handle import Job, add_details_source, describe_job, list_jobs, list_jobs_page, stop_job
from .launch import create_job, job_dir_for, unique_job_name, validate_job_name
from .metrics import log_metric
from .spec import JobSpec, Upload

__all__ = [
    "Executor",
    "Job",
    "JobSpec",
    "LocalExecutor",
    "Upload",
    "add_details_source",
    "create_job",
    "describe_job",
    "executor_names",
    "get_executor",
    "job_dir_for",
    "list_jobs",
    "list_jobs_page",
    "log_metric",
    "register_executor",
    "stop_job",
    "unique_job_name",
    "validate_job_name",
]
