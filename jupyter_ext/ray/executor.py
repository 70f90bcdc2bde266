"""The Ray executor: the runner runs here, each host of the program on a Ray node.

Hosts spread over the nodes (Ray's SPREAD strategy), each taking as many CPUs as its
OMP_NUM_THREADS (one by default). A host's folder travels to its node through Ray's object
store and what it wrote comes back the same way, so nodes need no shared disk, only the
same Python environment with jupyter_ext installed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import RayActorError, RayError

from ..errors import JupyterExtError
from ..jobs.executors import LocalExecutor
from ..jobs.hosts import Host, HostProcess, host_folder, rendezvous_environment
from .actor import HostActor, pack_folder, unpack_folder
from .cluster import cluster_address, connect

__all__ = ["RayExecutor", "RayHost", "PLACEMENT_TIMEOUT"]

# How long a host may wait for a node with the CPUs it needs.
PLACEMENT_TIMEOUT = 600.0
_READ_SECONDS = 0.5
# The runner's own files in the job folder, which algo-1's node does not need.
_RUNNER_FILES = ("hosts", "job.log", "runner.log", "spec.json", "metrics.jsonl")
_KILLED = -9


class RayHost(HostProcess):
    """A host running in a `HostActor` on a Ray node."""

    def __init__(self, name: str, actor: Any, placement: Mapping[str, Any], folder: Path) -> None:
        self.name, self.actor, self.folder = name, actor, folder
        self.where = f"Ray node {placement['address']} ({str(placement['node_id'])[:12]})"
        self.code: int | None = None
        self.gone: str | None = None
        self.ended = threading.Event()

    def outputs(self) -> list[Iterator[tuple[str, bytes]]]:
        return [self._lines()]

    def _lines(self) -> Iterator[tuple[str, bytes]]:
        try:
            while True:
                lines, metrics, code = ray.get(self.actor.read.remote(_READ_SECONDS))
                if metrics:
                    with open(self.folder / "metrics.jsonl", "a") as file:
                        file.write("".join(line + "\n" for line in metrics))
                yield from lines
                if code is not None:
                    self.code = code
                    break
        except RayError as error:
            self.gone = (f"the Ray node running {self.name} ({self.where}) or its actor died: "
                         f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
            self.code = _KILLED
        finally:
            self.ended.set()

    def poll(self) -> int | None:
        return self.code if self.ended.is_set() else None

    def wait(self, timeout: float) -> int | None:
        self.ended.wait(timeout)
        return self.poll()

    def terminate(self, grace: float) -> bool:
        try:
            return bool(ray.get(self.actor.terminate.remote(grace)))
        except RayError:
            return True

    def collect(self) -> None:
        try:
            if self.gone is None:
                unpack_folder(ray.get(self.actor.collect.remote()), self.folder)
        except RayError as error:
            self.gone = f"what {self.name} wrote could not be fetched from {self.where}: {error}"
        finally:
            ray.kill(self.actor)

    def lost(self) -> str | None:
        return self.gone


def _cpus(env: Mapping[str, str]) -> float:
    try:
        return max(1.0, float(env.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1.0


def _place(actors: list[Any]) -> list[dict[str, Any]]:
    """Wait until every actor has a node; JupyterExtError if the cluster has no room in time."""
    pending = [actor.place.remote() for actor in actors]
    ready, waiting = ray.wait(pending, num_returns=len(pending), timeout=PLACEMENT_TIMEOUT)
    if waiting:
        for actor in actors:
            ray.kill(actor)
        raise JupyterExtError(f"No Ray node had room for {len(waiting)} of {len(actors)} hosts within "
                              f"{PLACEMENT_TIMEOUT:g} s (each takes OMP_NUM_THREADS CPUs, 1 by default). "
                              "Add nodes, or run fewer jobs at once.")
    return ray.get(pending)


class RayExecutor(LocalExecutor):
    """Runs jobs' programs on a Ray cluster (RAY_ADDRESS, or a local one)."""

    def launch(self, job_name: str, job_dir: Path) -> None:
        cluster_address()  # the local cluster starts here, in the launching process, once
        super().launch(job_name, job_dir)

    def start_hosts(self, job_dir: Path, hosts: list[Host], program: list[str], working_dir: str,
                    env: Mapping[str, str]) -> list[HostProcess]:
        connect()
        remote = ray.remote(HostActor)
        actors = [remote.options(num_cpus=_cpus({**env, **host.environment}), scheduling_strategy="SPREAD",
                                 max_restarts=0).remote(host.name) for host in hosts]
        placements = _place(actors)
        shared = dict(env)
        if len(hosts) > 1:
            shared.update(rendezvous_environment(placements[0]["address"], placements[0]["port"]))
        started: list[HostProcess] = []
        try:
            for host, actor, placement in zip(hosts, actors, placements):
                folder = host_folder(job_dir, host)
                archive = pack_folder(folder, skip=_RUNNER_FILES if folder == job_dir else ())
                process = RayHost(host.name, actor, placement, folder)
                process.pid, process.note = ray.get(actor.start.remote(
                    archive, [str(folder), str(job_dir)], program, sys.executable, working_dir,
                    {**shared, **host.environment}))
                started.append(process)
        except BaseException:
            for actor in actors:
                ray.kill(actor)
            raise
        return started
