"""The job monitor widget, refreshed from the store by a background thread."""

from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from ..errors import JupyterExtError, UnexpectedStatusError, WaitInterrupted
from ..jobs import Job, describe_job, records
from ..store import get_store
from ..jobs.display import interrupted, summary_line
from ..models import TERMINAL_STATUSES, JobDescription

__all__ = ["DISCONNECTED", "JobMonitor", "watch_job", "sparkline", "stale_banner"]

_COLOURS = {"Completed": "#2e7d32", "Failed": "#c62828", "Stopped": "#6d4c41", "Stopping": "#ef6c00"}


def sparkline(values: list[float], width: int = 120, height: int = 24) -> str:
    """An inline SVG line of `values` (empty for fewer than two)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(f"{i * step:.1f},{height - (v - low) / span * height:.1f}" for i, v in enumerate(values))
    return (f'<svg width="{width}" height="{height}"><polyline fill="none" stroke="#1565c0" '
            f'stroke-width="1.5" points="{points}"/></svg>')


DISCONNECTED = "disconnected — see the sidebar"


def stale_banner(beat: int, after_seconds: float) -> str:
    """A notice that stays hidden while the monitor is refreshed and shows `after_seconds`
    after the last refresh: a monitor whose kernel is gone (restarted, shut down) says so
    instead of freezing at InProgress. Each refresh sends new HTML (`beat`), which restarts
    the browser's countdown; nothing on the page has to run."""
    return ("<style>@keyframes jupyter-ext-stale { to { visibility: visible; } }</style>"
            f"<div class='jupyter-ext-disconnected' data-beat='{beat}' style='visibility:hidden;color:#c62828;"
            f"animation:jupyter-ext-stale 0s linear {after_seconds:g}s forwards'>{DISCONNECTED}</div>")


class JobMonitor(widgets.VBox):
    """A live view of one job. `refresh()` reads the store; `start()` refreshes every
    `interval` seconds in the background until the job ends."""

    def __init__(self, job: Job, log_lines: int = 15, interval: float = 1.0, **kwargs: Any) -> None:
        self.job, self.log_lines, self.interval = job, log_lines, interval
        self.header = widgets.HTML()
        self.metrics_view = widgets.HTML()
        self.log_view = widgets.HTML()
        self.stop_button = widgets.Button(description="Stop", icon="stop", button_style="danger")
        self.stop_button.on_click(self._on_stop)
        self.message = widgets.HTML()
        self.children_view = widgets.HTML()
        super().__init__([widgets.HBox([self.header, self.stop_button]), self.metrics_view,
                          self.children_view, self.log_view, self.message], **kwargs)
        self._ended = threading.Event()
        self._beat = 0
        self.description: JobDescription | None = None
        self.refresh()

    def refresh(self) -> JobDescription:
        """Read the job's state, log tail and metrics into the widget."""
        description = self.description = self.job.describe()
        self.header.value = self._header(description)
        series: dict[str, list[float]] = {}
        for point in self.job.metric_points():
            series.setdefault(point.name, []).append(point.value)
        self.metrics_view.value = "".join(
            f"<div><code>{html.escape(n)}</code> = {v[-1]:g} {sparkline(v[-200:])}</div>" for n, v in series.items()
        )
        if description.job_type == "AutoML" and description.children:
            self.children_view.value = _candidates_table(description)
        elif description.children:
            self.children_view.value = _children_table(description)
        tail = "\n".join(line.message for line in self.job.tail(self.log_lines))
        self.log_view.value = f"<pre style='max-height:18em;overflow:auto;margin:0'>{html.escape(tail)}</pre>"
        if description.failure_reason:
            self.message.value = f"<span style='color:#c62828'>{html.escape(description.failure_reason)}</span>"
        self.stop_button.disabled = description.status in TERMINAL_STATUSES or description.status == "Stopping"
        # A finished job has nothing to stop: no red button left behind.
        self.stop_button.layout.display = "none" if description.status in TERMINAL_STATUSES else None
        return description

    def _header(self, description: JobDescription) -> str:
        colour = _COLOURS.get(description.status, "#1565c0")
        elapsed = f"{description.elapsed_seconds:.1f} s" if description.elapsed_seconds is not None else "-"
        # The secondary status only where it says more (Training, MaxRuntimeExceeded), not "Completed (Completed)".
        secondary = description.secondary_status
        detail = f" ({html.escape(secondary)})" if secondary and secondary != description.status else ""
        self._beat += 1
        ended = description.status in TERMINAL_STATUSES
        banner = "" if ended else stale_banner(self._beat, max(10.0, 5 * self.interval))
        return (f"<b>{html.escape(description.name)}</b> &nbsp; <span style='color:{colour}'>"
                f"{description.status}</span>{detail} &nbsp; {elapsed}{banner}")

    def start(self) -> None:
        """Refresh in the background until the job ends."""
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        while not self._ended.wait(self.interval):
            if self.refresh().status in TERMINAL_STATUSES:
                self._ended.set()

    def _on_stop(self, _button: widgets.Button) -> None:
        try:
            self.job.stop()
        except JupyterExtError as error:
            self.message.value = html.escape(str(error))
        self.refresh()

    def __repr__(self) -> str:
        return summary_line(self.description) if self.description else repr(self.job)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = repr(self)
        return bundle


def _children_table(description: JobDescription, rows: int = 12) -> str:
    """Progress and the latest child jobs (a tuning job's training jobs) with their metrics."""
    total = description.details.get("max_jobs")
    done = sum(status in TERMINAL_STATUSES for status in records.child_statuses(get_store(), description.name))
    lines = []
    for name in description.children[-rows:]:  # refreshed every second: read only what is shown
        child = describe_job(name)
        metrics = ", ".join(f"{k}={v:g}" for k, v in child.final_metrics.items())
        lines.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{child.status}</td>"
                     f"<td>{html.escape(metrics)}</td></tr>")
    progress = f"{done} of {total or len(description.children)} jobs finished"
    return f"<div>{progress}</div><table style='font-size:smaller'>" + "".join(lines) + "</table>"


def _candidates_table(description: JobDescription, rows: int = 10) -> str:
    """An AutoML job's live leaderboard: its tuning job's finished candidates, best first."""
    from ..automl.pipelines import MINIMIZED
    from ..tuning.trials import read_trials

    objective = description.details.get("objective", "")
    trials = [t for t in read_trials(description.children[0]) if t.value is not None]
    trials.sort(key=lambda t: t.value, reverse=objective not in MINIMIZED)
    lines = "".join(f"<tr><td>{i + 1}</td><td><code>{html.escape(t.job)}</code></td><td>{html.escape(t.definition)}</td>"
                    f"<td>{t.value:.4g}</td></tr>" for i, t in enumerate(trials[:rows]))
    total = description.details.get("max_candidates")
    return (f"<div>{len(trials)} of {total} candidates scored ({html.escape(objective)})</div>"
            f"<table style='font-size:smaller'>{lines}</table>")


def watch_job(job: Job, wait: bool, logs: bool) -> JobDescription | None:
    """Show a JobMonitor; with `wait`, block until the job ends and raise unless Completed."""
    monitor = JobMonitor(job)
    display(monitor)
    monitor.start()
    if not wait:
        return None
    try:
        description = job.wait()
    except WaitInterrupted:
        raise
    except KeyboardInterrupt:
        raise interrupted(job) from None  # the monitor goes on updating, and its Stop button works
    except UnexpectedStatusError:
        monitor.refresh()
        raise
    monitor.refresh()
    print(summary_line(description))
    return description
