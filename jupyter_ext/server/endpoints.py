"""REST routes for endpoints: list, describe (variants, weights, traffic), send a test
request, delete. Each is a few lines over `jupyter_ext.serving`."""

from __future__ import annotations

from ..models import EndpointDescription, InvokeEndpointRequest, InvokeEndpointResponse, ListEndpointsResponse
from ..serving import delete_endpoint, describe_endpoint, invoke_endpoint, list_endpoints
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class EndpointsHandler(ApiHandler):
    """GET /endpoints → ListEndpointsResponse (newest first)."""

    @api
    def get(self) -> ListEndpointsResponse:
        return ListEndpointsResponse(list_endpoints())


class EndpointHandler(ApiHandler):
    """GET /endpoints/{name} → EndpointDescription; DELETE /endpoints/{name} → 204."""

    @api
    def get(self, name: str) -> EndpointDescription:
        return describe_endpoint(name)

    @api
    def delete(self, name: str) -> None:
        delete_endpoint(name)
        self.set_status(204)
        self.finish()


class InvocationsHandler(ApiHandler):
    """POST /endpoints/{name}/invocations: InvokeEndpointRequest body → InvokeEndpointResponse
    (the endpoint's own error answers are returned, not raised)."""

    @api
    def post(self, name: str) -> InvokeEndpointResponse:
        request = self.body(InvokeEndpointRequest)
        return invoke_endpoint(name, request.body, request.content_type, request.accept, request.target_variant,
                               request.inference_id)


ROUTES = [
    ("endpoints", EndpointsHandler),
    (f"endpoints/{_NAME}", EndpointHandler),
    (f"endpoints/{_NAME}/invocations", InvocationsHandler),
]
