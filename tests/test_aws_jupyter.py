"""A real Jupyter server with jupyter_ext serves the local AWS endpoint beside it, and its
kernels get the environment that points boto3 (and the SageMaker SDK) there; with
JUPYTER_EXT_AWS=off they are left on real AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from conftest import free_port, taking_turns, wait_until

TOKEN = "aws-endpoint-test-token"
AUTH = {"Authorization": f"token {TOKEN}"}


@pytest.fixture(scope="module", autouse=True)
def jupyter_turn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No other worker's Jupyter server with jupyter_ext runs beside these."""
    with taking_turns(tmp_path_factory, "jupyter"):
        yield


@contextmanager
def _server(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    port, runtime = free_port(), tmp_path / "runtime"
    command = [sys.executable, "-m", "jupyter_server", f"--port={port}", "--ip=127.0.0.1", "--no-browser",
               f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(tmp_path / "server.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   env={**env, "JUPYTER_RUNTIME_DIR": str(runtime)})
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{base}/api/status", headers=AUTH), timeout=5):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, 60, "the Jupyter server to answer")
        yield base, runtime
    finally:
        process.terminate()
        process.wait(30)


def _kernel_output(base: str, runtime: Path, code: str) -> str:
    """Start a kernel through the server's REST API and run `code` in it; its printed output."""
    request = urllib.request.Request(f"{base}/api/kernels", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json", **AUTH})
    with urllib.request.urlopen(request, timeout=30) as response:
        kernel = json.loads(response.read())["id"]
    connection = runtime / f"kernel-{kernel}.json"
    wait_until(connection.is_file, 30, "the kernel's connection file")
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    printed: list[str] = []
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=120, output_hook=lambda m: printed.append(
            m["content"].get("text", "") if m["msg_type"] == "stream" else
            m["content"].get("evalue", "") if m["msg_type"] == "error" else ""))
        assert reply["content"]["status"] == "ok", printed
    finally:
        client.stop_channels()
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{kernel}", method="DELETE", headers=AUTH), timeout=30)
    return "".join(printed)


KERNEL_CODE = """
import os, boto3
print("endpoint", os.environ.get("AWS_ENDPOINT_URL"))
if os.environ.get("AWS_ENDPOINT_URL"):
    print("jobs", boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"])
    print("buckets", [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]])
"""


def test_kernels_of_the_server_talk_to_its_aws_endpoint(home: Path, tmp_path: Path) -> None:
    (home / "s3" / "notebook-data").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "JUPYTER_EXT_AWS"}
    with _server(tmp_path, env) as (base, runtime):
        state_path = home / "aws" / "service.json"
        wait_until(state_path.is_file, 30, "the server's AWS endpoint")
        state = json.loads(state_path.read_text())
        assert state["in_jupyter_server"]
        printed = _kernel_output(base, runtime, KERNEL_CODE)
    assert f"endpoint {state['url']}" in printed
    assert "jobs []" in printed and "notebook-data" in printed


def test_jupyter_ext_aws_off_leaves_kernels_on_real_aws(home: Path, tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, "JUPYTER_EXT_AWS": "off"}
    with _server(tmp_path, env) as (base, runtime):
        printed = _kernel_output(base, runtime, KERNEL_CODE)
    assert "endpoint None" in printed
    assert not (home / "aws" / "service.json").exists()
