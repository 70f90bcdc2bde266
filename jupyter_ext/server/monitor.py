"""REST route for the endpoint's Monitoring tab: its schedules and latest runs."""

from __future__ import annotations

from ..models import EndpointMonitoring
from ..monitor import endpoint_monitoring
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class EndpointMonitoringHandler(ApiHandler):
    """GET /endpoints/{name}/monitoring → EndpointMonitoring (404 for an unknown endpoint)."""

    @api
    def get(self, name: str) -> EndpointMonitoring:
        return endpoint_monitoring(name)


ROUTES = [(f"endpoints/{_NAME}/monitoring", EndpointMonitoringHandler)]
