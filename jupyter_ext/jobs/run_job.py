"""The runner: `python -m jupyter_ext.jobs.run_job JOB_NAME` supervises one job.

One lifecycle for every job kind: start (InProgress, heartbeat), install requirements,
run the program with its output captured line by line, extract metrics, honour stop and
max_run, upload artifacts, finish with a status and a failure reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import IO

from ..errors import JupyterExtError
from ..store import get_store, out_of_space
from . import records
from .container_root import OptMlMapping
from .failure import failure_reason
from .faults import fault_point
from .logs import LOG_FILE, LogWriter
from .metrics import MATCH_TIMEOUT_SECONDS, METRICS_FILE, MetricSteps, PushedMetrics, RegexMetrics
from .packaging import empty_uploads, upload_artifacts
from .process import RUNNER_PID_VARIABLE, terminate_group, this_process
from .requirements import install_requirements
from .spec import JobSpec

__all__ = ["Runner", "main", "HEARTBEAT_SECONDS"]

HEARTBEAT_SECONDS = 2.0
# How long a runner keeps trying to record the final status while the disk is full.
FINAL_WRITE_PATIENCE_SECONDS = 600.0
# Metric points held back while the disk is full, at most.
_MAX_HELD_POINTS = 100_000
_POLL_SECONDS = 0.25


@dataclass
class Outcome:
    """How the program ended."""

    status: str
    secondary: str
    exit_code: int | None = None
    reason: str | None = None


class Runner:
    """Supervises the job `name` from Pending to a final status."""

    def __init__(self, name: str) -> None:
        self.store = get_store()
        row = records.get_row(self.store, name)
        self.name = name
        self.spec = JobSpec.from_json(row["spec"])
        self.job_dir = Path(row["job_dir"])
        self.log = LogWriter(self.job_dir / LOG_FILE)
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.tail: deque[tuple[str, str]] = deque(maxlen=200)
        steps = MetricSteps()
        self.regex_metrics = RegexMetrics(self.spec.metric_definitions, steps, self._metric_timed_out)
        self.pushed_metrics = PushedMetrics(self.job_dir / METRICS_FILE, steps)
        self._points: list[tuple[str, float, int, float]] = []
        self._points_lock = threading.Lock()
        self.out_of_space: str | None = None  # the first write a full disk refused

    def _metric_timed_out(self, name: str) -> None:
        self.log.write("runner", f"The regex of metric '{name}' took over {MATCH_TIMEOUT_SECONDS:g} s on a log "
                                 "line (it backtracks without end); such lines give no value for it. Simplify it, "
                                 "e.g. avoid nested repeats like (a+)+.")

    def run(self) -> None:
        """The whole lifecycle; never raises (a failure becomes the job's status)."""
        signal.signal(signal.SIGTERM, lambda *_: self.stop_requested.set())
        if not self._start():
            return
        try:
            outcome = self._execute()
        except JupyterExtError as error:  # a problem of the job's own making, explained
            outcome = Outcome("Failed", "Failed", reason=str(error))
        except Exception as error:  # our own bug: the job fails and says so
            self.log.write("runner", traceback.format_exc().rstrip())
            outcome = Outcome("Failed", "Failed", reason=f"jupyter_ext runner error: {error!r}")
        self._finish(outcome)

    def _start(self) -> bool:
        # The runner names itself as it claims the job, so the pid is known even when the
        # process that launched it died before it could record it.
        me = this_process()
        started = records.set_status(
            self.store, self.name, "InProgress", only_from=("Pending",),
            started_at=time.time(), heartbeat_at=time.time(), runner_pid=me.pid, runner_started=me.started,
        )
        if not started:  # stopped before it began
            records.set_status(self.store, self.name, "Stopped", only_from=("Stopping",),
                               secondary="Stopped", message="Stopped before it started")
            return False
        threading.Thread(target=self._heartbeat, daemon=True).start()
        fault_point("runner-claimed", self.name)
        return True

    def _heartbeat(self) -> None:
        while not self.finished.wait(HEARTBEAT_SECONDS):
            self._record(records.set_fields, heartbeat_at=time.time())
            if records.get_row(self.store, self.name)["status"] == "Stopping":
                self.stop_requested.set()

    def _execute(self) -> Outcome:
        env = {**os.environ, **self.spec.environment, RUNNER_PID_VARIABLE: str(os.getpid())}
        for notice in self.spec.notices:
            self.log.write("runner", notice)
        if self.spec.requirements:
            self._record(records.set_secondary_status, "Downloading", "Installing requirements.txt")
            target = install_requirements(self.job_dir / self.spec.requirements, self.log)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH")]))
        activity = self.spec.job_type  # Training, Processing, Tuning
        self._record(records.set_secondary_status, activity, f"{activity} in progress")
        if self.stop_requested.is_set():
            return Outcome("Stopped", "Stopped", reason=records.stop_reason(self.store, self.name))
        return self._supervise(self._launch(env))

    def _launch(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        self.log.write("runner", f"Running: {' '.join(self.spec.program)}")
        # The program sees its job folder at /opt/ml; the wrapper execs it, keeping the pid.
        opt_ml = OptMlMapping(self.job_dir, env)
        try:
            process = subprocess.Popen(
                opt_ml.command(self.spec.program), cwd=self.job_dir / self.spec.working_dir, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                process_group=0, pass_fds=opt_ml.pass_fds,
            )
        finally:
            note = opt_ml.note()
        if note:
            self.log.write("runner", note)
        self._record(records.set_fields, program_pid=process.pid)
        fault_point("program-started", self.name)
        return process

    def _supervise(self, process: subprocess.Popen[bytes]) -> Outcome:
        readers = [
            threading.Thread(target=self._capture, args=(pipe, stream), daemon=True)
            for pipe, stream in ((process.stdout, "stdout"), (process.stderr, "stderr"))
        ]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + self.spec.max_run
        ended_by: str | None = None
        while process.poll() is None:
            try:
                process.wait(timeout=_POLL_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            self._flush_metrics()
            if ended_by is None and self.stop_requested.is_set():
                ended_by = "stop"
            elif ended_by is None and time.monotonic() > deadline:
                ended_by = "max_run"
            if ended_by and process.poll() is None:
                self._terminate(process)
        for reader in readers:
            reader.join(timeout=10)
        self._flush_metrics()
        return self._outcome(process.returncode, ended_by)

    def _capture(self, pipe: IO[bytes], stream: str) -> None:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            segments = [s for s in text.split("\r") if s.strip()] or [""]
            now = time.time()
            points = [p for segment in segments for p in self.regex_metrics.scan(segment, now)]
            if points:
                with self._points_lock:
                    self._points.extend(points)
            self.log.write(stream, segments[-1])
            self.tail.append((stream, segments[-1]))

    def _flush_metrics(self) -> None:
        with self._points_lock:
            points, self._points = self._points + self.pushed_metrics.read(), []
        if not self._record(records.add_metrics, points):
            with self._points_lock:  # kept for the next flush, once there is room again
                self._points[:0] = points[-_MAX_HELD_POINTS:]

    def _record(self, write: Callable[..., object], *args: object, **fields: object) -> bool:
        """`write(store, name, *args, **fields)`; False if the disk is full (the job will end
        Failed with that reason), so supervision goes on whatever the disk does."""
        try:
            write(self.store, self.name, *args, **fields)
            return True
        except Exception as error:
            if not out_of_space(error):
                raise
            self.out_of_space = self.out_of_space or str(error)
            return False

    def _terminate(self, process: subprocess.Popen[bytes]) -> None:
        grace = records.get_row(self.store, self.name)["stop_grace"] or self.spec.stop_grace
        self.log.write("runner", f"Sending SIGTERM to the program; SIGKILL follows in {grace:g} s")
        if not terminate_group(process.pid, grace, process):
            self.log.write("runner", "The program did not exit after SIGTERM; sent SIGKILL")

    def _outcome(self, code: int, ended_by: str | None) -> Outcome:
        if ended_by == "stop":
            return Outcome("Stopped", "Stopped", code, records.stop_reason(self.store, self.name))
        if ended_by == "max_run":
            reason = f"MaxRuntimeExceeded: the job ran longer than max_run={self.spec.max_run} s"
            return Outcome("Stopped", "MaxRuntimeExceeded", code, reason)
        if code == 0:
            return Outcome("Completed", "Completed", code)
        reason = failure_reason(self.job_dir / "output" / "failure", list(self.tail), code)
        return Outcome("Failed", "Failed", code, reason)

    def _finish(self, outcome: Outcome) -> None:
        # A stopped job keeps what it saved (SIGTERM's grace period is for saving), as in SageMaker.
        success = outcome.status in ("Completed", "Stopped")
        fields: dict[str, object] = {}
        if self.spec.uploads:
            self._record(records.set_secondary_status, "Uploading", "Uploading artifacts")
            try:
                for empty in empty_uploads(self.spec, self.job_dir):
                    self.log.write("runner", f"Note: {empty} is empty. Write outputs under the folders the job "
                                   "gives (SM_MODEL_DIR, SM_OUTPUT_DATA_DIR, SAGEMAKER_BASE_DIR; /opt/ml is that "
                                   "folder unless a note above says otherwise).")
                fields = upload_artifacts(self.spec, self.job_dir, success)
            except Exception as error:
                self.log.write("runner", traceback.format_exc().rstrip())
                outcome = Outcome("Failed", "Failed", outcome.exit_code,
                                  f"Uploading artifacts failed: {error}")
        if self.out_of_space or self.log.lost_lines:
            outcome = self._no_space(outcome)
        self.log.write("runner", f"Job {outcome.status}" + (f": {outcome.reason}" if outcome.reason else ""))
        self.finished.set()
        fault_point("runner-finishing", self.name)
        # The final status must land: on a full disk, try again until there is room.
        deadline = time.monotonic() + FINAL_WRITE_PATIENCE_SECONDS
        while True:
            self._flush_metrics()  # what a full disk held back goes first
            if self._record(records.set_status, outcome.status, secondary=outcome.secondary,
                            message=outcome.reason or outcome.status, failure_reason=outcome.reason,
                            exit_code=outcome.exit_code, **fields) or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        self.log.close()

    def _no_space(self, outcome: Outcome) -> Outcome:
        lost = f"; {self.log.lost_lines} log lines were lost" if self.log.lost_lines else ""
        reason = (f"No space left on device: the job's records could not all be written "
                  f"({self.out_of_space or 'the log'}{lost}). Free disk space under {self.job_dir.parent} "
                  "and run the job again.")
        return Outcome("Failed", "Failed", outcome.exit_code, reason)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the runner process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m jupyter_ext.jobs.run_job JOB_NAME")
    Runner(args[0]).run()


if __name__ == "__main__":
    main()
