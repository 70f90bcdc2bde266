"""`LivyClient`: the one HTTP seam between jupyter_ext and any Livy server (a cluster's
Livy or the embedded gateway).

It always sends `X-Requested-By` (so CSRF-protected servers accept it), retries only
requests that are safe to repeat (never a POST that creates a session, statement or
batch), sends the embedded gateway's token when it talks to that gateway (tokens.py),
and speaks HTTP Basic auth when given a username and password.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import requests

from ..errors import JupyterExtError, NotFoundError, ValidationError
from .tokens import livy_requests_session

__all__ = ["LivyClient", "LivyRequestError", "default_livy_url", "FINAL_STATES"]

FINAL_STATES = ("dead", "error", "success", "killed")
DEFAULT_URL = "http://127.0.0.1:8998"
_RETRY_SLEEPS = (0.2, 0.5, 1.0, 2.0, 3.0)


class LivyRequestError(JupyterExtError):
    """Livy answered a request with an error status; `status` and `body` say which."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        message = body.get("msg", body) if isinstance(body, dict) else body
        super().__init__(f"Livy {method} {path} failed with HTTP {status}: {message}")
        self.status, self.body = status, body


def default_livy_url() -> str:
    """`$JUPYTER_EXT_LIVY_URL`, else the URL of a gateway started by `jupyter-ext livy serve
    --detach`, else `http://127.0.0.1:8998`."""
    if os.environ.get("JUPYTER_EXT_LIVY_URL"):
        return os.environ["JUPYTER_EXT_LIVY_URL"]
    from .service import running_gateway

    found = running_gateway()
    return found["url"] if found else DEFAULT_URL


