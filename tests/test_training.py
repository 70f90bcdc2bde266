"""Training jobs end to end: real detached runner processes and a real store."""

from __future__ import annotations

import json
import os
import signal
import tarfile
import threading
from pathlib import Path

import psutil
import pytest

from conftest import wait_until
from jupyter_ext import Estimator, Job, TrainingInput, UnexpectedStatusError, describe_job, list_jobs
from jupyter_ext.errors import ConflictError
from jupyter_ext.jobs import records
from jupyter_ext.store import get_store

TRAIN = """
import argparse, json, os
from jupyter_ext import log_metric
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--epochs", type=int)
parser.add_argument("--optimizer")
args = parser.parse_args()
for epoch in range(args.epochs):
    print(f"epoch={epoch} loss: {1 / (epoch + 1):.4f}")
    log_metric("accuracy", 0.5 + epoch / 10, step=epoch)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
    json.dump({"lr": args.lr, "optimizer": args.optimizer}, f)
with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt"), "w") as f:
    f.write(" ".join(sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))))
print("threads", os.environ["OMP_NUM_THREADS"], "hps", os.environ["SM_HPS"])
"""


def test_completed_job_packs_model_and_records_metrics(script, tmp_path: Path) -> None:
    script(TRAIN)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "part-0.csv").write_text("1,2\n")
    est = Estimator("train.py", hyperparameters={"lr": 0.1, "epochs": 3, "optimizer": "adam"},
                    metric_definitions=[{"Name": "loss", "Regex": r"loss: ([0-9.]+)"}])
    est.fit({"train": str(tmp_path / "data")})

    job = est.latest_training_job
    description = job.describe()
    assert description.status == "Completed" and description.exit_code == 0
    with tarfile.open(est.model_data) as tar:
        assert json.load(tar.extractfile("model.json")) == {"lr": 0.1, "optimizer": "adam"}
    assert est.model_data.endswith(f"{job.name}/output/model.tar.gz")
    with tarfile.open(description.output_data) as tar:
        assert tar.extractfile("report.txt").read() == b"part-0.csv"
    assert description.final_metrics == {"accuracy": pytest.approx(0.7), "loss": pytest.approx(0.3333)}
    losses = job.metrics("loss")
    assert list(losses["value"]) == pytest.approx([1.0, 0.5, 0.3333]) and list(losses["step"]) == [0, 1, 2]
    assert [t.status for t in description.transitions] == ["Starting", "Training", "Uploading", "Completed"]
    messages = [line.message for line in job.read_log().lines]
    assert "epoch=2 loss: 0.3333" in messages
    assert any(m.startswith("threads 1 hps") for m in messages)


def test_job_dir_follows_the_sagemaker_layout(script, tmp_path: Path) -> None:
    script("import os, json\nprint(json.dumps({k: v for k, v in os.environ.items() if k.startswith('SM_')}))\n")
    est = Estimator("train.py", hyperparameters={"learning-rate": 0.01, "layers": [2, 3], "x": True},
                    base_job_name="layout")
    est.fit({"train": TrainingInput(str(tmp_path / "train.py"), content_type="text/x-python")})
    description = est.latest_training_job.describe()
    job_dir = Path(description.job_dir)
    config = job_dir / "input" / "config"
    assert json.loads((config / "hyperparameters.json").read_text()) == {
        "learning-rate": "0.01", "layers": "[2, 3]", "x": "true"}
    assert json.loads((config / "resourceconfig.json").read_text())["current_host"] == "algo-1"
    assert json.loads((config / "inputdataconfig.json").read_text())["train"]["ContentType"] == "text/x-python"
    assert (job_dir / "input" / "data" / "train" / "train.py").exists()
    env = json.loads(est.latest_training_job.read_log().lines[1].message)
    assert env["SM_MODEL_DIR"] == str(job_dir / "model")
    assert env["SM_CHANNELS"] == '["train"]' and env["SM_CHANNEL_TRAIN"] == str(job_dir / "input/data/train")
    assert env["SM_HP_LEARNING-RATE"] == "0.01" and env["SM_HP_LAYERS"] == "[2, 3]"
    assert json.loads(env["SM_HPS"]) == {"learning-rate": 0.01, "layers": [2, 3], "x": True}
    assert json.loads(env["SM_USER_ARGS"]) == ["--layers", "[2, 3]", "--learning-rate", "0.01", "-x", "True"]
    training_env = json.loads(env["SM_TRAINING_ENV"])
    assert training_env["job_name"] == description.name and training_env["module_name"] == "train"


def test_failed_script_reports_its_exception(script) -> None:
    script("print('starting')\nraise ValueError('the data has no label column')\n")
    est = Estimator("train.py")
    with pytest.raises(UnexpectedStatusError, match="the data has no label column") as error:
        est.fit()
    description = est.latest_training_job.describe()
    assert description.status == "Failed" and description.exit_code == 1
    assert "ValueError: the data has no label column" in description.failure_reason
    assert error.value.status == "Failed"
    assert description.model_data is None and description.output_data  # outputs kept on failure
    log = [line.message for line in est.latest_training_job.read_log().lines]
    assert not any("is empty" in line for line in log)  # the error says why; no note of an empty model


def test_an_exception_printed_to_stdout_is_the_reason_over_stderr_noise(script) -> None:
    script("import sys\nprint('a warning of no matter', file=sys.stderr)\nprint('RuntimeError: the real error')\n"
           "sys.exit(1)\n")
    with pytest.raises(UnexpectedStatusError):
        Estimator("train.py").fit(job_name="printed-error")
    assert describe_job("printed-error").failure_reason == "AlgorithmError: RuntimeError: the real error (exit code 1)"


