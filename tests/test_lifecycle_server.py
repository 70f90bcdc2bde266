"""Lifecycle scripts at the start of a real `jupyter server`: on-create once, on-start each
time, in the background (the server answers while on-start runs), failures logged loudly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import free_port, wait_until


def _get_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


@contextmanager
def jupyter_server(root: Path, log: Path) -> Iterator[str]:
    """A real `jupyter server` on a free loopback port, without a token; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1", "--no-browser",
               "--IdentityProvider.token=", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _get_json(f"{base}/api/status") is not None, 60, "the server to answer")
        yield base
    finally:
        process.terminate()
        process.wait(30)


def _runs(base: str, hook: str) -> list[dict[str, Any]]:
    status = _get_json(f"{base}/jupyter-ext/api/lifecycle?limit=100") or {"runs": []}
    return [run for run in status["runs"] if run["hook"] == hook]


def _script(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def test_on_start_runs_at_each_server_start_and_on_create_once(home: Path, tmp_path: Path) -> None:
    _script(home / "lifecycle" / "on-create.sh", f"echo created >> {tmp_path}/created\n")
    _script(home / "lifecycle" / "on-start.sh", f"""echo started >> {tmp_path}/started
while [ ! -f {tmp_path}/release ]; do sleep 0.05; done
if [ -f {tmp_path}/fail ]; then echo "cannot reach the Livy server" >&2; exit 5; fi
echo ready
""")
    log = tmp_path / "server.log"
    with jupyter_server(tmp_path, log) as base:
        # The server answers while on-start is still waiting: it runs in the background.
        running = wait_until(lambda: [r for r in _runs(base, "on-start") if r["status"] == "InProgress"],
                             30, "on-start to be running")
        assert running[0]["trigger"] == "server-start"
        (tmp_path / "release").touch()
        wait_until(lambda: [r["status"] for r in _runs(base, "on-start")] == ["Completed"], 30, "on-start")
        assert [r["status"] for r in _runs(base, "on-create")] == ["Completed"]
        first = _runs(base, "on-start")[0]
        lines = _get_json(f"{base}/jupyter-ext/api/lifecycle/runs/{first['run_id']}/log")["lines"]
        assert [line["message"] for line in lines if line["stream"] == "output"] == ["ready"]

    (tmp_path / "fail").touch()
    with jupyter_server(tmp_path, log) as base:
        wait_until(lambda: [r["status"] for r in _runs(base, "on-start")] == ["Failed", "Completed"], 30,
                   "the second on-start")
        status = _get_json(f"{base}/jupyter-ext/api/lifecycle")
        assert status["failed"] and status["runs"][0]["exit_code"] == 5
        assert "cannot reach the Livy server" in status["runs"][0]["failure_reason"]
        assert len(_runs(base, "on-create")) == 1
        assert _get_json(f"{base}/api/status") is not None  # the failure did not stop the server
    assert (tmp_path / "created").read_text().splitlines() == ["created"]
    assert (tmp_path / "started").read_text().splitlines() == ["started", "started"]
    assert "jupyter_ext lifecycle: the on-start script failed" in log.read_text()
