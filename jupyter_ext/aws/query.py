"""AWS's query protocol (STS, IAM): form-encoded `Action=...` requests, XML answers, both
read and written along botocore's service models."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from .protocol import AwsError, service_model, to_timestamp

__all__ = ["QUERY_SERVICES", "decode_query_input", "encode_query_output", "query_error"]

# The query services, by their SigV4 signing name.
QUERY_SERVICES = {"sts": "sts", "iam": "iam"}


def _unflatten(shape: Any, pairs: dict[str, str], prefix: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        found = {}
        for name, member in shape.members.items():
            value = _unflatten(member, pairs, f"{prefix}{member.serialization.get('name', name)}")
            if value is not None:
                found[name] = value
        return found or None
    if kind == "list":
        items, index = [], 1
        while any(key.startswith(f"{prefix}.member.{index}") for key in pairs):
            items.append(_unflatten(shape.member, pairs, f"{prefix}.member.{index}"))
            index += 1
        return items or None
    if prefix not in pairs:
        return None
    text = pairs[prefix]
    if kind in ("integer", "long"):
        return int(text)
    if kind == "boolean":
        return text.lower() == "true"
    return text


def decode_query_input(model: Any, body: bytes) -> dict[str, Any]:
    """The parameters of a query call (before validation)."""
    pairs = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    shape = model.input_shape
    if shape is None:
        return {}
    decoded = {}
    for name, member in shape.members.items():
        value = _unflatten(member, pairs, member.serialization.get("name", name))
        if value is not None:
            decoded[name] = value
    return decoded


def _xml(shape: Any, value: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        return "".join(f"<{name}>{_xml(member, value[name])}</{name}>"
                       for name, member in shape.members.items() if value.get(name) is not None)
    if kind == "list":
        return "".join(f"<member>{_xml(shape.member, item)}</member>" for item in value)
    if kind == "timestamp":
        return to_timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def encode_query_output(service: str, model: Any, data: dict[str, Any] | None) -> bytes:
    """The XML answer of a query call."""
    namespace = service_model(service).metadata.get("xmlNamespace", "")
    name = model.name
    shape = model.output_shape
    result = _xml(shape, data or {}) if shape is not None else ""
    wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
    inner = f"<{wrapper}>{result}</{wrapper}>" if wrapper else result
    return (f'<{name}Response xmlns="{namespace}">{inner}<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId>'
            f"</ResponseMetadata></{name}Response>").encode()


def query_error(error: AwsError) -> bytes:
    """The XML error of a query call."""
    kind = "Receiver" if error.status >= 500 else "Sender"
    return (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code><Message>"
            f"{escape(error.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()
