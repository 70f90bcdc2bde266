"""`jupyter-ext lifecycle ...`: lifecycle scripts from the command line.

    jupyter-ext lifecycle run on-start|on-create      run now, print the output as it comes
    jupyter-ext lifecycle status [--json] [--limit N]
    jupyter-ext lifecycle logs [RUN_ID|on-start|on-create] [--tail N]
    jupyter-ext lifecycle configure [--folder DIR | --config NAME | --default-folder]
                                    [--time-limit SECONDS] [--env NAME=VALUE ...] [--clear-env]
    jupyter-ext lifecycle create-config NAME [--on-create FILE] [--on-start FILE] [--overwrite]
    jupyter-ext lifecycle delete-config NAME
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from .errors import JupyterExtError, NotFoundError, ValidationError
from .lifecycle import (
    HOOKS, configure_lifecycle, create_lifecycle_config, delete_lifecycle_config, lifecycle_log, lifecycle_settings,
    lifecycle_status, list_lifecycle_configs, start_lifecycle_hook, wait_for_lifecycle_run,
)
from .lifecycle.display import format_line, format_runs

__all__ = ["add_lifecycle_commands"]


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)  # unwinds, so the script's process group is stopped at exit


def _run(args: argparse.Namespace) -> None:
    # A closed terminal or a cancelled CI job (SIGHUP, SIGTERM) must not leave the script running.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    run = start_lifecycle_hook(args.hook)
    run = wait_for_lifecycle_run(run.run_id, lambda line: print(format_line(line), flush=True))
    if run.status != "Completed":
        raise JupyterExtError(f"Run {run.run_id} failed: {run.failure_reason}")


def _status(args: argparse.Namespace) -> None:
    status = lifecycle_status(args.limit)
    if args.json:
        print(json.dumps(status.to_dict(), indent=1))
        return
    print(f"Scripts from: {status.source} (time limit {status.time_limit} s)")
    for hook, script in status.scripts.items():
        print(f"  {hook}: {script or 'none'}")
    if status.environment:
        print("Environment: " + ", ".join(f"{k}={v}" for k, v in status.environment.items()))
    print(f"on-create has run in this home: {'yes' if status.on_create_done else 'no'}")
    if status.failed:
        print("The latest run of a hook FAILED; see `jupyter-ext lifecycle logs RUN`.")
    print(format_runs(status.runs) if status.runs else "No runs yet.")


def _logs(args: argparse.Namespace) -> None:
    chunk = lifecycle_log(args.ref, tail_lines=args.tail)
    for line in chunk.lines:
        print(format_line(line))


def _environment(pairs: list[str]) -> dict[str, str]:
    environment = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValidationError(f"--env {pair!r} must look like NAME=VALUE.")
        environment[name] = value
    return environment


def _configure(args: argparse.Namespace) -> None:
    environment = None
    if args.env or args.clear_env:
        environment = {} if args.clear_env else dict(lifecycle_settings().environment)
        environment.update(_environment(args.env))
    settings = configure_lifecycle(args.folder, args.config, args.time_limit, environment, args.default_folder)
    print(f"Scripts from: {settings.source} (time limit {settings.time_limit} s)")
    if settings.environment:
        print("Environment: " + ", ".join(f"{k}={v}" for k, v in settings.environment.items()))


def _read_script(path: str | None) -> str | None:
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"Script file {file} does not exist.")
    return file.read_text(encoding="utf-8")


def _create_config(args: argparse.Namespace) -> None:
    config = create_lifecycle_config(args.name, _read_script(args.on_create), _read_script(args.on_start),
                                     args.overwrite)
    print(f"Created lifecycle configuration {config.name}; use it with "
          f"`jupyter-ext lifecycle configure --config {config.name}`")


def _delete_config(args: argparse.Namespace) -> None:
    delete_lifecycle_config(args.name)
    print(f"Deleted lifecycle configuration {args.name}")


def _list_configs(args: argparse.Namespace) -> None:
    for config in list_lifecycle_configs():
        hooks = [h for h, c in (("on-create", config.on_create), ("on-start", config.on_start)) if c]
        print(f"{config.name}  {', '.join(hooks)}  {config.last_modified:%Y-%m-%d %H:%M:%S}")


def add_lifecycle_commands(groups: Any) -> None:
    """Add the `lifecycle` group to the `jupyter-ext` subparsers `groups`."""
    commands = groups.add_parser("lifecycle", help="on-create / on-start scripts: run, status, logs").add_subparsers(
        dest="command", required=True)
    run = commands.add_parser("run", help="run a hook's script now and print its output")
    run.add_argument("hook", choices=HOOKS)
    run.set_defaults(run=_run)
    status = commands.add_parser("status", help="where scripts come from, and the last runs")
    status.add_argument("--limit", type=int, default=10, help="how many runs (default 10)")
    status.add_argument("--json", action="store_true", help="print the LifecycleStatus record")
    status.set_defaults(run=_status)
    logs = commands.add_parser("logs", help="a run's output")
    logs.add_argument("ref", nargs="?", default="on-start", metavar="RUN",
                      help="a run id, or a hook for its latest run (default on-start)")
    logs.add_argument("--tail", type=int, help="only the last N lines")
    logs.set_defaults(run=_logs)
    configure = commands.add_parser("configure", help="where scripts come from, time limit, environment")
    source = configure.add_mutually_exclusive_group()
    source.add_argument("--folder", help="a folder holding on-create.sh and/or on-start.sh")
    source.add_argument("--config", help="a named lifecycle configuration")
    source.add_argument("--default-folder", action="store_true", help="lifecycle/ in the jupyter_ext home")
    configure.add_argument("--time-limit", type=int, help="seconds (default 300)")
    configure.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for the scripts")
    configure.add_argument("--clear-env", action="store_true", help="drop the variables set before")
    configure.set_defaults(run=_configure)
    create = commands.add_parser("create-config", help="store a named configuration from script files")
    create.add_argument("name")
    create.add_argument("--on-create", metavar="FILE")
    create.add_argument("--on-start", metavar="FILE")
    create.add_argument("--overwrite", action="store_true")
    create.set_defaults(run=_create_config)
    delete = commands.add_parser("delete-config", help="remove a named configuration")
    delete.add_argument("name")
    delete.set_defaults(run=_delete_config)
    commands.add_parser("list-configs", help="the named configurations").set_defaults(run=_list_configs)
