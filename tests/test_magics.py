"""The magics in a real IPython shell, and in a real kernel that is restarted mid-job."""

from __future__ import annotations

import os
import queue
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from jupyter_client.manager import start_new_kernel

from conftest import wait_until
from jupyter_ext import UnexpectedStatusError, describe_job, list_jobs
from jupyter_ext.errors import ValidationError

TRAIN_CELL = """
import argparse, os
from jupyter_ext import log_metric
p = argparse.ArgumentParser(); p.add_argument("--lr", type=float); p.add_argument("--epochs", type=int)
a = p.parse_args()
for e in range(a.epochs):
    print(f"loss: {a.lr / (e + 1)}")
log_metric("epochs_done", a.epochs)
print(sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])))
open(os.path.join(os.environ["SM_MODEL_DIR"], "w.txt"), "w").write("w")
"""


def test_train_cell_runs_the_cell_as_a_job(ip, tmp_path: Path, capsys) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("1")
    ip.run_cell_magic("train", '--name cell-job --hp lr=0.5 --hp epochs=2 --input train=data '
                      '--metric "loss=loss: ([0-9.]+)" --out est', TRAIN_CELL)
    description = describe_job("cell-job")
    assert description.status == "Completed"
    assert description.final_metrics == {"epochs_done": 2.0, "loss": 0.25}
    assert description.hyperparameters == {"lr": 0.5, "epochs": 2}
    assert ip.user_ns["est"].model_data == description.model_data
    ip.user_ns["est"].fit({"train": "data"}, job_name="cell-job-again")  # the cell's code is kept
    assert describe_job("cell-job-again").status == "Completed"
    printed = capsys.readouterr().out
    assert "['d.csv']" in printed and "Job cell-job: Completed" in printed


def test_failed_job_and_bad_options_raise(ip) -> None:
    with pytest.raises(UnexpectedStatusError, match="ZeroDivisionError"):
        ip.run_cell_magic("train", "", "1 / 0\n")
    with pytest.raises(UsageError):
        ip.run_cell_magic("train", "--no-such-option", "print(1)\n")
    with pytest.raises(ValidationError, match="must look like NAME=VALUE"):
        ip.run_cell_magic("train", "--hp lr", "print(1)\n")
    with pytest.raises(ValidationError, match="no capture group"):
        ip.run_cell_magic("train", '--metric "loss=loss"', "print(1)\n")


