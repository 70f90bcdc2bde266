"""The lifecycle verbs: `jupyter-ext lifecycle ...` and `%lifecycle ...`.

    run [on-start|on-create]      run now, print the output as it comes (raises if it fails)
    status [--json] [--limit N]
    logs [RUN_ID|on-start|on-create] [--tail N]
    configure [--folder DIR | --config NAME | --default-folder] [--time-limit SECONDS]
              [--env NAME=VALUE ...] [--clear-env]
    create-config NAME [--on-create FILE] [--on-start FILE] [--overwrite]
    delete-config NAME | list-configs
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import JupyterExtError, NotFoundError, ValidationError
from ..lifecycle import (
    HOOKS, configure_lifecycle, create_lifecycle_config, delete_lifecycle_config, lifecycle_log, lifecycle_settings,
    lifecycle_status, list_lifecycle_configs, start_lifecycle_hook, wait_for_lifecycle_run,
)
from ..models import LifecycleRun, LogLine
from . import Verb, VerbTable, arg
from .text import parse_pairs, text_table

__all__ = ["LIFECYCLE", "format_line", "format_runs"]


def format_line(line: LogLine) -> str:
    """A log line as the CLI and magics print it: our own messages marked `[lifecycle]`."""
    return f"[lifecycle] {line.message}" if line.stream == "runner" else line.message


def format_runs(runs: list[LifecycleRun]) -> str:
    """A table of runs, newest first."""
    rows = [("RUN", "HOOK", "STATUS", "EXIT", "SECONDS", "STARTED", "TRIGGER", "FAILURE")]
    rows += [(str(r.run_id), r.hook, r.status, "" if r.exit_code is None else str(r.exit_code),
              "" if r.duration_seconds is None else f"{r.duration_seconds:.1f}",
              r.started_at.strftime("%Y-%m-%d %H:%M:%S"), r.trigger, (r.failure_reason or "")[:70]) for r in runs]
    return text_table(rows)


def _run(args: argparse.Namespace) -> None:
    if args.hook not in HOOKS:
        raise ValidationError(f"lifecycle run takes on-start or on-create; got {args.hook!r}.")
    run = start_lifecycle_hook(args.hook)
    run = wait_for_lifecycle_run(run.run_id, lambda line: print(format_line(line), flush=True))
    if run.status != "Completed":
        raise JupyterExtError(f"Lifecycle run {run.run_id} ({args.hook}) failed: {run.failure_reason}")


def _print_settings(source: str, time_limit: int, environment: dict[str, str]) -> None:
    print(f"Scripts from: {source} (time limit {time_limit} s)")
    if environment:
        print("Environment: " + ", ".join(f"{k}={v}" for k, v in environment.items()))


def _status(args: argparse.Namespace) -> dict[str, Any] | None:
    status = lifecycle_status(args.limit)
    if args.json:
        return status.to_dict()
    _print_settings(status.source, status.time_limit, status.environment)
    for hook, script in status.scripts.items():
        print(f"  {hook}: {script or 'none'}")
    print(f"on-create has run: {'yes' if status.on_create_done else 'no'} (in this home)")
    if status.failed:
        print("The latest run of a hook FAILED; see `jupyter-ext lifecycle logs RUN` or `%lifecycle logs RUN`.")
    print(format_runs(status.runs) if status.runs else "No runs yet.")
    return None


def _logs(args: argparse.Namespace) -> None:
    for line in lifecycle_log(args.ref, tail_lines=args.tail).lines:
        print(format_line(line))


def _configure(args: argparse.Namespace) -> None:
    environment = None
    if args.env or args.clear_env:
        environment = {} if args.clear_env else dict(lifecycle_settings().environment)
        environment.update(parse_pairs(args.env, "--env"))
    settings = configure_lifecycle(args.folder, args.config, args.time_limit, environment, args.default_folder)
    _print_settings(settings.source, settings.time_limit, settings.environment)


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


LIFECYCLE = VerbTable("lifecycle", "on-create / on-start scripts: run, status, logs", (
    Verb("run", "run a hook's script now and print its output", _run, (
        arg("hook", nargs="?", default="on-start", help="on-start (default) or on-create"),
    )),
    Verb("status", "where scripts come from, and the last runs", _status, (
        arg("--limit", type=int, default=10, help="how many runs (default 10)"),
        arg("--json", action="store_true", help="the LifecycleStatus record"),
    )),
    Verb("logs", "a run's output", _logs, (
        arg("ref", nargs="?", default="on-start", metavar="RUN",
            help="a run id, or a hook for its latest run (default on-start)"),
        arg("--tail", type=int, default=None, help="only the last N lines"),
    )),
    Verb("configure", "where scripts come from, time limit, environment", _configure, (
        arg("--folder", exclusive="source", help="a folder holding on-create.sh and/or on-start.sh"),
        arg("--config", exclusive="source", help="a named lifecycle configuration"),
        arg("--default-folder", exclusive="source", action="store_true", help="lifecycle/ in the jupyter_ext home"),
        arg("--time-limit", type=int, help="seconds (default 300)"),
        arg("--env", action="append", default=[], metavar="NAME=VALUE", help="for the scripts (repeatable)"),
        arg("--clear-env", action="store_true", help="drop the variables set before"),
    )),
    Verb("create-config", "store a named configuration from script files", _create_config, (
        arg("name"), arg("--on-create", metavar="FILE"), arg("--on-start", metavar="FILE"),
        arg("--overwrite", action="store_true"),
    )),
    Verb("delete-config", "remove a named configuration", _delete_config, (arg("name"),)),
    Verb("list-configs", "the named configurations", _list_configs),
))
