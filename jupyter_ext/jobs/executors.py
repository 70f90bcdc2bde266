"""Executors start a job's runner. One registry, keyed by name ("local" built in).

Others come from the `jupyter_ext.executors` entry-point group: a class taking no
arguments, subclassing `Executor`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from abc import ABC, abstractmethod
from importlib.metadata import entry_points
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil

from ..errors import ValidationError
from ..store import get_store, home
from . import records

__all__ = ["HEARTBEAT_TIMEOUT", "Executor", "LocalExecutor", "register_executor", "get_executor", "executor_names"]


# Runners beat every 2 s; an executor that cannot see the runner's process calls it
# gone after this long without a beat.
HEARTBEAT_TIMEOUT = 120.0


class Executor(ABC):
    """Starts runners and tells whether one is still there.

    `launch` must return quickly and leave the runner independent of the caller (it
    survives the kernel); `runner_alive` must be cheap: it is asked on every read of an
    active job.
    """

    @abstractmethod
    def launch(self, job_name: str, job_dir: Path) -> None:
        """Start `python -m jupyter_ext.jobs.runner job_name` detached and record its pid."""

    def runner_alive(self, job: Mapping[str, Any]) -> bool:
        """Whether the runner of `job` (its store row) is still there.

        By default: it sent a heartbeat within HEARTBEAT_TIMEOUT seconds. Executors that
        can see the runner's process check it instead.
        """
        beat = job["heartbeat_at"] or job["created_at"]
        return time.time() - beat < HEARTBEAT_TIMEOUT

    def request_stop(self, job: Mapping[str, Any]) -> None:
        """Tell a live runner to stop `job` (the store already says Stopping; runners also
        notice that at their next heartbeat)."""


def process_alive(pid: int | None, started: float | None) -> bool:
    """Whether `pid` runs and is the process created at `started` (not a reused pid)."""
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        if started is not None and abs(process.create_time() - started) > 1.0:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class LocalExecutor(Executor):
    """Runs the job on this machine as a detached process in its own session."""

    def launch(self, job_name: str, job_dir: Path) -> None:
        env = {**os.environ, "JUPYTER_EXT_HOME": str(home())}
        with open(job_dir / "runner.log", "ab") as runner_log:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyter_ext.jobs.runner", job_name],
                stdin=subprocess.DEVNULL, stdout=runner_log, stderr=subprocess.STDOUT,
                cwd=job_dir, env=env, start_new_session=True, close_fds=True,
            )
        # Reap the runner when it ends, so no zombie lingers while this process lives.
        threading.Thread(target=process.wait, daemon=True).start()
        try:
            started = psutil.Process(process.pid).create_time()
        except psutil.Error:  # ended already; the dead-runner check handles it
            started = None
        records.set_fields(get_store(), job_name, runner_pid=process.pid, runner_started=started)

    def runner_alive(self, job: Mapping[str, Any]) -> bool:
        return process_alive(job["runner_pid"], job["runner_started"])

    def request_stop(self, job: Mapping[str, Any]) -> None:
        pid = job["runner_pid"]
        if pid is not None and process_alive(pid, job["runner_started"]):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


_registry: dict[str, type[Executor]] = {"local": LocalExecutor}


def register_executor(name: str, executor: type[Executor]) -> None:
    """Make `executor` available as `instance_type`/executor `name`."""
    _registry[name] = executor


def _load_entry_points() -> None:
    for entry in entry_points(group="jupyter_ext.executors"):
        _registry.setdefault(entry.name, entry.load())


def executor_names() -> list[str]:
    """The names of every available executor."""
    _load_entry_points()
    return sorted(_registry)


def get_executor(name: str) -> Executor:
    """The executor called `name`; ValidationError lists the valid names."""
    if name not in _registry:
        _load_entry_points()
    if name not in _registry:
        raise ValidationError(f"Unknown executor '{name}'; choose one of: {', '.join(executor_names())}.")
    return _registry[name]()
