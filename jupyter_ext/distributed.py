"""Training on several hosts: SageMaker's `instance_count` and `distribution`.

    Estimator("train.py", instance_count=2, distribution={"torch_distributed": {"enabled": True}})

`instance_count=N` runs the script on N hosts, `algo-1` ... `algo-N`, each with its own
folder laid out as `/opt/ml` (algo-1's is the job folder: its model is the job's model),
its own `resourceconfig.json`, `SM_CURRENT_HOST` and `SM_HOSTS`, and MASTER_ADDR /
MASTER_PORT pointing at algo-1. With `torch_distributed` (or `pytorchddp`) each host is
also given torchrun's variables (WORLD_SIZE, RANK, LOCAL_RANK, ...), one process per host,
so `torch.distributed.init_process_group("gloo")` meets the others unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .jobs.hosts import HOSTS_FOLDER, Host, host_names

__all__ = ["DISTRIBUTIONS", "check_distribution", "check_instance_count", "torchrun_environment", "plan_hosts",
           "copy_code_to_hosts"]

# SageMaker's distribution keys that this machine can run (on the CPU, with gloo).
DISTRIBUTIONS = ("torch_distributed", "pytorchddp")
_ELSEWHERE = ("smdistributed", "mpi", "parameter_server", "multi_worker_mirrored_strategy", "instance_groups")


def check_instance_count(count: Any) -> int:
    """`instance_count` as a whole number >= 1; ValidationError otherwise."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValidationError(f"instance_count must be a whole number >= 1; got {count!r}.")
    return count


def check_distribution(distribution: Mapping[str, Any] | None) -> str | None:
    """The enabled distribution's name ("torch_distributed", "pytorchddp") or None.
    ValidationError for one this machine cannot run, naming those it can."""
    if not distribution:
        return None
    if not isinstance(distribution, Mapping):
        raise ValidationError(f"distribution must be a dict such as {{'torch_distributed': {{'enabled': True}}}}; "
                              f"got {distribution!r}.")
    enabled = [name for name, value in distribution.items()
               if not isinstance(value, Mapping) or value.get("enabled", True)]
    unknown = [name for name in enabled if name not in DISTRIBUTIONS]
    if unknown:
        why = "needs SageMaker's GPU containers" if set(unknown) & set(_ELSEWHERE) else "is not a distribution"
        raise ValidationError(f"distribution {unknown[0]!r} {why}; here torch training runs on the CPU with "
                              f"one of: {', '.join(DISTRIBUTIONS)} (e.g. {{'torch_distributed': {{'enabled': True}}}}).")
    return enabled[0] if enabled else None


def torchrun_environment(rank: int, world_size: int) -> dict[str, str]:
    """What torchrun gives each process, one process per host: its rank among all."""
    return {"WORLD_SIZE": str(world_size), "RANK": str(rank), "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "1",
            "NODE_RANK": str(rank), "GROUP_RANK": str(rank), "ROLE_RANK": str(rank),
            "ROLE_WORLD_SIZE": str(world_size)}


def plan_hosts(count: int, environments: list[dict[str, str]]) -> list[Host]:
    """The hosts of a `count`-host job, each keeping the variables in which its
    environment (`environments[i]`, algo-1's first) differs from algo-1's. Empty for one."""
    if count == 1:
        return []
    first = environments[0]
    return [Host(name, "" if i == 0 else f"{HOSTS_FOLDER}/{name}",
                 {k: v for k, v in environments[i].items() if first.get(k) != v})
            for i, name in enumerate(host_names(count))]


def copy_code_to_hosts(job_dir: Path, hosts: list[Host]) -> None:
    """Give every host but algo-1 its own copy of the job's code."""
    for host in hosts[1:]:
        shutil.copytree(job_dir / "code", job_dir / host.folder / "code", dirs_exist_ok=True)
