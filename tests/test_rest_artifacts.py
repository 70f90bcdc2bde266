"""A job's artifacts made openable through a real jupyter_server over a real training job:
POST /jupyter-ext/api/jobs/{name}/artifacts/open copies a file under JupyterLab's root
(jupyter_ext-outputs/<job>/), lists a folder's files and an archive's members, and refuses
paths that are none of the job's artifacts; POST .../runs/{name}/artifacts/open does the same
for the files a run logged."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext import Estimator, describe_job
from jupyter_ext.experiments import Run

pytest_plugins = ["pytest_jupyter.jupyter_server"]

WRITER = """
import os, pathlib
out = pathlib.Path(os.environ["SM_OUTPUT_DATA_DIR"])
(out / "report.html").write_text("<h1>report</h1>")
(out / "summary.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
(pathlib.Path(os.environ["SM_MODEL_DIR"]) / "weights.txt").write_text("1 2 3")
"""


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


def artifact_job(script, name: str) -> None:
    """A training job writing an HTML report and a notebook to output/data and a model."""
    Estimator(str(script(WRITER, "writer.py"))).fit(job_name=name, logs=False)


async def _open(jp_fetch, job: str, path: str, owner: str = "jobs") -> dict:
    response = await jp_fetch("jupyter-ext", "api", owner, job, "artifacts", "open", method="POST",
                              body=json.dumps({"path": path}))
    return json.loads(response.body)


async def test_a_jobs_files_are_copied_under_the_root_and_archives_listed(jp_fetch, jp_root_dir, script) -> None:
    artifact_job(script, "artifacts-rest")
    job = describe_job("artifacts-rest")
    folder = await _open(jp_fetch, "artifacts-rest", f"{job.job_dir}/output/data")
    assert folder["kind"] == "folder" and folder["path"] is None
    report = next(p for p in folder["members"] if p.endswith("report.html"))
    opened = await _open(jp_fetch, "artifacts-rest", report)
    assert opened == {"path": "jupyter_ext-outputs/artifacts-rest/output/data/report.html", "kind": "html", "members": []}
    assert (jp_root_dir / opened["path"]).read_text() == "<h1>report</h1>"
    notebook = await _open(jp_fetch, "artifacts-rest", report.replace("report.html", "summary.ipynb"))
    assert notebook["kind"] == "notebook"
    model = await _open(jp_fetch, "artifacts-rest", job.model_data)
    assert model["kind"] == "archive" and "weights.txt" in [m.lstrip("./") for m in model["members"]]
    assert (jp_root_dir / model["path"]).is_file()


async def test_paths_outside_the_jobs_artifacts_are_refused(jp_fetch, script, tmp_path) -> None:
    artifact_job(script, "artifacts-refused")
    job = describe_job("artifacts-refused")
    for path, status in (("/etc/passwd", 400), (f"{job.job_dir}/../../secret", 400), ("s3://bucket/key", 400),
                         (f"{job.job_dir}/no-such-file", 404)):
        with pytest.raises(HTTPClientError) as caught:
            await _open(jp_fetch, "artifacts-refused", path)
        assert caught.value.code == status, path


async def test_a_runs_logged_files_open_and_other_paths_are_refused(jp_fetch, jp_root_dir, tmp_path) -> None:
    (tmp_path / "notes.html").write_text("<p>notes</p>")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "loss.png").write_bytes(b"png")
    with Run(experiment_name="run-artifacts", run_name="logged") as run:
        copy = run.log_file(str(tmp_path / "notes.html"))
        run.log_artifact("plots", str(tmp_path / "plots"))
        run.log_roc_curve([0, 1], [0.2, 0.9])
        run.log_artifact("note", "just text")
    name = "run-artifacts-logged"
    opened = await _open(jp_fetch, name, copy, "runs")
    assert opened == {"path": f"jupyter_ext-outputs/runs/{name}/notes.html", "kind": "html", "members": []}
    assert (jp_root_dir / opened["path"]).read_text() == "<p>notes</p>"
    folder = await _open(jp_fetch, name, str(tmp_path / "plots"), "runs")
    assert folder["kind"] == "folder" and folder["members"] == [str(tmp_path / "plots" / "loss.png")]
    png = await _open(jp_fetch, name, folder["members"][0], "runs")
    assert png["path"] == f"jupyter_ext-outputs/runs/{name}/loss.png" and png["kind"] == "file"
    for path, status in (("/etc/passwd", 400), ("just text", 400), (str(tmp_path / "plots" / "../notes.html"), 400)):
        with pytest.raises(HTTPClientError) as caught:
            await _open(jp_fetch, name, path, "runs")
        assert caught.value.code == status, path
