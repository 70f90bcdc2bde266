"""AWS's REST-JSON protocol (sagemaker-runtime, sagemaker-metrics), read and written with
botocore's service models: which operation a method and path name, where each member
travels (the path, a header, the query string, a raw payload or the JSON body), and the
same on the way back.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from .protocol import AwsError, service_model, to_timestamp

__all__ = ["REST_SERVICES", "match_operation", "decode_rest_input", "encode_rest_output", "rest_error"]

# The REST services, by the SigV4 signing name their callers use.
REST_SERVICES = {"sagemaker": ("sagemaker-runtime", "sagemaker-metrics")}


@functools.lru_cache(maxsize=None)
def _routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    model = service_model(service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?", 1)[0]
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(uri))
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        routes.append((http["method"], re.compile(f"^{pattern}$"), name))
    return routes


def match_operation(signing_name: str, method: str, path: str) -> tuple[str, str, dict[str, str]] | None:
    """(service, operation, path labels) of a REST call, or None if no REST service has it."""
    for service in REST_SERVICES.get(signing_name, ()):
        for verb, pattern, name in _routes(service):
            found = pattern.match(path)
            if verb == method and found:
                return service, name, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def _scalar(shape: Any, text: str) -> Any:
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("double", "float"):
        return float(text)
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return to_timestamp(text)
    if kind == "jsonvalue" or shape.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(text))
    return text


def decode_rest_input(model: Any, labels: Mapping[str, str], headers: Mapping[str, str], query: str,
                      body: bytes) -> dict[str, Any]:
    """The parameters of a REST call (before validation, which decode_input does)."""
    shape = model.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = {}
    queries = dict(parse_qsl(query, keep_blank_values=True))
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location, wire = member.serialization.get("location"), member.serialization.get("name", name)
        if location == "uri" and wire in labels:
            params[name] = _scalar(member, labels[wire])
        elif location == "header" and wire in headers:
            params[name] = _scalar(member, headers[wire])
        elif location == "querystring" and wire in queries:
            params[name] = _scalar(member, queries[wire])
    if payload:
        member = shape.members[payload]
        params[payload] = body if member.type_name == "blob" else json.loads(body or b"{}")
    elif body:
        try:
            params.update(json.loads(body))
        except ValueError:
            raise AwsError("SerializationException", "The request body is not valid JSON.") from None
    return params


def encode_rest_output(model: Any, data: dict[str, Any] | None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a REST answer."""
    from .protocol import encode_output

    shape, data = model.output_shape, dict(data or {})
    status = int(model.http.get("responseCode", 200))
    if shape is None:
        return status, {}, b"{}"
    headers = {}
    for name, member in shape.members.items():
        if member.serialization.get("location") == "header" and data.get(name) is not None:
            headers[member.serialization.get("name", name)] = str(data.pop(name))
    payload = shape.serialization.get("payload")
    if payload:
        value = data.get(payload, b"")
        return status, headers, value if isinstance(value, bytes) else str(value).encode()
    headers.setdefault("Content-Type", "application/json")
    return status, headers, encode_output(model, data)


def rest_error(error: AwsError) -> tuple[dict[str, str], bytes]:
    """Headers and body of a REST-JSON error (botocore reads `x-amzn-ErrorType`)."""
    return ({"x-amzn-ErrorType": error.code, "Content-Type": "application/json"},
            json.dumps({**error.fields, "message": error.message, "__type": error.code}).encode())
