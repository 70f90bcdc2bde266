"""The endpoints REST routes the sidebar uses, over a real endpoint, through a real jupyter_server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext.serving import Model, ProductionVariant, create_endpoint, delete_endpoint, list_endpoints
from serving_models import sklearn_model

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _call(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None) -> dict:
    response = await jp_fetch("jupyter-ext", "api", *parts, method=method,
                              body=None if body is None else json.dumps(body))
    return json.loads(response.body) if response.body else {}


async def _error(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as caught:
        await _call(jp_fetch, *parts, method=method, body=body)
    return caught.value.code, json.loads(caught.value.response.body)["message"]


async def test_list_describe_invoke_and_delete(jp_fetch, tmp_path: Path) -> None:
    archive, local = sklearn_model(tmp_path / "sk")
    model = Model(str(archive))
    create_endpoint("web", [ProductionVariant(model, "A", 3), ProductionVariant(model, "B", 1)])
    try:
        listed = await _call(jp_fetch, "endpoints")
        assert [e["name"] for e in listed["endpoints"]] == ["web"]
        answer = await _call(jp_fetch, "endpoints", "web", "invocations", method="POST",
                             body={"body": "0.9,0.9,0.1", "content_type": "text/csv", "target_variant": "B"})
        assert (answer["status_code"], answer["body"], answer["invoked_variant"]) == (200, "[1]", "B")
        refused = await _call(jp_fetch, "endpoints", "web", "invocations", method="POST",
                              body={"body": "<a/>", "content_type": "application/xml"})
        assert refused["status_code"] == 415 and "not supported" in refused["body"]
        described = await _call(jp_fetch, "endpoints", "web")
        variants = {v["variant_name"]: v for v in described["variants"]}
        assert described["status"] == "InService" and described["url"].startswith("http://127.0.0.1:")
        assert (variants["A"]["current_weight"], variants["A"]["traffic_share"]) == (3.0, 0.75)
        assert (await _error(jp_fetch, "endpoints", "web", "invocations", method="POST", body={"bogus": 1}))[0] == 400
        await _call(jp_fetch, "endpoints", "web", method="DELETE")
        assert list_endpoints() == []
        status, message = await _error(jp_fetch, "endpoints", "web")
        assert status == 404 and "Endpoint 'web' not found" in message
    finally:
        for endpoint in list_endpoints():
            delete_endpoint(endpoint.name)
