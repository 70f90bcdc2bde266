"""AWS's wire formats, read and written with botocore's own service models.

A request's parameters are decoded along the operation's input shape (timestamps become
datetimes, blobs bytes) and validated with botocore's `ParamValidator` and with the
maxima AWS checks on its side (constraints.py), so a bad request gets the error a real
service gives; an answer is written along the output shape (only
modelled members; timestamps as epoch seconds). Two encodings: JSON (SageMaker, logs,
CloudWatch's `awsJson1_0`) and CBOR (CloudWatch's `smithy-rpc-v2-cbor`, which botocore
prefers).
"""

from __future__ import annotations

import base64
import functools
import json
from datetime import datetime, timezone
from typing import Any

from .constraints import constraint_report

__all__ = ["AwsError", "service_model", "operation", "decode_input", "encode_output", "error_body",
           "to_timestamp"]


class AwsError(Exception):
    """An error answered in AWS's shape: `{"__type": code, "message": message}`, plus the
    error shape's own members in `fields` (ModelError's OriginalStatusCode, ...)."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.fields = code, message, status, dict(fields or {})


@functools.lru_cache(maxsize=None)
def service_model(service: str) -> Any:
    """botocore's model of `service` ("sagemaker", "logs", "cloudwatch", ...)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def operation(service: str, name: str) -> Any:
    """The operation model `name` of `service`; AwsError if the model has no such operation."""
    model = service_model(service)
    if name not in model.operation_names:
        raise AwsError("UnknownOperationException", f"{model.service_name} has no operation {name!r}.")
    return model.operation_model(name)


def to_timestamp(value: Any) -> datetime:
    """A wire timestamp (epoch seconds, or ISO 8601 text) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    return to_timestamp(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def _decode(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _decode(members[k], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_decode(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _decode(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        try:
            return to_timestamp(value)
        except (ValueError, TypeError, OverflowError):
            return value  # the validator names it
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value
    return value


def decode_input(model: Any, params: Any) -> dict[str, Any]:
    """`params` (the decoded JSON or CBOR body) checked against `model`'s input shape;
    AwsError `ValidationException` with botocore's own report when they don't fit."""
    from botocore.validate import ParamValidator

    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise AwsError("SerializationException", "The request body must be a JSON (or CBOR) object.")
    shape = model.input_shape
    if shape is None:
        return {}
    decoded = _decode(shape, params)
    report = ParamValidator().validate(decoded, shape)
    if report.has_errors():
        raise AwsError("ValidationException", report.generate_report().replace("\n", " "))
    broken = constraint_report(shape, decoded)
    if broken is not None:
        raise AwsError("ValidationException", broken)
    return decoded


def _encode(shape: Any, value: Any, cbor: bool) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {k: _encode(members[k], v, cbor) for k, v in value.items() if k in members and v is not None}
    if kind == "list":
        return [_encode(shape.member, item, cbor) for item in value]
    if kind == "map":
        return {k: _encode(shape.value, v, cbor) for k, v in value.items() if v is not None}
    if kind == "timestamp":
        moment = to_timestamp(value)
        return moment if cbor else round(moment.timestamp(), 3)
    if kind == "blob" and not cbor:
        return base64.b64encode(value if isinstance(value, bytes) else str(value).encode()).decode()
    if kind in ("integer", "long") and value is not None:
        return int(value)
    if kind in ("double", "float") and value is not None:
        return float(value)
    return value


def encode_output(model: Any, data: dict[str, Any] | None, cbor: bool = False) -> bytes:
    """The answer body of `model` for `data` (unmodelled keys and None values left out)."""
    shape = model.output_shape
    body = _encode(shape, data or {}, cbor) if shape is not None else {}
    if cbor:
        import cbor2

        return cbor2.dumps(body, datetime_as_timestamp=True, timezone=timezone.utc)
    return json.dumps(body).encode()


def error_body(error: AwsError, cbor: bool = False) -> bytes:
    """An error's body in AWS's JSON (or CBOR) error shape."""
    body = {"__type": error.code, "message": error.message}
    if cbor:
        import cbor2

        return cbor2.dumps(body)
    return json.dumps(body).encode()
