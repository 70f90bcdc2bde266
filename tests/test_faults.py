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
from jupyter_ext.jobs.faults import FAULT_VARIABLE, LAUNCH_FAULT_POINTS, RUNNER_FAULT_POINTS

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


@pytest.mark.parametrize("point", LAUNCH_FAULT_POINTS)
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


@pytest.mark.parametrize("point", RUNNER_FAULT_POINTS)
def test_a_runner_killed_at_any_step_ends_its_job_with_that_reason(script, monkeypatch, point: str) -> None:
    marker = script("").parent / "program-ended"
    program = f"import time; time.sleep(1.5); open({str(marker)!r}, 'w').write('ran to the end')\n"
    monkeypatch.setenv(FAULT_VARIABLE, f"{point}:runner-{point}")
    Estimator(str(script(program))).fit(wait=False, logs=False, job_name=f"runner-{point}")
    description = wait_until(lambda: (d := describe_job(f"runner-{point}")).status == "Failed" and d, timeout=30,
                             what=f"the job to fail after its runner died at {point}")
    assert "exited without finishing the job" in description.failure_reason
    time.sleep(2.0)  # longer than the program would take: it was killed with its runner, not left running
    assert marker.exists() == (point == "runner-finishing")


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


FILLER = """
import os, time
try:
    with open(os.environ["FILL"], "wb") as filler:
        while True:
            filler.write(b"x" * (1 << 20))
            filler.flush()
except OSError:
    pass
for step in range(60):
    print(f"loss: {step}", flush=True)
    time.sleep(0.05)
time.sleep(120)
"""


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """A 24 MB tmpfs holding the jupyter_ext home (skipped where it cannot be mounted)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    monkeypatch.setenv("JUPYTER_EXT_HOME", str(folder / "home"))
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_full_disk_fails_the_job_with_that_reason_and_reads_keep_working(script, small_disk) -> None:
    import shutil

    filler = small_disk / "filler"
    est = Estimator(str(script(FILLER)), max_run=6, environment={"FILL": str(filler)},
                    metric_definitions=[{"Name": "loss", "Regex": r"loss: (\d+)"}])
    est.fit(wait=False, logs=False)
    job = est.latest_training_job
    wait_until(lambda: filler.exists() and shutil.disk_usage(small_disk).free < (1 << 20), timeout=60,
               what="the disk to fill")
    deadline = time.monotonic() + 8  # past max_run, all the while full
    while time.monotonic() < deadline:
        assert job.name in [j.name for j in list_jobs()]  # reads work on a full disk
        assert describe_job(job.name).status in ("InProgress", "Stopping")
        time.sleep(0.2)
    filler.unlink()
    description = wait_until(lambda: (d := describe_job(job.name)).status == "Failed" and d, timeout=30,
                             what="the job to end once there is room")
    assert description.failure_reason.startswith("No space left on device"), description.failure_reason
    assert description.elapsed_seconds < 30  # max_run stopped the program though the disk was full
    assert description.final_metrics == {"loss": 59.0}  # held back while full, then kept
