"""Golden notebooks: every notebook in notebooks/ runs under papermill, and a failing
job fails the papermill run on its cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_under_papermill(notebook: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("JUPYTER_EXT_DISPLAY")  # choose as a user's papermill run would
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    work = tmp_path / "work"
    shutil.copytree(notebook.parent, work, ignore=shutil.ignore_patterns("*-data", "*-evaluation", ".*"))
    papermill.execute_notebook(work / notebook.name, work / "out.ipynb", cwd=work,
                               kernel_name="python3", progress_bar=False)
    executed = nbformat.read(work / "out.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert ": Completed | after" in text  # jobs print as text under papermill


def test_a_failed_job_fails_the_papermill_run(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext jupyter_ext"),
                      nbformat.v4.new_code_cell("%%train --name doomed\nraise SystemExit('no data')"),
                      nbformat.v4.new_code_cell("print('never reached')")]
    nbformat.write(notebook, tmp_path / "fail.ipynb")
    with pytest.raises(papermill.PapermillExecutionError, match="no data"):
        papermill.execute_notebook(tmp_path / "fail.ipynb", tmp_path / "out.ipynb", cwd=tmp_path,
                                   kernel_name="python3", progress_bar=False)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[-1].get("outputs", []) == []
