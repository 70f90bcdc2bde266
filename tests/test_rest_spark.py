"""REST routes for Spark through Livy (/jupyter-ext/api/spark), through a real
jupyter_server and a real gateway (sessions are stopped before Spark is up: fast)."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext.spark import LivyClient, LivyGateway

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


@pytest.fixture
def livy(monkeypatch, tmp_path):
    with LivyGateway(port=0, master="local[1]", allowed_folders=[tmp_path]) as gateway:
        monkeypatch.setenv("JUPYTER_EXT_LIVY_URL", gateway.url)
        yield gateway


async def _get(jp_fetch, *parts: str, method: str = "GET", **params) -> dict:
    response = await jp_fetch("jupyter-ext", "api", *parts, method=method, params=params)
    return json.loads(response.body)


async def test_overview_lists_sessions_and_delete_stops_one(jp_fetch, livy) -> None:
    client = LivyClient(livy.url)
    created = client.create_session("pyspark", name="sidebar-demo")
    overview = await _get(jp_fetch, "spark")
    assert overview["reachable"] is True and overview["version"] == "0.8.0-incubating"
    assert overview["url"] == livy.url and overview["batches"] == []
    assert [(s["id"], s["name"], s["kind"]) for s in overview["sessions"]] == [(created["id"], "sidebar-demo", "pyspark")]
    log = await _get(jp_fetch, "spark", "sessions", str(created["id"]), "log", size="5")
    assert log["id"] == created["id"] and len(log["lines"]) <= 5 and log["total"] >= len(log["lines"])
    after = await _get(jp_fetch, "spark", "sessions", str(created["id"]), method="DELETE")
    assert after["sessions"] == []
    with pytest.raises(HTTPClientError) as caught:
        await _get(jp_fetch, "spark", "sessions", str(created["id"]), method="DELETE")
    assert caught.value.code == 404 and "not found" in json.loads(caught.value.response.body)["message"]


async def test_overview_says_when_livy_is_unreachable(jp_fetch, monkeypatch) -> None:
    monkeypatch.setenv("JUPYTER_EXT_LIVY_URL", "http://127.0.0.1:9")
    overview = await _get(jp_fetch, "spark")
    assert overview["reachable"] is False and "Cannot reach Livy" in overview["message"]
    assert overview["sessions"] == [] and overview["batches"] == []


async def test_a_session_id_must_be_a_number(jp_fetch, livy) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await _get(jp_fetch, "spark", "sessions", "abc", "log")
    assert caught.value.code == 400 and "whole numbers" in json.loads(caught.value.response.body)["message"]
