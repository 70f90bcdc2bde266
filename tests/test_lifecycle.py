"""Lifecycle scripts with real scripts and real process groups: success, failure, the time
limit, on-create once, output order, named configurations, bad input, the examples."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from conftest import wait_until
from jupyter_ext.cli import main
from jupyter_ext.errors import ConflictError, JupyterExtError, NotFoundError, ValidationError
from jupyter_ext.lifecycle import (
    configure_lifecycle, create_lifecycle_config, delete_lifecycle_config, lifecycle_log, lifecycle_status,
    list_lifecycle_configs, list_lifecycle_runs, run_at_server_start, run_lifecycle_hook, start_lifecycle_hook,
    wait_for_lifecycle_run,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "lifecycle"


def write_hook(folder: Path, hook: str, body: str, executable: bool = True, shebang: str = "#!/bin/bash\n") -> Path:
    """Write `<folder>/<hook>.sh`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hook}.sh"
    path.write_text(shebang + textwrap.dedent(body))
    path.chmod(0o755 if executable else 0o644)
    return path


def output_of(run: int | str) -> list[str]:
    """The script's own output lines of a run, in order."""
    return [line.message for line in lifecycle_log(run).lines if line.stream == "output"]


def test_success_keeps_status_exit_code_duration_and_output_in_order(home: Path, tmp_path: Path) -> None:
    write_hook(home / "lifecycle", "on-start", """
        for i in 1 2 3 4 5; do echo "out $i"; echo "err $i" >&2; done
        echo "cwd $PWD hook $JUPYTER_EXT_LIFECYCLE_HOOK"
        sleep 0.3
    """)
    run = run_lifecycle_hook("on-start")
    assert (run.status, run.exit_code, run.failure_reason, run.trigger) == ("Completed", 0, None, "manual")
    assert 0.3 <= run.duration_seconds < 10
    expected = [f"{stream} {i}" for i in range(1, 6) for stream in ("out", "err")]
    assert output_of(run.run_id) == expected + [f"cwd {tmp_path} hook on-start"]
    assert [r.run_id for r in list_lifecycle_runs()] == [run.run_id]
    assert not lifecycle_status().failed


def test_failure_records_exit_code_and_raises_the_badge_until_a_success(home: Path) -> None:
    script = write_hook(home / "lifecycle", "on-start", 'echo "pip: no such package" >&2; exit 7\n')
    run = run_lifecycle_hook("on-start")
    assert (run.status, run.exit_code) == ("Failed", 7)
    assert "exited with code 7: pip: no such package" in run.failure_reason
    status = lifecycle_status()
    assert status.failed and status.runs[0].run_id == run.run_id
    script.write_text("#!/bin/bash\necho fixed\n")
    assert run_lifecycle_hook("on-start").status == "Completed"
    assert not lifecycle_status().failed


def test_time_limit_kills_the_script_and_its_children(home: Path, tmp_path: Path) -> None:
    configure_lifecycle(time_limit=1)
    # One child ignores SIGTERM, so only the SIGKILL to the whole group ends it.
    write_hook(home / "lifecycle", "on-start", f"""
        sleep 120 & echo $! > {tmp_path}/child.pid
        bash -c 'trap "" TERM; while true; do sleep 0.1; done' & echo $! > {tmp_path}/stubborn.pid
        echo started
        sleep 120
    """)
    started = time.monotonic()
    run = run_lifecycle_hook("on-start")
    assert time.monotonic() - started < 15
    assert run.status == "Failed" and "time limit" in run.failure_reason
    assert output_of(run.run_id) == ["started"]
    for name in ("child.pid", "stubborn.pid"):
        pid = int((tmp_path / name).read_text())
        wait_until(lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE,
                   timeout=10, what=f"{name} to be killed")


