"""The jupyter_server extension: the REST API under `/jupyter-ext/api/...` for the sidebar.

Every route sits behind jupyter_server's authentication. To add routes, give a module a
`ROUTES` list of (path, handler) pairs and name it in `ROUTE_MODULES`.
"""

from __future__ import annotations

import importlib
from typing import Any

from jupyter_server.utils import url_path_join

from .. import __version__
from ..store import home
from .base import ApiHandler, api

__all__ = ["StatusHandler", "ROUTE_MODULES", "api_routes"]

ROUTE_MODULES = ["jupyter_ext.server.jobs", "jupyter_ext.server.experiments", "jupyter_ext.server.lifecycle",
                 "jupyter_ext.server.debugger", "jupyter_ext.server.endpoints",
                 "jupyter_ext.server.spark", "jupyter_ext.server.monitor", "jupyter_ext.server.registry",
                 "jupyter_ext.server.pipelines", "jupyter_ext.server.tuning",
                 "jupyter_ext.server.automl", "jupyter_ext.server.labeling"]


class StatusHandler(ApiHandler):
    """GET /status: the version and the store's home."""

    @api
    def get(self) -> None:
        self.finish({"version": __version__, "home": str(home())})


def api_routes() -> list[tuple[str, type[ApiHandler]]]:
    """Every (path below /jupyter-ext/api/, handler) pair."""
    routes: list[tuple[str, type[ApiHandler]]] = [("status", StatusHandler)]
    for module in ROUTE_MODULES:
        routes += importlib.import_module(module).ROUTES
    return routes


def _load_jupyter_server_extension(server_app: Any) -> None:
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "jupyter-ext", "api")
    web_app.add_handlers(".*$", [(url_path_join(base, path), handler) for path, handler in api_routes()])
    server_app.log.info("jupyter_ext %s: REST API at %s, store at %s", __version__, base, home())
    # Lifecycle scripts (on-create once, on-start every time) run in the background; the
    # thread is kept in the settings so whoever needs to can wait for it.
    from ..lifecycle import start_at_server_start

    web_app.settings["jupyter_ext_lifecycle_start"] = start_at_server_start(server_app.root_dir, server_app.log)
    # Monitoring schedules run while the server runs: every minute the server's IOLoop
    # checks for due schedules on an executor thread (each run is a detached job, so a
    # check is quick); the callback dies with the loop, so the server stops cleanly.
    web_app.settings["jupyter_ext_monitoring_ticker"] = _start_monitoring_ticker(server_app.log)
    # The local AWS endpoint, so `sagemaker.Session()` in a kernel talks to jupyter_ext
    # (`"jupyter_ext_aws": False` in ServerApp.tornado_settings, or JUPYTER_EXT_AWS=off, leaves it out).
    if web_app.settings.get("jupyter_ext_aws", True):
        from ..aws.service import serve_beside_jupyter

        web_app.settings["jupyter_ext_aws_endpoint"] = serve_beside_jupyter(server_app.log)


def _start_monitoring_ticker(log: Any) -> Any:
    from tornado.ioloop import IOLoop, PeriodicCallback

    from ..monitor import MonitoringTicker, tick_interval

    interval = tick_interval()
    ticker = MonitoringTicker(interval, log)
    running: list[Any] = []

    def check() -> None:
        if running and not running[0].done():
            return  # the previous check is still going
        running[:] = [IOLoop.current().run_in_executor(None, ticker.tick)]

    callback = PeriodicCallback(check, interval * 1000)
    callback.start()
    IOLoop.current().add_callback(check)
    return callback
