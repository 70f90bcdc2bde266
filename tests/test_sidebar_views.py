"""The sidebar's Lifecycle and Endpoints views and the rule status on a job's detail, in a
real JupyterLab driven through the system Chromium (fixtures of test_sidebar.py).

Screenshots land in test-artifacts/ (the README's come from there).
"""

from __future__ import annotations

from pathlib import Path

from conftest import wait_until
from jupyter_ext.serving import Model, ProductionVariant, create_endpoint, delete_endpoint, list_endpoints
from serving_models import sklearn_model
from test_debugger_jobs import TRAIN, train_with_a_loss_rule
from test_sidebar import (  # noqa: F401 (fixtures)
    ARTIFACTS, browser, home, jp_asyncio_loop, jp_server_cleanup, lab, page, pytestmark,
)


def _show(page, view: str) -> None:
    page.locator(f'#jupyter-ext-sidebar .jp-JupyterExt-tab[data-view="{view}"]').click()


def _screenshot(page, name: str, height: int = 800) -> None:
    """test-artifacts/NAME.png: the left part of the window, the panel widened to 420 px."""
    page.set_viewport_size({"width": 1280, "height": height})
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(455, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), clip={"x": 0, "y": 0, "width": 720, "height": height})


def _on_start(home: Path, body: str) -> None:
    folder = home / "lifecycle"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "on-start.sh").write_text("#!/bin/bash\n" + body)
    (folder / "on-start.sh").chmod(0o755)


def test_lifecycle_view_shows_runs_and_their_logs_and_badges_a_failure(page, lab: dict) -> None:
    _on_start(lab["home"], "echo 'installing extras'\necho 'no such package: nope' >&2\nexit 3\n")
    _show(page, "lifecycle")
    page.locator(".jp-JupyterExt-runOnStart").click()
    failed = page.locator('.jp-JupyterExt-lifecycleRow[data-status="Failed"]')
    failed.wait_for(timeout=30_000)
    assert "exit 3" in failed.inner_text() and "on-start" in failed.inner_text()
    log = page.locator(".jp-JupyterExt-lifecycleLog .jp-JupyterExt-logText")
    log.filter(has_text="no such package: nope").wait_for()
    assert log.inner_text().index("installing extras") < log.inner_text().index("no such package")
    page.locator('.jp-JupyterExt-tab[data-view="lifecycle"].jp-mod-failed').wait_for()
    page.locator('.lm-TabBar-tab.jp-JupyterExt-lifecycleFailed[data-id="jupyter-ext-sidebar"]').wait_for()
    assert "exited with code 3" in page.locator(".jp-JupyterExt-lifecycle .jp-JupyterExt-alert").inner_text()
    _screenshot(page, "sidebar-lifecycle", 600)

    _on_start(lab["home"], "echo 'all set'\n")
    page.locator(".jp-JupyterExt-runOnStart").click()
    page.locator('.jp-JupyterExt-lifecycleRow[data-status="Completed"]').wait_for(timeout=30_000)
    log.filter(has_text="all set").wait_for()
    page.locator('.jp-JupyterExt-tab[data-view="lifecycle"].jp-mod-failed').wait_for(state="detached")
    assert page.locator(".lm-TabBar-tab.jp-JupyterExt-lifecycleFailed").count() == 0
    failed.click()  # an older run's log on click
    log.filter(has_text="no such package: nope").wait_for()


