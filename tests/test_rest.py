"""The REST API under /jupyter-ext/api/, over real jobs, through a real jupyter_server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from conftest import wait_until
from jupyter_ext import Estimator, describe_job
from jupyter_ext.jobs import JobSpec, records
from jupyter_ext.server import api_routes
from jupyter_ext.server.typescript import render
from jupyter_ext.store import get_store

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _get(jp_fetch, *parts: str, **params) -> dict:
    response = await jp_fetch("jupyter-ext", "api", *parts, params=params)
    return json.loads(response.body)


async def _error(jp_fetch, *parts: str, method: str = "GET", body: str | None = None, **params) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", *parts, method=method, body=body, params=params)
    return caught.value.code, json.loads(caught.value.response.body)["message"]


def _fake_jobs(count: int, start: float = 1_700_000_000.0) -> None:
    store = get_store()
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO jobs (name, job_type, status, created_at, last_modified, executor, job_dir, spec)"
            " VALUES (?, ?, ?, ?, ?, 'local', '', '{\"metric_definitions\": []}')",
            [(f"bulk-{i:04d}", "Training" if i % 2 else "Processing", "Completed" if i % 3 else "Failed",
              start + i // 2, start) for i in range(count)],
        )


# What a route's named parts stand for in a request (a name, unless the part says otherwise).
_SAMPLE_PARTS = {"version": "1", "decision": "approve", "action": "stop", "kind": "CandidateDefinition", "item": "0"}


async def test_every_route_needs_authentication(jp_fetch, http_server_client, jp_base_url) -> None:
    for path, _handler in api_routes():
        url = jp_base_url + "jupyter-ext/api/" + re.sub(r"\(\?P<(\w+)>[^)]*\)",
                                                        lambda m: _SAMPLE_PARTS.get(m.group(1), "some-job"), path)
        for method, body in (("GET", None), ("POST", "{}")):
            with pytest.raises(HTTPClientError) as caught:
                await http_server_client.fetch(url, method=method, body=body, raise_error=True)
            assert caught.value.code in (403, 405), (method, url)
    assert (await _get(jp_fetch, "status"))["version"] == "0.1.0"


async def test_list_pages_with_a_cursor_and_filters(jp_fetch) -> None:
    _fake_jobs(25)
    first = await _get(jp_fetch, "jobs", limit="10")
    assert len(first["jobs"]) == 10 and first["next_cursor"]
    jobs, cursor = list(first["jobs"]), first["next_cursor"]
    while cursor:
        page = await _get(jp_fetch, "jobs", limit="10", cursor=cursor)
        jobs += page["jobs"]
        cursor = page["next_cursor"]
    keys = [(-time.mktime(time.strptime(j["created_at"][:19], "%Y-%m-%dT%H:%M:%S")), j["name"]) for j in jobs]
    assert len({j["name"] for j in jobs}) == 25 and keys == sorted(keys)  # newest first, ties by name
    training = await _get(jp_fetch, "jobs", type="Training", status="Failed", limit="100")
    assert {(j["job_type"], j["status"]) for j in training["jobs"]} == {("Training", "Failed")}
    found = await _get(jp_fetch, "jobs", name_contains="BULK-001")
    assert sorted(j["name"] for j in found["jobs"]) == [f"bulk-001{i}" for i in range(10)]


async def test_unchanged_list_answers_304(jp_fetch) -> None:
    _fake_jobs(3)
    response = await jp_fetch("jupyter-ext", "api", "jobs")
    etag = response.headers["Etag"]
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", "jobs", headers={"If-None-Match": etag})
    assert caught.value.code == 304
    records.set_fields(get_store(), "bulk-0001", last_modified=time.time())
    changed = await jp_fetch("jupyter-ext", "api", "jobs", headers={"If-None-Match": etag})
    assert changed.code == 200 and changed.headers["Etag"] != etag


async def test_describe_log_and_metrics_of_a_real_job(jp_fetch, script) -> None:
    script("from jupyter_ext import log_metric\nfor i in range(5):\n    print(f'step {i} loss: {1/(i+1)}')\n"
           "    log_metric('acc', i / 10)\n")
    Estimator("train.py", hyperparameters={"lr": 0.1},
              metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}]).fit(job_name="rest-job")
    described = await _get(jp_fetch, "jobs", "rest-job")
    assert described["status"] == "Completed" and described["hyperparameters"] == {"lr": 0.1}
    assert [t["status"] for t in described["transitions"]][-1] == "Completed"
    listed = (await _get(jp_fetch, "jobs"))["jobs"][0]
    assert listed["primary_metric"] == {"name": "loss", "value": 0.2}
    metrics = (await _get(jp_fetch, "jobs", "rest-job", "metrics", name="acc"))["metrics"]
    assert [m["value"] for m in metrics] == [0.0, 0.1, 0.2, 0.3, 0.4] and [m["step"] for m in metrics] == [0, 1, 2, 3, 4]
    whole = await _get(jp_fetch, "jobs", "rest-job", "log")
    messages = [line["message"] for line in whole["lines"]]
    assert "step 4 loss: 0.2" in messages and whole["next_offset"] == whole["size"]
    tail = await _get(jp_fetch, "jobs", "rest-job", "log", tail_lines="2")
    assert [line["message"] for line in tail["lines"]] == messages[-2:]
    rest = await _get(jp_fetch, "jobs", "rest-job", "log", offset=str(tail["offset"]))
    assert [line["message"] for line in rest["lines"]] == messages[-2:]
    middle = await _get(jp_fetch, "jobs", "rest-job", "log", start_line="1", max_lines="2")
    assert [line["message"] for line in middle["lines"]] == messages[1:3]
    part = await _get(jp_fetch, "jobs", "rest-job", "log", offset=str(middle["offset"]), max_bytes=str(
        middle["next_offset"] - middle["offset"]))
    assert part["lines"] == middle["lines"]


async def test_stop_and_the_error_mapping(jp_fetch, script) -> None:
    script("import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    Estimator("train.py").fit(job_name="rest-stop", wait=False)
    wait_until(lambda: describe_job("rest-stop").status == "InProgress", what="InProgress")
    response = await jp_fetch("jupyter-ext", "api", "jobs", "rest-stop", "stop", method="POST",
                              body=json.dumps({"grace_seconds": 5}))
    assert response.code == 202 and json.loads(response.body)["status"] in ("Stopping", "Stopped")
    wait_until(lambda: describe_job("rest-stop").status == "Stopped", what="Stopped")
    code, message = await _error(jp_fetch, "jobs", "rest-stop", "stop", method="POST", body="")
    assert code == 409 and "is Stopped" in message
    assert (await _error(jp_fetch, "jobs", "ghost"))[0] == 404
    assert (await _error(jp_fetch, "jobs", "ghost", "log"))[0] == 404
    code, message = await _error(jp_fetch, "jobs", status="Done")
    assert code == 400 and "Unknown job status 'Done'" in message
    assert (await _error(jp_fetch, "jobs", limit="lots"))[0] == 400
    assert (await _error(jp_fetch, "jobs", cursor="nonsense"))[0] == 400
    assert (await _get(jp_fetch, "jobs", **{"1795308643782": ""}))["jobs"]  # JupyterLab's cache buster
    code, message = await _error(jp_fetch, "jobs", colour="red")
    assert code == 400 and "Unknown parameter(s) colour" in message
    assert (await _error(jp_fetch, "jobs", "rest-stop", "log", offset="1", tail_lines="2"))[0] == 400
    assert (await _error(jp_fetch, "jobs", "rest-stop", "stop", method="POST", body="[1]"))[0] == 400


async def test_our_own_bugs_are_500_with_a_log_line(jp_fetch, caplog) -> None:
    store = get_store()
    records.insert_job(store, JobSpec(name="broken", job_type="Training", program=["true"]), "/nowhere")
    records.set_fields(store, "broken", spec="not json")  # a corrupt row: describing it is our bug
    code, _ = await _error(jp_fetch, "jobs", "broken")
    assert code == 500
    assert any("broken" in r.getMessage() or r.exc_info for r in caplog.records if r.levelname == "ERROR")


def test_typescript_types_follow_the_python_records() -> None:
    committed = (Path(__file__).parent.parent / "labextension" / "src" / "models.ts").read_text()
    assert committed == render(), "run: python -m jupyter_ext.server.typescript > labextension/src/models.ts"


async def test_experiments_leaderboard_and_runs(jp_fetch) -> None:
    from jupyter_ext.experiments import Run

    for c, auc in ((1, 0.8), (2, 0.9), (3, 0.85)):
        with Run(experiment_name="rest-exp", run_name=f"c{c}") as run:
            run.log_parameter("C", c)
            run.log_metric("auc", auc - 0.1, step=0)
            run.log_metric("auc", auc, step=1)
    experiments = (await _get(jp_fetch, "experiments"))["experiments"]
    assert [(e["name"], e["runs"]) for e in experiments] == [("rest-exp", 3)]
    board = await _get(jp_fetch, "experiments", "rest-exp", "leaderboard")
    assert board["metric"] == "auc" and board["metrics"] == ["auc"]
    assert [(r["rank"], r["run"], r["value"]) for r in board["rows"]] == [
        (1, "rest-exp-c2", 0.9), (2, "rest-exp-c3", 0.85), (3, "rest-exp-c1", 0.8)]
    assert board["rows"][0]["parameters"] == {"C": 2}
    lowest = await _get(jp_fetch, "experiments", "rest-exp", "leaderboard", metric="auc", ascending="true", stat="Min")
    assert lowest["rows"][0]["run"] == "rest-exp-c1" and lowest["rows"][0]["value"] == pytest.approx(0.7)
    run = await _get(jp_fetch, "runs", "rest-exp-c2")
    assert run["parameters"] == {"C": 2} and run["metrics"]["auc"]["Last"] == 0.9 and run["status"] == "Completed"
    points = (await _get(jp_fetch, "runs", "rest-exp-c2", "metrics"))["metrics"]
    assert [(p["step"], p["value"]) for p in points] == [(0, pytest.approx(0.8)), (1, 0.9)]
    assert (await _error(jp_fetch, "experiments", "nope", "leaderboard"))[0] == 404
    assert (await _error(jp_fetch, "runs", "nope"))[0] == 404
    assert (await _error(jp_fetch, "experiments", "rest-exp", "leaderboard", metric="loss"))[0] == 400
    assert (await _error(jp_fetch, "experiments", "rest-exp", "leaderboard", ascending="maybe"))[0] == 400
