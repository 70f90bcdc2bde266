"""The local AWS endpoint as a running service: the API server and rclone's S3 beside it.

    service = AwsService(port=0).start()      # background thread; service.url, service.s3_url
    service.environment()                     # what clients need (AWS_ENDPOINT_URL, keys, ...)
    service.stop()

`serve_forever()` runs it in the foreground (`jupyter-ext aws serve`), and runs due
monitoring schedules as a Jupyter server does (every $JUPYTER_EXT_MONITOR_TICK_SECONDS, 60 by
default); a detached one (`--detach`) is found through `<home>/aws/service.json`
(`running_service()`).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from ..callers import WILDCARD_HOSTS, CallerCheck
from ..errors import ConflictError, JupyterExtError, NotFoundError
from ..jobs.detached import DetachedServer
from ..store import home, local_s3_root, s3_mode
from .credentials import DEFAULT_REGION, aws_environment, default_bucket, service_keys
from .routes import make_app
from ..jobs.process import free_port
from .s3_server import start_s3_server

__all__ = ["AwsService", "detached_service", "running_service", "serve_beside_jupyter", "use_local_endpoint",
           "DEFAULT_PORT"]

DEFAULT_PORT = 4566


def detached_service() -> DetachedServer:
    """The detached service's handle (state file `<home>/aws/service.json`)."""
    return DetachedServer("AWS endpoint", home() / "aws" / "service.json", ("aws", "serve"),
                          " (start one with `jupyter-ext aws serve --detach`)")


