"""The runner: `python -m jupyter_ext.jobs.run_job JOB_NAME` supervises one job.

One lifecycle for every job kind: start (InProgress, heartbeat), install requirements,
run the program with its output captured line by line, extract metrics, honour stop and
max_run, upload artifacts, finish with a status and a failure reason.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from collections.abc import Callable, Iterator

from ..errors import JupyterExtError
from ..store import get_store, out_of_space
from . import records
from .executors import get_executor
from .failure import failure_reason
from .faults import fault_point
from .hosts import Host, HostProcess, host_folder
from .logs import LOG_FILE, LogWriter
from .metrics import MATCH_TIMEOUT_SECONDS, METRICS_FILE, MetricSteps, PushedMetrics, RegexMetrics
from .packaging import empty_uploads, upload_artifacts
from .process import RUNNER_PID_VARIABLE, this_process
from .requirements import install_requirements
from .spec import JobSpec

__all__ = ["Runner", "main", "HEARTBEAT_SECONDS"]

HEARTBEAT_SECONDS = 2.0
# How long a runner keeps trying to record the final status while the disk is full.
FINAL_WRITE_PATIENCE_SECONDS = 600.0
# Metric points held back while the disk is full, at most.
_MAX_HELD_POINTS = 100_000
_POLL_SECONDS = 0.25


def _packages_first(folder: Path, env: dict[str, str]) -> dict[str, str]:
    """`env` with `folder` (the job's installed requirements) first on its PYTHONPATH."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))}


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
        self.tails: dict[str, deque[tuple[str, str]]] = {}
        self.folders: dict[str, Path] = {}
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
        hosts = self.spec.hosts or [Host("algo-1")]
        for notice in self.spec.notices:
            self.log.write("runner", notice)
        if self.spec.requirements:
            self._record(records.set_secondary_status, "Downloading", "Installing requirements.txt")
            target = install_requirements(self.job_dir / self.spec.requirements, self.log)
            env = _packages_first(target, env)
            # A host with a PYTHONPATH of its own (its own code folder) needs them too.
            hosts = [replace(h, environment=_packages_first(target, h.environment)) if "PYTHONPATH" in h.environment
                     else h for h in hosts]
        activity = self.spec.job_type  # Training, Processing, Tuning
        self._record(records.set_secondary_status, activity, f"{activity} in progress")
        if self.stop_requested.is_set():
            return Outcome("Stopped", "Stopped", reason=records.stop_reason(self.store, self.name))
        return self._supervise(self._launch(env, hosts))

    def _launch(self, env: dict[str, str], hosts: list[Host]) -> list[HostProcess]:
        on_hosts = f" on {len(hosts)} hosts ({', '.join(h.name for h in hosts)})" if len(hosts) > 1 else ""
        self.log.write("runner", f"Running: {' '.join(self.spec.program)}{on_hosts}")
        # Each program sees its host folder at /opt/ml; the wrapper execs it, keeping the pid.
        processes = get_executor(self.spec.executor).start_hosts(
            self.job_dir, hosts, self.spec.program, self.spec.working_dir, env)
        for note in dict.fromkeys(p.note for p in processes if p.note):
            self.log.write("runner", note)
        for process in processes:
            if process.where != HostProcess.where:
                self.log.write("runner", f"{process.name} runs on {process.where}")
        self.folders = {host.name: host_folder(self.job_dir, host) for host in hosts}
        where = [{"name": p.name, "where": p.where} for p in processes]
        self._record(records.set_fields, program_pid=processes[0].pid, hosts=json.dumps(where))
        fault_point("program-started", self.name)
        return processes

    def _supervise(self, processes: list[HostProcess]) -> Outcome:
        several = len(processes) > 1
        self.tails = {p.name: deque(maxlen=200) for p in processes}
        readers = [threading.Thread(target=self._capture, args=(lines, p.name, several), daemon=True)
                   for p in processes for lines in p.outputs()]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + self.spec.max_run
        ended_by: str | None = None
        failed: HostProcess | None = None
        while running := [p for p in processes if p.poll() is None]:
            running[0].wait(_POLL_SECONDS)
            self._flush_metrics()
            if ended_by is None:
                # One host failing fails the job: the others are stopped.
                failed = next((p for p in processes if p.poll() not in (None, 0)), None)
                ended_by = ("stop" if self.stop_requested.is_set() else
                            "max_run" if time.monotonic() > deadline else "host" if failed and several else None)
                if ended_by:
                    self._terminate([p for p in processes if p.poll() is None])
        for reader in readers:
            reader.join(timeout=10)
        for process in processes:
            process.collect()
        self._flush_metrics()
        return self._outcome(processes, ended_by, failed)

    def _capture(self, lines: Iterator[tuple[str, bytes]], host: str, several: bool) -> None:
        # Metrics come from algo-1's output (the host that reports, as rank 0 does).
        scan = host == "algo-1"
        for stream, raw in lines:
            text = raw.decode("utf-8", "replace").rstrip("\n")
            segments = [s for s in text.split("\r") if s.strip()] or [""]
            now = time.time()
            points = [p for segment in segments for p in self.regex_metrics.scan(segment, now)] if scan else []
            if points:
                with self._points_lock:
                    self._points.extend(points)
            line = f"[{host}] {segments[-1]}" if several else segments[-1]
            self.log.write(stream, line)
            self.tails[host].append((stream, segments[-1]))

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

    def _terminate(self, processes: list[HostProcess]) -> None:
        grace = records.get_row(self.store, self.name)["stop_grace"] or self.spec.stop_grace
        self.log.write("runner", f"Sending SIGTERM to the program; SIGKILL follows in {grace:g} s")
        graceful: list[bool] = []
        stoppers = [threading.Thread(target=lambda p=p: graceful.append(p.terminate(grace))) for p in processes]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        if not all(graceful):
            self.log.write("runner", "The program did not exit after SIGTERM; sent SIGKILL")

    def _outcome(self, processes: list[HostProcess], ended_by: str | None, failed: HostProcess | None) -> Outcome:
        code = processes[0].poll()
        if ended_by == "stop":
            return Outcome("Stopped", "Stopped", code, records.stop_reason(self.store, self.name))
        if ended_by == "max_run":
            reason = f"MaxRuntimeExceeded: the job ran longer than max_run={self.spec.max_run} s"
            return Outcome("Stopped", "MaxRuntimeExceeded", code, reason)
        failed = failed or next((p for p in processes if p.poll() != 0), None)
        if failed is None:
            return Outcome("Completed", "Completed", code)
        code = failed.poll()
        reason = failed.lost() or failure_reason(self.folders[failed.name] / "output" / "failure",
                                                 list(self.tails[failed.name]), code)
        return Outcome("Failed", "Failed", code, f"{failed.name}: {reason}" if len(processes) > 1 else reason)

    def _finish(self, outcome: Outcome) -> None:
        # A stopped job keeps what it saved (SIGTERM's grace period is for saving), as in SageMaker.
        success = outcome.status in ("Completed", "Stopped")
        fields: dict[str, object] = {}
        if self.spec.uploads:
            self._record(records.set_secondary_status, "Uploading", "Uploading artifacts")
            try:
                # Only where it helps: not on a failed job (its error says why), nor on jobs
                # another job launched (tuning trials), which would say it once per trial.
                noted = success and records.get_row(self.store, self.name)["parent"] is None
                for empty in empty_uploads(self.spec, self.job_dir) if noted else ():
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
