"""Livy's batches: a .py file run with pyspark's bundled `spark-submit`, one process each.

Local-mode log as Livy shows it: `stdout: `, the stdout lines, `\nstderr: `, the stderr lines.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..jobs.process import spawn_detached
from .sessions import FINAL_STATES, LivyApp, read_lines, spark_environment, stop_process

__all__ = ["Batch"]


class Batch(LivyApp):
    """One Livy batch: a .py file run with spark-submit."""

    kind_of_app = "batch"

    def __init__(self, app_id: int, request: dict[str, Any], folder: Path, owner: str | None,
                 master: str, conf: dict[str, str]) -> None:
        super().__init__(app_id, request, folder, owner)
        self.master, self.conf = master, {**conf, **request.get("conf", {})}
        self.killed = False

    def command(self) -> list[str]:
        """The spark-submit command line for this batch."""
        request = self.request
        spark_home = Path(spark_environment()["SPARK_HOME"])
        command = [str(spark_home / "bin" / "spark-submit"), "--master", self.master,
                   "--name", self.name or f"livy-batch-{self.id}"]
        for key, value in self.conf.items():
            command += ["--conf", f"{key}={value}"]
        for option, field in (("--py-files", "pyFiles"), ("--files", "files"), ("--jars", "jars"),
                              ("--archives", "archives")):
            if request.get(field):
                command += [option, ",".join(request[field])]
        for option, field in (("--driver-memory", "driverMemory"), ("--executor-memory", "executorMemory"),
                              ("--class", "className")):
            if request.get(field):
                command += [option, str(request[field])]
        return command + [request["file"], *map(str, request.get("args", []))]

    def start(self) -> None:
        """Launch spark-submit; the state follows the process."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        out, err = self.log_path.with_suffix(".stdout"), self.log_path.with_suffix(".stderr")
        out.unlink(missing_ok=True)
        err.unlink(missing_ok=True)
        _, self.process = spawn_detached(self.command(), cwd=self.folder, env=spark_environment(), log_path=out,
                                         stderr_path=err, reap=False)
        self.set_state("running")
        threading.Thread(target=self._wait, name=f"livy-batch-{self.id}", daemon=True).start()

    def _wait(self) -> None:
        assert self.process is not None
        code = self.process.wait()
        with self.lock:
            if not self.killed:
                self.set_state("success" if code == 0 else "dead")

    def log_lines(self, tail_bytes: int | None = None) -> list[str]:
        """Livy's local-mode batch log: stdout lines, then stderr lines."""
        out = read_lines(self.log_path.with_suffix(".stdout"), tail_bytes)
        err = read_lines(self.log_path.with_suffix(".stderr"), tail_bytes)
        return ["stdout: ", *out, "\nstderr: ", *err]

    def stop(self) -> None:
        """Kill the application; the batch ends as `killed`."""
        with self.lock:
            if self.state in FINAL_STATES:
                return
            self.killed = True
        if self.process is not None:
            stop_process(self.process, grace=5)
        self.set_state("killed")
