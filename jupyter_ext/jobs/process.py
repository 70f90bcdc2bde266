"""Processes: the one seam through which jupyter_ext starts, checks and stops processes.

Job runners, endpoint servers and their instances, the detached Livy gateway, lifecycle scripts and Spark
drivers are all started, looked at and stopped through these few functions, so what
"alive" and "stopped" mean is decided in one place:
- a process is named by its pid and its start time (`ProcessRef`), so a pid the system
  reused for another program is never mistaken for ours;
- stopping signals the whole process group (what the program started dies with it):
  SIGTERM, a grace period to save work, then SIGKILL.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

__all__ = ["RUNNER_PID_VARIABLE", "free_port", "die_with_parent", "orphaned", "ProcessRef", "spawn_detached",
           "spawn_child", "start_time", "this_process", "is_alive", "signal_group", "terminate_group", "kill_group"]

# The runner tells the program it supervises its pid, so the program can tell when it is orphaned.
RUNNER_PID_VARIABLE = "JUPYTER_EXT_RUNNER_PID"
# psutil's create_time and the time recorded for the same process can differ by rounding.
_START_TOLERANCE_SECONDS = 1.0
# How long a SIGKILLed process may take to be gone (and its ports freed).
_KILL_WAIT_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` nobody listens on now (for a server about to start)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """In a child about to exec (a `preexec_fn`): get `signum` when the parent dies
    (Linux's PR_SET_PDEATHSIG; elsewhere nothing happens)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    except OSError:
        pass


@dataclass(frozen=True)
class ProcessRef:
    """A process as the store records it: its pid and when it started (None if unknown)."""

    pid: int
    started: float | None


def start_time(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch); None if it is gone."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def this_process() -> ProcessRef:
    """The calling process."""
    return ProcessRef(os.getpid(), start_time(os.getpid()))


def is_alive(pid: int | None, started: float | None = None) -> bool:
    """Whether `pid` runs (not a zombie) and, when `started` is given, is the process
    created then rather than a later one that got the same pid."""
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        if started is not None and abs(process.create_time() - started) > _START_TOLERANCE_SECONDS:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def spawn_detached(
    argv: Sequence[str], *, cwd: Path | str, env: Mapping[str, str], log_path: Path | str,
    stderr_path: Path | str | None = None, reap: bool = True,
) -> tuple[ProcessRef, subprocess.Popen[bytes]]:
    """Start `argv` in a session of its own, so it outlives the caller (a kernel, a CLI).

    stdout and stderr go to `log_path` (appended), or stderr to `stderr_path` when given.
    With `reap`, a thread waits for the child, so no zombie lingers while the caller lives
    (pass False to wait on the returned handle yourself). Returns its reference and handle.
    """
    with open(log_path, "ab") as log, open(stderr_path or os.devnull, "ab") as errors:
        process = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=errors if stderr_path else subprocess.STDOUT,
            cwd=cwd, env=dict(env), start_new_session=True, close_fds=True,
        )
    if reap:
        threading.Thread(target=process.wait, daemon=True).start()
    return ProcessRef(process.pid, start_time(process.pid)), process


def spawn_child(argv: Sequence[str], *, pass_fds: Sequence[int] = ()) -> subprocess.Popen[bytes]:
    """Start `argv` as a helper of this process: in its process group (stopping the group
    stops it too), with its environment, folder, stdout and stderr, and the descriptors
    `pass_fds` kept open. The caller reaps it (wait on the handle)."""
    return subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, pass_fds=tuple(pass_fds), close_fds=True)


def signal_group(pgid: int, signum: int) -> bool:
    """Send `signum` to process group `pgid`; False if there is no such group any more."""
    try:
        os.killpg(pgid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _ended(pid: int, process: subprocess.Popen[Any] | None) -> bool:
    if process is not None:
        return process.poll() is not None
    return not is_alive(pid)


def terminate_group(pgid: int, grace: float, process: subprocess.Popen[Any] | None = None) -> bool:
    """Stop a process group: SIGTERM, up to `grace` seconds for its leader to exit, then
    SIGKILL to the group (which also ends children the leader left behind), and a few
    seconds for every process of the group to be gone.

    Pass `process` when the caller started it (it is then reaped); True if the leader
    exited within the grace period.
    """
    if not signal_group(pgid, signal.SIGTERM):
        return True
    deadline = time.monotonic() + grace
    while not _ended(pgid, process) and time.monotonic() < deadline:
        time.sleep(0.05)
    graceful = _ended(pgid, process)
    signal_group(pgid, signal.SIGKILL)
    deadline = time.monotonic() + _KILL_WAIT_SECONDS
    while (not _ended(pgid, process) or _group_runs(pgid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return graceful


def _group_runs(pgid: int) -> bool:
    """Whether any process of group `pgid` still runs (zombies waiting to be reaped do not)."""
    for candidate in psutil.process_iter(["status"]):
        try:
            if os.getpgid(candidate.pid) == pgid and candidate.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, PermissionError):
            continue
    return False


def kill_group(pgid: int | None, not_before: float | None = None) -> None:
    """SIGKILL what is left of group `pgid`, unless its leader started before `not_before`
    (then the pid was reused by a process that is not ours)."""
    if pgid is None:
        return
    started = start_time(pgid)
    if started is not None and not_before is not None and started < not_before:
        return
    signal_group(pgid, signal.SIGKILL)


def orphaned() -> bool:
    """Whether this job program outlived the runner that supervises it (its parent is
    another process now). An orphan must not act on other jobs: its runner's death is
    being handled, and the jobs it launched are resumed, not stopped."""
    runner = os.environ.get(RUNNER_PID_VARIABLE)
    return runner is not None and os.getppid() != int(runner)
