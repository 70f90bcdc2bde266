"""Spark through Livy: an embedded Livy gateway, one Livy client, sparkmagic set-up and
Spark processing jobs.

    from jupyter_ext.spark import LivyGateway, LivyClient, PySparkProcessor
    gateway = LivyGateway(port=0, master="local[1]").start()
    client = LivyClient(gateway.url)          # sends gateway.token without asking
    PySparkProcessor(livy_url=gateway.url).run(submit_app="job.py", arguments=["--n", "10"])
    gateway.stop()

Names are imported on first use: the client and processor do not import pyspark.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "LivyGateway": "gateway",
    "GatewaySettings": "gateway",
    "LivyClient": "client",
    "LivyRequestError": "client",
    "default_livy_url": "client",
    "PySparkProcessor": "processor",
    "configure_sparkmagic": "sparkmagic",
    "install_pyspark_kernel": "sparkmagic",
    "sparkmagic_config_path": "sparkmagic",
    "running_gateway": "service",
    "start_detached": "service",
    "stop_detached": "service",
    "write_state": "service",
    "describe_livy": "overview",
    "gateway_token": "tokens",
    "token_file": "tokens",
    "token_for": "tokens",
    "livy_requests_session": "tokens",
}

__all__ = list(_EXPORTS)

if TYPE_CHECKING:
    from .client import LivyClient, LivyRequestError, default_livy_url
    from .gateway import GatewaySettings, LivyGateway
    from .processor import PySparkProcessor
    from .service import running_gateway, start_detached, stop_detached
    from .sparkmagic import configure_sparkmagic, install_pyspark_kernel, sparkmagic_config_path
    from .tokens import gateway_token, livy_requests_session, token_file, token_for


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_ext.spark' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