def running_service() -> dict[str, Any] | None:
    """The detached service's state (`url`, `s3_url`, `pid`, ...) if one runs, else None."""
    return detached_service().running()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class AwsService:
    """SageMaker's, CloudWatch Logs' and CloudWatch's APIs on `host`:`port`, S3 on `s3_port`
    (default: the next port, or any free one when `port` is 0)."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, s3_port: int | None = None,
                 region: str = DEFAULT_REGION) -> None:
        self.host, self.port, self.region = host, port, region
        self.s3_port = s3_port if s3_port is not None else (port + 1 if port else 0)
        self.keys = service_keys()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._s3: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The API's base URL, e.g. `http://127.0.0.1:4566`."""
        return f"http://{self._client_host()}:{self.port}"

    @property
    def s3_url(self) -> str:
        """The S3 server's URL."""
        return f"http://{self._client_host()}:{self.s3_port}"

    def _client_host(self) -> str:
        host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
        return f"[{host}]" if ":" in host else host

    def environment(self) -> dict[str, str]:
        """The variables that point boto3, the SageMaker SDK and the AWS CLI here."""
        return aws_environment(self.url, self.s3_url, self.region)

    def _bind(self) -> list[Any]:
        from tornado.netutil import bind_sockets

        try:
            sockets = bind_sockets(self.port, self.host)
        except OSError as error:
            raise ConflictError(f"The AWS endpoint cannot listen on {self.host}:{self.port} ({error.strerror}): pick "
                                "another port with --port (0 takes any free one), or stop what listens there "
                                "(`jupyter-ext aws status`).") from None
        self.port = sockets[0].getsockname()[1]
        if not self.s3_port:
            self.s3_port = free_port(self._client_host().strip("[]"))
        # The SDK's default bucket exists from the start, as on AWS once the SDK has made it.
        (local_s3_root() / default_bucket(self.region)).mkdir(parents=True, exist_ok=True)
        self._s3 = start_s3_server(self.host, self.s3_port, self.keys, home() / "aws" / "s3.log")
        # Jobs started from here (CreateTrainingJob) reach this same service.
        os.environ.update(self.environment())
        return sockets

    def _serve(self, sockets: list[Any], ready: threading.Event | None) -> None:
        from tornado.httpserver import HTTPServer

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = make_app(CallerCheck(self.host, self.port, "jupyter_ext's AWS endpoint"),
                       {self.keys.access_key: self.keys.secret_key})
        server = HTTPServer(app, max_body_size=64 << 20)
        server.add_sockets(sockets)
        if ready is not None:
            self._loop.call_soon(ready.set)
        try:
            self._loop.run_forever()
        finally:
            server.stop()
            self._loop.close()

    def start(self) -> AwsService:
        """Serve in a background thread; returns self once the ports are bound."""
        sockets, ready = self._bind(), threading.Event()
        atexit.register(self.stop)
        self._thread = threading.Thread(target=self._serve, args=(sockets, ready), name="aws-endpoint", daemon=True)
        self._thread.start()
        ready.wait(30)
        return self

    def serve_forever(self, on_ready: Callable[[AwsService], None] | None = None) -> None:
        """Serve in this thread until SIGINT or SIGTERM; `on_ready(self)` once the ports are
        bound. Due monitoring schedules run meanwhile (no Jupyter server runs them here)."""
        from ..monitor import MonitoringTicker, tick_interval

        sockets = self._bind()
        signal.signal(signal.SIGTERM, _interrupt)
        print(f"AWS endpoint on {self.url} (S3 on {self.s3_url}, region {self.region})", flush=True)
        if on_ready is not None:
            on_ready(self)
        ticker = MonitoringTicker(tick_interval(), logging.getLogger("jupyter_ext.aws")).start()
        try:
            self._serve(sockets, None)
        except KeyboardInterrupt:
            pass
        finally:
            ticker.stop()
            self._stop_s3()

    def _stop_s3(self) -> None:
        if self._s3 is not None and self._s3.poll() is None:
            self._s3.terminate()
            try:
                self._s3.wait(10)
            except subprocess.TimeoutExpired:
                self._s3.kill()

    def stop(self) -> None:
        """Stop serving, and stop the S3 server (safe to call twice)."""
        atexit.unregister(self.stop)
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        self._stop_s3()

    def __enter__(self) -> AwsService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_beside_jupyter(log: Any) -> AwsService | None:
    """What a Jupyter server with jupyter_ext does at start: use the running endpoint, or
    serve one in this process (port 4566, else any free port), and give this process's
    environment (so its kernels') the variables that point clients at it. Nothing when
    JUPYTER_EXT_AWS=off: kernels then talk to real AWS."""
    if s3_mode() == "aws":
        log.info("jupyter_ext: JUPYTER_EXT_AWS=off, so kernels talk to real AWS")
        return None
    found = running_service()
    if found:
        os.environ.update(aws_environment(found["url"], found["s3_url"], found.get("region") or DEFAULT_REGION))
        log.info("jupyter_ext: kernels use the AWS endpoint at %s", found["url"])
        return None
    try:
        service = AwsService(port=DEFAULT_PORT).start()
    except ConflictError:
        service = AwsService(port=0).start()
    detached_service().write_state(service.url, s3_url=service.s3_url, region=service.region, in_jupyter_server=True)
    log.info("jupyter_ext: AWS endpoint on %s (S3 on %s); kernels use it", service.url, service.s3_url)
    return service


def use_local_endpoint(start: bool = True) -> dict[str, str]:
    """Point this process's AWS clients (boto3, the SageMaker SDK) at the local endpoint:
    the running one, else (with `start`) a detached one started now (port 4566, or any
    free port when that is taken). Returns the variables it set.

    A kernel of a Jupyter server with jupyter_ext has them already; a script, a console
    or a papermill run calls this (or runs `eval "$(jupyter-ext aws env)"` first).
    """
    found = running_service()
    if found is None:
        if not start:
            raise NotFoundError("No AWS endpoint is running: start one with `jupyter-ext aws serve --detach`.")
        server = detached_service()
        try:
            found = server.start(["--port", str(DEFAULT_PORT)])
        except JupyterExtError:
            found = server.start(["--port", "0"])
    environment = aws_environment(found["url"], found["s3_url"], found.get("region") or DEFAULT_REGION)
    os.environ.update(environment)
    return environment
