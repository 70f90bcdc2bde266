"""Running lifecycle scripts: on demand, or on-create (once per home) and on-start (every
time) when the Jupyter server starts.

A script runs in its own process group with stdout and stderr in one pipe, so its log
keeps lines in the order they were written. At the time limit the whole group gets
SIGTERM, then SIGKILL: children the script started die with it. Children that outlive a
script that ended by itself are left running (the way to do long work from a script).
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import JupyterExtError, NotFoundError, ValidationError
from ..jobs.contract import python_first_path
from ..jobs.logs import LogWriter
from ..jobs.process import terminate_group
from ..models import LifecycleRun
from ..store import home
from .configs import LifecycleSettings, Script, check_hook, lifecycle_settings, resolve_script
from .runs import EXITED, finish_run, insert_run, latest_lifecycle_run

__all__ = ["run_lifecycle_hook", "start_lifecycle_hook", "run_at_server_start", "start_at_server_start"]

_TERM_GRACE_SECONDS = 2.0
_READER_GRACE_SECONDS = 2.0

# Scripts this process supervises, by run id: stopped with it, so none runs on unwatched.
_running: dict[int, subprocess.Popen[bytes]] = {}
_exiting: set[int] = set()
_running_lock = threading.Lock()


@atexit.register
def _stop_running_scripts() -> None:
    with _running_lock:
        running = list(_running.items())
        _exiting.update(_running)
    for run_id, process in running:
        _kill_group(process)
        finish_run(run_id, "Failed", process.returncode, EXITED)


@dataclass
class _Prepared:
    run: LifecycleRun
    script: Script
    settings: LifecycleSettings
    workspace: Path


def _missing(hook: str, settings: LifecycleSettings) -> NotFoundError:
    where = (f"lifecycle configuration {settings.config_name} has no {hook} script" if settings.config_name
             else f"{settings.folder / (hook + '.sh')} does not exist")
    return NotFoundError(f"There is no {hook} script: {where}. Add one (examples: lifecycle/ in the jupyter_ext "
                         "repository) or choose another source with `jupyter-ext lifecycle configure`.")


def _prepare(hook: str, trigger: str, workspace: Path | None) -> _Prepared:
    """Check the script and record its run; a script that cannot run is recorded as a
    Failed run (the sidebar shows it) and raises."""
    check_hook(hook)
    settings = lifecycle_settings()
    try:
        script = resolve_script(hook, settings)
    except (ValidationError, NotFoundError) as error:
        run = insert_run(hook, settings.source, trigger)
        _fail_before_start(run, str(error))
        raise
    if script is None:
        raise _missing(hook, settings)
    run = insert_run(hook, script.source, trigger)
    return _Prepared(run, script, settings, Path(workspace or Path.cwd()).resolve())


def _fail_before_start(run: LifecycleRun, reason: str) -> LifecycleRun:
    log = LogWriter(Path(run.log_path))
    log.write("runner", reason)
    log.close()
    return finish_run(run.run_id, "Failed", None, reason)


def _command(prepared: _Prepared) -> list[str]:
    script = prepared.script
    if script.path is not None:
        return [str(script.path)]
    # A named configuration's script is written next to its log, as SageMaker writes it out.
    path = Path(prepared.run.log_path).with_suffix(".sh")
    path.write_text(script.content, encoding="utf-8")
    path.chmod(0o700)
    return [str(path)] if script.content.startswith("#!") else ["/bin/bash", str(path)]


def _environment(prepared: _Prepared) -> dict[str, str]:
    # The server's Python comes first on PATH, so `pip`, `jupyter` and `jupyter-ext` in a
    # script are the ones of the environment kernels and the server run in.
    return {
        **os.environ,
        "PATH": python_first_path(),
        "JUPYTER_EXT_HOME": str(home()),
        "JUPYTER_EXT_PYTHON": sys.executable,
        "JUPYTER_EXT_LIFECYCLE_HOOK": prepared.script.hook,
        "JUPYTER_EXT_WORKSPACE": str(prepared.workspace),
        "PYTHONUNBUFFERED": "1",  # Python programs a script runs keep their lines in order too
        **prepared.settings.environment,
    }


def _capture(pipe: IO[bytes], log: LogWriter, tail: deque[str]) -> None:
    try:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            log.write("output", text)
            if text.strip():
                tail.append(text.strip())
    finally:
        log.close()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    terminate_group(process.pid, _TERM_GRACE_SECONDS, process)
    process.wait()


def _supervise(prepared: _Prepared) -> LifecycleRun:
    run, limit = prepared.run, prepared.settings.time_limit
    log = LogWriter(Path(run.log_path))
    log.write("runner", f"Running the {run.hook} script {run.source} in {prepared.workspace} "
                        f"(time limit {limit} s)")
    try:
        process = subprocess.Popen(
            _command(prepared), cwd=prepared.workspace, env=_environment(prepared), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0)
    except OSError as error:
        log.close()
        hint = " Start it with a #! line such as #!/bin/bash." if error.errno == 8 else ""
        return _fail_before_start(run, f"The {run.hook} script {run.source} could not start: {error}.{hint}")
    with _running_lock:
        _running[run.run_id] = process
    tail: deque[str] = deque(maxlen=1)
    reader = threading.Thread(target=_capture, args=(process.stdout, log, tail), daemon=True)
    reader.start()
    timed_out = False
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        log.write("runner", f"The time limit of {limit} s is up: stopping the script and its child processes")
        _kill_group(process)
    ended_at = time.time()
    with _running_lock:
        _running.pop(run.run_id, None)
    # Children left in the background may hold the pipe open; their output still goes to the log.
    reader.join(timeout=_READER_GRACE_SECONDS)
    return _finish(run, (process.returncode, ended_at), timed_out, tail, log)


def _finish(run: LifecycleRun, ending: tuple[int, float], timed_out: bool, tail: deque[str],
            log: LogWriter) -> LifecycleRun:
    code, ended_at = ending
    if run.run_id in _exiting:
        reason: str | None = EXITED
    elif timed_out:
        reason = (f"The {run.hook} script ran longer than the time limit and was stopped with "
                              "its child processes; raise the limit with `jupyter-ext lifecycle configure "
                              "--time-limit SECONDS` or move long work into the background (nohup ... &).")
    elif code != 0:
        reason = f"The {run.hook} script exited with code {code}" + (f": {tail[0]}" if tail else ".")
    else:
        reason = None
    status = "Failed" if reason else "Completed"
    message = f"Failed: {reason}" if reason else "Completed with exit code 0"
    try:
        log.write("runner", message)
    except ValueError:  # the reader reached the end of the output and closed the log already
        late = LogWriter(Path(run.log_path))
        late.write("runner", message)
        late.close()
    return finish_run(run.run_id, status, code, reason, ended_at)


def run_lifecycle_hook(hook: str, workspace: str | os.PathLike[str] | None = None,
                       trigger: str = "manual") -> LifecycleRun:
    """Run the `hook` script (on-create or on-start) now and wait for it.

    Returns the run (check `status`: Completed or Failed). Raises NotFoundError if there
    is no script, ValidationError if it cannot run (recorded as a Failed run too), and
    ConflictError while another run of the same hook goes on. `workspace` is the working
    directory (default: the current one).
    """
    return _supervise(_prepare(hook, trigger, Path(workspace) if workspace else None))


def start_lifecycle_hook(hook: str, workspace: str | os.PathLike[str] | None = None,
                         trigger: str = "manual") -> LifecycleRun:
    """Like `run_lifecycle_hook`, but returns the InProgress run at once and runs the
    script in a background thread of this process."""
    prepared = _prepare(hook, trigger, Path(workspace) if workspace else None)
    threading.Thread(target=_supervise, args=(prepared,), name=f"lifecycle-{hook}", daemon=True).start()
    return prepared.run


def _run_logged(hook: str, workspace: Path, log: logging.Logger) -> LifecycleRun | None:
    try:
        if resolve_script(hook) is None:
            log.debug("jupyter_ext lifecycle: no %s script", hook)
            return None
        run = run_lifecycle_hook(hook, workspace, trigger="server-start")
    except JupyterExtError as error:
        log.error("jupyter_ext lifecycle: the %s script did not run: %s", hook, error)
        return None
    if run.status == "Failed":
        log.error("jupyter_ext lifecycle: the %s script failed (run %s, exit code %s, %.1f s): %s. "
                  "Its log: `jupyter-ext lifecycle logs %s`", hook, run.run_id, run.exit_code,
                  run.duration_seconds or 0.0, run.failure_reason, run.run_id)
    else:
        log.info("jupyter_ext lifecycle: the %s script completed in %.1f s", hook, run.duration_seconds or 0.0)
    return run


def on_create_pending() -> bool:
    """Whether on-create still has to run here: it never ran, or its run was cut short
    because the process supervising it exited (a server that failed to start)."""
    latest = latest_lifecycle_run("on-create")
    return latest is None or latest.failure_reason == EXITED


def run_at_server_start(workspace: str | os.PathLike[str], log: logging.Logger) -> list[LifecycleRun]:
    """What a server start does: on-create if it never ran in this home, then on-start.
    A failure is logged as an error on `log` and recorded, never raised."""
    runs: list[LifecycleRun | None] = []
    try:
        if on_create_pending():
            runs.append(_run_logged("on-create", Path(workspace), log))
        runs.append(_run_logged("on-start", Path(workspace), log))
    except Exception:  # the server must start whatever happens here
        log.exception("jupyter_ext lifecycle: running the scripts failed")
    return [run for run in runs if run is not None]


def start_at_server_start(workspace: str | os.PathLike[str], log: logging.Logger) -> threading.Thread:
    """`run_at_server_start` in a background thread, so the server starts at once."""
    thread = threading.Thread(target=run_at_server_start, args=(workspace, log), name="lifecycle-server-start",
                              daemon=True)
    thread.start()
    return thread
