"""The local Ray cluster's verbs: `jupyter-ext ray serve|status|stop`.

    serve [--num-cpus N] [--detach] | status | stop

Jobs with `instance_type="ray"` run on RAY_ADDRESS when it is set, else on this local
cluster, which the first such job starts when none runs.
"""

from __future__ import annotations

import argparse
import json

from ..errors import NotFoundError
from . import Verb, VerbTable, arg

__all__ = ["RAY"]


def _serve(args: argparse.Namespace) -> None:
    from ..ray.cluster import serve_cluster, start_local_cluster

    if args.detach:
        address = start_local_cluster(args.num_cpus)
        print(f"Ray cluster at {address}: jobs with instance_type='ray' run there (or set RAY_ADDRESS).")
        return
    serve_cluster(args.num_cpus, args.record_state)


def _running() -> dict:
    from ..ray.cluster import local_cluster

    state = local_cluster().running()
    if state is None:
        raise NotFoundError("No local Ray cluster is running: start one with `jupyter-ext ray serve --detach` "
                            "(the first job with instance_type='ray' starts one too).")
    return state


def _status(args: argparse.Namespace) -> None:
    from ..ray.cluster import local_cluster

    print(json.dumps({**_running(), "log": str(local_cluster().log_path)}))


def _stop(args: argparse.Namespace) -> None:
    from ..ray.cluster import local_cluster

    _running()
    print(f"Stopped the local Ray cluster (pid {local_cluster().stop()}).")


RAY = VerbTable("ray", "the local Ray cluster that jobs with instance_type='ray' run on", (
    Verb("serve", "run a Ray head node on 127.0.0.1 for this home's jobs", _serve, (
        arg("--num-cpus", type=int, default=None, help="CPUs the cluster offers (default: this machine's)"),
        arg("--detach", action="store_true", help="run in a process of its own (see `ray status`/`stop`)"),
        arg("--record-state", action="store_true", help=argparse.SUPPRESS),
    ), surfaces=frozenset({"cli"})),
    Verb("status", "the running cluster's address, pid and log", _status, surfaces=frozenset({"cli"})),
    Verb("stop", "stop the local cluster and its jobs' actors", _stop, surfaces=frozenset({"cli"})),
))