def test_endpoints_view_shows_variants_sends_a_test_request_and_deletes(page, tmp_path: Path) -> None:
    archive, _ = sklearn_model(tmp_path / "sk")
    model = Model(str(archive))
    create_endpoint("sidebar-web", [ProductionVariant(model, "A", 3), ProductionVariant(model, "B", 1)])
    try:
        _show(page, "endpoints")
        row = page.locator('.jp-JupyterExt-endpointRow[data-endpoint="sidebar-web"]')
        row.wait_for()
        assert row.get_attribute("data-status") == "InService"
        row.click()
        detail = page.locator('.jp-JupyterExt-endpointDetail[data-endpoint="sidebar-web"]')
        detail.locator('.jp-JupyterExt-variant[data-variant="A"] .jp-JupyterExt-share', has_text="75%").wait_for()
        assert detail.locator('.jp-JupyterExt-variant[data-variant="B"] .jp-JupyterExt-share').inner_text() == "25%"
        detail.locator(".jp-JupyterExt-requestBody").fill("0.9,0.9,0.1")
        detail.locator(".jp-JupyterExt-targetVariant").select_option("B")
        detail.locator(".jp-JupyterExt-send").click()
        answer = detail.locator('.jp-JupyterExt-response[data-status-code="200"]')
        answer.wait_for()
        assert answer.locator(".jp-JupyterExt-responseBody").inner_text() == "[1]"
        assert "variant B" in answer.locator(".jp-JupyterExt-responseFacts").inner_text()
        detail.locator('.jp-JupyterExt-variant[data-variant="B"][data-invocations="1"]').wait_for()
        detail.locator(".jp-JupyterExt-requestBody").fill("<a/>")
        detail.locator(".jp-JupyterExt-contentType").fill("application/xml")
        detail.locator(".jp-JupyterExt-send").click()
        detail.locator('.jp-JupyterExt-response[data-status-code="415"]').wait_for()
        detail.locator('.jp-JupyterExt-variant[data-variant="B"] td', has_text="1 / 0").wait_for()  # 4xx / 5xx
        # Without Model Monitor's route a note says so; with it and no schedule, another note.
        detail.locator(".jp-JupyterExt-monitoring .jp-JupyterExt-message").wait_for()
        _screenshot(page, "sidebar-endpoints", 1000)
        detail.locator(".jp-JupyterExt-delete").click()
        page.locator(".jp-Dialog").get_by_role("button", name="Delete endpoint").click()
        row.wait_for(state="detached")
        assert list_endpoints() == []
    finally:
        for endpoint in list_endpoints():
            delete_endpoint(endpoint.name)


def test_job_detail_shows_the_debugger_rule_status(page, script) -> None:
    path = script(TRAIN)
    name = train_with_a_loss_rule(str(path))
    page.evaluate(f"window.jupyterapp.commands.execute('jupyter-ext:open-job', {{name: '{name}'}})")
    rule = page.locator('.jp-JupyterExt-rule[data-rule="LossNotDecreasing"]')
    rule.wait_for()
    assert rule.get_attribute("data-status") == "IssuesFound"
    assert rule.locator(".jp-JupyterExt-ruleStep").inner_text() == "step 5"
    assert "issue" in rule.locator(".jp-JupyterExt-ruleMessage").inner_text()
    assert "DebugRuleEvaluationStatuses" not in page.locator(".jp-JupyterExt-summary").inner_text()
    _screenshot(page, "sidebar-rules", 700)


def test_endpoint_monitoring_section_shows_schedules_runs_and_violations(page, tmp_path: Path) -> None:
    import numpy
    import pandas

    from jupyter_ext.monitor import DatasetFormat, DefaultModelMonitor
    from jupyter_ext.serving import CSVSerializer, DataCaptureConfig
    from serving_models import FEATURES

    archive, model = sklearn_model(tmp_path / "sk")
    capture = DataCaptureConfig(True, sampling_percentage=100, destination_s3_uri=str(tmp_path / "capture"))
    predictor = Model(str(archive)).deploy("watched", serializer=CSVSerializer(), data_capture_config=capture)
    try:
        pandas.DataFrame(FEATURES, columns=["f0", "f1", "f2"]).assign(label=model.predict(FEATURES)) \
            .to_csv(tmp_path / "train.csv", index=False, columns=["label", "f0", "f1", "f2"])
        monitor = DefaultModelMonitor()
        monitor.suggest_baseline(str(tmp_path / "train.csv"), DatasetFormat.csv(header=True),
                                 output_s3_uri=str(tmp_path / "baseline"), logs=False)
        shifted = numpy.random.RandomState(5).rand(60, 3)
        shifted[:, 0] += 0.8
        predictor.predict(shifted)
        wait_until(lambda: any((tmp_path / "capture").rglob("*.jsonl")), what="a captured request")
        name = monitor.create_monitoring_schedule(predictor, output_s3_uri=str(tmp_path / "reports"))
        run = monitor.run_monitoring_now(logs=False).describe()
        assert run.monitoring_execution_status == "CompletedWithViolations"

        _show(page, "endpoints")
        page.locator('.jp-JupyterExt-endpointRow[data-endpoint="watched"]').click()
        section = page.locator('.jp-JupyterExt-endpointDetail[data-endpoint="watched"] .jp-JupyterExt-monitoring')
        schedule = section.locator(f'.jp-JupyterExt-schedule[data-schedule="{name}"]')
        schedule.wait_for()
        assert "last run CompletedWithViolations" in schedule.inner_text()
        execution = section.locator(f'.jp-JupyterExt-execution[data-job-name="{run.job_name}"]')
        assert execution.get_attribute("data-status") == "CompletedWithViolations"
        violations = execution.locator(".jp-JupyterExt-violations").inner_text()
        assert "f0" in violations and "baseline_drift_check" in violations
        assert execution.locator(".jp-JupyterExt-reportLink").get_attribute("title") == run.report_path
    finally:
        for endpoint in list_endpoints():
            delete_endpoint(endpoint.name)


