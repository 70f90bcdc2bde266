"""The AutoML job page's REST routes through a real jupyter_server over a real AutoML job:
GET /jupyter-ext/api/automl-jobs/{name} and POST .../notebooks/{kind} (a copy under
JupyterLab's root)."""

from __future__ import annotations

import json

import numpy as np
import pandas
import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext import AutoML

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


def ensembling_automl_job(name: str) -> None:
    """A small regression AutoML job whose best candidate is a weighted ensemble: a linear
    part (linear models get it) and a step (trees get it)."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(500, 6))
    labels = features[:, :5] @ np.array([3, -2, 1.5, 1, 2]) + 4 * (features[:, 5] > 0.3) + rng.normal(0, 0.5, 500)
    frame = pandas.DataFrame(features, columns=[f"f{i}" for i in range(6)]).assign(label=labels)
    automl = AutoML("label", max_candidates=4, algorithms=["linear", "extra-trees"], mode="ENSEMBLING",
                    max_parallel_jobs=1)
    automl.fit(frame, logs=False, job_name=name)


async def test_an_automl_job_with_its_leaderboard_ensemble_and_notebooks(jp_fetch, jp_root_dir) -> None:
    ensembling_automl_job("rest-automl")
    job = json.loads((await jp_fetch("jupyter-ext", "api", "automl-jobs", "rest-automl")).body)
    assert (job["status"], job["problem_type"], job["target"]) == ("Completed", "Regression", "label")
    candidates = job["candidates"]
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    ensemble = [c for c in candidates if c["algorithm"] == "ensemble"]
    assert len(ensemble) == 1 and len(ensemble[0]["members"]) >= 2
    assert job["best_candidate"] == candidates[0]["name"] and candidates[0]["is_best"]
    assert {n["kind"] for n in job["notebooks"]} == {"DataExploration", "CandidateDefinition"}
    assert job["feature_importance"]
    profile = job["data_profile"]  # the numbers of the Data Exploration notebook
    assert (profile["rows"], profile["duplicate_rows"], profile["missing_feature_percent"]) == (500, 0, 0.0)
    assert [c["name"] for c in profile["columns"]][:1] == ["f0"]  # the strongest input first
    assert {c["name"] for c in profile["columns"]} == {f"f{i}" for i in range(6)}
    assert all(c["column_type"] == "numeric" and c["cardinality"] == 500 and c["mean"] is not None
               for c in profile["columns"])
    assert profile["target_classes"] == {}  # a regression
    opened = json.loads((await jp_fetch("jupyter-ext", "api", "automl-jobs", "rest-automl", "notebooks",
                                        "CandidateDefinition", method="POST", body="{}")).body)
    assert opened["path"] == "jupyter_ext-outputs/rest-automl/SageMakerAutopilotCandidateDefinitionNotebook.ipynb"
    assert json.loads((jp_root_dir / opened["path"]).read_text())["cells"]  # a notebook JupyterLab can open
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", "automl-jobs", "rest-automl", "notebooks", "Nope", method="POST", body="{}")
    assert caught.value.code == 400
