"""The dead-runner check: a job whose runner vanished is ended, never left InProgress.

Asked on every read of job state (describe, list, wait), so any process notices.
"""

from __future__ import annotations

import os
import signal
import time

import psutil

from ..models import ACTIVE_STATUSES
from ..store import MetadataStore
from . import records
from .executors import get_executor

__all__ = ["reconcile", "LAUNCH_GRACE_SECONDS"]

# A Pending job with no runner yet is given this long to get one.
LAUNCH_GRACE_SECONDS = 60.0


def reconcile(store: MetadataStore, name: str | None = None) -> None:
    """End every active job (or just `name`) whose runner is gone."""
    sql = (
        "SELECT name, status, executor, runner_pid, runner_started, program_pid, created_at, heartbeat_at"
        f" FROM jobs WHERE status IN ({', '.join('?' for _ in ACTIVE_STATUSES)})"
    )
    params: list[object] = list(ACTIVE_STATUSES)
    if name is not None:
        sql += " AND name = ?"
        params.append(name)
    for row in store.query(sql, params):
        if row["runner_pid"] is None:
            if time.time() - row["created_at"] < LAUNCH_GRACE_SECONDS:
                continue
        elif get_executor(row["executor"]).runner_alive(row):
            continue
        _end_orphan(store, row)


def _end_orphan(store: MetadataStore, row) -> None:
    _kill_program(row["program_pid"], row["runner_started"])
    if row["runner_pid"] is None:
        reason = "The job's runner never started; see runner.log in the job folder."
    else:
        reason = (
            f"The job's runner (pid {row['runner_pid']}) exited without finishing the job "
            "(killed, or the machine restarted); see runner.log in the job folder."
        )
    final = "Stopped" if row["status"] == "Stopping" else "Failed"
    records.set_status(store, row["name"], final, secondary=final, message=reason, failure_reason=reason)


def _kill_program(pid: int | None, runner_started: float | None) -> None:
    """Kill what is left of the program's process group (it outlived its runner)."""
    if pid is None:
        return
    try:
        if runner_started is not None and psutil.Process(pid).create_time() < runner_started:
            return  # a reused pid, not our program
        os.killpg(pid, signal.SIGKILL)
    except (psutil.Error, ProcessLookupError, PermissionError):
        pass
