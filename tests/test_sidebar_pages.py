"""JupyterLab main-area pages opened from the sidebar and the palette, in a real JupyterLab
driven through the system Chromium (fixtures of test_sidebar.py): a tuning job's page, an
AutoML job's page, runs compared, and the Jobs list's nesting.

Screenshots land in test-artifacts/ (the README's come from there).
"""

from __future__ import annotations

from test_rest_automl import ensembling_automl_job
from test_rest_artifacts import artifact_job
from test_rest_compare import compared_runs
from test_rest_tuning import two_algorithm_tuning_job
from test_sidebar import (  # noqa: F401 (fixtures)
    ARTIFACTS, browser, home, jp_asyncio_loop, jp_server_cleanup, lab, page, pytestmark,
)

from jupyter_ext.tuning.description import describe_tuning_job


def _objectives(rows) -> list[float]:
    return [float(rows.nth(i).locator('td[data-column="objective"]').inner_text()) for i in range(rows.count())]


def test_a_tuning_job_page_sorts_its_trials_marks_the_best_and_charts_them(page, script) -> None:
    two_algorithm_tuning_job(script, "tune-page")
    job = describe_tuning_job("tune-page")
    wide = [t for t in job.trials if t.definition == "wide"]
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".jp-JupyterExt-refresh").click()
    page.locator('#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="tune-page"]').click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-openPage").click()
    view = page.locator('.jp-JupyterExt-tuningPage[data-tuning-job="tune-page"]')
    rows = view.locator(".jp-JupyterExt-trialTable tbody tr")
    rows.nth(3).wait_for()
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Tuning: tune-page").count() == 1  # main area
    summary = view.locator(".jp-JupyterExt-tuningSummary").inner_text()
    assert "Maximize score" in summary and "Random" in summary and "at most 4, 1 at a time" in summary
    assert "rate" in view.locator(".jp-JupyterExt-ranges").inner_text()

    view.locator('th[data-column="objective"]').click()
    assert rows.first.get_attribute("data-trial") == job.best_trial
    assert rows.first.get_attribute("data-best") == "true" and view.locator("tr[data-best]").count() == 1
    assert rows.first.locator('td[data-column="name"]').inner_text().startswith("★")
    assert _objectives(rows) == sorted(_objectives(rows), reverse=True)
    assert job.best_trial in view.locator(".jp-JupyterExt-bestJob").inner_text()
    view.locator('th[data-column="objective"]').click()  # again: worst first
    assert rows.last.get_attribute("data-trial") == job.best_trial

    objective = view.locator(".jp-JupyterExt-objectiveChart")
    objective.locator(".mark-line path").wait_for()
    assert objective.locator(".mark-symbol.role-mark path").count() == 4
    assert "best so far" in objective.locator(".role-legend").text_content()
    depth = view.locator('.jp-JupyterExt-scatter[data-parameter="depth"]')
    depth.locator(".mark-symbol.role-mark path").first.wait_for()
    # The narrow algorithm's trials have no depth: left out, not drawn at an edge.
    assert depth.locator(".mark-symbol.role-mark path").count() == len(wide) < 4
    assert "NaN" not in depth.inner_html()
    assert view.locator('.jp-JupyterExt-scatter[data-parameter="rate"] .mark-symbol.role-mark path').count() == 4

    view.locator(".jp-JupyterExt-trialFilter").fill("narrow")
    assert rows.count() == 4 - len(wide)
    ARTIFACTS.mkdir(exist_ok=True)
    view.locator(".jp-JupyterExt-trialFilter").fill("")
    view.locator('th[data-column="objective"]').click()
    view.evaluate("(node) => { node.scrollTop = 0; }")
    page.screenshot(path=str(ARTIFACTS / "tuning-page.png"))

    page.evaluate("window.jupyterapp.commands.execute('jupyter-ext:open-tuning-job', {name: 'tune-page'})")
    assert page.locator(".jp-JupyterExt-tuningPage").count() == 1  # the same page, not a second
    rows.first.click()  # a training job opens in the sidebar
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-detailName", has_text=job.best_trial).wait_for()


