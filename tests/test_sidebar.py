"""The sidebar in a real JupyterLab, driven through the system Chromium with Playwright.

Screenshots of failed tests land in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from conftest import taking_turns, wait_until
from jupyter_ext import Estimator, describe_job

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A real `jupyter lab` on a free loopback port, with its own store and settings."""
    root = tmp_path_factory.mktemp("lab")
    settings = root / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = {**os.environ, "JUPYTER_EXT_HOME": str(root / ".home")}
    env.pop("JUPYTER_EXT_DISPLAY", None)
    with taking_turns(tmp_path_factory, "jupyter"), open(root / ".lab.log", "wb") as log:
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
             "--ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.news_url=None",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={root / '.settings'}",
             f"--LabApp.workspaces_dir={root / '.workspaces'}", "--LabApp.expose_app_in_browser=True"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: _up(f"{url}/jupyter-ext/api/status"), 90, "jupyter lab to start")
            yield {"url": url, "root": root, "home": root / ".home"}
        finally:
            process.terminate()
            process.wait(30)


@pytest.fixture(autouse=True)
def home(lab: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This module's tests share the lab server's store."""
    monkeypatch.setenv("JUPYTER_EXT_HOME", str(lab["home"]))
    monkeypatch.chdir(lab["root"])
    return lab["home"]


@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> Iterator[None]:
    """Playwright's sync API runs this thread's event loop in these tests; pytest-jupyter's
    own fixture (active once any test module loads it) would try to close it."""
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> Iterator[None]:
    """No in-process jupyter_server here to clean up (see jp_asyncio_loop)."""
    yield


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, lab: dict, request: pytest.FixtureRequest) -> Iterator[object]:
    """JupyterLab open in a fresh page with the jobs panel shown."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.goto(f"{lab['url']}/lab/workspaces/{request.node.name.replace('_', '-')}")
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("window.jupyterapp.restored.then(() => true)")
    heading = page.locator("#jupyter-ext-sidebar .jp-JupyterExt-heading")
    if not heading.is_visible():
        page.locator('.lm-TabBar-tab[data-id="jupyter-ext-sidebar"]').click()
    heading.wait_for()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        (ARTIFACTS / f"{request.node.name}.console.txt").write_text("\n".join(console))
        lab_log = (lab["root"] / ".lab.log").read_text(errors="replace").splitlines()
        (ARTIFACTS / f"{request.node.name}.lab.log").write_text("\n".join(lab_log[-300:]))
    context.close()


def _row(page, name: str):
    return page.locator(f'#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="{name}"]')


def test_a_job_launched_from_a_notebook_appears_and_finishes(page, lab: dict) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext jupyter_ext"),
        nbformat.v4.new_code_cell(
            '%%train --name from-notebook --metric "loss=loss: ([0-9.]+)"\n'
            "import time\nfor i in range(6):\n    print(f'loss: {1 / (i + 1)}', flush=True)\n    time.sleep(0.5)\n"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab["root"] / "launch.ipynb")
    page.evaluate("window.jupyterapp.commands.execute('docmanager:open', {path: 'launch.ipynb'})")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    row = _row(page, "from-notebook")
    row.wait_for(timeout=60_000)
    page.wait_for_function(
        "document.querySelector('[data-job-name=\"from-notebook\"]')?.dataset.status === 'Completed'", timeout=60_000)
    assert "loss" in row.locator(".jp-JupyterExt-metric").inner_text()
    row.click()
    detail = page.locator(".jp-JupyterExt-detail")
    detail.locator(".jp-JupyterExt-badge", has_text="Completed").wait_for()
    page.locator(".jp-JupyterExt-logText", has_text="loss: 0.16666").wait_for()
    _assert_a_readable_chart(page, detail.locator('figure[data-metric="loss"]'), "loss")
    assert "Completed" in detail.locator(".jp-JupyterExt-history").inner_text()
    assert "model.tar.gz" in detail.locator(".jp-JupyterExt-artifacts").inner_text()
    assert "Ran on" in detail.locator(".jp-JupyterExt-summary").inner_text()  # where the job ran
    assert "this machine" in detail.locator(".jp-JupyterExt-summary").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sidebar-detail.png"))
    assert page.locator(".jp-OutputArea-output .jp-JupyterExt-monitor, .jp-OutputArea-output .widget-vbox").count() >= 1


def _assert_a_readable_chart(page, chart, metric: str) -> None:
    """A Vega-Lite line with axes and ticks, as wide as the panel, its values on hover."""
    chart.locator(".mark-line path").wait_for()
    assert chart.locator(".role-axis-title").count() == 2
    assert chart.locator(".role-axis-label text").count() >= 4  # ticks on both axes
    assert metric in chart.locator(".role-axis-title").all_text_contents()
    panel = page.locator("#jupyter-ext-sidebar").bounding_box()["width"]
    assert chart.locator("svg").bounding_box()["width"] > panel * 0.8
    chart.locator(".mark-symbol.role-mark path").last.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert metric in tooltip.inner_text() and "step" in tooltip.inner_text()


def test_stop_a_running_job_from_the_button(page, script) -> None:
    path = script("import time\nprint('working', flush=True)\ntime.sleep(120)\n")
    Estimator(str(path)).fit(job_name="stop-me", wait=False)
    wait_until(lambda: describe_job("stop-me").status == "InProgress", what="InProgress")
    page.locator(".jp-JupyterExt-refresh").click()
    _row(page, "stop-me").click()
    page.locator(".jp-JupyterExt-badge", has_text="InProgress").wait_for()
    page.locator(".jp-JupyterExt-logText", has_text="working").wait_for()
    assert page.locator(".jp-JupyterExt-metrics").inner_text().endswith("No metrics yet.")  # it may still log one
    assert page.locator(".jp-JupyterExt-hyperparameters").is_hidden()  # it has none
    page.locator(".jp-JupyterExt-stop").click()
    page.locator(".jp-Dialog").get_by_role("button", name="Stop job").click()
    page.locator(".jp-JupyterExt-badge", has_text="Stopped").wait_for(timeout=30_000)
    assert describe_job("stop-me").status == "Stopped"
    assert page.locator(".jp-JupyterExt-stop").is_disabled()
    page.locator(".jp-JupyterExt-metrics").wait_for(state="hidden")  # ended without a metric: nothing to show


def _panel_background(page) -> tuple[int, ...]:
    colour = page.evaluate("getComputedStyle(document.getElementById('jupyter-ext-sidebar')).backgroundColor")
    return tuple(int(x) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])


