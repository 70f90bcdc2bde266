"""How a launched job shows itself to the person who launched it.

Watchers are callables `watch(job, wait, logs)` in the `watchers` registry, keyed by
display: "text" (built in) prints the log and a summary (papermill, consoles, scripts);
others come from the `jupyter_ext.watchers` entry-point group, e.g. "widget", the job
monitor in JupyterLab. `JUPYTER_EXT_DISPLAY=text|widget` overrides the automatic choice.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Protocol, Union

from ..errors import WaitInterrupted
from ..models import ACTIVE_STATUSES, JobDescription
from ..plugins import Registry

__all__ = ["Watcher", "register_watcher", "watch", "watchers", "text_watch", "summary_line", "keeps_running",
           "interrupted", "monitor", "display_choice", "in_widget_frontend"]



class Job(Protocol):
    """What a watcher needs of a job: `jupyter_ext.Job` (not imported here: it shows itself
    through this module)."""

    name: str

    def describe(self) -> JobDescription:
        """The job's state now."""

    def wait(self, logs: bool = False) -> JobDescription:
        """Block until the job ends; raise unless it Completed."""

    def logs(self, follow: bool = False, tail: int | None = None) -> None:
        """Print the log's messages."""


Watcher = Callable[[Job, bool, bool], Union[JobDescription, None]]


def register_watcher(name: str, watcher: Watcher | str) -> None:
    """Register a watcher (or a "module:function" string imported on first use)."""
    watchers.register(name, watcher)


def summary_line(description: JobDescription) -> str:
    """One line: name, status, elapsed time, final metrics, failure reason."""
    parts = [f"Job {description.name}: {description.status}"]
    if description.elapsed_seconds is not None:
        parts.append(f"after {description.elapsed_seconds:.1f} s")
    if description.final_metrics:
        parts.append(", ".join(f"{k}={v:g}" for k, v in description.final_metrics.items()))
    if description.failure_reason:
        parts.append(description.failure_reason)
    return " | ".join(parts)


def keeps_running(job: Job) -> str:
    """What to tell someone who stopped waiting: the job goes on."""
    return (f"Stopped waiting; job {job.name} keeps running. Stop it with %stop {job.name} "
            f"or jupyter-ext jobs stop {job.name}.")


def interrupted(job: Job) -> WaitInterrupted:
    """The one-line interrupt to raise when someone stops waiting on `job`."""
    return WaitInterrupted(job.name, keeps_running(job))


def text_watch(job: Job, wait: bool, logs: bool) -> JobDescription | None:
    """Print the log as it comes and a summary line; raise if the job did not complete."""
    if not wait:
        print(f"Job {job.name} started; follow it with %logs {job.name} --follow "
              f"or jupyter-ext jobs logs {job.name} --follow", flush=True)
        return None
    try:
        description = job.wait(logs=logs)
    except WaitInterrupted:
        raise
    except KeyboardInterrupt:
        raise interrupted(job) from None
    except Exception:
        print(summary_line(job.describe()), flush=True)
        raise
    print(summary_line(description), flush=True)
    return description


def in_widget_frontend() -> bool:
    """Whether output goes to a JupyterLab notebook (widgets render) rather than papermill or a console."""
    # A kernel that a Jupyter server started for a notebook has JPY_SESSION_NAME set;
    # papermill's and console kernels do not.
    return "ipykernel" in sys.modules and bool(os.environ.get("JPY_SESSION_NAME"))


def display_choice() -> str:
    """"text" or "widget": JUPYTER_EXT_DISPLAY when set, else what the front end can show."""
    return os.environ.get("JUPYTER_EXT_DISPLAY") or ("widget" if in_widget_frontend() else "text")


def watch(job: Job, wait: bool, logs: bool) -> JobDescription | None:
    """Show `job` with the chosen watcher; block until it ends if `wait`."""
    return watchers.get(display_choice())(job, wait, logs)


def monitor(job: Job, wait: bool = False, logs: bool = False) -> JobDescription | None:
    """Show any job live, wherever it was started (another kernel, the CLI): the monitor
    widget in JupyterLab; as text, its log's tail and state now, or with `wait` its log
    until it ends (raising unless it Completed), as for a job launched here."""
    if wait or display_choice() != "text":
        return watch(job, wait, logs)
    description = job.describe()
    job.logs(tail=10)
    print(summary_line(description), flush=True)
    if description.status in ACTIVE_STATUSES:
        print(f"Follow it with %logs {job.name} --follow or %monitor_job {job.name} --wait.", flush=True)
    return description


watchers: Registry[Watcher] = Registry(
    "display", "jupyter_ext.watchers", {"text": text_watch},
    unknown="JUPYTER_EXT_DISPLAY={name!r}; choose one of: {names}.")
