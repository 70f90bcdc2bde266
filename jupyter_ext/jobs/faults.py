"""Fault points: a test kills a process at a chosen step of the spine, on purpose.

`JUPYTER_EXT_FAULT=<point>:<job name pattern>` makes the process that reaches `point`
for a job (or an endpoint's instance) whose name matches the pattern (fnmatch) kill
itself with SIGKILL there, as a crash would. Unset, a fault point costs one environment lookup.
"""

from __future__ import annotations

import fnmatch
import os
import signal

__all__ = ["FAULT_VARIABLE", "LAUNCH_FAULT_POINTS", "RUNNER_FAULT_POINTS", "INSTANCE_FAULT_POINTS", "fault_point"]

FAULT_VARIABLE = "JUPYTER_EXT_FAULT"
# Where a launching process can die: after the job is recorded, after its folder is
# filled, just before its runner is started, and after the runner started but before
# its pid is recorded.
LAUNCH_FAULT_POINTS = ("job-recorded", "folder-built", "before-launch", "runner-spawned")
# Where a runner can die: once it claimed the job, once the program runs, and just before
# it records the job's end.
RUNNER_FAULT_POINTS = ("runner-claimed", "program-started", "runner-finishing")
# Where an endpoint's instance process can die: with a request it received and has not
# answered. Its name there is `<endpoint>/<variant>-<n>` (n counts the variant's instances
# from 1, replacements included), e.g. `shop/AllTraffic-1`.
INSTANCE_FAULT_POINTS = ("instance-invoked",)


def fault_point(point: str, job_name: str) -> None:
    """Die here (SIGKILL) if JUPYTER_EXT_FAULT names `point` and matches `job_name`."""
    wanted = os.environ.get(FAULT_VARIABLE)
    if not wanted:
        return
    name, _, pattern = wanted.partition(":")
    if name == point and fnmatch.fnmatchcase(job_name, pattern or "*"):
        os.kill(os.getpid(), signal.SIGKILL)
