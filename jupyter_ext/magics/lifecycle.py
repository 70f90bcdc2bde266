"""`%lifecycle status|run HOOK|logs [RUN]`: lifecycle scripts from a notebook. A failed
run raises, so a papermill run fails on that cell."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..errors import JupyterExtError, ValidationError
from ..lifecycle import lifecycle_log, lifecycle_status, start_lifecycle_hook, wait_for_lifecycle_run
from ..lifecycle.display import format_line, format_runs
from . import parse_argstring

__all__ = ["LifecycleMagics"]


@magics_class
class LifecycleMagics(Magics):
    """The %lifecycle magic."""

    @magic_arguments()
    @argument("action", choices=["status", "run", "logs"], help="what to do")
    @argument("target", nargs="?", default=None,
              help="run: on-start (default) or on-create; logs: a run id or a hook (default on-start)")
    @argument("--tail", type=int, default=None, help="logs: only the last N lines")
    @argument("--limit", type=int, default=10, help="status: how many runs (default 10)")
    @line_magic
    def lifecycle(self, line: str) -> Any:
        """Lifecycle scripts: `%lifecycle status` shows where scripts come from and the
        last runs; `%lifecycle run on-start` runs one now and prints its output (raises if
        it fails); `%lifecycle logs [RUN]` prints a run's output."""
        args = parse_argstring(self.lifecycle, line)
        if args.action == "status":
            status = lifecycle_status(args.limit)
            print(f"Scripts from: {status.source} (time limit {status.time_limit} s); "
                  f"on-create has run: {'yes' if status.on_create_done else 'no'}")
            print(format_runs(status.runs) if status.runs else "No runs yet.")
            return None
        if args.action == "logs":
            for log_line in lifecycle_log(args.target or "on-start", tail_lines=args.tail).lines:
                print(format_line(log_line))
            return None
        hook = args.target or "on-start"
        if hook not in ("on-start", "on-create"):
            raise ValidationError(f"%lifecycle run takes on-start or on-create; got {hook!r}.")
        run = start_lifecycle_hook(hook)
        run = wait_for_lifecycle_run(run.run_id, lambda log_line: print(format_line(log_line), flush=True))
        if run.status != "Completed":
            raise JupyterExtError(f"Lifecycle run {run.run_id} ({hook}) failed: {run.failure_reason}")
        return None
