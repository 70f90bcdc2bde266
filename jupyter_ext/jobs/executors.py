"""Executors start a job's runner. One registry, keyed by name ("local" built in).

Others come from the `jupyter_ext.executors` entry-point group: a class taking no
arguments, subclassing `Executor`.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..plugins import Registry
from ..store import get_store, home
from . import records
from .faults import fault_point
from .hosts import Host, HostProcess, LocalHost, host_folder, rendezvous_environment
from .process import free_port, is_alive, spawn_detached

__all__ = ["HEARTBEAT_TIMEOUT", "Executor", "LocalExecutor", "EXECUTORS", "register_executor", "get_executor",
           "executor_names", "resolve_executor", "RUNNER_MODULE", "EXECUTOR_VARIABLE"]


# Runners beat every 2 s; an executor that cannot see the runner's process calls it
# gone after this long without a beat.
HEARTBEAT_TIMEOUT = 120.0
# The program every executor starts: `python -m jupyter_ext.jobs.run_job JOB_NAME`.
RUNNER_MODULE = "jupyter_ext.jobs.run_job"


class Executor(ABC):
    """Starts runners and tells whether one is still there.

    `launch` must return quickly and leave the runner independent of the caller (it
    survives the kernel); `runner_alive` must be cheap: it is asked on every read of an
    active job.
    """

    @abstractmethod
    def launch(self, job_name: str, job_dir: Path) -> None:
        """Start `python -m jupyter_ext.jobs.run_job job_name` detached and record its pid."""

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

    def start_hosts(self, job_dir: Path, hosts: list[Host], program: list[str], working_dir: str,
                    env: Mapping[str, str]) -> list[HostProcess]:
        """Called by the runner: start `program` once per host, each in its host folder's
        `working_dir` with `env` and the host's own variables. By default every host is a
        process on this machine; several hosts meet at algo-1 on a free loopback port."""
        shared = dict(env)
        if len(hosts) > 1:
            shared.update(rendezvous_environment("127.0.0.1", free_port()))
        started: list[HostProcess] = []
        try:
            for host in hosts:
                folder = host_folder(job_dir, host)
                started.append(LocalHost(host.name, folder, program, folder / working_dir,
                                         {**shared, **host.environment}))
        except BaseException:
            for process in started:
                process.terminate(0)
            raise
        return started


# Where "local" and SageMaker's instance types run unless the user says otherwise ("ray").
EXECUTOR_VARIABLE = "JUPYTER_EXT_EXECUTOR"


def resolve_executor(instance_type: str) -> str:
    """The executor for an instance type: "local", "local_cpu" and SageMaker's "ml.*" run on
    JUPYTER_EXT_EXECUTOR's executor ("local", this machine, by default); any other name is
    an executor's own ("ray", ...)."""
    if instance_type in ("local", "local_cpu") or instance_type.startswith("ml."):
        return os.environ.get(EXECUTOR_VARIABLE) or "local"
    return instance_type


class LocalExecutor(Executor):
    """Runs the job on this machine as a detached process in its own session."""

    def launch(self, job_name: str, job_dir: Path) -> None:
        env = {**os.environ, "JUPYTER_EXT_HOME": str(home())}
        runner, _ = spawn_detached([sys.executable, "-m", RUNNER_MODULE, job_name], cwd=job_dir, env=env,
                                   log_path=job_dir / "runner.log")
        fault_point("runner-spawned", job_name)
        # The runner records itself too, as it starts: whichever comes first, the pid is known.
        records.set_fields(get_store(), job_name, runner_pid=runner.pid, runner_started=runner.started)

    def runner_alive(self, job: Mapping[str, Any]) -> bool:
        return is_alive(job["runner_pid"], job["runner_started"])

    def request_stop(self, job: Mapping[str, Any]) -> None:
        if is_alive(job["runner_pid"], job["runner_started"]):
            try:
                os.kill(job["runner_pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass


EXECUTORS: Registry[type[Executor]] = Registry(
    "executor", "jupyter_ext.executors", {"local": LocalExecutor, "ray": "jupyter_ext.ray.executor:RayExecutor"},
    unknown="Unknown executor '{name}'; choose one of: {names}.",
)


def register_executor(name: str, executor: type[Executor]) -> None:
    """Make `executor` available as `instance_type`/executor `name`."""
    EXECUTORS.register(name, executor)


def executor_names() -> list[str]:
    """The names of every available executor."""
    return EXECUTORS.names()


def get_executor(name: str) -> Executor:
    """The executor called `name`; ValidationError lists the valid names."""
    return EXECUTORS.get(name)()