def test_jobs_logs_describe_stop(ip, capsys) -> None:
    ip.run_cell_magic("train", "--name sleeper --no-wait", "import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    wait_until(lambda: describe_job("sleeper").status == "InProgress", what="InProgress")
    table = ip.run_line_magic("jobs", "--status InProgress")
    assert list(table["name"]) == ["sleeper"]
    assert ip.run_line_magic("describe", "sleeper")["status"] == "InProgress"
    ip.run_line_magic("stop", "sleeper")
    wait_until(lambda: describe_job("sleeper").status == "Stopped", what="Stopped")
    capsys.readouterr()
    ip.run_line_magic("logs", "sleeper --follow")
    assert "up" in capsys.readouterr().out.splitlines()


def test_process_magic_runs_scripts_and_notebooks(ip, tmp_path: Path, script) -> None:
    script("import sys\nopen(sys.argv[1] + '/out.txt', 'w').write(sys.argv[2])\n", "prep.py")
    ip.run_line_magic("process", f"prep.py --name prep-magic --output /opt/ml/processing/out={tmp_path}/kept "
                      "-- /opt/ml/processing/out hello")
    assert (tmp_path / "kept" / "out.txt").read_text() == "hello"
    assert [j.name for j in list_jobs(type="Processing")] == ["prep-magic"]


def test_help_is_the_docstring(ip) -> None:
    assert "training script" in ip.find_cell_magic("train").__doc__
    assert "--hp NAME=VALUE" in ip.find_cell_magic("train").__doc__


def _run(client, code: str) -> str:
    """Execute `code` in the kernel; its stdout, or the error it raised."""
    msg_id = client.execute(code)
    output = []
    while True:
        try:
            message = client.get_iopub_msg(timeout=60)
        except queue.Empty:
            pytest.fail(f"no reply from the kernel to {code!r}")
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            output.append(content["text"])
        elif kind == "error":
            output.append(f"{content['ename']}: {content['evalue']}")
        elif kind in ("execute_result", "display_data"):
            output.append(content["data"].get("text/plain", ""))
            if "application/vnd.jupyter.widget-view+json" in content["data"]:
                output.append("[widget view]")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(output)


def test_job_survives_a_kernel_restart(home: Path) -> None:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        _run(client, "%load_ext jupyter_ext")
        cell = "%%train --name survivor --no-wait\nimport time\ntime.sleep(3)\nprint('finished')\n"
        assert "Job survivor started" in _run(client, cell)
        wait_until(lambda: describe_job("survivor").status == "InProgress", what="InProgress")
        manager.restart_kernel(now=True)
        client.wait_for_ready(timeout=60)
        _run(client, "%load_ext jupyter_ext")
        assert describe_job("survivor").status == "InProgress"
        wait_until(lambda: describe_job("survivor").status == "Completed", what="Completed after the restart")
        assert "survivor" in _run(client, "%jobs")
        assert "finished" in _run(client, "%logs survivor")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_jupyterlab_kernels_show_the_job_monitor_widget(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_EXT_DISPLAY"}
    env["JPY_SESSION_NAME"] = "notebook.ipynb"  # as jupyter_server sets it for a notebook's kernel
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    try:
        _run(client, "%load_ext jupyter_ext")
        shown = _run(client, "%%train --name in-lab\nprint('hello')\n")
        assert "[widget view]" in shown and "Job in-lab: Completed" in shown
        failed = _run(client, "%%train --name in-lab-fails\nraise ValueError('bad')\n")
        assert "[widget view]" in failed and "UnexpectedStatusError" in failed and "bad" in failed
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_tune_magic(ip, script) -> None:
    from jupyter_ext import Estimator

    path = script("import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\n"
                  "p.add_argument('--opt')\na = p.parse_args()\nprint('loss:', abs(a.lr - 0.01) + (a.opt == 'sgd'))\n",
                  "tune_train.py")
    ip.user_ns["est"] = Estimator(str(path), metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.e-]+)"}])
    ip.run_line_magic("tune", "--estimator est --objective loss --minimize --range lr=1e-4:1e-1:log "
                      "--range opt=adam,sgd --max-jobs 6 --max-parallel-jobs 2 --strategy Random --seed 3 "
                      "--name magic-tune --out tuner")
    frame = ip.user_ns["tuner"].analytics().dataframe()
    assert len(frame) == 6 and set(frame["opt"]) <= {"adam", "sgd"}
    assert frame["lr"].between(1e-4, 1e-1).all()
    assert describe_job("magic-tune").details["strategy"] == "Random"
    with pytest.raises(ValidationError, match="no Estimator by that name"):
        ip.run_line_magic("tune", "--estimator nothing --objective loss --range lr=0:1")
    with pytest.raises(ValidationError, match="use MIN:MAX"):
        ip.run_line_magic("tune", "--estimator est --objective loss --range lr=a:b")
    with pytest.raises(ValidationError, match="unknown word\\(s\\) lgo"):
        ip.run_line_magic("tune", "--estimator est --objective loss --range lr=0.001:0.3:lgo")


def test_experiments_and_leaderboard_magics(ip) -> None:
    from jupyter_ext.experiments import Run

    for c, auc in ((1, 0.8), (2, 0.9)):
        with Run(experiment_name="magic-exp", run_name=f"c{c}") as run:
            run.log_parameter("C", c)
            run.log_metric("auc", auc)
    table = ip.run_line_magic("experiments", "")
    assert list(table["name"]) == ["magic-exp"] and list(table["runs"]) == [2]
    board = ip.run_line_magic("leaderboard", "magic-exp auc")
    assert list(board["TrialComponentName"]) == ["magic-exp-c2", "magic-exp-c1"]
    assert list(ip.run_line_magic("leaderboard", "magic-exp auc --ascending")["Rank"]) == [1, 2]