def test_the_jobs_list_nests_children_fits_long_names_and_keeps_tabs_on_one_row(page, script) -> None:
    from jupyter_ext import CategoricalParameter, Estimator, HyperparameterTuner

    path = script("import sys\nprint('score:', len(sys.argv[-1]))\n", "nest_me.py")
    estimator = Estimator(str(path), metric_definitions=[{"Name": "score", "Regex": "score: ([0-9]+)"}])
    tuner = HyperparameterTuner(estimator, "score", {"word": CategoricalParameter(["ab", "abcd"])}, strategy="Grid")
    parent = "a-long-tuning-job-name-nested"
    tuner.fit(job_name=parent, logs=False)
    page.locator(".jp-JupyterExt-refresh").click()
    sidebar = page.locator("#jupyter-ext-sidebar")
    tabs = sidebar.locator(".jp-JupyterExt-tab")
    assert tabs.count() == 6
    assert len({round(tabs.nth(i).bounding_box()["y"]) for i in range(6)}) == 1  # one row of tabs
    row = sidebar.locator(f'.jp-JupyterExt-row[data-job-name="{parent}"]')
    row.wait_for()
    assert sidebar.locator(".jp-JupyterExt-row.jp-mod-child").count() == 0  # collapsed
    assert sidebar.locator(f'.jp-JupyterExt-row[data-job-name="{parent}-001"]').count() == 0
    assert row.bounding_box()["height"] < 60
    toggle = row.locator(".jp-JupyterExt-toggle")
    assert toggle.inner_text() == "▸ 2 jobs"
    toggle.click()
    children = sidebar.locator(f'.jp-JupyterExt-childRows[data-parent="{parent}"] .jp-JupyterExt-row')
    children.nth(1).wait_for()
    assert [children.nth(i).get_attribute("data-job-name") for i in range(2)] == [f"{parent}-001", f"{parent}-002"]
    for i in range(2):
        name = children.nth(i).locator(".jp-JupyterExt-name")
        assert name.get_attribute("title") == f"{parent}-00{i + 1}"  # the full name on hover
        assert children.nth(i).bounding_box()["height"] < 60
        end = name.locator(".jp-JupyterExt-nameEnd")
        assert end.inner_text().endswith(f"-00{i + 1}") and end.is_visible()  # the end is never cut
        start = name.locator(".jp-JupyterExt-nameStart")
        assert start.evaluate("(e) => e.scrollWidth > e.clientWidth")  # the middle is elided
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sidebar-nested.png"), clip={"x": 0, "y": 0, "width": 640, "height": 420})
    children.first.click()
    page.locator(".jp-JupyterExt-summary", has_text=parent).wait_for()  # its detail: "Launched by"
    page.locator(".jp-JupyterExt-detail .jp-JupyterExt-back").click()
    toggle = sidebar.locator(f'.jp-JupyterExt-row[data-job-name="{parent}"] .jp-JupyterExt-toggle')
    toggle.filter(has_text="▾ 2 jobs").click()  # still open after a round trip; close it
    children.first.wait_for(state="detached")


def test_an_automl_job_page_ranks_the_ensemble_and_opens_the_candidate_notebook(page) -> None:
    ensembling_automl_job("automl-page")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".jp-JupyterExt-refresh").click()
    page.locator('#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="automl-page"]').click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-openPage", has_text="Open AutoML job page").click()
    view = page.locator('.jp-JupyterExt-automlPage[data-automl-job="automl-page"]')
    rows = view.locator(".jp-JupyterExt-leaderboardTable tbody tr")
    rows.first.wait_for()
    assert rows.count() == 5  # four candidates and their ensemble
    ensemble = view.locator("tr.jp-mod-ensemble")
    assert ensemble.count() == 1 and "ensemble of" in ensemble.inner_text()
    assert rows.first.get_attribute("class").count("jp-mod-best") == 1 and rows.first.inner_text().startswith("1")
    best = rows.first.get_attribute("data-candidate")
    assert best in view.locator(".jp-JupyterExt-automlSummary").inner_text()
    view.locator(".jp-JupyterExt-importanceChart .mark-rect path").first.wait_for()  # feature importance bars
    profile = view.locator(".jp-JupyterExt-dataProfile")  # what the job found in its table
    columns = profile.locator(".jp-JupyterExt-profileColumns tbody tr")
    assert columns.count() == 6 and columns.first.get_attribute("data-column") == "f0"  # most predictive first
    assert "numeric" in columns.first.inner_text() and columns.first.locator(".jp-JupyterExt-powerBar").count() == 1
    assert "500" in profile.locator("table").first.inner_text()  # its rows
    ARTIFACTS.mkdir(exist_ok=True)
    profile.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "automl-profile.png"))
    view.evaluate("(node) => { node.scrollTop = 0; }")
    page.screenshot(path=str(ARTIFACTS / "automl-page.png"))
    view.locator('.jp-JupyterExt-openNotebook[data-notebook="CandidateDefinition"]').click()
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="SageMakerAutopilotCandidateDefinitionNotebook").wait_for()
    page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)  # its kernel started
    page.evaluate("window.jupyterapp.commands.execute('jupyter-ext:open-automl-job', {name: 'automl-page'})")
    assert page.locator(".jp-JupyterExt-automlPage").count() == 1  # the same page again
    page.evaluate("window.jupyterapp.serviceManager.sessions.shutdownAll()")  # the notebook's kernel
    page.wait_for_function("Array.from(window.jupyterapp.serviceManager.kernels.running()).length === 0")