def test_on_create_runs_once_per_home_and_on_start_every_start(home: Path, tmp_path: Path) -> None:
    folder = home / "lifecycle"
    write_hook(folder, "on-create", f"echo created >> {tmp_path}/created\n")
    write_hook(folder, "on-start", f"echo started >> {tmp_path}/started\n")
    log = logging.getLogger("test-server")
    for _ in range(3):
        run_at_server_start(tmp_path, log)
    assert (tmp_path / "created").read_text().splitlines() == ["created"]
    assert (tmp_path / "started").read_text().splitlines() == ["started"] * 3
    assert {r.trigger for r in list_lifecycle_runs()} == {"server-start"}
    assert lifecycle_status().on_create_done
    assert run_lifecycle_hook("on-create").status == "Completed"  # re-runnable on demand
    assert (tmp_path / "created").read_text().splitlines() == ["created"] * 2


def test_a_failure_at_server_start_is_logged_not_raised(home: Path, tmp_path: Path, caplog) -> None:
    write_hook(home / "lifecycle", "on-start", "echo broken >&2; exit 3\n")
    write_hook(home / "lifecycle", "on-create", "echo ok\n", executable=False)
    with caplog.at_level(logging.INFO, logger="test-server"):
        runs = run_at_server_start(tmp_path, logging.getLogger("test-server"))
    assert [(r.hook, r.status) for r in runs] == [("on-start", "Failed")]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("on-create script did not run" in e and "chmod +x" in e for e in errors)
    assert any("on-start script failed" in e and "exit code 3" in e and "broken" in e for e in errors)
    assert lifecycle_status().failed


def test_bad_scripts_get_clear_errors(home: Path, tmp_path: Path) -> None:
    folder = home / "lifecycle"
    with pytest.raises(NotFoundError, match=r"lifecycle/on-start.sh does not exist"):
        run_lifecycle_hook("on-start")
    assert list_lifecycle_runs() == []  # nothing to run is not a failure
    path = write_hook(folder, "on-start", "echo hi\n", executable=False)
    with pytest.raises(ValidationError, match=rf"{path} is not executable; run `chmod \+x {path}`"):
        run_lifecycle_hook("on-start")
    path.write_text("#!/bin/bash\n" + "#" * 16_400 + "\n")
    path.chmod(0o755)
    with pytest.raises(ValidationError, match=r"16,4\d\d characters; a lifecycle script holds at most 16,384"):
        run_lifecycle_hook("on-start")
    assert [r.status for r in list_lifecycle_runs()] == ["Failed", "Failed"]  # both shown in the sidebar
    assert "not executable" in list_lifecycle_runs()[1].failure_reason
    write_hook(folder, "on-start", "echo no shebang\n", shebang="")
    run = run_lifecycle_hook("on-start")
    assert run.status == "Failed" and "#!/bin/bash" in run.failure_reason
    with pytest.raises(ValidationError, match="Unknown lifecycle hook 'on-stop'; choose one of: on-create, on-start"):
        run_lifecycle_hook("on-stop")
    with pytest.raises(NotFoundError, match="does not exist"):
        configure_lifecycle(folder=tmp_path / "missing")
    with pytest.raises(ValidationError, match="from 1 to 86400"):
        configure_lifecycle(time_limit=0)
    with pytest.raises(ValidationError, match="not valid"):
        configure_lifecycle(environment={"1BAD": "x"})


