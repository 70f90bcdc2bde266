"""A gateway running detached (`jupyter-ext livy serve --detach`), found through a
state file `<jupyter_ext home>/livy/gateway.json` that holds its pid and URL."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import JupyterExtError, NotFoundError
from ..jobs.process import is_alive, spawn_detached, terminate_group, this_process

__all__ = ["state_file", "running_gateway", "start_detached", "stop_detached", "write_state"]


def state_file() -> Path:
    """Where a detached gateway records its pid and URL."""
    from ..store.metadata import home

    return home() / "livy" / "gateway.json"


def running_gateway() -> dict[str, Any] | None:
    """`{"pid", "url"}` of the detached gateway if one is running, else None."""
    try:
        state = json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None
    return state if is_alive(int(state.get("pid", 0)), state.get("started")) else None


def write_state(url: str) -> None:
    """Record this process as the detached gateway serving `url`."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    me = this_process()
    path.write_text(json.dumps({"pid": me.pid, "started": me.started, "url": url}))


def start_detached(serve_args: Sequence[str], timeout: float = 60.0) -> dict[str, Any]:
    """Start `jupyter-ext livy serve <serve_args>` in its own session; returns its state
    once it serves. Its output goes to `<home>/livy/gateway.log`."""
    found = running_gateway()
    if found:
        return found
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    _, process = spawn_detached([sys.executable, "-m", "jupyter_ext.cli", "livy", "serve", *serve_args,
                                 "--record-state"], cwd=os.getcwd(), env=os.environ,
                                log_path=path.parent / "gateway.log", reap=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = running_gateway()
        if found:
            return found
        if process.poll() is not None:
            raise JupyterExtError(f"The Livy gateway exited at start; see {path.parent / 'gateway.log'}.")
        time.sleep(0.1)
    raise JupyterExtError(f"The Livy gateway did not start within {timeout:g} s; see {path.parent / 'gateway.log'}.")


def stop_detached(timeout: float = 60.0) -> int:
    """Stop the detached gateway (it stops its sessions first); returns its pid."""
    found = running_gateway()
    if not found:
        raise NotFoundError("No detached Livy gateway is running (start one with `jupyter-ext livy serve --detach`).")
    pid = int(found["pid"])
    terminate_group(pid, timeout)
    state_file().unlink(missing_ok=True)
    return pid
