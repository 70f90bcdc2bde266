"""The jupyter_server extension: `/jupyter-ext/api/...` for the sidebar.

Every route sits behind jupyter_server's authentication. This first route tells the
client which version and store it talks to; the jobs routes build on the same base.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from .. import __version__
from ..store import home

__all__ = ["StatusHandler"]


class StatusHandler(APIHandler):
    """GET /jupyter-ext/api/status: the version and the store's home."""

    @web.authenticated
    def get(self) -> None:
        self.finish(json.dumps({"version": __version__, "home": str(home())}))


def _load_jupyter_server_extension(server_app: Any) -> None:
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "jupyter-ext", "api")
    web_app.add_handlers(".*$", [(url_path_join(base, "status"), StatusHandler)])
    server_app.log.info("jupyter_ext %s: store at %s", __version__, home())
