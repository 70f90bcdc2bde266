"""One local AWS endpoint for the session (`jupyter-ext aws serve` in a process of its
own, with a home of its own), and the clients' environments: SageMaker SDK v2 with the
AWS CLI ($SAGEMAKER2_PYTHON), SDK v3 ($SAGEMAKER3_PYTHON), as `make test` sets them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import wait_until

SAGEMAKER2_PYTHON = os.environ.get("SAGEMAKER2_PYTHON") or str(Path(".venv-sagemaker2/bin/python").absolute())
SAGEMAKER3_PYTHON = os.environ.get("SAGEMAKER3_PYTHON") or str(Path(".venv-sagemaker3/bin/python").absolute())
needs_sdk2 = pytest.mark.skipif(not Path(SAGEMAKER2_PYTHON).is_file(),
                                reason="set SAGEMAKER2_PYTHON to a Python with sagemaker<3 and awscli (make test does)")
needs_sdk3 = pytest.mark.skipif(not Path(SAGEMAKER3_PYTHON).is_file(),
                                reason="set SAGEMAKER3_PYTHON to a Python with sagemaker>=3 (make test does)")


@dataclass
class ClientRun:
    """A client script started with `Endpoint.start`."""

    process: subprocess.Popen
    cwd: Path

    def result(self, timeout: float = 240, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Wait for the script; its output, or (with `check`) AssertionError with the output if it failed."""
        self.process.wait(timeout)
        done = subprocess.CompletedProcess(self.process.args, self.process.returncode,
                                           (self.cwd / "client.stdout").read_text(),
                                           (self.cwd / "client.stderr").read_text())
        if check and done.returncode != 0:
            raise AssertionError(f"client exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        return done


@dataclass
class Endpoint:
    """The running endpoint: its URLs, its home and the environment its clients get."""

    url: str
    s3_url: str
    home: Path
    env: dict[str, str]

    def run(self, python: str, script: str, cwd: Path, timeout: float = 240, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run `script` (Python source) with a client's `python` in `cwd`, pointed at the endpoint."""
        path = cwd / "client_script.py"
        path.write_text(script)
        done = subprocess.run([python, str(path)], cwd=cwd, env={**self.env, **(env or {})}, text=True,
                              capture_output=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"client exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        return done

    def start(self, python: str, script: str, cwd: Path, env: dict[str, str] | None = None) -> ClientRun:
        """Start `script` like `run` does, without waiting: several clients can run at once. The
        client runs niced, so that the jobs it starts (the endpoint's children) come first on
        the CPU: SDK v2 reads a job's log and status at once 5 s after creating it, and then
        only every 30 s while it runs."""
        cwd.mkdir(parents=True, exist_ok=True)
        (cwd / "client_script.py").write_text(script)
        out, err = open(cwd / "client.stdout", "w"), open(cwd / "client.stderr", "w")
        process = subprocess.Popen([python, str(cwd / "client_script.py")], cwd=cwd, env={**self.env, **(env or {})},
                                   text=True, stdout=out, stderr=err, preexec_fn=lambda: os.nice(10))
        out.close(), err.close()
        return ClientRun(process, cwd)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The AWS CLI (v1, from the SDK v2 environment) with the endpoint's environment."""
        aws = str(Path(SAGEMAKER2_PYTHON).parent / "aws")
        return subprocess.run([aws, *args], env={**self.env, **(env or {})}, text=True, capture_output=True,
                              timeout=120)


def client_environment(home: Path) -> dict[str, str]:
    """What `jupyter-ext aws env` prints for the endpoint of `home`, as a dict, added to this environment."""
    printed = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "aws", "env"], text=True, check=True,
                             capture_output=True, env={**os.environ, "JUPYTER_EXT_HOME": str(home)}).stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JUPYTER_EXT_"))}
    for line in printed.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    env.update(SAGEMAKER_SUPPRESS_V2_WARNING="1", JUPYTER_EXT_DISPLAY="text", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def aws_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """`jupyter-ext aws serve --port 0` in its own process and home, for the whole session."""
    home = tmp_path_factory.mktemp("aws-home")
    # It runs due monitoring schedules every 2 s (not every minute), so a test sees its ticker work.
    env = {**os.environ, "JUPYTER_EXT_HOME": str(home), "JUPYTER_EXT_MONITOR_TICK_SECONDS": "2"}
    env.pop("JUPYTER_EXT_AWS", None)
    log = open(home / "serve.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "jupyter_ext.cli", "aws", "serve", "--port", "0",
                                "--record-state"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)
    state_path = home / "aws" / "service.json"
    wait_until(lambda: state_path.is_file() or process.poll() is not None, 60, "the AWS endpoint to start")
    if process.poll() is not None:
        raise AssertionError(f"jupyter-ext aws serve exited: {(home / 'serve.log').read_text()}")
    state = json.loads(state_path.read_text())
    yield Endpoint(state["url"], state["s3_url"], home, client_environment(home))
    process.terminate()
    process.wait(30)
    log.close()


@pytest.fixture
def aws(aws_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch) -> Endpoint:
    """The session's endpoint, with this test looking at the endpoint's home (its jobs, its S3)
    and this process's AWS variables pointing at it (boto3 here talks to it)."""
    monkeypatch.setenv("JUPYTER_EXT_HOME", str(aws_endpoint.home))
    for name, value in aws_endpoint.env.items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return aws_endpoint


def printed(output: str, label: str) -> str:
    """The word after `label ` in a client's output (what it printed with `print(label, value)`)."""
    assert f"{label} " in output, f"{label} not printed:\n{output}"
    return output.split(f"{label} ", 1)[1].split()[0]


__all__ = ["ClientRun", "printed", "Endpoint", "aws_endpoint", "aws", "needs_sdk2", "needs_sdk3", "SAGEMAKER2_PYTHON", "SAGEMAKER3_PYTHON",
           "client_environment"]
