"""Which Ray cluster jobs run on: RAY_ADDRESS, else this home's local cluster.

The local cluster is Ray's own head node (`ray start --head --block`) on 127.0.0.1 with
this machine's CPUs, run detached as `jupyter-ext ray serve` (the spine's
`DetachedServer`, as the Livy gateway and the AWS endpoint are). The first job on "ray"
starts it; it stays up for the next jobs; `jupyter-ext ray stop` ends it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..errors import JupyterExtError
from ..jobs.detached import DetachedServer
from ..jobs.process import free_port
from ..store import home

__all__ = ["ADDRESS_VARIABLE", "cluster_address", "connect", "local_cluster", "start_local_cluster", "serve_cluster"]

ADDRESS_VARIABLE = "RAY_ADDRESS"
_START_TIMEOUT_SECONDS = 120.0


def local_cluster() -> DetachedServer:
    """This home's local Ray cluster, as a detached server (its state's `url` is the address)."""
    return DetachedServer("local Ray cluster", home() / "ray" / "cluster.json", ("ray", "serve"),
                          " (start one with `jupyter-ext ray serve --detach`)")


def _reachable(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


def _ray_command() -> str:
    beside = Path(sys.executable).with_name("ray")
    found = str(beside) if beside.is_file() else shutil.which("ray")
    if found is None:
        raise JupyterExtError("Ray is not installed: pip install 'jupyter_ext[ray]', or set RAY_ADDRESS to a cluster.")
    return found


def start_local_cluster(num_cpus: int | None = None) -> str:
    """The address of this home's local cluster, started now if none runs."""
    folder = home() / "ray"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process starts it; the others wait and use it
        args = ["--num-cpus", str(num_cpus)] if num_cpus else []
        return str(local_cluster().start(args, timeout=_START_TIMEOUT_SECONDS)["url"])


def serve_cluster(num_cpus: int | None, record_state: bool) -> None:
    """Run a head node on 127.0.0.1 until SIGTERM (what `jupyter-ext ray serve` does)."""
    address = f"127.0.0.1:{free_port()}"
    command = [_ray_command(), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
               f"--port={address.split(':')[1]}", f"--num-cpus={num_cpus or os.cpu_count() or 1}",
               "--include-dashboard=false", "--disable-usage-stats"]
    head = subprocess.Popen(command, env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    signal.signal(signal.SIGTERM, lambda *_: head.terminate())
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while not _reachable(address):
        if head.poll() is not None or time.monotonic() > deadline:
            head.kill()
            raise JupyterExtError(f"Ray's head node did not start ({' '.join(command)}); see the output above.")
        time.sleep(0.2)
    if record_state:
        local_cluster().write_state(address)
    print(f"Ray cluster at {address} (RAY_ADDRESS={address}); stop it with `jupyter-ext ray stop`.", flush=True)
    try:
        head.wait()
    finally:
        local_cluster().forget()


def cluster_address() -> str:
    """RAY_ADDRESS when set, else the local cluster's address (started if need be)."""
    given = os.environ.get(ADDRESS_VARIABLE)
    if given:
        return given
    running = local_cluster().running()
    return str(running["url"]) if running and _reachable(str(running["url"])) else start_local_cluster()


def connect() -> None:
    """Join the cluster as a driver (once per process)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=cluster_address(), namespace="jupyter_ext", log_to_driver=False, logging_level="WARNING")