def test_named_configurations_run_from_the_store(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at most 16,384"):
        create_lifecycle_config("big", on_start="x" * 16_385)
    with pytest.raises(ValidationError, match="not valid"):
        create_lifecycle_config("bad_name", on_start="echo")
    create_lifecycle_config("team-setup", on_start='echo "from the store: $GREETING"\n')
    with pytest.raises(ConflictError, match="exists already"):
        create_lifecycle_config("team-setup", on_start="echo")
    with pytest.raises(NotFoundError, match="there are: team-setup"):
        configure_lifecycle(config_name="other")
    settings = configure_lifecycle(config_name="team-setup", environment={"GREETING": "hello"})
    assert settings.source == "config:team-setup"
    run = run_lifecycle_hook("on-start")
    assert (run.status, run.source) == ("Completed", "config:team-setup")
    assert output_of("on-start") == ["from the store: hello"]
    with pytest.raises(NotFoundError, match="team-setup has no on-create script"):
        run_lifecycle_hook("on-create")
    with pytest.raises(ConflictError, match="in use"):
        delete_lifecycle_config("team-setup")
    configure_lifecycle(use_default_folder=True)
    delete_lifecycle_config("team-setup")
    assert list_lifecycle_configs() == []


def test_one_run_of_a_hook_at_a_time(home: Path, tmp_path: Path) -> None:
    write_hook(home / "lifecycle", "on-start", f"while [ ! -f {tmp_path}/release ]; do sleep 0.05; done\n")
    first = start_lifecycle_hook("on-start")
    assert first.status == "InProgress"
    with pytest.raises(ConflictError, match=f"running already \\(run {first.run_id}\\)"):
        start_lifecycle_hook("on-start")
    (tmp_path / "release").touch()
    assert wait_for_lifecycle_run(first.run_id).status == "Completed"


def test_the_example_scripts_work_here(home: Path, tmp_path: Path, monkeypatch) -> None:
    for name, folder in (("HOME", "user"), ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    # A stand-in for the Spark engineer's `jupyter-ext livy configure`, first on PATH.
    fake = tmp_path / "bin" / "jupyter-ext"
    fake.parent.mkdir()
    fake.write_text('#!/bin/bash\n[ "$2" = configure ] || exit 0\nmkdir -p ~/.sparkmagic\n'
                    'echo "{\\"url\\": \\"$4\\"}" > ~/.sparkmagic/config.json\n')
    fake.chmod(0o755)
    configure_lifecycle(folder=EXAMPLES, environment={
        "KERNEL_ENV_MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "LIVY_URL": "http://livy.test:8998",
        "CULL_IDLE_TIMEOUT": "1800", "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"})
    for hook in ("on-create", "on-start"):
        run = run_lifecycle_hook(hook)
        assert run.status == "Completed", output_of(run.run_id)
    kernel = json.loads((tmp_path / "data" / "kernels" / "studio" / "kernel.json").read_text())
    assert kernel["env"] == {"JUPYTER_EXT_HOME": str(home), "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}
    assert run_lifecycle_hook("on-create").status == "Completed"  # re-run by hand: the kernel keeps its env
    assert json.loads((tmp_path / "data" / "kernels" / "studio" / "kernel.json").read_text())["env"] == kernel["env"]
    server_config = json.loads((tmp_path / "config" / "jupyter_server_config.json").read_text())
    assert server_config["MappingKernelManager"]["cull_idle_timeout"] == 1800
    sparkmagic = json.loads((tmp_path / "user" / ".sparkmagic" / "config.json").read_text())
    assert sparkmagic == {"url": "http://livy.test:8998"}
    # Without `jupyter-ext livy` the script goes on and says so.
    configure_lifecycle(environment={"PATH": "/usr/bin:/bin"})
    run = run_lifecycle_hook("on-start")
    assert run.status == "Completed"
    assert "jupyter-ext livy is not installed here; sparkmagic's config is left as it is" in output_of(run.run_id)


def test_lifecycle_magics_run_status_and_logs(ip, home: Path, capsys) -> None:
    script = write_hook(home / "lifecycle", "on-start", 'echo "kernels get MLFLOW_TRACKING_URI"\n')
    ip.run_line_magic("lifecycle", "run on-start")
    assert capsys.readouterr().out.splitlines()[1:] == ["kernels get MLFLOW_TRACKING_URI",
                                                        "[lifecycle] Completed with exit code 0"]
    script.write_text("#!/bin/bash\necho 'livy unreachable' >&2\nexit 2\n")
    with pytest.raises(JupyterExtError, match="failed: The on-start script exited with code 2: livy unreachable"):
        ip.run_line_magic("lifecycle", "run")
    ip.run_line_magic("lifecycle", "status")
    out = capsys.readouterr().out
    assert "on-create has run: no" in out and "Failed" in out and "Completed" in out
    ip.run_line_magic("lifecycle", "logs on-start --tail 2")
    assert capsys.readouterr().out.splitlines() == [
        "livy unreachable", "[lifecycle] Failed: The on-start script exited with code 2: livy unreachable"]
    with pytest.raises(ValidationError, match="takes on-start or on-create"):
        ip.run_line_magic("lifecycle", "run on-stop")


def test_cli_configure_run_status_and_logs(home: Path, tmp_path: Path, capsys) -> None:
    on_start = tmp_path / "setup.sh"
    on_start.write_text('echo "hello $WHO"\n')
    assert main(["lifecycle", "create-config", "team", "--on-start", str(on_start)]) == 0
    assert main(["lifecycle", "configure", "--config", "team", "--env", "WHO=team", "--time-limit", "60"]) == 0
    capsys.readouterr()
    assert main(["lifecycle", "run", "on-start"]) == 0
    assert "hello team" in capsys.readouterr().out.splitlines()
    assert main(["lifecycle", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["source"], status["time_limit"], status["environment"]) == ("config:team", 60, {"WHO": "team"})
    assert [(r["hook"], r["status"]) for r in status["runs"]] == [("on-start", "Completed")]
    assert main(["lifecycle", "logs", str(status["runs"][0]["run_id"])]) == 0
    assert "hello team" in capsys.readouterr().out
    assert main(["lifecycle", "run", "on-create"]) == 1
    assert "error: There is no on-create script: lifecycle configuration team has no on-create script" in \
        capsys.readouterr().err


def test_a_script_stops_with_the_process_running_it(home: Path, tmp_path: Path) -> None:
    write_hook(home / "lifecycle", "on-start", f"sleep 120 & echo $! > {tmp_path}/child.pid\nsleep 120\n")
    cli = subprocess.Popen([sys.executable, "-m", "jupyter_ext.cli", "lifecycle", "run", "on-start"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: (tmp_path / "child.pid").exists() and (tmp_path / "child.pid").read_text(), 30, "the script")
    cli.send_signal(signal.SIGINT)  # Ctrl-C in `jupyter-ext lifecycle run`
    assert cli.wait(30) == 130
    run = list_lifecycle_runs()[0]
    assert run.status == "Failed" and "the process running it" in run.failure_reason
    child = int((tmp_path / "child.pid").read_text())
    wait_until(lambda: not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE,
               timeout=10, what="the script's child to be killed")


def test_background_work_outlives_a_script_that_ends_by_itself(home: Path, tmp_path: Path) -> None:
    write_hook(home / "lifecycle", "on-start", f"""
        nohup sleep 60 > /dev/null 2>&1 &
        echo $! > {tmp_path}/daemon.pid
        sleep 60 & echo $! > {tmp_path}/chatty.pid   # keeps the output pipe open
        python3 -c 'print("from python"); import sys; print("to stderr", file=sys.stderr)'
        echo done
    """)
    started = time.monotonic()
    run = run_lifecycle_hook("on-start")
    assert run.status == "Completed" and time.monotonic() - started < 10
    assert output_of(run.run_id) == ["from python", "to stderr", "done"]
    for name in ("daemon.pid", "chatty.pid"):
        child = psutil.Process(int((tmp_path / name).read_text()))
        assert child.is_running()
        child.kill()


def test_a_terminated_cli_stops_its_script_and_on_create_runs_again(home: Path, tmp_path: Path) -> None:
    write_hook(home / "lifecycle", "on-create", f"echo $$ > {tmp_path}/pid\nsleep 60\n")
    cli = subprocess.Popen([sys.executable, "-m", "jupyter_ext.cli", "lifecycle", "run", "on-create"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text().strip(), 30, "the script")
    script = int((tmp_path / "pid").read_text())
    cli.send_signal(signal.SIGTERM)  # a closed terminal, a cancelled CI job
    cli.wait(timeout=30)
    wait_until(lambda: not psutil.pid_exists(script) or psutil.Process(script).status() == psutil.STATUS_ZOMBIE,
               10, "the script to be stopped with the CLI")
    assert "the process running it" in (list_lifecycle_runs()[0].failure_reason or "")
    assert not lifecycle_status().on_create_done  # cut short, so not done: the next start runs it
    write_hook(home / "lifecycle", "on-create", "echo created\n")
    runs = run_at_server_start(tmp_path, logging.getLogger("test-server"))
    assert [(r.hook, r.status) for r in runs][0] == ("on-create", "Completed")
