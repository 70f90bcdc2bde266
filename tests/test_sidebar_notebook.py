"""The notebook side in a real JupyterLab through the system Chromium (fixtures of
test_sidebar.py): the job monitor after a page reload and once its kernel is gone, and
the Git panel (jupyterlab-git) in the left bar."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat

from conftest import wait_until
from jupyter_ext import Estimator, describe_job, stop_job
from test_sidebar import (  # noqa: F401 (fixtures)
    ARTIFACTS, browser, home, jp_asyncio_loop, jp_server_cleanup, lab, page, pytestmark,
)


def test_the_git_panel_is_in_the_left_bar(page, lab: dict) -> None:
    root = lab["root"]
    (root / ".gitignore").write_text(".*\n!.gitignore\n*.ipynb\n")
    git = ["git", "-C", str(root), "-c", "user.name=Studio User", "-c", "user.email=user@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "studio"], check=True)
    subprocess.run([*git, "add", ".gitignore"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Ignore the lab's own files"], check=True)
    tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="jp-git-sessions"]')
    tab.wait_for(timeout=30_000)
    tab.click()
    panel = page.locator("#jp-git-sessions")
    panel.wait_for(state="visible")
    # The lab's root is a repository: the panel shows its branch and its history.
    panel.get_by_text("Ignore the lab's own files").first.wait_for(timeout=30_000)
    assert "studio" in panel.inner_text() and "not currently in a Git repository" not in panel.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "git-panel.png"))


def _open_and_run(page, lab: dict, name: str, cells: list[str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab["root"] / name)
    page.evaluate(f"window.jupyterapp.commands.execute('docmanager:open', {{path: '{name}'}})")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def test_the_monitor_is_live_after_a_reload_and_says_disconnected_once_its_kernel_is_gone(
        page, lab: dict, script) -> None:
    # The settings the package ships (share/jupyter/lab/settings/overrides.d), as the user's.
    shipped = json.loads((Path(__file__).parent.parent / "jupyter-config" / "lab-settings" / "overrides.d"
                          / "jupyter_ext.json").read_text())
    for plugin, settings in shipped.items():
        package, name = plugin.split(":")
        folder = lab["root"] / ".settings" / package
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(settings))
    path = script("import time\nfor i in range(240):\n    print(f'step {i}', flush=True)\n    time.sleep(0.5)\n")
    Estimator(str(path)).fit(job_name="watched-live", wait=False)
    wait_until(lambda: describe_job("watched-live").status == "InProgress", what="InProgress")
    try:
        _open_and_run(page, lab, "monitor.ipynb", ["%load_ext jupyter_ext", "%monitor_job watched-live"])
        output = page.locator(".jp-OutputArea-output")
        output.get_by_text("watched-live").first.wait_for(timeout=60_000)
        banner = page.locator(".jupyter-ext-disconnected")
        assert banner.count() == 1 and not banner.is_visible()
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        wait_until(lambda: "widget-view" in (lab["root"] / "monitor.ipynb").read_text(), what="the notebook saved")
        page.reload()
        page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
        page.evaluate("window.jupyterapp.restored.then(() => true)")
        log = page.locator(".jp-OutputArea-output pre")
        log.first.wait_for(timeout=60_000)
        first = log.first.inner_text()
        page.wait_for_function("(before) => document.querySelector('.jp-OutputArea-output pre')"
                               "?.innerText !== before", arg=first, timeout=30_000)  # live again
        assert not page.locator(".jupyter-ext-disconnected").is_visible()
        page.evaluate("window.jupyterapp.commands.execute('kernelmenu:shutdown')")
        page.locator(".jupyter-ext-disconnected").wait_for(state="visible", timeout=40_000)
        assert "disconnected — see the sidebar" in page.locator(".jupyter-ext-disconnected").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".jp-Notebook .jp-Cell").nth(1).screenshot(path=str(ARTIFACTS / "monitor-disconnected.png"))
        assert describe_job("watched-live").status == "InProgress"  # the job goes on without the kernel
        # Reopened without its kernel, the notebook shows the monitor's last state, saying so.
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        wait_until(lambda: "application/vnd.jupyter.widget-state+json" in (lab["root"] / "monitor.ipynb").read_text(),
                   what="the widget state saved")
        page.reload()
        page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
        page.locator(".jupyter-ext-disconnected").wait_for(state="visible", timeout=40_000)
        assert page.get_by_text("Error displaying widget").count() == 0
    finally:
        stop_job("watched-live")
