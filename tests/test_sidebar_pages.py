"""JupyterLab main-area pages opened from the sidebar and the palette, in a real JupyterLab
driven through the system Chromium (fixtures of test_sidebar.py): a tuning job's page.

Screenshots land in test-artifacts/ (the README's come from there).
"""

from __future__ import annotations

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
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-openTuningPage").click()
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
