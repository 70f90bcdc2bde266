"""Lifecycle configuration scripts, as on SageMaker notebook instances.

    from jupyter_ext.lifecycle import run_lifecycle_hook, lifecycle_status
    run = run_lifecycle_hook("on-start")      # waits; run.status is Completed or Failed

`on-create` runs once per jupyter_ext home and `on-start` at every start of the Jupyter
server (in the background, from the server extension), each within a time limit (300 s
by default), with exit code, duration and output kept in the store.
"""

from __future__ import annotations

from .configs import (
    DEFAULT_TIME_LIMIT, HOOKS, MAX_SCRIPT_CHARACTERS, LifecycleSettings, Script, configure_lifecycle,
    create_lifecycle_config, delete_lifecycle_config, describe_lifecycle_config, lifecycle_settings,
    list_lifecycle_configs, resolve_script,
)
from .runner import run_at_server_start, run_lifecycle_hook, start_at_server_start, start_lifecycle_hook
from .runs import (
    describe_lifecycle_run, latest_lifecycle_run, lifecycle_log, lifecycle_status, list_lifecycle_runs,
    wait_for_lifecycle_run,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "HOOKS",
    "MAX_SCRIPT_CHARACTERS",
    "LifecycleSettings",
    "Script",
    "configure_lifecycle",
    "create_lifecycle_config",
    "delete_lifecycle_config",
    "describe_lifecycle_config",
    "describe_lifecycle_run",
    "latest_lifecycle_run",
    "lifecycle_log",
    "lifecycle_settings",
    "lifecycle_status",
    "list_lifecycle_configs",
    "list_lifecycle_runs",
    "resolve_script",
    "run_at_server_start",
    "run_lifecycle_hook",
    "start_at_server_start",
    "start_lifecycle_hook",
    "wait_for_lifecycle_run",
]
