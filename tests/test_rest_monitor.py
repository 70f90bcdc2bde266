"""The Monitoring tab's REST route over a real endpoint and a real jupyter_server, whose
background ticker runs a one-time ("NOW") schedule as a Processing job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

import asyncio
from jupyter_ext.monitor import CronExpressionGenerator, DefaultModelMonitor
from jupyter_ext.serving import DataCaptureConfig, Model, delete_endpoint, list_endpoints
from monitor_data import frame, write_captures
from serving_models import sklearn_model

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JUPYTER_EXT_MONITOR_TICK_SECONDS", "0.3")
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _get(jp_fetch, *parts: str) -> dict:
    return json.loads((await jp_fetch("jupyter-ext", "api", *parts)).body)


async def test_endpoint_monitoring_tab_and_the_server_ticker(jp_fetch, jp_serverapp, tmp_path: Path) -> None:
    archive, _model = sklearn_model(tmp_path / "sk")
    capture = DataCaptureConfig(True, 100, str(tmp_path / "capture"))
    Model(str(archive)).deploy("web", data_capture_config=capture)
    try:
        assert await _get(jp_fetch, "endpoints", "web", "monitoring") == {
            "endpoint_name": "web", "schedules": [], "executions": []}
        with pytest.raises(HTTPClientError) as caught:
            await _get(jp_fetch, "endpoints", "nowhere", "monitoring")
        assert caught.value.code == 404 and "nowhere" in json.loads(caught.value.response.body)["message"]
        data = frame(400, seed=1)
        data.to_csv(tmp_path / "train.csv", index=False)
        monitor = DefaultModelMonitor()
        monitor.suggest_baseline(str(tmp_path / "train.csv"), output_s3_uri=str(tmp_path / "baseline"), logs=False)
        write_captures(tmp_path / "capture", "web", frame(300, seed=2, shift=2.0).values.tolist())
        name = monitor.create_monitoring_schedule("web", output_s3_uri=str(tmp_path / "reports"),
                                                  schedule_cron_expression=CronExpressionGenerator.now())

        deadline_status = None
        for _ in range(600):
            status = await _get(jp_fetch, "endpoints", "web", "monitoring")
            runs = status["executions"]
            if runs and runs[0]["monitoring_execution_status"] not in ("InProgress",):
                deadline_status = status
                break
            await asyncio.sleep(0.1)
        assert deadline_status is not None, "the server's ticker did not run the schedule in 60 s"
        run = deadline_status["executions"][0]
        assert run["monitoring_schedule_name"] == name
        assert run["monitoring_execution_status"] == "CompletedWithViolations"
        assert {"feature_name": "x1", "constraint_check_type": "baseline_drift_check"}.items() <= \
            next(v for v in run["violations"] if v["feature_name"] == "x1").items()
        assert run["report_path"].endswith("report.html") and Path(run["report_path"]).is_file()
        assert run["ended_at"] and run["failure_reason"] is None
        schedule = deadline_status["schedules"][0]
        assert (schedule["monitoring_type"], schedule["schedule_expression"], schedule["status"]) == \
            ("DataQuality", "NOW", "Scheduled")
        assert schedule["last_execution"]["job_name"] == run["job_name"]
        jobs = await _get(jp_fetch, "jobs")
        assert run["job_name"] in {j["name"] for j in jobs["jobs"] if j["job_type"] == "Processing"}
    finally:
        for endpoint in list_endpoints():
            delete_endpoint(endpoint.name)
