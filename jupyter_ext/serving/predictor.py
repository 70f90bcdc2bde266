"""Calling endpoints: `Predictor` (SageMaker's, with explicit serializers),
`invoke_endpoint` (one raw request, as the REST API and `%invoke` send it) and
`send_request` (the same with the answer's bytes and headers, as the AWS endpoint's
InvokeEndpoint forwards it)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import JupyterExtError, ValidationError
from ..models import InvokeEndpointResponse
from .access import bearer_header, read_token
from .endpoints import delete_endpoint, describe_endpoint, update_endpoint_weights_and_capacities
from .serializers import Deserializer, JSONDeserializer, JSONSerializer, Serializer

__all__ = ["Predictor", "ModelError", "EndpointAnswer", "invoke_endpoint", "send_request"]

_PRINTABLE_ID = re.compile(r"^[\x20-\x7e]{1,64}$")


class ModelError(JupyterExtError):
    """The endpoint answered with an error: `status_code` (4xx: the request; 500: the model
    raised) and the endpoint's message."""

    def __init__(self, endpoint: str, status_code: int, message: str) -> None:
        self.status_code = status_code
        super().__init__(f"Endpoint {endpoint} answered {status_code}: {message}")


def _headers(content_type: str, accept: str | None, target_variant: str | None,
             inference_id: str | None, custom_attributes: str | None) -> dict[str, str]:
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    if target_variant is not None:
        headers["X-Amzn-SageMaker-Target-Variant"] = target_variant
    if inference_id is not None:
        if not _PRINTABLE_ID.fullmatch(inference_id):
            raise ValidationError("inference_id must be 1 to 64 printable ASCII characters.")
        headers["X-Amzn-SageMaker-Inference-Id"] = inference_id
    if custom_attributes is not None:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
    return headers


def _endpoint_url(name: str) -> tuple[str, dict[str, str]]:
    """The endpoint's URL and the header carrying its invoke token; ValidationError unless it serves."""
    description = describe_endpoint(name)
    if description.status not in ("InService", "Updating") or description.url is None:
        reason = f": {description.failure_reason}" if description.failure_reason else ""
        raise ValidationError(f"Endpoint {name} is {description.status}, not InService{reason}")
    return description.url, bearer_header(read_token(Path(description.endpoint_dir)))


def _message(body: bytes) -> str:
    try:
        return json.loads(body)["Message"]
    except (ValueError, KeyError, TypeError):
        return body.decode(errors="replace")


class Predictor:
    """Sends requests to an endpoint: `predict(data)` serializes `data`, posts it to
    /invocations and deserializes the answer. Defaults: JSON both ways. The endpoint's
    invoke token is read from the store's folder and sent with each request.

    A 4xx/5xx answer raises ModelError with the endpoint's message.
    """

    def __init__(self, endpoint_name: str, serializer: Serializer | None = None,
                 deserializer: Deserializer | None = None, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("Predictor", _sagemaker_only)
        self.endpoint_name = endpoint_name
        self.serializer = serializer or JSONSerializer()
        self.deserializer = deserializer or JSONDeserializer()
        self._client: Any = None
        self.last_variant: str | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint's name (SageMaker's older name for `endpoint_name`)."""
        return self.endpoint_name

    def _http(self) -> Any:
        if self._client is None:
            import httpx

            url, token = _endpoint_url(self.endpoint_name)
            self._client = httpx.Client(base_url=url, headers=token, timeout=60.0)
        return self._client

    def predict(self, data: Any, target_variant: str | None = None, inference_id: str | None = None,
                custom_attributes: str | None = None, initial_args: dict[str, str] | None = None) -> Any:
        """The endpoint's prediction for `data`; `target_variant` bypasses the weights.
        The variant that answered is in `last_variant`."""
        import httpx

        args = initial_args or {}
        headers = _headers(args.get("ContentType", self.serializer.CONTENT_TYPE), args.get("Accept", self.deserializer.ACCEPT),
                           target_variant, inference_id, custom_attributes)
        try:
            response = self._http().post("/invocations", content=self.serializer.serialize(data), headers=headers)
        except httpx.TransportError as error:
            self.close()
            _endpoint_url(self.endpoint_name)  # says Failed if the server died
            raise ModelError(self.endpoint_name, 503, f"cannot reach the endpoint ({error})") from None
        self.last_variant = response.headers.get("x-amzn-invoked-production-variant")
        if response.status_code >= 400:
            raise ModelError(self.endpoint_name, response.status_code, _message(response.content))
        return self.deserializer.deserialize(response.content, response.headers.get("content-type"))

    def describe(self) -> Any:
        """The endpoint's EndpointDescription (variants, weights, traffic counts); it reads as
        SageMaker's DescribeEndpoint dict too (`describe()["EndpointStatus"]`)."""
        return describe_endpoint(self.endpoint_name)

    def update_endpoint_weights_and_capacities(self, desired: Any) -> None:
        """Change variant weights ({variant: weight}) without dropping a request."""
        update_endpoint_weights_and_capacities(self.endpoint_name, desired)

    def delete_endpoint(self) -> None:
        """Stop and remove the endpoint."""
        self.close()
        delete_endpoint(self.endpoint_name)

    def close(self) -> None:
        """Close the connection to the endpoint (reopened on the next predict)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __repr__(self) -> str:
        return f"Predictor({self.endpoint_name!r})"


@dataclass(frozen=True)
class EndpointAnswer:
    """One request's answer as the endpoint sent it: HTTP status, body bytes, content type,
    the variant that served it, the model's custom attributes and the round-trip time (ms)."""

    status_code: int
    body: bytes
    content_type: str | None
    invoked_variant: str | None
    custom_attributes: str | None
    latency_ms: float

    @property
    def message(self) -> str:
        """An error answer's message (the endpoint's `Message`, else the body as text)."""
        return _message(self.body)


def send_request(endpoint_name: str, body: bytes | str, content_type: str = "application/json",
                 accept: str | None = None, target_variant: str | None = None, inference_id: str | None = None,
                 custom_attributes: str | None = None) -> EndpointAnswer:
    """Send one request to endpoint `endpoint_name` (with its invoke token) and return the
    answer as it came, errors included. ModelError 503 if the endpoint cannot be reached;
    ValidationError if it is not InService."""
    import httpx

    url, token = _endpoint_url(endpoint_name)
    headers = {**_headers(content_type, accept, target_variant, inference_id, custom_attributes), **token}
    started = time.perf_counter()
    try:
        response = httpx.post(url + "/invocations", headers=headers, timeout=60.0,
                              content=body.encode() if isinstance(body, str) else body)
    except httpx.TransportError as error:
        raise ModelError(endpoint_name, 503, f"cannot reach the endpoint ({error})") from None
    return EndpointAnswer(response.status_code, response.content, response.headers.get("content-type"),
                          response.headers.get("x-amzn-invoked-production-variant"),
                          response.headers.get("x-amzn-sagemaker-custom-attributes"),
                          (time.perf_counter() - started) * 1000)


def invoke_endpoint(endpoint_name: str, body: bytes | str, content_type: str = "application/json",
                    accept: str | None = None, target_variant: str | None = None,
                    inference_id: str | None = None) -> InvokeEndpointResponse:
    """Send one request (with the endpoint's invoke token) and return what came back, errors
    included (they are answers too)."""
    answer = send_request(endpoint_name, body, content_type, accept, target_variant, inference_id)
    return InvokeEndpointResponse(status_code=answer.status_code, body=answer.body.decode(errors="replace"),
                                  content_type=answer.content_type, invoked_variant=answer.invoked_variant,
                                  latency_ms=answer.latency_ms)
