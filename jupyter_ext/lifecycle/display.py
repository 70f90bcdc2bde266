"""Lifecycle runs as text, the same in the CLI and the magics."""

from __future__ import annotations

from ..models import LifecycleRun, LogLine

__all__ = ["format_line", "format_runs"]


def format_line(line: LogLine) -> str:
    """A log line as the CLI and magics print it: our own messages marked `[lifecycle]`."""
    return f"[lifecycle] {line.message}" if line.stream == "runner" else line.message


def format_runs(runs: list[LifecycleRun]) -> str:
    """A table of runs, newest first."""
    rows = [("RUN", "HOOK", "STATUS", "EXIT", "SECONDS", "STARTED", "TRIGGER", "FAILURE")]
    rows += [(str(r.run_id), r.hook, r.status, "" if r.exit_code is None else str(r.exit_code),
              "" if r.duration_seconds is None else f"{r.duration_seconds:.1f}",
              r.started_at.strftime("%Y-%m-%d %H:%M:%S"), r.trigger, (r.failure_reason or "")[:70]) for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[7] for row in rows)
