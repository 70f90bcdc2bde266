"""Crash-consistent launch: a process killed (on purpose, at each step of `submit`) while
it launches a job leaves no job Pending, and a resumed tuning job re-runs the trial whose
launcher died before its runner started."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import wait_until
from jupyter_ext import ContinuousParameter, Estimator, HyperparameterTuner, describe_job, list_jobs
from jupyter_ext.jobs.faults import FAULT_POINTS, FAULT_VARIABLE

LAUNCH = """
from jupyter_ext import Estimator
Estimator({script!r}).fit(wait=False, logs=False, job_name={name!r})
"""
PROGRAM = "print('the program ran', flush=True)\n"


def _launch_and_die(script, point: str, name: str) -> None:
    """Launch job `name` from a child process that is SIGKILLed at fault point `point`."""
    code = textwrap.dedent(LAUNCH.format(script=str(script(PROGRAM)), name=name))
    env = {**os.environ, FAULT_VARIABLE: f"{point}:{name}"}
    ended = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert ended.returncode == -9, ended.stderr.decode()


@pytest.mark.parametrize("point", FAULT_POINTS)
@pytest.mark.parametrize("attempt", range(3))
def test_a_launcher_killed_at_any_step_leaves_no_job_pending(script, point: str, attempt: int) -> None:
    name = f"fault-{point}-{attempt}"
    _launch_and_die(script, point, name)
    started = time.monotonic()
    description = wait_until(lambda: (d := describe_job(name)).status in ("Completed", "Failed") and d,
                             timeout=15, what=f"{name} to end after its launcher died at {point}")
    assert time.monotonic() - started < 15  # not the 60 s grace for a launcher that still lives
    log = (description.job_dir and os.path.join(description.job_dir, "job.log")) or ""
    ran = os.path.exists(log) and "the program ran" in open(log).read()
    if description.status == "Failed":  # it never ran, and says why
        assert not ran and description.started_at is None
        assert "ended before the job's runner started, so the job never ran" in description.failure_reason
    else:  # only a runner that was already started can run it, and then it runs whole
        assert point == "runner-spawned" and ran


def test_resume_reruns_a_trial_whose_launcher_died_before_its_runner_started(script, monkeypatch) -> None:
    est = Estimator(str(script("import sys\nprint('score: 1', flush=True)\n", "objective.py")),
                    metric_definitions=[{"Name": "score", "Regex": r"score: ([0-9.]+)"}])
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Random",
                                max_jobs=5, random_seed=3, base_tuning_job_name="faulty")
    # The tuning job's program dies right after recording its third trial.
    monkeypatch.setenv(FAULT_VARIABLE, "job-recorded:faulty-*-003")
    tuner.fit(wait=False, logs=False)
    name = tuner.latest_tuning_job.name
    wait_until(lambda: describe_job(name).status == "Failed", timeout=60, what="the tuning job to fail")
    third = describe_job(f"{name}-003")
    assert third.status == "Failed" and "never ran" in third.failure_reason
    assert (third.ended_at - third.created_at).total_seconds() < 10
    monkeypatch.delenv(FAULT_VARIABLE)
    resumed = HyperparameterTuner.attach(name)
    resumed.resume(logs=False)
    frame = resumed.analytics().dataframe()
    assert len(frame) == 5 and f"{name}-003" not in set(frame["TrainingJobName"])
    assert [j.status for j in list_jobs(type="Training")].count("Completed") == 5
