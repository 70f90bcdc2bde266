"""The error family every surface translates in one place.

REST handlers map `ValidationError` to 400, `NotFoundError` to 404, `ConflictError` to 409;
anything else is our own bug. Magics and the CLI show the message as it is: each message
names the problem and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "JupyterExtError",
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "NameTakenError",
    "UnexpectedStatusError",
    "WaitInterrupted",
]


class JupyterExtError(Exception):
    """Base class of every error jupyter_ext raises on purpose.

    `hint`, when set, says what to do next (a notebook cell shows it under the message).
    """

    hint: str | None = None

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


class ValidationError(JupyterExtError, ValueError):
    """Bad input from the user: a missing path, a bad option, a malformed value."""


class NotFoundError(JupyterExtError, LookupError):
    """A named thing (job, artifact) does not exist."""


class ConflictError(JupyterExtError):
    """The request clashes with the current state: a duplicate name, stopping a finished job."""


class NameTakenError(ConflictError):
    """A name (of a job, ...) is in use already."""


class UnexpectedStatusError(JupyterExtError):
    """A job waited on ended in a state other than Completed.

    `job_name`, `status` and `failure_reason` say which job and why.
    """

    def __init__(self, job_name: str, status: str, failure_reason: str | None) -> None:
        self.job_name = job_name
        self.status = status
        self.failure_reason = failure_reason
        reason = f" Reason: {failure_reason}" if failure_reason else ""
        super().__init__(f"Job {job_name} ended with status {status}.{reason}")

    @property
    def hint(self) -> str | None:  # type: ignore[override]
        """Where the whole story is: the job's log."""
        return f"The job's log: %logs {self.job_name} (or jupyter-ext jobs logs {self.job_name})."


class WaitInterrupted(KeyboardInterrupt):
    """Someone interrupted the wait on a job (a notebook's Stop, Ctrl-C); the job keeps running.

    A KeyboardInterrupt still, so code that catches one catches this; `job_name` says which job.
    """

    def __init__(self, job_name: str, message: str) -> None:
        self.job_name = job_name
        super().__init__(message)
