"""`jupyter-ext`: the command line over the same API.

    jupyter-ext jobs list|describe|logs|stop ...
    jupyter-ext lifecycle run|status|logs|configure|create-config|delete-config|list-configs ...
    jupyter-ext debugger rules|tensors|builtin-rules ...
    jupyter-ext endpoints list|describe|delete ...
    jupyter-ext compile MODEL --target ml_c5 --shape input0=1,3,32,32
    jupyter-ext models list-groups|list|describe|approve|reject|lineage ...
    jupyter-ext monitor baseline|schedule|run|report|list|executions|describe|stop|start|delete ...
    jupyter-ext pipelines list|start|executions|describe|stop|retry ...
    jupyter-ext labeling start|list|describe|stop|answer ...
    jupyter-ext livy serve|status|stop|configure ...
    jupyter-ext aws serve|status|stop|env
    jupyter-ext ray serve|status|stop

Each group is one capability's verb table (jupyter_ext.commands), the same table its
magic is built from; `jupyter-ext GROUP VERB --help` lists a verb's options.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from ..errors import JupyterExtError
from .aws import add_aws_commands
from .compile import add_compile_command
from .debugger import add_debugger_commands
from .endpoints import add_endpoints_commands
from .jobs import add_jobs_commands
from .labeling import add_labeling_commands
from .lifecycle import add_lifecycle_commands
from .livy import add_livy_commands
from .models import add_models_commands
from .monitor import add_monitor_commands
from .pipelines import add_pipelines_commands
from .ray import add_ray_commands

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `jupyter-ext`."""
    parser = argparse.ArgumentParser(prog="jupyter-ext", description="jupyter_ext from the command line")
    groups = parser.add_subparsers(dest="group", required=True)
    for add in (add_jobs_commands, add_lifecycle_commands, add_debugger_commands, add_endpoints_commands,
                add_models_commands, add_monitor_commands, add_pipelines_commands, add_livy_commands, add_aws_commands,
                add_ray_commands, add_compile_command, add_labeling_commands):
        add(groups)
    return parser


def _exit_on_signal(signum: int, _frame: object) -> None:
    sys.exit(128 + signum)  # unwinds, so what a command started (a lifecycle script's processes) is stopped


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 on a jupyter_ext error)."""
    args = build_parser().parse_args(argv)
    if argv is None:  # a process of its own: a closed terminal or a cancelled CI job must not leave work running
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _exit_on_signal)
    try:
        args.run(args)
    except JupyterExtError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        if str(interrupt):  # a WaitInterrupted says the job keeps running
            print(interrupt, file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away, as `jupyter-ext jobs list | head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
