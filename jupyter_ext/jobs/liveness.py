"""The dead-runner check: a job whose runner vanished is ended, never left InProgress.

Asked on every read of job state (describe, list, wait), so any process notices. A job
whose runner never started is ended as soon as the process that launched it is gone
(it can never start then), else after LAUNCH_GRACE_SECONDS.
"""

from __future__ import annotations

import time
from sqlite3 import Row

from ..store import MetadataStore, out_of_space
from . import records
from .executors import get_executor
from .process import is_alive, kill_group

__all__ = ["reconcile", "LAUNCH_GRACE_SECONDS", "never_started"]

# A Pending job with no runner yet, whose launcher lives, is given this long to get one.
LAUNCH_GRACE_SECONDS = 60.0


def reconcile(store: MetadataStore, name: str | None = None) -> None:
    """End every active job (or just `name`) whose runner is gone or can no longer start."""
    for row in records.active_jobs(store, name):
        if row["runner_pid"] is None:
            reason = _launch_failure(row)
            if reason is not None:
                _end(store, row, reason)
        elif not get_executor(row["executor"]).runner_alive(row):
            kill_group(row["program_pid"], row["runner_started"])
            _end(store, row, (
                f"The job's runner (pid {row['runner_pid']}) exited without finishing the job "
                "(killed, or the machine restarted); see runner.log in the job folder."))


def _launch_failure(row: Row) -> str | None:
    """Why a job without a runner will never get one (None while it still may)."""
    launcher = row["launcher_pid"]
    if launcher is not None and not is_alive(launcher, row["launcher_started"]):
        return (f"The process that launched the job (pid {launcher}) ended before the job's runner "
                "started, so the job never ran. Submit it again.")
    if time.time() - row["created_at"] >= LAUNCH_GRACE_SECONDS:
        return "The job's runner never started; see runner.log in the job folder."
    return None


def _end(store: MetadataStore, row: Row, reason: str) -> None:
    # Conditional on the status read: a runner that claims the job meanwhile wins.
    final = "Stopped" if row["status"] == "Stopping" else "Failed"
    try:
        records.set_status(store, row["name"], final, only_from=(row["status"],),
                           secondary=final, message=reason, failure_reason=reason)
    except Exception as error:
        if not out_of_space(error):
            raise
        # A read must work on a full disk too: the job is ended by a later read.


def never_started(status: str, started_at: object) -> bool:
    """Whether a job ended without its program ever running (its launcher died, or it was
    stopped while Pending): such a job has no results, and resuming runs it again."""
    return status in ("Completed", "Failed", "Stopped") and started_at is None
