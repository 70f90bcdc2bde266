"""The pipelines' REST routes the sidebar uses, through a real jupyter_server: pipelines,
executions, an execution's step graph, stop and retry."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext.pipelines import (
    ConditionEquals, ConditionStep, FailStep, ParameterString, Pipeline, PipelineExecution, PythonStep,
)

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _call(jp_fetch, *parts: str, method: str = "GET") -> dict:
    response = await jp_fetch("jupyter-ext", "api", *parts, method=method, body="{}" if method == "POST" else None)
    return json.loads(response.body)


def shout(word: str) -> str:
    """The first step's function."""
    return word.upper()


def _pipeline() -> Pipeline:
    word = ParameterString("Word", default_value="go")
    first = PythonStep("Shout", shout, args=[word])
    check = ConditionStep("IsGo", conditions=[ConditionEquals(word, "go")],
                          if_steps=[PythonStep("Again", shout, args=["again"])],
                          else_steps=[FailStep("NotGo", error_message="the word is not go")], depends_on=[first])
    pipeline = Pipeline("rest-graph", parameters=[word], steps=[first, check])
    pipeline.upsert()
    return pipeline


async def test_pipelines_executions_and_the_step_graph(jp_fetch) -> None:
    pipeline = _pipeline()
    failed = pipeline.start(parameters={"Word": "stop"})
    with pytest.raises(Exception):
        failed.wait()
    listed = await _call(jp_fetch, "pipelines")
    (summary,) = listed["pipelines"]
    assert (summary["name"], summary["step_count"]) == ("rest-graph", 4)
    assert summary["latest_execution"]["status"] == "Failed"
    graph = await _call(jp_fetch, "pipeline-executions", failed.execution_id)
    nodes = {node["name"]: node for node in graph["steps"]}
    assert list(nodes) == ["Shout", "IsGo", "Again", "NotGo"]
    assert nodes["IsGo"]["depends_on"] == ["Shout"] and nodes["NotGo"]["depends_on"] == ["IsGo"]
    assert nodes["Shout"]["status"] == "Succeeded" and nodes["Shout"]["job_name"]
    assert (nodes["IsGo"]["outcome"], nodes["Again"]["status"], nodes["NotGo"]["status"]) == ("False", "NotStarted", "Failed")
    assert graph["execution"]["failure_reason"] and "the word is not go" in graph["execution"]["failure_reason"]

    retried = await _call(jp_fetch, "pipeline-executions", failed.execution_id, "retry", method="POST")
    assert retried["execution"]["status"] == "Executing"
    with pytest.raises(Exception):
        PipelineExecution(failed.execution_id).wait()
    executions = await _call(jp_fetch, "pipelines", "rest-graph", "executions")
    assert [e["execution_id"] for e in executions["executions"]] == [failed.execution_id]
    for parts, method, status, message in (
            (("pipeline-executions", "nosuchexecution"), "GET", 404, "No pipeline execution"),
            (("pipelines", "nope", "executions"), "GET", 404, "No pipeline nope"),
            (("pipeline-executions", failed.execution_id, "stop"), "POST", 409, "only an Executing one")):
        with pytest.raises(HTTPClientError) as caught:
            await _call(jp_fetch, *parts, method=method)
        assert caught.value.code == status and message in json.loads(caught.value.response.body)["message"]
