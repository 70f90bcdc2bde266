"""A gateway running detached (`jupyter-ext livy serve --detach`), found through a
state file `<jupyter_ext home>/livy/gateway.json` that holds its pid and URL."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..jobs.detached import DetachedServer

__all__ = ["state_file", "running_gateway", "start_detached", "stop_detached", "write_state"]


def state_file() -> Path:
    """Where a detached gateway records its pid and URL."""
    from ..store.metadata import home

    return home() / "livy" / "gateway.json"


def _server() -> DetachedServer:
    return DetachedServer("Livy gateway", state_file(), ("livy", "serve"),
                          " (start one with `jupyter-ext livy serve --detach`)")


def running_gateway() -> dict[str, Any] | None:
    """`{"pid", "url"}` of the detached gateway if one is running, else None."""
    return _server().running()


def write_state(url: str) -> None:
    """Record this process as the detached gateway serving `url`."""
    _server().write_state(url)


def start_detached(serve_args: Sequence[str], timeout: float = 60.0) -> dict[str, Any]:
    """Start `jupyter-ext livy serve <serve_args>` in its own session; returns its state
    once it serves. Its output goes to `<home>/livy/gateway.log`."""
    return _server().start(serve_args, timeout=timeout)


def stop_detached(timeout: float = 60.0) -> int:
    """Stop the detached gateway (it stops its sessions first); returns its pid."""
    return _server().stop(timeout)