def test_light_and_dark_themes_render(page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-row").first.wait_for()
    assert sum(_panel_background(page)) > 600  # light
    page.screenshot(path=str(ARTIFACTS / "sidebar-light.png"))
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.locator("#jupyterlab-splash").wait_for(state="detached", timeout=30_000)
    page.wait_for_function(
        "(() => { const c = getComputedStyle(document.getElementById('jupyter-ext-sidebar')).backgroundColor;"
        " return c.match(/\\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) < 300; })()", timeout=30_000)
    name = page.locator("#jupyter-ext-sidebar .jp-JupyterExt-name").first
    colour = page.evaluate("(e) => getComputedStyle(e).color", name.element_handle())
    assert sum(int(x) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]) > 300  # light text
    page.screenshot(path=str(ARTIFACTS / "sidebar-dark.png"))
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")


def test_a_tuning_job_shows_its_training_jobs(page, script) -> None:
    from jupyter_ext import CategoricalParameter, HyperparameterTuner

    path = script("import sys\nprint('score:', len(sys.argv[-1]))\n", "tune_me.py")
    estimator = Estimator(str(path), metric_definitions=[{"Name": "score", "Regex": "score: ([0-9]+)"}])
    tuner = HyperparameterTuner(estimator, "score", {"word": CategoricalParameter(["ab", "abcd"])}, strategy="Grid")
    tuner.fit(job_name="tune-in-sidebar", logs=False)
    page.locator(".jp-JupyterExt-refresh").click()
    row = _row(page, "tune-in-sidebar")
    assert "tune" in row.locator(".jp-JupyterExt-type").inner_text()
    row.click()
    children = page.locator(".jp-JupyterExt-children .jp-JupyterExt-childLink")
    children.first.wait_for()
    assert children.count() == 2
    assert "Grid" in page.locator(".jp-JupyterExt-summary").inner_text()
    children.first.click()
    page.locator(".jp-JupyterExt-summary", has_text="tune-in-sidebar").wait_for()  # "Launched by"


def test_experiments_view_ranks_runs_and_opens_one(page, tmp_path) -> None:
    from jupyter_ext.experiments import Run

    (tmp_path / "notes.html").write_text("<h1>notes of c0.1</h1>")
    for c, auc in ((0.1, 0.7), (1.0, 0.9), (10.0, 0.8)):
        with Run(experiment_name="sidebar-exp", run_name=f"c{c}") as run:
            run.log_parameter("C", c)
            for step in range(3):
                run.log_metric("auc", auc - 0.05 * (2 - step), step=step)
            if c == 0.1:
                run.log_file(str(tmp_path / "notes.html"))
                run.log_artifact("source", "s3://bucket/data.csv")
    page.locator('.jp-JupyterExt-tab[data-view="experiments"]').click()
    page.locator('.jp-JupyterExt-experimentRow[data-experiment="sidebar-exp"]').click()
    rows = page.locator(".jp-JupyterExt-leaderboard tbody tr")
    rows.first.wait_for()
    assert [rows.nth(i).get_attribute("data-run") for i in range(3)] == [
        "sidebar-exp-c1.0", "sidebar-exp-c10.0", "sidebar-exp-c0.1"]
    page.locator(".jp-JupyterExt-order").select_option("true")
    page.wait_for_function("document.querySelector('.jp-JupyterExt-leaderboard tbody tr')?.dataset.run"
                           " === 'sidebar-exp-c0.1'")
    page.locator(".jp-JupyterExt-scatter .mark-symbol.role-mark path").nth(2).wait_for()
    assert page.locator(".jp-JupyterExt-scatter .mark-symbol.role-mark path").count() == 3
    assert "C" in page.locator(".jp-JupyterExt-scatter .role-axis-title").all_text_contents()
    rows.first.click()
    page.locator('.jp-JupyterExt-chart[data-metric="auc"] .mark-line path').wait_for()
    facts = page.locator(".jp-JupyterExt-runFacts")
    assert "0.1" in facts.inner_text()
    assert facts.locator('td[data-artifact="source"]').inner_text() == "s3://bucket/data.csv"  # not a file here
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sidebar-experiments.png"))
    facts.locator('td[data-artifact="notes.html"] .jp-JupyterExt-artifactLink').click()  # the logged file opens
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text="notes.html").wait_for()
    assert page.frame_locator(".jp-RenderedHTML iframe, iframe").first.locator("h1").inner_text() == "notes of c0.1"
