"""Which Ray cluster jobs run on: RAY_ADDRESS, else a local one started for you.

The local cluster is `ray start --head` on 127.0.0.1 with this machine's CPUs, started
once per jupyter_ext home (its address kept in `<home>/ray/address`) and left running for
the next job; `ray stop` ends it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from ..errors import JupyterExtError
from ..jobs.process import free_port
from ..store import home

__all__ = ["ADDRESS_VARIABLE", "cluster_address", "connect", "start_local_cluster"]

ADDRESS_VARIABLE = "RAY_ADDRESS"
_START_TIMEOUT_SECONDS = 120.0


def _folder() -> Path:
    folder = home() / "ray"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


def start_local_cluster() -> str:
    """The address of this home's local cluster, started now if none answers."""
    folder = _folder()
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process starts it; the others wait and use it
        recorded = folder / "address"
        if recorded.is_file() and _reachable(recorded.read_text().strip()):
            return recorded.read_text().strip()
        address = f"127.0.0.1:{free_port()}"
        command = [_ray_command(), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={address.split(':')[1]}",
                   f"--num-cpus={os.cpu_count() or 1}", "--include-dashboard=false", "--disable-usage-stats"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=_START_TIMEOUT_SECONDS,
                              env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
        if done.returncode != 0:
            raise JupyterExtError(f"Starting a local Ray cluster failed ({' '.join(command)}): "
                                  f"{(done.stderr or done.stdout).strip()[-800:]}. Set RAY_ADDRESS to a running cluster.")
        recorded.write_text(address)
        return address


def cluster_address() -> str:
    """RAY_ADDRESS when set, else the local cluster's address."""
    return os.environ.get(ADDRESS_VARIABLE) or start_local_cluster()


def connect() -> None:
    """Join the cluster as a driver (once per process)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=cluster_address(), namespace="jupyter_ext", log_to_driver=False, logging_level="WARNING")
