"""Hosts: the instances a job's program runs on (SageMaker's `algo-1`, `algo-2`, ...).

A job with one host runs its program once, in its job folder, as always. A job with
several (`instance_count=N`) runs it once per host: `algo-1` in the job folder itself (so
its model and outputs are what the job keeps, as SageMaker takes the model from
`algo-1`), every other host in `hosts/<name>/`, laid out the same, with its own
`resourceconfig.json` and SM_* variables. Executors place and start hosts; the runner
supervises them all through `HostProcess`.
"""

from __future__ import annotations

import signal
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .container_root import OptMlMapping
from .process import die_with_parent, terminate_group

__all__ = ["Host", "HostProcess", "LocalHost", "HOSTS_FOLDER", "host_folder", "host_names",
           "rendezvous_environment"]

HOSTS_FOLDER = "hosts"
# What torch.distributed's env:// rendezvous reads, as SageMaker's PyTorch containers set it.
_MASTER_PORT = "MASTER_PORT"


@dataclass
class Host:
    """One host of a job: its name, its folder (relative to the job folder; "" for the
    job folder itself) and the variables that differ from the job's own."""

    name: str
    folder: str = ""
    environment: dict[str, str] = field(default_factory=dict)


def host_names(count: int) -> list[str]:
    """SageMaker's host names: algo-1 ... algo-N."""
    return [f"algo-{i}" for i in range(1, count + 1)]


def host_folder(job_dir: Path, host: Host) -> Path:
    """Where `host` keeps its `/opt/ml`."""
    return job_dir / host.folder if host.folder else job_dir


def rendezvous_environment(master_address: str, master_port: int) -> dict[str, str]:
    """MASTER_ADDR and MASTER_PORT: where every host of a several-host job finds `algo-1`."""
    return {"MASTER_ADDR": master_address, _MASTER_PORT: str(master_port)}


class HostProcess(ABC):
    """A host's running program, as the runner supervises it."""

    name: str
    pid: int | None = None
    where: str = "this machine"
    note: str | None = None  # why /opt/ml is not mapped, if it is not

    @abstractmethod
    def outputs(self) -> list[Iterator[tuple[str, bytes]]]:
        """The program's output streams, each an iterator of (stream name, raw line)
        ending when the stream closes; the runner reads each on a thread of its own."""

    @abstractmethod
    def poll(self) -> int | None:
        """The exit code once the program ended, else None."""

    @abstractmethod
    def wait(self, timeout: float) -> int | None:
        """Wait up to `timeout` seconds for the program to end; its exit code or None."""

    @abstractmethod
    def terminate(self, grace: float) -> bool:
        """SIGTERM, `grace` seconds, then SIGKILL; True if it ended within the grace period."""

    def collect(self) -> None:
        """Once it ended: bring what the host wrote back into its folder (nothing to do here)."""

    def lost(self) -> str | None:
        """Why the host itself went away (a node died), or None if the program just ended."""
        return None


def _lines(pipe: IO[bytes], stream: str) -> Iterator[tuple[str, bytes]]:
    for raw in iter(pipe.readline, b""):
        yield stream, raw


class LocalHost(HostProcess):
    """A host run as a process on this machine, seeing its folder at /opt/ml."""

    def __init__(self, name: str, folder: Path, program: Sequence[str], cwd: Path,
                 env: Mapping[str, str], die_with_starter: bool = False) -> None:
        """Start `program` in `cwd`; with `die_with_starter` it is killed if the process that
        started it dies (a Ray actor whose node went away)."""
        self.name = name
        mapping = OptMlMapping(folder, env)
        try:
            self.process = subprocess.Popen(
                mapping.command(program), cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0, pass_fds=mapping.pass_fds,
                preexec_fn=(lambda: die_with_parent(signal.SIGKILL)) if die_with_starter else None,
            )
        finally:
            self.note = mapping.note()
        self.pid = self.process.pid

    def outputs(self) -> list[Iterator[tuple[str, bytes]]]:
        assert self.process.stdout is not None and self.process.stderr is not None
        return [_lines(self.process.stdout, "stdout"), _lines(self.process.stderr, "stderr")]

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self, grace: float) -> bool:
        return terminate_group(self.process.pid, grace, self.process)