def test_runs_compared_overlay_their_curves_scatter_a_parameter_and_list_unassigned_runs(page, script) -> None:
    from jupyter_ext.experiments import Run

    compared_runs("compare-page", script)
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.locator('.jp-JupyterExt-tab[data-view="experiments"]').click()
    page.locator('.jp-JupyterExt-experimentRow[data-experiment="compare-page"]').click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-compareRuns").click()
    view = page.locator('.jp-JupyterExt-comparePage[data-experiment="compare-page"]')
    rows = view.locator(".jp-JupyterExt-compareTable tbody tr")
    rows.nth(2).wait_for()
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Runs: compare-page").count() == 1
    view.locator(".jp-JupyterExt-compareMetric").select_option("loss")
    assert view.locator(".jp-JupyterExt-compareOrder").input_value() == "true"  # a loss: lowest first
    assert [rows.nth(i).get_attribute("data-run") for i in range(3)] == [
        f"compare-page-{n}" for n in ("large", "plain", "small")]

    curves = view.locator(".jp-JupyterExt-curvesChart")
    curves.locator(".mark-line path").nth(2).wait_for()  # the three runs, chosen when the page opened
    view.locator('tr[data-run="compare-page-small"] .jp-JupyterExt-choose').uncheck()
    page.wait_for_function("document.querySelectorAll('.jp-JupyterExt-curvesChart .mark-line path').length === 2")
    legend = curves.locator(".role-legend").text_content()
    assert "large" in legend and "plain" in legend and "small" not in legend
    assert curves.locator(".mark-symbol.role-mark path").count() == 6  # two runs, three steps each

    view.locator(".jp-JupyterExt-compareParameter").select_option("C")
    scatter = view.locator('.jp-JupyterExt-scatter[data-parameter="C"]')
    scatter.locator(".mark-symbol.role-mark path").first.wait_for()
    assert scatter.locator(".mark-symbol.role-mark path").count() == 1  # plain has no C: not drawn
    assert "NaN" not in scatter.inner_html()
    assert view.locator(".jp-JupyterExt-missing").inner_text() == "Not drawn, no C: plain"
    assert view.locator('tr[data-run="compare-page-plain"] td.jp-mod-missing').count() == 1
    view.locator(".jp-JupyterExt-parallelChart .mark-line path").first.wait_for()
    view.locator(".jp-JupyterExt-rocChart .mark-line path").nth(1).wait_for()  # plain's curve and the diagonal
    assert "0.75" in view.locator(".jp-JupyterExt-rocChart .role-legend").text_content()  # its area
    view.locator(".jp-JupyterExt-precisionRecallChart .mark-line path").nth(1).wait_for()  # the curve and the guide
    assert "0.833" in view.locator(".jp-JupyterExt-precisionRecallChart .role-legend").text_content()  # its average precision
    assert view.locator(".jp-JupyterExt-confusionChart .mark-rect path").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    view.evaluate("(node) => { node.scrollTop = 0; }")
    page.screenshot(path=str(ARTIFACTS / "compare-page.png"))
    view.locator(".jp-JupyterExt-compareLogged").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "compare-page-logged.png"))

    with Run(experiment_name="compare-page", run_name="late") as run:  # the page refreshes while shown
        run.log_metric("loss", 0.1)
    view.locator('tr[data-run="compare-page-late"]').wait_for(timeout=15_000)
    assert rows.first.get_attribute("data-run") == "compare-page-late"
    page.locator('#jupyter-ext-sidebar .jp-JupyterExt-leaderboard tr[data-run="compare-page-late"]').wait_for(timeout=15_000)

    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-experiments .jp-JupyterExt-back").click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-unassignedRow").click()
    unassigned = page.locator('.jp-JupyterExt-comparePage[data-experiment=""]')
    unassigned.locator('tr[data-run="compare-page-alone"]').wait_for()
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Unassigned runs").count() == 1
    assert "compare-page-alone" in unassigned.locator('tr[data-run="compare-page-alone"]').inner_text()


