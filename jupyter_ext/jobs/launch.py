"""Creating a job: a unique name, a job folder, a store record, a runner.

All or nothing: if any step fails the record and the folder are removed again.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import ValidationError
from ..store import get_store, home
from . import records
from .executors import get_executor
from .faults import fault_point
from .spec import JobSpec

__all__ = ["JOB_NAME_PATTERN", "validate_job_name", "unique_job_name", "job_dir_for", "create_job"]

JOB_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_TIMESTAMP_LENGTH = len("-2026-11-21-10-00-00-123")


def validate_job_name(name: str, max_length: int = 63) -> str:
    """`name` if it is a valid job name (SageMaker's rule), else ValidationError."""
    if not isinstance(name, str) or not JOB_NAME_PATTERN.fullmatch(name) or len(name) > max_length:
        raise ValidationError(
            f"Job name {name!r} is not valid: use 1 to {max_length} letters, digits and hyphens, "
            "starting and ending with a letter or digit."
        )
    return name


def unique_job_name(base: str, max_length: int = 63) -> str:
    """`<base>-<YYYY-MM-DD-HH-MM-SS-mmm>` (base cleaned and cut to fit `max_length`)."""
    cleaned = re.sub(r"[^a-zA-Z0-9-]+", "-", base).strip("-") or "job"
    cleaned = cleaned[: max(1, max_length - _TIMESTAMP_LENGTH)].rstrip("-")
    store = get_store()
    now = time.time()
    while True:
        stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(now)) + f"-{int(now % 1 * 1000):03d}"
        name = f"{cleaned}-{stamp}"
        if not records.job_exists(store, name):
            return name
        now += 0.001


def job_dir_for(name: str) -> Path:
    """The folder of job `name` (laid out like SageMaker's /opt/ml)."""
    return home() / "jobs" / name


def create_job(spec: JobSpec, build: Callable[[Path], None]) -> None:
    """Record `spec`, let `build(job_dir)` fill the job folder, then start the runner.

    The record names this process as the job's launcher: if it dies before the runner
    starts, any process reading the job sees that at once and ends the job with a reason
    (see `liveness`); nothing is left Pending.
    """
    store = get_store()
    executor = get_executor(spec.executor)
    job_dir = job_dir_for(spec.name)
    # A job launched from inside another job's program is that job's child.
    records.insert_job(store, spec, str(job_dir), parent=os.environ.get("JUPYTER_EXT_JOB_NAME"))
    try:
        fault_point("job-recorded", spec.name)
        shutil.rmtree(job_dir, ignore_errors=True)  # what a deleted job of this name left
        job_dir.mkdir(parents=True)
        build(job_dir)
        fault_point("folder-built", spec.name)
        (job_dir / "spec.json").write_text(spec.to_json())
        fault_point("before-launch", spec.name)
        executor.launch(spec.name, job_dir)
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        records.delete_job(store, spec.name)
        raise