def test_output_failure_file_is_the_reason(script) -> None:
    script("import os, sys\nopen(os.environ['SM_OUTPUT_FAILURE'], 'w').write('bad input rows: 3')\nsys.exit(2)\n")
    est = Estimator("train.py")
    with pytest.raises(UnexpectedStatusError):
        est.fit()
    assert est.latest_training_job.describe().failure_reason == "bad input rows: 3"


LOOP = """
import signal, sys, time
if len(sys.argv) > 1 and sys.argv[1] == "--ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
while True:
    time.sleep(0.05)
"""


def _running_loop(script, **hyperparameters) -> Job:
    """Start LOOP as a job and wait until its program prints "ready"."""
    script(LOOP)
    est = Estimator("train.py", hyperparameters=hyperparameters)
    est.fit(wait=False)
    job = est.latest_training_job
    wait_until(lambda: any(line.message == "ready" for line in job.read_log().lines),
               what="the program to start")
    return job


def test_stop_a_running_job(script) -> None:
    job = _running_loop(script)
    job.stop()
    wait_until(lambda: job.status == "Stopped", what="Stopped")
    assert job.describe().secondary_status == "Stopped"
    with pytest.raises(ConflictError, match="only a Pending or InProgress job"):
        job.stop()


def test_stop_kills_a_program_that_ignores_sigterm_after_the_grace(script) -> None:
    job = _running_loop(script, **{"ignore-term": ""})
    job.stop(grace_seconds=0.5)
    wait_until(lambda: job.status == "Stopped", timeout=20, what="Stopped")
    assert any("SIGKILL" in line.message for line in job.read_log().lines)


def test_max_run_stops_the_job_and_fails_the_wait(script) -> None:
    script("import time\nprint('sleeping', flush=True)\ntime.sleep(60)\n")
    est = Estimator("train.py", max_run=1)
    with pytest.raises(UnexpectedStatusError, match="MaxRuntimeExceeded"):
        est.fit()
    description = est.latest_training_job.describe()
    assert description.status == "Stopped" and description.secondary_status == "MaxRuntimeExceeded"
    assert description.elapsed_seconds < 30
    assert description.model_data  # a stopped job keeps what it saved, as in SageMaker
    assert any("model is empty" in line.message for line in est.latest_training_job.read_log().lines)


def test_killed_runner_marks_the_job_failed_and_ends_the_program(script) -> None:
    job = _running_loop(script)
    row = records.get_row(get_store(), job.name)
    os.kill(row["runner_pid"], signal.SIGKILL)
    wait_until(lambda: not psutil.pid_exists(row["runner_pid"])
               or psutil.Process(row["runner_pid"]).status() == psutil.STATUS_ZOMBIE, what="runner gone")
    description = wait_until(lambda: (d := describe_job(job.name)).status == "Failed" and d, what="Failed")
    assert f"runner (pid {row['runner_pid']}) exited" in description.failure_reason
    wait_until(lambda: not psutil.pid_exists(row["program_pid"]), what="the orphaned program to be killed")
    assert [j.status for j in list_jobs()] == ["Failed"]


def test_two_jobs_at_once(script) -> None:
    script("import sys, time\ntime.sleep(2)\nprint('done', sys.argv[-1])\n")
    estimators = [Estimator("train.py", hyperparameters={"n": i}, base_job_name=f"pair{i}") for i in range(2)]
    threads = [threading.Thread(target=e.fit) for e in estimators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for i, est in enumerate(estimators):
        description = est.latest_training_job.describe()
        assert description.status == "Completed"
        assert f"done {i}" in [line.message for line in est.latest_training_job.read_log().lines]
    starts = [e.latest_training_job.describe() for e in estimators]
    assert starts[0].started_at < starts[1].ended_at and starts[1].started_at < starts[0].ended_at


def test_attach_finds_a_job_by_name(script) -> None:
    script("print('hi')\n")
    est = Estimator("train.py", hyperparameters={"a": 1})
    est.fit(job_name="attach-me")
    again = Estimator.attach("attach-me")
    assert again.model_data == est.model_data and again.hyperparameters() == {"a": 1}


def test_requirements_are_installed_once_and_cached(tmp_path: Path, script) -> None:
    package = tmp_path / "tinypkg"
    (package / "tinypkg").mkdir(parents=True)
    (package / "tinypkg" / "__init__.py").write_text("VALUE = 42\n")
    (package / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tinypkg"\nversion = "1.0"\n')
    source = tmp_path / "src"
    script("import tinypkg\nprint('value', tinypkg.VALUE)\n", "src/train.py")
    (source / "requirements.txt").write_text(f"{package}\n")
    first = Estimator("train.py", source_dir=str(source))
    first.fit()
    assert "value 42" in [line.message for line in first.latest_training_job.read_log().lines]
    second = Estimator("train.py", source_dir=str(source))
    second.fit()
    log = [line.message for line in second.latest_training_job.read_log().lines]
    assert "value 42" in log and any("using the cached install" in m for m in log)
    assert [t.status for t in second.latest_training_job.describe().transitions][:3] == [
        "Starting", "Downloading", "Training"]
    # Every host of a several-host job imports them, not only algo-1.
    hosts = Estimator("train.py", source_dir=str(source), instance_count=2)
    hosts.fit(logs=False)
    log = [line.message for line in hosts.latest_training_job.read_log().lines]
    assert "[algo-1] value 42" in log and "[algo-2] value 42" in log, log
