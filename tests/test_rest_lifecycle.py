"""The lifecycle REST routes the sidebar uses, through a real jupyter_server: status with the
last runs and the failure badge, "run on-start now", a run, its log, and the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from conftest import wait_until
from jupyter_ext.lifecycle import describe_lifecycle_run

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


@pytest.fixture(autouse=True)
def started(jp_serverapp) -> None:
    """The server's own start-up runs (none here: no scripts yet) are over."""
    jp_serverapp.web_app.settings["jupyter_ext_lifecycle_start"].join(30)


async def _call(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None, **params) -> dict:
    response = await jp_fetch("jupyter-ext", "api", "lifecycle", *parts, method=method,
                              body=None if body is None else json.dumps(body), params=params)
    return json.loads(response.body)


async def _error(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as caught:
        await _call(jp_fetch, *parts, method=method, body=body)
    return caught.value.code, json.loads(caught.value.response.body)["message"]


def _hook(home: Path, body: str) -> None:
    folder = home / "lifecycle"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "on-start.sh").write_text("#!/bin/bash\n" + body)
    (folder / "on-start.sh").chmod(0o755)


async def test_run_on_start_now_then_read_the_run_and_its_log(jp_fetch, home: Path, tmp_path: Path) -> None:
    _hook(home, f'while [ ! -f {tmp_path}/release ]; do sleep 0.05; done\necho "out"; echo "err" >&2; exit 4\n')
    started = await _call(jp_fetch, "runs", method="POST", body={"hook": "on-start"})
    assert (started["status"], started["hook"], started["trigger"]) == ("InProgress", "on-start", "manual")
    code, message = await _error(jp_fetch, "runs", method="POST", body={"hook": "on-start"})
    assert code == 409 and "running already" in message
    (tmp_path / "release").touch()
    run_id = str(started["run_id"])
    # The script runs in a thread of the server, so waiting on the store does not block it.
    wait_until(lambda: describe_lifecycle_run(started["run_id"]).status != "InProgress", 30, "the run")
    run = await _call(jp_fetch, "runs", run_id)
    assert (run["status"], run["exit_code"]) == ("Failed", 4) and run["duration_seconds"] >= 0
    assert (await _call(jp_fetch, "runs", "on-start"))["run_id"] == started["run_id"]  # a hook names its latest
    log = await _call(jp_fetch, "runs", run_id, "log")
    assert [(line["stream"], line["message"]) for line in log["lines"][1:3]] == [("output", "out"), ("output", "err")]
    tail = await _call(jp_fetch, "runs", run_id, "log", tail_lines="1")
    assert tail["lines"][0]["message"].startswith("Failed: The on-start script exited with code 4")
    status = await _call(jp_fetch, limit="5")
    assert status["failed"] and status["runs"][0]["run_id"] == started["run_id"]
    assert status["scripts"] == {"on-create": None, "on-start": str(home / "lifecycle" / "on-start.sh")}
    assert status["time_limit"] == 300 and not status["on_create_done"]


async def test_errors_name_the_problem(jp_fetch, home: Path) -> None:
    code, message = await _error(jp_fetch, "runs", method="POST", body={"hook": "on-start"})
    assert code == 404 and "on-start.sh does not exist" in message
    code, message = await _error(jp_fetch, "runs", method="POST", body={"hook": "on-stop"})
    assert code == 400 and "choose one of: on-create, on-start" in message
    code, message = await _error(jp_fetch, "runs", method="POST", body={"hook": None})
    assert code == 400 and "Unknown lifecycle hook None" in message
    assert (await _call(jp_fetch))["runs"] == []  # nothing recorded for a hook that does not exist
    code, message = await _error(jp_fetch, "runs", "42")
    assert code == 404 and "No lifecycle run 42" in message
    code, message = await _error(jp_fetch, "runs", "on-start", "log")
    assert code == 404 and "has not run in this home yet" in message
    _hook(home, "echo hi\n")
    (home / "lifecycle" / "on-start.sh").chmod(0o644)
    code, message = await _error(jp_fetch, "runs", method="POST", body={})
    assert code == 400 and "chmod +x" in message
    assert (await _call(jp_fetch))["failed"]  # the badge shows a script that cannot run
