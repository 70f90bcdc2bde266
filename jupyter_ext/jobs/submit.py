"""`submit`: the one way a job gets into the store and starts.

A job kind (training, processing, tuning, AutoML, transform, a monitoring run, a rule
job) says only what differs: the spec to run and how to fill the job folder. `submit`
does the rest, the same way for every kind:

    name -> spec -> extensions' on_spec -> record + folder (+ on_folder) -> runner
         -> extensions' on_created -> Job

Then the caller shows the job with `watch(job, wait, logs)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import NameTakenError
from .extensions import Submission, check_job_options, extensions
from .handle import Job
from .kind import JobKind
from .launch import create_job, job_dir_for, unique_job_name, validate_job_name

__all__ = ["submit"]

_NAME_ATTEMPTS = 20


def submit(kind: JobKind, job_name: str | None = None, options: Mapping[str, Any] | None = None) -> Job:
    """Create and start a job of `kind`; returns its handle at once.

    `job_name` is checked (ValidationError) or, when None, made unique from
    `kind.base_job_name`. `options` are the keyword options the launching object was
    given for job extensions (`experiment_config`, `rules`, ...). If any step fails the
    job's record and folder are removed and the error is raised.
    """
    options = dict(options or {})
    # A generated name is only taken once its record is in: another process may take the
    # same one first, then the next is tried (the user's own name is never changed).
    for attempt in range(_NAME_ATTEMPTS):
        name = (validate_job_name(job_name, kind.max_name_length) if job_name
                else unique_job_name(kind.base_job_name, kind.max_name_length))
        try:
            return _submit(kind, name, options)
        except NameTakenError:
            if job_name or attempt == _NAME_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _submit(kind: JobKind, name: str, options: dict[str, Any]) -> Job:
    job_dir = job_dir_for(name)
    spec = kind.job_spec(name, job_dir)
    check_job_options(spec.job_type, options)
    active = extensions(spec.job_type)
    submission = Submission(kind, name, job_dir, spec, options)
    for extension in active:
        if extension.on_spec is not None:
            extension.on_spec(submission)

    def fill(folder: Path) -> None:
        kind.fill_folder(folder, spec)
        for extension in active:
            if extension.on_folder is not None:
                extension.on_folder(submission)

    create_job(spec, fill)
    for extension in active:
        if extension.on_created is not None:
            extension.on_created(submission)
    return Job(name)
