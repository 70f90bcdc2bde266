"""Jobs on a Ray cluster: `instance_type="ray"` (or JUPYTER_EXT_EXECUTOR=ray) runs a job's
program on Ray, one actor per host, while its runner stays here and supervises it as any
job (log line by line, metrics, stop, max_run, model.tar.gz, its record in the store).

    Estimator("train.py", instance_type="ray", instance_count=2).fit()

The cluster is RAY_ADDRESS (`host:port` or `ray://host:port`), else a local cluster
started for you (`jupyter_ext.ray.cluster`). Only this package imports `ray`
(`pip install jupyter_ext[ray]`).
"""

from __future__ import annotations

import os

__all__ = ["RayExecutor"]

# A cluster on loopback (the local one, or RAY_ADDRESS=127.0.0.1:port) is joined on
# loopback: Ray would otherwise swap 127.0.0.1 for the machine's address, where a cluster
# bound to loopback does not answer. Ray reads this switch when it is imported.
if (os.environ.get("RAY_ADDRESS") or "127.").split("://")[-1].startswith(("127.", "localhost")):
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def __getattr__(name: str) -> object:
    if name == "RayExecutor":  # importing ray costs a second: only when asked
        from .executor import RayExecutor
        return RayExecutor
    raise AttributeError(name)
