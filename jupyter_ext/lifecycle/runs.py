"""Lifecycle runs in the store: one row per run of a script, with its status, exit code,
times and log file. A run whose supervising process is gone is marked Failed on read,
so none stays InProgress forever."""

from __future__ import annotations

import time
from pathlib import Path
from collections.abc import Callable
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs.logs import read_log, read_lines, tail_log
from ..jobs.process import is_alive, this_process
from ..models import LifecycleRun, LifecycleStatus, LogChunk, LogLine, timestamp
from ..store import get_store, home
from . import records
from .configs import HOOKS, check_hook, lifecycle_settings, resolve_script

# The failure reason of a run cut short because the process supervising it exited.
EXITED = "Stopped with its child processes: the process running it (the Jupyter server or the CLI) exited."

__all__ = [
    "insert_run",
    "finish_run",
    "list_lifecycle_runs",
    "describe_lifecycle_run",
    "latest_lifecycle_run",
    "lifecycle_status",
    "lifecycle_log",
    "wait_for_lifecycle_run",
]

_GONE = "The process running the script ended before the script did (was the server stopped?)."


def _record(row: Any) -> LifecycleRun:
    ended = row["ended_at"]
    duration = None if ended is None else round(ended - row["started_at"], 3)
    return LifecycleRun(row["id"], row["hook"], row["source"], row["trigger"], row["status"], row["exit_code"],
                        timestamp(row["started_at"]), timestamp(ended), duration, row["failure_reason"],
                        row["log_path"])


def _supervisor() -> tuple[int, float | None]:
    me = this_process()
    return me.pid, me.started


def _reap(rows: list[Any]) -> bool:
    """Mark InProgress rows whose supervisor is gone Failed; True if any was."""
    gone = [row["id"] for row in rows if row["status"] == "InProgress"
            and not is_alive(row["supervisor_pid"], row["supervisor_started"])]
    if gone:
        records.fail_runs(get_store(), gone, _GONE)
    return bool(gone)


def insert_run(hook: str, source: str, trigger: str) -> LifecycleRun:
    """Record a new InProgress run of `hook`; ConflictError while another run of it goes on."""
    store = get_store()
    _reap(records.in_progress_runs(store, hook))
    run_id, log_path = records.insert_run(store, hook, source, trigger, _supervisor(), home() / "lifecycle-runs")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return describe_lifecycle_run(run_id)


def finish_run(run_id: int, status: str, exit_code: int | None, failure_reason: str | None,
               ended_at: float | None = None) -> LifecycleRun:
    """Record how run `run_id` ended (at `ended_at`, default now)."""
    records.finish_run(get_store(), run_id, status, exit_code, failure_reason, ended_at or time.time())
    return describe_lifecycle_run(run_id)


def _select(hook: str | None = None, run_id: int | None = None, limit: int = 20) -> list[LifecycleRun]:
    store = get_store()
    rows = records.select_runs(store, hook=hook, run_id=run_id, limit=limit)
    if _reap(rows):
        rows = records.select_runs(store, hook=hook, run_id=run_id, limit=limit)
    return [_record(row) for row in rows]


def list_lifecycle_runs(hook: str | None = None, limit: int = 20) -> list[LifecycleRun]:
    """The last `limit` runs (of `hook`, or of both hooks), newest first."""
    if hook is not None:
        check_hook(hook)
    if limit < 1:
        raise ValidationError(f"limit must be 1 or more; got {limit}.")
    return _select(hook=hook, limit=limit) if hook else _select(limit=limit)


def describe_lifecycle_run(run: int | str) -> LifecycleRun:
    """A run by id, or by hook name (on-create, on-start) for that hook's latest run;
    NotFoundError if there is none."""
    if isinstance(run, str) and not run.isdigit():
        if run not in HOOKS:
            raise ValidationError(f"{run!r} is neither a run id nor a hook; give a number or one of: "
                                  f"{', '.join(HOOKS)}.")
        found = _select(hook=run, limit=1)
        if not found:
            raise NotFoundError(f"The {run} script has not run in this home yet.")
        return found[0]
    found = _select(run_id=int(run), limit=1)
    if not found:
        raise NotFoundError(f"No lifecycle run {run}; `jupyter-ext lifecycle status` lists the last runs.")
    return found[0]


def latest_lifecycle_run(hook: str) -> LifecycleRun | None:
    """The newest run of `hook`, or None if it never ran in this home."""
    found = list_lifecycle_runs(hook, 1)
    return found[0] if found else None


def lifecycle_status(limit: int = 10) -> LifecycleStatus:
    """Settings, scripts, the last `limit` runs and the failure flag, in one record."""
    settings = lifecycle_settings()
    scripts: dict[str, str | None] = {}
    for hook in HOOKS:
        try:
            script = resolve_script(hook, settings)
            scripts[hook] = script.source if script else None
        except (ValidationError, NotFoundError) as error:
            scripts[hook] = f"unusable: {error}"
    # The list first, each hook's latest run from it: the flag agrees with the runs shown.
    runs = list_lifecycle_runs(limit=limit)
    latest = [next((run for run in runs if run.hook == hook), None) or latest_lifecycle_run(hook) for hook in HOOKS]
    return LifecycleStatus(
        source=settings.source, scripts=scripts, time_limit=settings.time_limit,
        environment=settings.environment, on_create_done=latest[0] is not None and latest[0].failure_reason != EXITED,
        failed=any(run is not None and run.status == "Failed" for run in latest), runs=runs)


def lifecycle_log(run: int | str, offset: int | None = None, tail_lines: int | None = None,
                  start_line: int | None = None, max_bytes: int = 1 << 20, max_lines: int = 1000) -> LogChunk:
    """Part of a run's log: `run` is a run id or a hook (its latest run). From byte
    `offset`, the last `tail_lines` lines, or `max_lines` from line `start_line`."""
    path = Path(describe_lifecycle_run(run).log_path)
    if tail_lines is not None:
        return tail_log(path, tail_lines)
    if start_line is not None:
        return read_lines(path, start_line, max_lines)
    return read_log(path, offset or 0, max_bytes)


def wait_for_lifecycle_run(run: int | str, on_line: Callable[[LogLine], None] | None = None,
                           poll_seconds: float = 0.2) -> LifecycleRun:
    """Wait until run `run` ends; `on_line` gets each log line as it is written."""
    record, offset = describe_lifecycle_run(run), 0
    while True:
        ended = record.status != "InProgress"
        chunk = read_log(Path(record.log_path), offset)
        offset = chunk.next_offset
        for line in chunk.lines:
            if on_line is not None:
                on_line(line)
        if ended:
            return record
        time.sleep(poll_seconds)
        record = describe_lifecycle_run(record.run_id)
