"""The debugger's REST route, through a real jupyter_server, over a real training job with rules."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from conftest import wait_until
from jupyter_ext import Estimator
from jupyter_ext.debugger import CollectionConfig, DebuggerHookConfig, Rule
from jupyter_ext.debugger.rule_jobs import rule_evaluations
from test_debugger_jobs import TRAIN

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}}}


async def test_rule_statuses_for_the_job_detail(jp_fetch, script) -> None:
    script(TRAIN)
    estimator = Estimator("train.py", hyperparameters={"lr": 0.0, "steps": 12},
                          rules=[Rule.builtin("LossNotDecreasing", num_steps=5)],
                          debugger_hook_config=DebuggerHookConfig(
                              collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]))
    estimator.fit(logs=False)
    name = estimator.latest_training_job.name
    wait_until(lambda: rule_evaluations(name)[0].rule_evaluation_status != "InProgress", 60, "the rule")
    response = await jp_fetch("jupyter-ext", "api", "jobs", name, "rules")
    body = json.loads(response.body)
    assert body["training_job_name"] == name
    [rule] = body["rule_evaluations"]
    assert rule["rule_configuration_name"] == "LossNotDecreasing"
    assert rule["rule_evaluation_status"] == "IssuesFound" and rule["triggered_step"] == 5
    detail = json.loads((await jp_fetch("jupyter-ext", "api", "jobs", name)).body)
    assert detail["details"]["DebugRuleEvaluationStatuses"][0]["rule_evaluation_status"] == "IssuesFound"
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", "jobs", "no-such-job", "rules")
    assert caught.value.code == 404 and "no-such-job" in json.loads(caught.value.response.body)["message"]
