"""The job spine: `submit` (one template for every job kind), the runner, executors,
job extensions, the process seam, and handles on jobs in the store."""

from __future__ import annotations

from .display import watch
from .executors import (
    EXECUTORS, Executor, LocalExecutor, executor_names, get_executor, register_executor, resolve_executor,
)
from .extensions import JOB_EXTENSIONS, JobExtension, Submission, check_job_options
from .handle import Job, describe_job, list_jobs, list_jobs_page, stop_job
from .launch import create_job, job_dir_for, unique_job_name, validate_job_name
from .liveness import never_started
from .metrics import log_metric
from .spec import JobSpec, Upload
from .kind import JobKind
from .submit import submit

__all__ = [
    "EXECUTORS",
    "Executor",
    "JOB_EXTENSIONS",
    "Job",
    "JobExtension",
    "JobKind",
    "JobSpec",
    "LocalExecutor",
    "Submission",
    "Upload",
    "check_job_options",
    "create_job",
    "describe_job",
    "executor_names",
    "get_executor",
    "job_dir_for",
    "list_jobs",
    "list_jobs_page",
    "log_metric",
    "never_started",
    "register_executor",
    "resolve_executor",
    "stop_job",
    "submit",
    "unique_job_name",
    "validate_job_name",
    "watch",
]
