"""`jupyter-ext jobs ...` as a separate process over the same store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import wait_until
from jupyter_ext import Estimator, describe_job

CLI = [shutil.which("jupyter-ext") or f"{sys.prefix}/bin/jupyter-ext"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def test_list_describe_logs(script) -> None:
    script("print('hello from the job')\n")
    Estimator("train.py").fit(job_name="cli-job")
    listing = _cli("jobs", "list")
    assert listing.returncode == 0 and "cli-job" in listing.stdout and "Completed" in listing.stdout
    records = json.loads(_cli("jobs", "list", "--json", "--status", "Completed").stdout)
    assert [r["name"] for r in records] == ["cli-job"]
    assert json.loads(_cli("jobs", "describe", "cli-job").stdout)["status"] == "Completed"
    assert "hello from the job" in _cli("jobs", "logs", "cli-job").stdout.splitlines()
    assert _cli("jobs", "logs", "cli-job", "--tail", "1").stdout.strip() == "Job Completed"


def test_stop_and_errors(script) -> None:
    script("import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    Estimator("train.py").fit(job_name="cli-stop", wait=False)
    wait_until(lambda: describe_job("cli-stop").status == "InProgress", what="InProgress")
    assert _cli("jobs", "stop", "cli-stop").returncode == 0
    wait_until(lambda: describe_job("cli-stop").status == "Stopped", what="Stopped")
    again = _cli("jobs", "stop", "cli-stop")
    assert again.returncode == 1 and "is Stopped; only a Pending or InProgress job" in again.stderr
    missing = _cli("jobs", "describe", "ghost")
    assert missing.returncode == 1 and "No job named 'ghost'" in missing.stderr


def test_an_error_with_a_hint_prints_it() -> None:
    bad = _cli("lifecycle", "configure", "--env", "TOKEN")
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == ["error: --env 'TOKEN' must look like NAME=VALUE.",
                                       "hint: use `--env TOKEN=VALUE`, one word without spaces."]
