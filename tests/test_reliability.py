"""Jobs end right when things go wrong: names that end in a newline are refused, parallel
launches never collide on generated names, a stop right after launch says why, and an
orphaned tuning program leaves its trials alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import wait_until
from jupyter_ext import CategoricalParameter, Estimator, HyperparameterTuner, describe_job, list_jobs
from jupyter_ext.errors import ValidationError
from jupyter_ext.experiments import Run
from jupyter_ext.jobs import records
from jupyter_ext.store import get_store

QUICK = "print('done', flush=True)\n"


@pytest.mark.parametrize("make", [
    lambda est: est.fit(job_name="nl\n", logs=False),
    lambda est: est.fit({"train\n": "."}, logs=False),
    lambda est: Run(experiment_name="exp\n", run_name="r"),
    lambda est: __import__("jupyter_ext.serving", fromlist=["create_endpoint"]).create_endpoint("ep\n", []),
], ids=["job", "channel", "experiment", "endpoint"])
def test_names_ending_in_a_newline_are_refused(script, make) -> None:
    with pytest.raises(ValidationError):
        make(Estimator(str(script(QUICK))))
    assert list_jobs() == []


LAUNCHER = """
from jupyter_ext import Estimator
for _ in range(10):
    Estimator({script!r}, base_job_name="same").fit(wait=False, logs=False)
"""


def test_parallel_launches_with_one_base_name_all_get_their_own_name(script) -> None:
    code = textwrap.dedent(LAUNCHER.format(script=str(script(QUICK))))
    launchers = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [launcher.communicate(timeout=120)[1].decode() for launcher in launchers]
    assert [launcher.returncode for launcher in launchers] == [0, 0, 0, 0], errors
    names = [job.name for job in list_jobs(limit=None)]
    assert len(names) == len(set(names)) == 40


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.3])
def test_a_stop_right_after_launch_says_it_was_stopped(script, delay: float) -> None:
    est = Estimator(str(script("import time; time.sleep(30)\n")))
    est.fit(wait=False, logs=False)
    time.sleep(delay)  # the point in the runner's start-up at which the stop lands
    est.latest_training_job.stop()
    description = wait_until(lambda: (d := describe_job(est.latest_training_job.name)).status == "Stopped" and d,
                             what="the job to stop")
    assert "runner" not in (description.failure_reason or ""), description.failure_reason


SLEEPER = """
import argparse, time
p = argparse.ArgumentParser(); p.add_argument("--seconds", type=float); a = p.parse_args()
time.sleep(a.seconds)
print("score: 1", flush=True)
"""


def test_an_orphaned_tuning_program_leaves_its_running_trials_alone(script) -> None:
    est = Estimator(str(script(SLEEPER, "sleeper.py")), metric_definitions=[{"Name": "score", "Regex": r"score: (\d)"}])
    tuner = HyperparameterTuner(est, "score", {"seconds": CategoricalParameter(["1", "8"])}, strategy="Grid",
                                max_parallel_jobs=2)
    tuner.fit(wait=False, logs=False)
    name = tuner.latest_tuning_job.name
    trials = [f"{name}-001", f"{name}-002"]

    def both_running() -> bool:
        return all(records.job_exists(get_store(), t) and describe_job(t).status == "InProgress" for t in trials)

    wait_until(both_running, timeout=60, what="two trials running")
    os.kill(records.get_row(get_store(), name)["runner_pid"], signal.SIGKILL)
    # Read only the trials (not the tuning job, whose reading would end the orphan at once): the
    # short one ends, the orphan's next line fails on the dead runner's pipe.
    for trial in trials:
        wait_until(lambda t=trial: describe_job(t).status in ("Completed", "Failed", "Stopped"), timeout=60,
                   what=f"{trial} to end")
    assert [describe_job(t).status for t in trials] == ["Completed", "Completed"]


def test_a_catastrophic_metric_regex_cannot_stall_the_runner(script) -> None:
    program = "print('a' * 61 + '!', flush=True)\nprint('loss: 0.5', flush=True)\n"
    est = Estimator(str(script(program)), max_run=60, metric_definitions=[
        {"Name": "stuck", "Regex": "(a|aa)+$"}, {"Name": "loss", "Regex": r"loss: ([0-9.]+)"}])
    started = time.monotonic()
    est.fit(logs=False)
    description = est.latest_training_job.describe()
    assert description.status == "Completed" and time.monotonic() - started < 30
    assert description.final_metrics == {"loss": 0.5}
    log = est.latest_training_job.log_path.read_text()
    assert log.count("The regex of metric 'stuck' took over") == 1


def test_train_cell_with_a_source_dir_runs_the_folder_as_it_is_now(ip, tmp_path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "helper.py").write_text("X = 1\n")
    cell = "import os\nprint('helper there:', os.path.exists('helper.py'), flush=True)\n"
    ip.run_cell_magic("train", f"--source-dir {source} --name with-helper", cell)
    (source / "helper.py").unlink()
    ip.run_cell_magic("train", f"--source-dir {source} --name without-helper", cell)
    from jupyter_ext import Job
    assert "helper there: True" in Job("with-helper").log_path.read_text()
    assert "helper there: False" in Job("without-helper").log_path.read_text()


def test_a_job_that_writes_into_its_channel_leaves_the_users_files_as_they_were(script, tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_text("1,2\n")
    program = textwrap.dedent("""
        import os
        channel = os.environ["SM_CHANNEL_TRAINING"]
        open(os.path.join(channel, "train.csv"), "w").write("overwritten\\n")
        open(os.path.join(channel, "new.txt"), "w").write("new\\n")
    """)
    Estimator(str(script(program))).fit(str(data), logs=False)
    assert sorted(p.name for p in data.iterdir()) == ["train.csv"]
    assert (data / "train.csv").read_text() == "1,2\n"
