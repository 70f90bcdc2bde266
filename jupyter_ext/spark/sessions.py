"""Livy's interactive sessions, each backed by one local driver process.

A session runs `jupyter_ext.spark.run_driver` (its own SparkSession and JVM); batches are in
`_batches.py`. States, statement records and logs follow Livy's REST
API (see the Livy spec in the project's docs); the HTTP layer only renders them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ..jobs.process import terminate_group

__all__ = ["LivyError", "LivyApp", "InteractiveSession", "spark_environment", "read_lines", "stop_process",
           "FINAL_STATES", "page"]

FINAL_STATES = ("dead", "error", "success", "killed")
RETAINED_STATEMENTS = 100
FORCED_CANCEL_AFTER = 30.0


class LivyError(Exception):
    """An HTTP error in Livy's shape: `body` is `{"msg": ...}` or a bare JSON string."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(body if isinstance(body, str) else body.get("msg"))
        self.status = status
        self.body = body


def now_ms() -> int:
    """Epoch milliseconds, as Livy stamps statements."""
    return int(time.time() * 1000)


def spark_environment() -> dict[str, str]:
    """The environment pyspark's launch scripts need to find Spark and this Python."""
    import pyspark

    env = dict(os.environ)
    env.update(SPARK_HOME=str(Path(pyspark.__file__).parent), PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable, SPARK_LOCAL_IP=env.get("SPARK_LOCAL_IP", "127.0.0.1"))
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def page(lines: list[str], start: str | None, size: str | None) -> tuple[int, list[str]]:
    """Livy's log paging: `size` 100 by default (negative = all), `from` defaults to the tail."""
    try:
        count = 100 if size is None else int(size)
        first = None if start is None else int(start)
    except ValueError:
        raise LivyError(400, {"msg": "from and size must be integers"}) from None
    if count < 0:
        count = len(lines)
    if first is None:
        first = max(0, len(lines) - count)
    first = max(0, first)
    return first, lines[first:first + count]


def read_lines(path: Path, tail_bytes: int | None = None) -> list[str]:
    """The lines of a log file written by a child process ([] before it exists);
    with `tail_bytes`, only the whole lines within the file's last bytes."""
    try:
        with open(path, "rb") as file:
            if tail_bytes is not None and file.seek(0, os.SEEK_END) > tail_bytes:
                file.seek(-tail_bytes, os.SEEK_END)
                return file.read().decode(errors="replace").splitlines()[1:]
            file.seek(0)
            return file.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return []


