"""What the sidebar's Monitoring tab shows of an endpoint."""

from __future__ import annotations

from ..models import EndpointMonitoring
from .executions import list_executions
from .schedules import list_schedules

__all__ = ["endpoint_monitoring", "MAX_EXECUTIONS"]

MAX_EXECUTIONS = 20


def endpoint_monitoring(endpoint_name: str) -> EndpointMonitoring:
    """The endpoint's schedules and latest runs (NotFoundError for an unknown endpoint)."""
    from ..serving import describe_endpoint

    describe_endpoint(endpoint_name)
    return EndpointMonitoring(endpoint_name, list_schedules(endpoint_name),
                              list_executions(endpoint=endpoint_name, limit=MAX_EXECUTIONS))
