"""The model registry's REST routes the sidebar uses, through a real jupyter_server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext.registry import register_model
from jupyter_ext.serving import Model
from serving_models import sklearn_model

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _call(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None, **params: str) -> dict:
    response = await jp_fetch("jupyter-ext", "api", *parts, method=method, params=params or None,
                              body=None if body is None else json.dumps(body))
    return json.loads(response.body)


async def test_groups_versions_approve_and_reject(jp_fetch, tmp_path: Path) -> None:
    archive, _ = sklearn_model(tmp_path / "sk")
    for _ in range(2):
        register_model(Model(str(archive)), "web-models")
    groups = await _call(jp_fetch, "model-package-groups")
    assert [(g["name"], g["package_count"]) for g in groups["groups"]] == [("web-models", 2)]
    approved = await _call(jp_fetch, "model-packages", "web-models", "2", "approve", method="POST",
                           body={"approval_description": "best AUC"})
    assert (approved["approval_status"], approved["approval_description"]) == ("Approved", "best AUC")
    rejected = await _call(jp_fetch, "model-packages", "web-models", "1", "reject", method="POST", body={})
    assert rejected["approval_status"] == "Rejected"
    listed = await _call(jp_fetch, "model-package-groups", "web-models", "versions", approval_status="Approved")
    assert [p["version"] for p in listed["model_packages"]] == [2]
    described = await _call(jp_fetch, "model-packages", "web-models", "1")
    assert described["arn"].endswith("model-package/web-models/1") and described["model_data"] == str(archive)
    for parts, params, status, message in (
            (("model-packages", "web-models", "9"), {}, 404, "has no version 9; it has: 1, 2"),
            (("model-package-groups", "nope", "versions"), {}, 404, "group 'nope' not found"),
            (("model-package-groups", "web-models", "versions"), {"approval_status": "Maybe"}, 400,
             "use one of: PendingManualApproval, Approved, Rejected")):
        with pytest.raises(HTTPClientError) as caught:
            await _call(jp_fetch, *parts, **params)
        assert caught.value.code == status and message in json.loads(caught.value.response.body)["message"]