def stop_process(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL after `grace` seconds."""
    terminate_group(process.pid, grace, process)


_CONF_OF_FIELD = {"driverMemory": "spark.driver.memory", "driverCores": "spark.driver.cores",
                  "executorMemory": "spark.executor.memory", "executorCores": "spark.executor.cores",
                  "numExecutors": "spark.executor.instances", "queue": "spark.yarn.queue",
                  "jars": "spark.jars", "archives": "spark.archives"}


def request_conf(request: dict[str, Any]) -> dict[str, str]:
    """Spark settings for a session request's resource fields (`driverMemory` → spark.driver.memory, ...)."""
    conf = {}
    for field, key in _CONF_OF_FIELD.items():
        value = request.get(field)
        if value:
            conf[key] = ",".join(value) if isinstance(value, list) else str(value)
    return conf


class LivyApp:
    """What sessions and batches share: id, name, owner, state, a log, a process."""

    kind_of_app = "session"

    def __init__(self, app_id: int, request: dict[str, Any], folder: Path, owner: str | None) -> None:
        self.id = app_id
        self.request = request
        self.name: str | None = request.get("name")
        self.owner = owner
        self.proxy_user: str | None = request.get("proxyUser") or owner
        self.state = "starting"
        self.app_id: str | None = None
        self.spark_ui_url: str | None = None
        self.folder = folder
        self.log_path = folder / f"{self.kind_of_app}-{app_id}.log"
        self.process: subprocess.Popen[Any] | None = None
        self.lock = threading.RLock()
        self.ended_at: float | None = None

    def log_lines(self, tail_bytes: int | None = None) -> list[str]:
        """Every line of this app's log (or those within its last `tail_bytes`)."""
        return read_lines(self.log_path, tail_bytes)

    def set_state(self, state: str) -> None:
        """Move to `state`, noting when a final state was reached."""
        with self.lock:
            self.state = state
            if state in FINAL_STATES and self.ended_at is None:
                self.ended_at = time.monotonic()

    def view(self) -> dict[str, Any]:
        """The common keys of Livy's session and batch objects."""
        return {"id": self.id, "name": self.name, "appId": self.app_id, "owner": self.owner,
                "proxyUser": self.proxy_user, "state": self.state,
                "appInfo": {"driverLogUrl": None, "sparkUiUrl": self.spark_ui_url, "executorLogUrls": None},
                "log": self.log_lines(16384)[-10:]}  # polled often: read only the end


class InteractiveSession(LivyApp):
    """One Livy interactive session: a driver process and its statements."""

    def __init__(self, app_id: int, request: dict[str, Any], folder: Path, owner: str | None,
                 master: str, conf: dict[str, str]) -> None:
        super().__init__(app_id, request, folder, owner)
        self.kind: str = request.get("kind", "shared")
        self.statements: dict[int, dict[str, Any]] = {}
        self.next_statement = 0
        self.heartbeat_timeout = int(request.get("heartbeatTimeoutInSecond") or 0)
        self.heartbeat_deadline = time.monotonic() + self.heartbeat_timeout
        self.last_activity = time.monotonic()
        self.completions: dict[str, tuple[threading.Event, list[str]]] = {}
        self.settings = {"master": master, "name": self.name or f"livy-session-{app_id}",
                         "conf": {**conf, **request_conf(request), **request.get("conf", {})},
                         "pyFiles": request.get("pyFiles", []), "files": request.get("files", [])}

    def start(self) -> None:
        """Launch the driver process; the state moves to idle once Spark is up."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyter_ext.spark.run_driver", json.dumps(self.settings)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=spark_environment(),
                start_new_session=True, text=True, bufsize=1)
        threading.Thread(target=self._read_replies, name=f"livy-session-{self.id}", daemon=True).start()

    def _read_replies(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self._on_reply(json.loads(line))
        self.process.wait()
        with self.lock:
            if self.state in ("shutting_down", "dead", "killed"):
                return
            for statement in self.statements.values():
                if statement["state"] in ("waiting", "running", "cancelling"):
                    self._finish(statement, {"status": "error", "ename": "Error",
                                             "evalue": f"Interpreter died:\n{self._log_tail()}", "traceback": []})
            self.set_state("error")

    def _log_tail(self) -> str:
        return "\n".join(self.log_lines()[-20:])

    def _on_reply(self, reply: dict[str, Any]) -> None:
        with self.lock:
            event = reply["event"]
            if event == "ready":
                self.app_id, self.spark_ui_url = reply.get("appId"), reply.get("sparkUiUrl")
                if self.state == "starting":
                    self._update_busy()
            elif event == "start_failed":
                self.set_state("error")
            elif event == "started" and reply["id"] in self.statements:
                statement = self.statements[reply["id"]]
                if statement["state"] == "waiting":
                    statement.update(state="running", started=now_ms())
            elif event == "result" and reply["id"] in self.statements:
                self._finish(self.statements[reply["id"]], reply["output"])
            elif event == "completion" and reply["token"] in self.completions:
                done, candidates = self.completions[reply["token"]]
                candidates.extend(reply["candidates"])
                done.set()

    def _finish(self, statement: dict[str, Any], output: dict[str, Any] | None) -> None:
        if statement["state"] in ("available", "cancelled"):
            return
        final = "cancelled" if statement["state"] == "cancelling" else "available"
        if output is not None:
            output = {**output, "execution_count": statement["id"]}
        statement.update(state=final, output=output, progress=1.0, completed=now_ms())
        self.last_activity = time.monotonic()
        self._update_busy()

    def _update_busy(self) -> None:
        if self.state in ("starting", "idle", "busy"):
            active = any(s["state"] in ("waiting", "running", "cancelling") for s in self.statements.values())
            self.set_state("busy" if active else "idle")

    def _send(self, request: dict[str, Any]) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # the driver died; the reply reader marks the session

    def require_running(self) -> None:
        """Livy's guard for submit/cancel/completion: 500 unless idle or busy."""
        if self.state not in ("idle", "busy"):
            raise LivyError(500, f"java.lang.IllegalStateException: Session is in state {self.state}")

    def require_active(self) -> None:
        """Livy's guard for reading statements: 400 once the session is over (Livy
        counts `error` as active, so a crashed session's statements stay readable)."""
        if self.state in ("shutting_down", "dead", "killed", "success"):
            raise LivyError(400, "requirement failed: Session isn't active.")

    def submit(self, code: str, kind: str | None) -> dict[str, Any]:
        """Queue a statement; it runs after the ones before it."""
        with self.lock:
            self.require_running()
            kind = kind or self.kind
            if kind == "shared":
                raise LivyError(400, {"msg": "Code type should be specified if session kind is shared"})
            statement = {"id": self.next_statement, "code": code, "state": "waiting", "output": None,
                         "progress": 0.0, "started": 0, "completed": 0}
            self.statements[statement["id"]] = statement
            self.next_statement += 1
            for old in sorted(self.statements)[:-RETAINED_STATEMENTS]:
                del self.statements[old]
            self.last_activity = time.monotonic()
            self.set_state("busy")
            self._send({"op": "run", "id": statement["id"], "code": code,
                        "kind": "sql" if kind == "sql" else "pyspark"})
            return dict(statement)

    def statement(self, statement_id: int) -> dict[str, Any]:
        """One statement record; 404 `"Statement not found"` if unknown."""
        with self.lock:
            if statement_id not in self.statements:
                raise LivyError(404, "Statement not found")
            return dict(self.statements[statement_id])

    def cancel(self, statement_id: int) -> None:
        """Cancel a statement as Livy does; final statements are left alone."""
        with self.lock:
            self.require_running()
            statement = self.statements.get(statement_id)
            self.last_activity = time.monotonic()
            if statement is None or statement["state"] in ("available", "cancelled", "cancelling"):
                return
            if statement["state"] == "waiting":
                statement.update(state="cancelled", completed=now_ms())
                self._update_busy()
            else:
                statement["state"] = "cancelling"
                threading.Timer(FORCED_CANCEL_AFTER, self._force_cancel, args=(statement_id,)).start()
            self._send({"op": "cancel", "id": statement_id})

    def _force_cancel(self, statement_id: int) -> None:
        with self.lock:
            statement = self.statements.get(statement_id)
            if statement is not None and statement["state"] == "cancelling":
                statement.update(state="cancelled", completed=now_ms())
                self._update_busy()

    def complete(self, code: str, cursor: int) -> list[str]:
        """Completion candidates from the session's namespace (empty after 10 s)."""
        with self.lock:
            self.require_running()
            self.last_activity = time.monotonic()
            token = f"{time.monotonic_ns()}"
            done, candidates = threading.Event(), []
            self.completions[token] = (done, candidates)
            self._send({"op": "complete", "token": token, "code": code, "cursor": cursor})
        done.wait(10)
        self.completions.pop(token, None)
        return candidates

    def touch(self) -> None:
        """A per-session request renews the heartbeat deadline."""
        self.heartbeat_deadline = time.monotonic() + self.heartbeat_timeout

    def busy_or_recent(self, idle_timeout: float) -> bool:
        """True while a statement runs or the last activity is within `idle_timeout` s."""
        return self.state == "busy" or time.monotonic() - self.last_activity < idle_timeout

    def stop(self) -> None:
        """Shut the driver down (close its input, then signal it) and end as `dead`."""
        with self.lock:
            if self.state in FINAL_STATES:
                return
            starting = self.state == "starting"
            self.set_state("shutting_down")
        if self.process is not None and starting:
            stop_process(self.process, grace=5)  # not reading its input yet
        elif self.process is not None:
            if self.process.stdin is not None:
                try:
                    self.process.stdin.close()
                except OSError:
                    pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stop_process(self.process, grace=5)
        self.set_state("dead")

    def view(self) -> dict[str, Any]:
        """Livy's Session object (0.7 keys and the 0.8/0.9 additions)."""
        request = self.request
        return {**super().view(), "kind": self.kind, "ttl": request.get("ttl"),
                "idleTimeout": request.get("idleTimeout"),
                "driverMemory": request.get("driverMemory"), "driverCores": request.get("driverCores", 0),
                "executorMemory": request.get("executorMemory"),
                "executorCores": request.get("executorCores", 0), "conf": request.get("conf", {}),
                "archives": request.get("archives", []), "files": request.get("files", []),
                "heartbeatTimeoutInSecond": self.heartbeat_timeout, "jars": request.get("jars", []),
                "numExecutors": request.get("numExecutors", 0), "pyFiles": request.get("pyFiles", []),
                "queue": request.get("queue")}
