"""Servers running detached (`jupyter-ext livy serve --detach`, `jupyter-ext aws serve
--detach`), each found through a state file that holds its pid, start time and URL.

    server = DetachedServer("aws", home() / "aws" / "service.json", ["aws", "serve"])
    state = server.start(["--port", "4566"])     # {"pid", "started", "url", ...}
    server.running()                             # the same state while it lives, else None
    server.stop()
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import JupyterExtError, NotFoundError
from .process import is_alive, spawn_detached, terminate_group, this_process

__all__ = ["DetachedServer"]


@dataclass(frozen=True)
class DetachedServer:
    """A `jupyter-ext <command>` server started in its own session.

    `name` names it in messages ("Livy gateway"); `state_path` is its state file; its
    output goes to `log_path` (the state file's name with `.log`).
    The started command gets `--record-state` and must call `write_state(url)` once it serves.
    """

    name: str
    state_path: Path
    command: tuple[str, ...]
    start_hint: str = ""

    @property
    def log_path(self) -> Path:
        """Where the detached server's output goes."""
        return self.state_path.with_suffix(".log")

    def running(self) -> dict[str, Any] | None:
        """The server's state (`pid`, `started`, `url`, ...) if it is running, else None."""
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        return state if is_alive(int(state.get("pid", 0)), state.get("started")) else None

    def write_state(self, url: str, **details: Any) -> None:
        """Record this process as the server serving `url` (with any other `details`)."""
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        me = this_process()
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"pid": me.pid, "started": me.started, "url": url, **details}))
        temporary.replace(self.state_path)

    def forget(self) -> None:
        """Remove the state file if it names this process (a server calls it as it stops)."""
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return
        if int(state.get("pid", 0)) == os.getpid():
            self.state_path.unlink(missing_ok=True)

    def start(self, serve_args: Sequence[str], env: Mapping[str, str] | None = None,
              timeout: float = 60.0) -> dict[str, Any]:
        """Start `jupyter-ext <command> <serve_args> --record-state` in its own session, or
        find the running one; returns its state once it serves."""
        found = self.running()
        if found:
            return found
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        self.state_path.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "jupyter_ext.cli", *self.command, *serve_args, "--record-state"]
        _, process = spawn_detached(argv, cwd=os.getcwd(), env=dict(env or os.environ), log_path=self.log_path,
                                    reap=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.running()
            if found:
                return found
            if process.poll() is not None:
                raise JupyterExtError(f"The {self.name} exited at start; see {self.log_path}.")
            time.sleep(0.1)
        raise JupyterExtError(f"The {self.name} did not start within {timeout:g} s; see {self.log_path}.")

    def stop(self, timeout: float = 60.0) -> int:
        """Stop the detached server (SIGTERM to its process group); returns its pid."""
        found = self.running()
        if not found:
            raise NotFoundError(f"No detached {self.name} is running{self.start_hint}.")
        pid = int(found["pid"])
        terminate_group(pid, timeout)
        self.state_path.unlink(missing_ok=True)
        return pid
