"""The debugger's REST route, through a real jupyter_server, over a real training job with rules."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError

from test_debugger_jobs import TRAIN, train_with_a_loss_rule

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def test_rule_statuses_for_the_job_detail(jp_fetch, script) -> None:
    script(TRAIN)
    name = train_with_a_loss_rule("train.py")
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