class LivyClient:
    """Livy's REST API as Python calls returning Livy's JSON objects.

    `url` defaults to `default_livy_url()`; to our gateway the token goes without asking;
    `auth=(username, password)` sends Basic auth instead; `timeout` (s) bounds each
    request; `retries` is how often an idempotent request is repeated after a connection
    error or a 5xx.
    """

    def __init__(self, url: str | None = None, auth: tuple[str, str] | None = None, verify: bool = True,
                 timeout: float = 60.0, retries: int = 5) -> None:
        self.url = (url or default_livy_url()).rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise ValidationError(f"Livy URL {self.url!r} must start with http:// or https://.")
        self.http = livy_requests_session(self.url)
        self.http.headers["Content-Type"] = "application/json"
        self.http.auth = auth  # given credentials replace the token's Authorization header
        self.http.verify = verify
        self.timeout, self.retries = timeout, retries

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None, retry: bool | None = None) -> Any:
        """One call; JSON in and out. `retry` defaults to True for GET, DELETE and cancel."""
        retry = method in ("GET", "DELETE") if retry is None else retry
        for attempt in range(self.retries + 1 if retry else 1):
            try:
                response = self.http.request(method, self.url + path, json=body, params=params, timeout=self.timeout)
            except requests.ConnectionError as error:
                if retry and attempt < self.retries:
                    time.sleep(_RETRY_SLEEPS[min(attempt, len(_RETRY_SLEEPS) - 1)])
                    continue
                raise JupyterExtError(f"Cannot reach Livy at {self.url}: {error}. Is the server running? "
                                      "Start one with `jupyter-ext livy serve`.") from None
            if response.status_code >= 500 and retry and attempt < self.retries:
                time.sleep(_RETRY_SLEEPS[min(attempt, len(_RETRY_SLEEPS) - 1)])
                continue
            return self._result(method, path, response)
        raise AssertionError("unreachable")

    @staticmethod
    def _result(method: str, path: str, response: requests.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code == 404:
            message = body.get("msg", body) if isinstance(body, dict) else body
            raise NotFoundError(f"Livy {method} {path}: {message}")
        if response.status_code >= 400:
            raise LivyRequestError(method, path, response.status_code, body)
        return body

    # --- server and sessions -------------------------------------------------------

    def version(self) -> str:
        """The server's Livy version, e.g. `0.8.0-incubating`."""
        return self.request("GET", "/version")["version"]

    def create_session(self, kind: str = "pyspark", **fields: Any) -> dict[str, Any]:
        """Create an interactive session (Livy's CreateInteractiveRequest fields); never retried."""
        return self.request("POST", "/sessions", {"kind": kind, **fields}, retry=False)

    def session(self, session_id: int | str) -> dict[str, Any]:
        """Livy's Session object."""
        return self.request("GET", f"/sessions/{session_id}")

    def sessions(self) -> list[dict[str, Any]]:
        """Every session the server lists."""
        return self.request("GET", "/sessions", params={"size": 1000})["sessions"]

    def delete_session(self, session_id: int | str) -> None:
        """Stop a session; a session already gone is fine."""
        try:
            self.request("DELETE", f"/sessions/{session_id}")
        except NotFoundError:
            pass

    def wait_for_session(self, session_id: int | str, timeout: float = 300.0) -> dict[str, Any]:
        """Wait until the session is idle; raise if it ends or `timeout` passes."""
        session = self._wait(lambda: self.session(session_id), ("starting", "not_started", "busy", "running",
                                                                 "recovering"), timeout, f"session {session_id}")
        if session["state"] != "idle":
            log = "\n".join(session.get("log", []))
            raise JupyterExtError(f"Livy session {session_id} is {session['state']}, not idle.\n{log}")
        return session

    def session_log(self, session_id: int | str, start: int = 0, size: int = -1) -> dict[str, Any]:
        """One page of a session's log (`size=-1`: every line from `start`)."""
        return self.request("GET", f"/sessions/{session_id}/log", params={"from": start, "size": size})

    # --- statements ----------------------------------------------------------------

    def submit(self, session_id: int | str, code: str, kind: str | None = None) -> dict[str, Any]:
        """Submit a statement; never retried (it would run twice)."""
        body = {"code": code, **({"kind": kind} if kind else {})}
        return self.request("POST", f"/sessions/{session_id}/statements", body, retry=False)

    def statement(self, session_id: int | str, statement_id: int) -> dict[str, Any]:
        """Livy's Statement object."""
        return self.request("GET", f"/sessions/{session_id}/statements/{statement_id}")

    def wait_for_statement(self, session_id: int | str, statement_id: int, timeout: float = 3600.0) -> dict[str, Any]:
        """Poll until the statement is available or cancelled."""
        return self._wait(lambda: self.statement(session_id, statement_id), ("waiting", "running", "cancelling"),
                          timeout, f"statement {statement_id}")

    def run(self, session_id: int | str, code: str, kind: str | None = None, timeout: float = 3600.0) -> dict[str, Any]:
        """Submit `code` and wait: returns the statement's `output` (raises nothing on a failed
        statement: check `output["status"]`)."""
        statement = self.submit(session_id, code, kind)
        return self.wait_for_statement(session_id, statement["id"], timeout)["output"] or {"status": "ok", "data": {}}

    def cancel(self, session_id: int | str, statement_id: int) -> None:
        """Cancel a statement (safe to repeat)."""
        self.request("POST", f"/sessions/{session_id}/statements/{statement_id}/cancel", {}, retry=True)

    # --- batches -------------------------------------------------------------------

    def create_batch(self, file: str, args: Sequence[str] = (), py_files: Sequence[str] = (),
                     conf: Mapping[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        """Submit a batch (spark-submit of `file` with `args`); never retried."""
        body = {"file": file, "args": list(args), **fields}
        if py_files:
            body["pyFiles"] = list(py_files)
        if conf:
            body["conf"] = {str(k): str(v) for k, v in conf.items()}
        return self.request("POST", "/batches", body, retry=False)

    def batch(self, batch_id: int | str) -> dict[str, Any]:
        """Livy's Batch object."""
        return self.request("GET", f"/batches/{batch_id}")

    def batch_log(self, batch_id: int | str, start: int = 0, size: int = -1) -> dict[str, Any]:
        """One page of a batch's log (`size=-1`: every line from `start`)."""
        return self.request("GET", f"/batches/{batch_id}/log", params={"from": start, "size": size})

    def delete_batch(self, batch_id: int | str) -> None:
        """Kill a batch; one already gone is fine."""
        try:
            self.request("DELETE", f"/batches/{batch_id}")
        except NotFoundError:
            pass

    def follow_batch(self, batch_id: int | str, poll: float = 1.0) -> Iterator[str]:
        """Yield the batch's log lines as they come, until the batch ends.

        A local-mode log is two growing sections (`stdout: ...`, `\nstderr: ...`); each
        is followed on its own, so no line is shown twice or missed.
        """
        seen: dict[int, int] = {}
        while True:
            state = self.batch(batch_id)["state"]
            lines = self.batch_log(batch_id, 0, -1)["log"]
            marker = lines.index("\nstderr: ") if "\nstderr: " in lines else len(lines)
            for section, part in enumerate((lines[:marker], lines[marker:])):
                yield from part[seen.get(section, 0):]
                seen[section] = len(part)
            if state in FINAL_STATES:
                return
            time.sleep(poll)

    def _wait(self, read: Callable[[], dict[str, Any]], waiting: Sequence[str], timeout: float, what: str) -> dict[str, Any]:
        started = time.monotonic()
        pause = 0.005
        while True:
            value = read()
            if value["state"] not in waiting:
                return value
            waited = time.monotonic() - started
            if waited > timeout:
                raise JupyterExtError(f"Timed out after {timeout:g} s waiting for Livy {what} (state {value['state']}).")
            time.sleep(pause)
            # Poll often for the first seconds (short statements answer fast), then back off.
            pause = min(pause * 1.5, 0.02 if waited < 5 else 1.0)
