"""The embedded Livy gateway: sessions and batches on this machine behind Livy's REST API.

    gateway = LivyGateway(port=0).start()     # background thread; gateway.url
    ...
    gateway.stop()                            # stops every session and batch

`serve_forever()` runs it in the foreground (`jupyter-ext livy serve`). Callers send
`gateway.token` (the jupyter_ext home's, see tokens.py); our own clients find it.
"""

from __future__ import annotations

import asyncio
import atexit
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ConflictError
from .apps import GatewaySettings, LivyApps, duration_seconds
from .livy_guard import RequestGuard
from .livy_routes import make_app
from .tokens import NO_AUTH_WARNING, forget_gateway, gateway_token, record_gateway, token_file

__all__ = ["LivyGateway", "GatewaySettings", "duration_seconds"]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class LivyGateway(LivyApps):
    """A Livy-compatible server: the state of `LivyApps` behind Livy's REST API, with its HTTP lifecycle."""

    def __init__(self, settings: GatewaySettings | None = None, **options: Any) -> None:
        super().__init__(settings, **options)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port = self.settings.port
        self.started_at = time.time()
        self.token: str | None = gateway_token() if self.settings.auth else None
        self.token_path = token_file()
        self._record: Path | None = None
        if self.token is None:
            print(NO_AUTH_WARNING, file=sys.stderr, flush=True)

    @property
    def url(self) -> str:
        """The base URL clients use, e.g. `http://127.0.0.1:8998`."""
        host = self.settings.host if self.settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return f"http://{host}:{self.port}"

    # --- the server ----------------------------------------------------------------

    def _bind(self) -> list[Any]:
        from tornado.netutil import bind_sockets

        try:
            sockets = bind_sockets(self.settings.port, self.settings.host)
        except OSError as error:
            raise ConflictError(f"The Livy gateway cannot listen on {self.settings.host}:{self.settings.port} "
                                f"({error.strerror}): pick another port with --port (0 takes any free one), "
                                "or stop what listens there (`jupyter-ext livy status`).") from None
        self.port = sockets[0].getsockname()[1]
        self._record = record_gateway(self.settings.host, self.port)  # so our clients send it the token
        return sockets

    def guard(self) -> RequestGuard:
        """The checks every request passes (Host, Origin, token, X-Requested-By)."""
        settings = self.settings
        return RequestGuard(settings.host, self.port, self.token, settings.username, settings.password,
                            settings.csrf, str(self.token_path))

    def _serve(self, sockets: list[Any], ready: threading.Event | None) -> None:
        from tornado.httpserver import HTTPServer

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = HTTPServer(make_app(self, self.guard()))
        server.add_sockets(sockets)
        threading.Thread(target=self.watchdog, name="livy-watchdog", daemon=True).start()
        if ready is not None:
            self._loop.call_soon(ready.set)
        try:
            self._loop.run_forever()
        finally:
            server.stop()
            self._loop.close()
            if self._record is not None:
                forget_gateway(self._record)

    def start(self) -> LivyGateway:
        """Serve in a background thread; returns self once the port is bound (`url`)."""
        sockets, ready = self._bind(), threading.Event()
        atexit.register(self.stop)  # no session outlives the process that served it
        self._thread = threading.Thread(target=self._serve, args=(sockets, ready), name="livy-gateway", daemon=True)
        self._thread.start()
        ready.wait(30)
        return self

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve in this thread until SIGINT or SIGTERM, then stop every session and batch.
        `on_ready(url)` is called once the port is bound."""
        sockets = self._bind()
        signal.signal(signal.SIGTERM, _interrupt)
        print(f"Livy gateway on {self.url} (spark.master {self.settings.master})", flush=True)
        if on_ready is not None:
            on_ready(self.url)
        try:
            self._serve(sockets, None)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop_apps()

    def stop(self) -> None:
        """Stop serving and stop every session and batch (safe to call twice)."""
        atexit.unregister(self.stop)
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        self.stop_apps()

    def __enter__(self) -> LivyGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
