"""Golden notebooks: every notebook in notebooks/ runs under papermill, and a failing
job fails the papermill run on its cell."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest
from aws_fixtures import Endpoint, needs_sdk2
from conftest import taking_turns

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


NOTEBOOKS = [n for n in NOTEBOOKS if nbformat.read(n, as_version=4).metadata["kernelspec"]["name"] == "python3"]
SDK_NOTEBOOKS = sorted(set((Path(__file__).parent.parent / "notebooks").glob("*.ipynb")) - set(NOTEBOOKS))


def _run(notebook: Path, tmp_path: Path, kernel: str) -> str:
    work = tmp_path / "work"
    shutil.copytree(notebook.parent, work, ignore=shutil.ignore_patterns("*-data", "*-evaluation", ".*"))
    papermill.execute_notebook(work / notebook.name, work / "out.ipynb", cwd=work,
                               kernel_name=kernel, progress_bar=False)
    executed = nbformat.read(work / "out.ipynb", as_version=4)
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in executed.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_under_papermill(notebook: Path, tmp_path: Path, tmp_path_factory, monkeypatch) -> None:
    monkeypatch.delenv("JUPYTER_EXT_DISPLAY")  # choose as a user's papermill run would
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    cells = nbformat.read(notebook, as_version=4).cells
    on_ray = any('"ray"' in cell.source for cell in cells)  # it starts the home's local Ray cluster
    with taking_turns(tmp_path_factory, "ray") if on_ray else contextlib.nullcontext():
        try:
            text = _run(notebook, tmp_path, "python3")
        finally:
            _stop_endpoint()
    assert ": Completed | after" in text  # jobs print as text under papermill


def _stop_endpoint() -> None:
    """Stop the AWS endpoint (`use_local_endpoint()`) and the local Ray cluster (a job on
    "ray") a notebook started in the test's home."""
    from jupyter_ext.aws import detached_service
    from jupyter_ext.ray.cluster import local_cluster

    for server in (detached_service(), local_cluster()):
        if server.running():
            server.stop()


@needs_sdk2
@pytest.mark.parametrize("notebook", SDK_NOTEBOOKS, ids=[n.stem for n in SDK_NOTEBOOKS])
def test_sagemaker_notebook_runs_on_the_sdk_kernel(notebook: Path, tmp_path: Path, aws: Endpoint,
                                                   monkeypatch) -> None:
    for name, value in aws.env.items():  # as `eval "$(jupyter-ext aws env)"` before papermill
        monkeypatch.setenv(name, value)
    text = _run(notebook, tmp_path, "sagemaker-sdk2")
    assert "Completed - Training job completed" in text or "Job Completed" in text
    assert "s3://sagemaker-us-east-1-000000000000/" in text


def test_a_failed_job_fails_the_papermill_run(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext jupyter_ext"),
                      nbformat.v4.new_code_cell("%%train --name doomed\nraise SystemExit('no data')"),
                      nbformat.v4.new_code_cell("print('never reached')")]
    nbformat.write(notebook, tmp_path / "fail.ipynb")
    with pytest.raises(papermill.PapermillExecutionError, match="no data"):
        papermill.execute_notebook(tmp_path / "fail.ipynb", tmp_path / "out.ipynb", cwd=tmp_path,
                                   kernel_name="python3", progress_bar=False)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[-1].get("outputs", []) == []
