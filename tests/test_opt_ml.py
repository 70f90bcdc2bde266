"""Scripts that write /opt/ml literally: each job's program sees its own job folder there
(a private mount namespace), and the host's /opt is left as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path

import psutil
import pytest

from conftest import wait_until
from jupyter_ext import Estimator, ProcessingInput, ProcessingOutput, ScriptProcessor, UnexpectedStatusError
from jupyter_ext.jobs import records
from jupyter_ext.jobs.container_root import OPT_ML_VARIABLE, OptMlMapping
from jupyter_ext.store import get_store


def _mapping_refused() -> str | None:
    """Why this system cannot map /opt/ml (None when it can)."""
    with tempfile.TemporaryDirectory() as folder:
        mapping = OptMlMapping(Path(folder), os.environ)
        process = subprocess.Popen(mapping.command(["true"]), pass_fds=mapping.pass_fds)
        note = mapping.note()
        process.wait(timeout=30)
    return note


_REFUSED = _mapping_refused()
pytestmark = pytest.mark.skipif(_REFUSED is not None, reason=str(_REFUSED))


def _host_opt_ml() -> list[str] | None:
    return sorted(os.listdir("/opt/ml")) if os.path.isdir("/opt/ml") else None


def _members(model_data: str) -> dict[str, bytes]:
    with tarfile.open(model_data) as tar:
        return {m.name.lstrip("./"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


WRITES_OPT_ML = """
import json, os, time
from pathlib import Path
n = json.load(open("/opt/ml/input/config/hyperparameters.json"))["n"]
Path("/opt/ml/model/model.txt").write_text(f"model {n}")
assert os.path.samefile("/opt/ml/model", os.environ["SM_MODEL_DIR"])
# Both jobs wait here until both run, so each reads /opt/ml while the other writes its own.
barrier = Path(os.environ["BARRIER"])
(barrier / f"started-{n}").touch()
deadline = time.monotonic() + 60
while len(list(barrier.iterdir())) < int(os.environ["JOBS"]) and time.monotonic() < deadline:
    time.sleep(0.05)
print("sees", sorted(os.listdir("/opt/ml/model")), Path("/opt/ml/model/model.txt").read_text())
"""


def test_a_script_writing_opt_ml_gets_its_model_packed(script, tmp_path: Path) -> None:
    before = _host_opt_ml()
    script(WRITES_OPT_ML)
    (tmp_path / "barrier").mkdir()
    est = Estimator("train.py", hyperparameters={"n": 7},
                    environment={"BARRIER": str(tmp_path / "barrier"), "JOBS": "1"})
    est.fit()
    assert _members(est.model_data) == {"model.txt": b"model 7"}
    messages = [line.message for line in est.latest_training_job.read_log().lines]
    assert "sees ['model.txt'] model 7" in messages
    assert not any(m.startswith("Note: /opt/ml is not mapped") or "is empty" in m for m in messages)
    assert _host_opt_ml() == before  # the host's /opt/ml did not get the files (nor appear)


def test_two_jobs_at_once_each_see_their_own_opt_ml(script, tmp_path: Path) -> None:
    before = _host_opt_ml()
    script(WRITES_OPT_ML)
    (tmp_path / "barrier").mkdir()
    environment = {"BARRIER": str(tmp_path / "barrier"), "JOBS": "2"}
    estimators = [Estimator("train.py", hyperparameters={"n": n}, base_job_name=f"own{n}", environment=environment)
                  for n in (1, 2)]
    threads = [threading.Thread(target=e.fit) for e in estimators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for n, est in zip((1, 2), estimators):
        assert est.latest_training_job.describe().status == "Completed"
        assert _members(est.model_data) == {"model.txt": f"model {n}".encode()}
        messages = [line.message for line in est.latest_training_job.read_log().lines]
        assert f"sees ['model.txt'] model {n}" in messages
    assert _host_opt_ml() == before


PROCESS = """
import os
names = sorted(os.listdir("/opt/ml/processing/input/data"))
with open("/opt/ml/processing/output/x", "w") as out:
    out.write(",".join(names))
"""


def test_a_processing_script_writing_opt_ml_processing_output(script, tmp_path: Path) -> None:
    before = _host_opt_ml()
    script(PROCESS, "prep.py")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("1")
    processor = ScriptProcessor(command=["python3"])
    processor.run(code="prep.py", inputs=[ProcessingInput(str(tmp_path / "raw"), "/opt/ml/processing/input/data")],
                  outputs=[ProcessingOutput("/opt/ml/processing/output", str(tmp_path / "clean"))])
    assert (tmp_path / "clean" / "x").read_text() == "a.csv"
    assert _host_opt_ml() == before


STOPPABLE = """
import signal, sys, time
from pathlib import Path
def saved(*_):
    Path("/opt/ml/model/saved.txt").write_text("saved on SIGTERM")
    sys.exit(0)
signal.signal(signal.SIGTERM, saved)
print("ready", flush=True)
time.sleep(120)
"""


def test_stop_reaches_the_program_through_the_mapping(script) -> None:
    script(STOPPABLE)
    est = Estimator("train.py")
    est.fit(wait=False)
    job = est.latest_training_job
    wait_until(lambda: any(line.message == "ready" for line in job.read_log().lines), what="the program to start")
    program = psutil.Process(records.get_row(get_store(), job.name)["program_pid"])
    assert any(part.endswith("train.py") for part in program.cmdline())  # the runner's child is the program itself
    job.stop()
    wait_until(lambda: job.status == "Stopped", what="Stopped")
    assert _members(job.describe().model_data) == {"saved.txt": b"saved on SIGTERM"}


def test_exit_codes_and_max_run_pass_through(script) -> None:
    script("import sys\nprint('failing', flush=True)\nsys.exit(3)\n")
    est = Estimator("train.py")
    with pytest.raises(UnexpectedStatusError):
        est.fit()
    assert est.latest_training_job.describe().exit_code == 3
    script("import time\ntime.sleep(60)\n")
    est = Estimator("train.py", max_run=1)
    with pytest.raises(UnexpectedStatusError, match="MaxRuntimeExceeded"):
        est.fit()
    assert est.latest_training_job.describe().elapsed_seconds < 30


def test_off_keeps_the_program_out_of_a_namespace(script) -> None:
    script("import os\nprint('own mount namespace:', os.readlink('/proc/self/ns/mnt') != os.environ['RUNNER_NS'])\n")
    est = Estimator("train.py", environment={OPT_ML_VARIABLE: "off", "RUNNER_NS": os.readlink("/proc/self/ns/mnt")})
    est.fit()
    messages = [line.message for line in est.latest_training_job.read_log().lines]
    assert "own mount namespace: False" in messages
    assert not any(m.startswith("Note: /opt/ml is not mapped") for m in messages)


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux's unshare")
def test_where_namespaces_are_refused_the_program_runs_with_a_note(tmp_path: Path) -> None:
    # Inside a user namespace without a uid mapping, no further namespace can be made.
    mapping = OptMlMapping(tmp_path, os.environ)
    process = subprocess.Popen(["unshare", "--user", *mapping.command(["sh", "-c", "echo ran"])],
                               pass_fds=mapping.pass_fds, stdout=subprocess.PIPE)
    note = mapping.note()
    assert process.communicate(timeout=30)[0] == b"ran\n" and process.returncode == 0
    assert note is not None and note.startswith("Note: /opt/ml is not mapped to the job folder (")
    assert "Operation not permitted" in note and OPT_ML_VARIABLE in note
