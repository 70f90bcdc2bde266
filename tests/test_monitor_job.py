"""`%monitor_job NAME`, `Job(NAME).watch()` and an attached Estimator show any job live,
including one started by another process, in a JupyterLab kernel and as text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import wait_until
from jupyter_ext import Job, describe_job, list_jobs, stop_job
from jupyter_ext.errors import UnexpectedStatusError
from test_magics import _run


def _start_elsewhere(tmp_path: Path, name: str, body: str) -> None:
    """Start a training job from another Python process, as another kernel or a script would."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    launcher = (f"from jupyter_ext import Estimator\n"
                f"Estimator({str(tmp_path / (name + '.py'))!r}).fit(job_name={name!r}, wait=False)\n")
    subprocess.run([sys.executable, "-c", launcher], check=True, cwd=tmp_path, capture_output=True)
    wait_until(lambda: [j.status for j in list_jobs(name_contains=name)] == ["InProgress"], what="InProgress")


def test_monitor_job_as_text_shows_a_job_started_elsewhere(ip, tmp_path: Path, capsys) -> None:
    _start_elsewhere(tmp_path, "elsewhere", "import time\nprint('epoch 1', flush=True)\ntime.sleep(2)\n"
                                             "print('epoch 2', flush=True)\n")
    wait_until(lambda: "epoch 1" in [line.message for line in Job("elsewhere").tail()], what="the first line")
    capsys.readouterr()
    ip.run_line_magic("monitor_job", "elsewhere")
    now = capsys.readouterr().out
    assert "epoch 1" in now and "Job elsewhere: InProgress" in now
    assert "%monitor_job elsewhere --wait" in now
    ip.run_line_magic("monitor_job", "elsewhere --wait")
    later = capsys.readouterr().out
    assert "epoch 2" in later and "Job elsewhere: Completed" in later


def test_monitor_job_wait_fails_on_a_failed_job(ip, tmp_path: Path) -> None:
    _start_elsewhere(tmp_path, "elsewhere-fails", "import time\ntime.sleep(1)\nraise ValueError('no rows')\n")
    with pytest.raises(UnexpectedStatusError, match="no rows"):
        ip.run_line_magic("monitor_job", "elsewhere-fails --wait")


def test_job_watch_and_attach_show_the_monitor_in_a_restarted_jupyterlab_kernel(home: Path, tmp_path: Path) -> None:
    _start_elsewhere(tmp_path, "long-one", "import time\nprint('working', flush=True)\ntime.sleep(60)\n")
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_EXT_DISPLAY"}
    env["JPY_SESSION_NAME"] = "notebook.ipynb"  # as jupyter_server sets it for a notebook's kernel
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    try:
        _run(client, "%load_ext jupyter_ext")
        assert "[widget view]" in _run(client, "%monitor_job long-one")
        assert "[widget view]" in _run(client, "from jupyter_ext import Estimator, Job\nJob('long-one').watch()")
        manager.restart_kernel(now=True)
        client.wait_for_ready(timeout=60)
        _run(client, "from jupyter_ext import Estimator")
        shown = _run(client, "est = Estimator.attach('long-one')\nest")
        assert "[widget view]" in shown and "Job long-one: InProgress" in shown
        assert "[widget view]" in _run(client, "est.latest_training_job")
    finally:
        stop_job("long-one")
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert describe_job("long-one").status in ("Stopping", "Stopped")