def test_a_job_page_shows_the_detail_with_full_size_charts(page, script) -> None:
    from jupyter_ext import Estimator

    path = script("for step in range(5):\n    print(f'loss: {1 / (step + 1)}', flush=True)\n", "curve.py")
    Estimator(str(path), metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}]).fit(
        job_name="job-page", logs=False)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".jp-JupyterExt-refresh").click()
    page.locator('#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="job-page"]').click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-openJobPage").click()
    view = page.locator('.jp-JupyterExt-jobPage[data-job-name="job-page"]')
    chart = view.locator('.jp-JupyterExt-chart[data-metric="loss"]')
    chart.locator(".mark-line path").wait_for()
    assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Job: job-page").count() == 1
    assert view.locator(".jp-JupyterExt-detail .jp-JupyterExt-badge").inner_text() == "Completed"
    assert chart.locator(".mark-symbol path").count() == 5
    sidebar_chart = page.locator('#jupyter-ext-sidebar .jp-JupyterExt-chart[data-metric="loss"] svg')
    assert chart.locator("svg").bounding_box()["width"] > 2 * sidebar_chart.bounding_box()["width"]
    assert chart.locator("svg").bounding_box()["height"] > sidebar_chart.bounding_box()["height"]
    assert "loss: 0.2" in view.locator(".jp-JupyterExt-logText").inner_text()
    assert not view.locator(".jp-JupyterExt-back").is_visible()  # a page, not the sidebar's pane
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "job-page.png"))
    page.evaluate("window.jupyterapp.commands.execute('jupyter-ext:open-job-page', {name: 'job-page'})")
    assert page.locator(".jp-JupyterExt-jobPage").count() == 1  # the same page again

    # Into an empty main area, in one go: JupyterLab opens a Launcher soon after its last tab closes.
    emptied = page.evaluate("""async () => {
        const shell = window.jupyterapp.shell;
        for (const widget of Array.from(shell.widgets('main'))) { widget.dispose(); }
        const empty = Array.from(shell.widgets('main')).length === 0;
        await window.jupyterapp.commands.execute('jupyter-ext:open-job-page', {name: 'job-page'});
        return empty;
    }""")
    assert emptied
    chart.locator(".mark-line path").wait_for()  # the first tab is attached shown: it loads all the same


def test_a_jobs_artifacts_are_links_that_open_in_jupyterlab(page, script) -> None:
    from jupyter_ext import describe_job

    artifact_job(script, "artifact-links")
    job = describe_job("artifact-links")
    page.evaluate("window.jupyterapp.commands.execute('jupyter-ext:open-job-page', {name: 'artifact-links'})")
    view = page.locator('.jp-JupyterExt-jobPage[data-job-name="artifact-links"]')
    model = view.locator(f'.jp-JupyterExt-artifactLink[data-path="{job.model_data}"]')
    model.click()  # an archive: its members listed
    view.locator(".jp-JupyterExt-artifactMembers li", has_text="weights.txt").wait_for()
    view.locator(f'.jp-JupyterExt-artifactLink[data-path="{job.job_dir}"]').click()  # a folder: its files
    report = view.locator(".jp-JupyterExt-artifactLink", has_text="output/data/report.html")
    report.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "job-artifacts.png"))
    report.click()  # an HTML report opens in a tab
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="report.html").wait_for()
    assert page.frame_locator(".jp-RenderedHTML iframe, iframe").first.locator("h1").inner_text() == "report"
