"""`%pipeline` and `jupyter-ext pipelines`: list, start with parameters, describe, stop,
over a stored pipeline run by real jobs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from IPython.core.magic_arguments import MagicArgumentParser

from conftest import wait_until
from jupyter_ext import UnexpectedStatusError
from jupyter_ext.cli import build_parser
from jupyter_ext.commands.pipelines import PIPELINES
from jupyter_ext.pipelines import ParameterInteger, ParameterString, Pipeline, PipelineExecution, PythonStep

CLI = [sys.executable, "-m", "jupyter_ext.cli"]


def greet(name: str, pause: int) -> str:
    """The step's function."""
    import time

    time.sleep(pause)
    if name == "nobody":
        raise ValueError("nobody to greet")
    return f"hello {name}"


def _store() -> Pipeline:
    name, pause = ParameterString("Name", default_value="world"), ParameterInteger("Pause", default_value=0)
    pipeline = Pipeline("greeting", parameters=[name, pause], steps=[PythonStep("Greet", greet, args=[name, pause])])
    pipeline.upsert()
    return pipeline


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def test_the_pipeline_magic_starts_with_parameters_waits_and_lists(ip, capsys) -> None:
    pipeline = _store()
    message = ip.run_line_magic("pipeline", "start greeting -p Name=notebook")
    printed = capsys.readouterr().out
    assert "Succeeded" in message and "Greet" in printed and "Succeeded" in printed
    execution = PipelineExecution(pipeline.list_executions()["PipelineExecutionSummaries"][0]["PipelineExecutionArn"])
    assert execution.result("Greet") == "hello notebook"
    listing = ip.run_line_magic("pipeline", "list")
    assert "greeting" in listing and "Succeeded" in listing
    with pytest.raises(UnexpectedStatusError):  # a failed execution fails the cell
        ip.run_line_magic("pipeline", "start greeting -p Name=nobody")
    assert "nobody to greet" in capsys.readouterr().out


def test_the_cli_starts_describes_and_stops_executions() -> None:
    _store()
    listing = _cli("pipelines", "list")
    assert listing.returncode == 0 and "greeting" in listing.stdout
    started = _cli("pipelines", "start", "greeting", "-p", "Name=shell", "--wait")
    assert started.returncode == 0, started.stderr
    execution_id = started.stdout.strip().splitlines()[-1].split()[1]
    described = json.loads(_cli("pipelines", "describe", execution_id, "--json").stdout)
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert described["Steps"][0]["Metadata"]["ProcessingJob"]["Name"]
    slow = _cli("pipelines", "start", "greeting", "-p", "Pause=60")
    slow_id = slow.stdout.split()[2]
    execution = PipelineExecution(slow_id)
    wait_until(lambda: execution.list_steps() and execution.list_steps()[0]["Metadata"], what="the step's job")
    assert _cli("pipelines", "stop", slow_id).returncode == 0
    wait_until(lambda: execution.describe()["PipelineExecutionStatus"] == "Stopped", what="Stopped")
    assert execution.list_steps()[0]["StepStatus"] == "Stopped"
    bad = _cli("pipelines", "start", "greeting", "-p", "Pause=soon")
    assert bad.returncode == 1 and "Pause is of type Integer" in bad.stderr
    assert "No pipeline nothing" in _cli("pipelines", "start", "nothing").stderr


def test_the_cli_and_the_magic_take_the_same_verbs() -> None:
    groups = next(a for a in build_parser()._actions if hasattr(a, "choices") and a.choices)
    cli = set(groups.choices["pipelines"]._actions[-1].choices)
    magic = set(PIPELINES.magic_parser(MagicArgumentParser)._actions[-1].choices)
    assert cli == magic == {"list", "start", "executions", "describe", "stop", "retry"}