def test_models_view_lists_versions_and_approves_one(page, tmp_path: Path) -> None:
    from jupyter_ext.registry import describe_model_package, register_model

    archive, _ = sklearn_model(tmp_path / "sk")
    for _ in range(2):
        register_model(Model(str(archive)), "sidebar-churn", description="a first model")
    _show(page, "models")
    group = page.locator('.jp-JupyterExt-groupRow[data-group="sidebar-churn"]')
    group.filter(has_text="2 versions · latest v2").wait_for()
    group.click()
    first = page.locator('.jp-JupyterExt-versionRow[data-version="1"]')
    assert first.get_attribute("data-approval") == "PendingManualApproval"
    first.locator(".jp-JupyterExt-approve").click()
    page.locator('.jp-JupyterExt-versionRow[data-version="1"][data-approval="Approved"]').wait_for()
    assert describe_model_package("sidebar-churn/1").approval_status == "Approved"
    assert describe_model_package("sidebar-churn/2").approval_status == "PendingManualApproval"
    assert page.locator('.jp-JupyterExt-versionRow[data-version="1"] .jp-JupyterExt-approve').count() == 0
    _screenshot(page, "sidebar-models", 500)
    page.locator('.jp-JupyterExt-versionRow[data-version="2"] .jp-JupyterExt-reject').click()
    page.locator('.jp-JupyterExt-versionRow[data-version="2"][data-approval="Rejected"]').wait_for()
    page.locator(".jp-JupyterExt-registry .jp-JupyterExt-back").click()
    group.wait_for()


def test_pipelines_view_draws_the_steps_by_status_and_opens_a_step_job(page) -> None:
    from test_rest_pipelines import _pipeline

    pipeline = _pipeline()
    execution = pipeline.start(parameters={"Word": "stop"})
    wait_until(lambda: execution.describe()["PipelineExecutionStatus"] == "Failed", 60, "the execution to fail")
    _show(page, "pipelines")
    page.locator('.jp-JupyterExt-pipelineRow[data-pipeline="rest-graph"][data-status="Failed"]').click()
    graph = page.locator(f'.jp-JupyterExt-pipelineGraph[data-execution="{execution.execution_id}"]')
    graph.wait_for()
    statuses = {step: graph.locator(f'.jp-JupyterExt-dagNode[data-step="{step}"]').get_attribute("data-status")
                for step in ("Shout", "IsGo", "Again", "NotGo")}
    assert statuses == {"Shout": "Succeeded", "IsGo": "Succeeded", "Again": "NotStarted", "NotGo": "Failed"}
    assert graph.locator(".jp-JupyterExt-dagEdge").count() == 3
    assert "the word is not go" in graph.locator(".jp-JupyterExt-alert").inner_text()
    assert page.locator(".jp-JupyterExt-retryExecution").is_visible()
    _screenshot(page, "sidebar-pipeline", 560)
    graph.locator('.jp-JupyterExt-dagNode[data-step="Shout"]').click()
    job = execution.list_steps()[-1]["Metadata"]
    page.locator(".jp-JupyterExt-detailName", has_text=next(iter(job.values()))["Name"]).wait_for()
