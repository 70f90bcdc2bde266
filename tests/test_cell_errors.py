"""Short errors in cells: our errors show message and hint, not our traceback; the cell
still fails (in IPython, in a kernel, under papermill), and a Stop while waiting is one line."""

from __future__ import annotations

import queue
import re
from pathlib import Path

import nbformat
import papermill
import pytest
from jupyter_client.manager import start_new_kernel

from conftest import wait_until
from jupyter_ext import describe_job, list_jobs, stop_job
from jupyter_ext.errors import UnexpectedStatusError, ValidationError

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _cell(ip, capsys, code: str) -> tuple[BaseException | None, str]:
    capsys.readouterr()
    result = ip.run_cell(code)
    return result.error_in_exec, _ANSI.sub("", capsys.readouterr().out)


def test_a_bad_option_shows_message_and_hint_only(ip, capsys) -> None:
    error, shown = _cell(ip, capsys, "%%train --hp epochs\nprint(1)\n")
    assert isinstance(error, ValidationError)
    lines = [line for line in shown.splitlines() if line.strip()]
    assert lines == ["ValidationError: --hp 'epochs' must look like NAME=VALUE.",
                     "Hint: use `--hp epochs=VALUE`, one word without spaces."]


def test_an_error_through_the_users_code_shows_their_frames_not_ours(ip, capsys) -> None:
    error, shown = _cell(ip, capsys, "from jupyter_ext import Estimator\n\ndef go():\n"
                                     "    Estimator('missing.py').fit()\n\ngo()\n")
    assert isinstance(error, ValidationError)
    assert "----> 6 go()" in shown and "in go()" in shown and "Estimator('missing.py').fit()" in shown
    assert "jupyter_ext/" not in shown and "training.py" not in shown
    assert shown.rstrip().splitlines()[-1].startswith("ValidationError: entry_point missing.py not found")


def test_a_failed_job_shows_its_reason_and_where_its_log_is(ip, capsys) -> None:
    error, shown = _cell(ip, capsys, "%%train --name doomed-cell\nraise ValueError('bad rows')\n")
    assert isinstance(error, UnexpectedStatusError)
    assert ("UnexpectedStatusError: Job doomed-cell ended with status Failed. "
            "Reason: AlgorithmError: ValueError: bad rows") in shown
    assert "Hint: The job's log: %logs doomed-cell" in shown
    error_part = shown[shown.index("Job doomed-cell: Failed"):]  # the job's own log comes before
    assert "Traceback" not in error_part and "jupyter_ext/" not in error_part


def _reply(client, msg_id: str) -> dict:
    """The execute_reply to request `msg_id` (earlier replies are skipped)."""
    while True:
        reply = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def _execute(client, code: str, timeout: float = 60) -> tuple[str, list[dict]]:
    """Run `code`; its stdout and the error messages the kernel published."""
    msg_id = client.execute(code)
    out, errors = [], []
    while True:
        try:
            message = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no reply from the kernel to {code!r}")
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            errors.append(content)
        elif kind == "status" and content["execution_state"] == "idle":
            _reply(client, msg_id)
            return "".join(out), errors


def test_stop_while_a_cell_waits_ends_in_one_line_and_the_job_keeps_running(home: Path) -> None:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        _execute(client, "%load_ext jupyter_ext")
        msg_id = client.execute("%%train --name waited-on\nimport time\ntime.sleep(120)\n")
        wait_until(lambda: [j.status for j in list_jobs(name_contains="waited-on")] == ["InProgress"],
                   what="InProgress")
        manager.interrupt_kernel()
        reply = _reply(client, msg_id)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "WaitInterrupted"
        shown = [_ANSI.sub("", line) for line in reply["content"]["traceback"]]
        assert shown == ["WaitInterrupted: Stopped waiting; job waited-on keeps running. "
                         "Stop it with %stop waited-on or jupyter-ext jobs stop waited-on.\n"]
        assert describe_job("waited-on").status == "InProgress"
        out, errors = _execute(client, "print('still usable')")
        assert out == "still usable\n" and errors == []
    finally:
        stop_job("waited-on")
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_short_error_still_fails_the_papermill_run(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("%load_ext jupyter_ext"),
                      nbformat.v4.new_code_cell("%%train --hp epochs\nprint(1)"),
                      nbformat.v4.new_code_cell("print('never reached')")]
    nbformat.write(notebook, tmp_path / "bad.ipynb")
    with pytest.raises(papermill.PapermillExecutionError, match="must look like NAME=VALUE"):
        papermill.execute_notebook(tmp_path / "bad.ipynb", tmp_path / "out.ipynb", cwd=tmp_path,
                                   kernel_name="python3", progress_bar=False)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    failed = next(c for c in executed.cells if c.source.startswith("%%train"))
    assert failed.metadata.papermill.status == "failed"
    error = next(o for o in failed.outputs if o.output_type == "error")
    assert error.ename == "ValidationError"
    assert [_ANSI.sub("", line) for line in error.traceback] == [
        "ValidationError: --hp 'epochs' must look like NAME=VALUE.\n",
        "Hint: use `--hp epochs=VALUE`, one word without spaces."]
    assert executed.cells[-1].get("outputs", []) == []
