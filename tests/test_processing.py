"""Processing jobs: scripts and notebooks, with /opt/ml/processing paths mapped."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from jupyter_ext import (
    NotebookProcessor, ProcessingInput, ProcessingOutput, Processor, ScriptProcessor,
    UnexpectedStatusError, list_jobs,
)

PREP = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--input-dir")
parser.add_argument("--scale", type=float)
args = parser.parse_args()
out = "/opt/ml/processing/output".replace("/opt/ml", os.environ["SAGEMAKER_BASE_DIR"])
for name in sorted(os.listdir(args.input_dir)):
    numbers = [float(x) * args.scale for x in open(os.path.join(args.input_dir, name)).read().split(",")]
    open(os.path.join(out, name), "w").write(",".join(f"{x:g}" for x in numbers))
    print("processed", name)
"""


def test_script_processor_maps_container_paths(script, tmp_path: Path) -> None:
    script(PREP, "prep.py")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("1,2,3")
    processor = ScriptProcessor(command=["python3"])
    processor.run(
        code="prep.py",
        inputs=[ProcessingInput(str(tmp_path / "raw"), "/opt/ml/processing/input/data")],
        outputs=[ProcessingOutput("/opt/ml/processing/output", str(tmp_path / "clean"))],
        arguments=["--input-dir", "/opt/ml/processing/input/data", "--scale=2"],
    )
    assert (tmp_path / "clean" / "a.csv").read_text() == "2,4,6"
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["a.csv"]  # user data untouched
    description = processor.latest_job.describe()
    assert description.job_type == "Processing" and description.status == "Completed"
    assert description.outputs == {"output-1": str(tmp_path / "clean")}
    config = json.loads(Path(description.job_dir, "config", "processingjobconfig.json").read_text())
    assert config["ProcessingJobName"] == description.name
    assert [j.job_type for j in list_jobs(type="Processing")] == ["Processing"]


def test_processor_output_defaults_under_output_path(tmp_path: Path, script) -> None:
    script("import os, sys\nopen(sys.argv[1] + '/x.txt', 'w').write('x')\n", "make.py")
    processor = Processor(entrypoint=["python3", str(tmp_path / "make.py")], output_path=str(tmp_path / "out"))
    processor.run(outputs=[ProcessingOutput("/opt/ml/processing/result", output_name="result")],
                  arguments=["/opt/ml/processing/result"], job_name="make-x")
    assert (tmp_path / "out" / "make-x" / "output" / "result" / "x.txt").read_text() == "x"


def _notebook(path: Path, cells: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cells[0], metadata={"tags": ["parameters"]})]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells[1:]]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_notebook_processor_runs_with_parameters_and_keeps_the_notebook(tmp_path: Path) -> None:
    (tmp_path / "numbers.txt").write_text("1 2 3")
    _notebook(tmp_path / "report.ipynb", [
        "day = 'unset'\nfactor = 1",
        "total = sum(int(x) for x in open('numbers.txt').read().split()) * factor\nprint(day, total)",
    ])
    processor = NotebookProcessor()
    processor.run("report.ipynb", parameters={"day": "2026-11-21", "factor": 10})
    description = processor.latest_job.describe()
    executed = nbformat.read(Path(description.outputs["notebook"]) / "report.ipynb", as_version=4)
    outputs = [o.get("text", "") for cell in executed.cells for o in cell.get("outputs", [])]
    assert "2026-11-21 60\n" in outputs


def test_failing_notebook_fails_the_job_and_keeps_the_executed_notebook(tmp_path: Path) -> None:
    _notebook(tmp_path / "broken.ipynb", ["x = 1", "raise RuntimeError('cell two broke')"])
    processor = NotebookProcessor()
    with pytest.raises(UnexpectedStatusError, match="cell two broke"):
        processor.run("broken.ipynb")
    description = processor.latest_job.describe()
    executed = nbformat.read(Path(description.outputs["notebook"]) / "broken.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells for o in c.get("outputs", []))


BASH_STEP = """
set -e
python -c 'import sys; print("python", sys.executable)'
pip --version | sed 's/^/pip /'
mkdir -p "$PIP_TARGET" && echo 'WHERE = "job packages"' > "$PIP_TARGET/installed_here.py"
python -c 'import installed_here; print("imported", installed_here.WHERE)'
"""


def test_a_shell_step_runs_this_python_and_its_pip_installs_into_the_job(script, tmp_path: Path) -> None:
    import sys

    script(BASH_STEP, "step.sh")  # as SageMaker's FrameworkProcessor runs code: runproc.sh with bare pip/python
    processor = ScriptProcessor(command=["/bin/bash"])
    processor.run(code="step.sh")
    job = processor.latest_job.describe()
    log = Path(job.log_path).read_text()
    assert f"python {sys.executable}" in log
    assert "pip " in log and str(Path(sys.executable).parent.parent) in log.split("pip ", 1)[1].splitlines()[0]
    assert "imported job packages" in log
    assert (Path(job.job_dir) / "packages" / "installed_here.py").is_file()
