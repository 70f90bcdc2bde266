"""Serializers (Python data → request body) and deserializers (response body → Python
data), named as in the SageMaker SDK. One registry each, keyed by short name ("csv",
"json", "jsonlines", "npy", "pandas", ...), for the magics and the CLI.
"""

from __future__ import annotations

import io
import json
from abc import ABC, abstractmethod
from typing import Any

from ..plugins import Registry
from .payloads import CSV, JSON, JSONLINES, NPY

__all__ = [
    "Serializer", "Deserializer", "CSVSerializer", "JSONSerializer", "JSONLinesSerializer", "NumpySerializer",
    "IdentitySerializer", "CSVDeserializer", "JSONDeserializer", "JSONLinesDeserializer", "NumpyDeserializer",
    "PandasDeserializer", "StringDeserializer", "BytesDeserializer", "get_serializer", "get_deserializer",
    "SERIALIZERS", "DESERIALIZERS",
]


def _records(data: Any) -> Any:
    """DataFrames and arrays as plain lists (records of a DataFrame as lists of values)."""
    if hasattr(data, "to_numpy") and hasattr(data, "columns"):
        return data.to_numpy().tolist()
    if hasattr(data, "tolist"):
        return data.tolist()
    return data


def _json_value(value: Any) -> Any:
    """What json.dumps can't write itself: timestamps and dates as ISO text, NumPy scalars
    as numbers; anything else is named in the error."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable; convert it first.")


class Serializer(ABC):
    """Turns Python data into a request body of `CONTENT_TYPE`."""

    CONTENT_TYPE = "application/octet-stream"

    @abstractmethod
    def serialize(self, data: Any) -> bytes:
        """The request body for `data`."""


class CSVSerializer(Serializer):
    """Rows (lists, a 2-D array, a DataFrame without its header) or one record → CSV lines."""

    CONTENT_TYPE = CSV

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (str, bytes)):
            return data.encode() if isinstance(data, str) else data
        rows = _records(data)
        if not isinstance(rows, list) or rows and not isinstance(rows[0], (list, tuple)):
            rows = [rows if isinstance(rows, list) else [rows]]
        return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode()


class JSONSerializer(Serializer):
    """Any JSON value; arrays as lists, a DataFrame as a list of {column: value} records."""

    CONTENT_TYPE = JSON

    def serialize(self, data: Any) -> bytes:
        if isinstance(data, (str, bytes)):
            return data.encode() if isinstance(data, str) else data
        if hasattr(data, "to_dict") and hasattr(data, "columns"):
            data = data.to_dict(orient="records")
        return json.dumps(_records(data), default=_json_value).encode()


class JSONLinesSerializer(Serializer):
    """One JSON value per record, one record per line."""

    CONTENT_TYPE = JSONLINES

    def serialize(self, data: Any) -> bytes:
        if hasattr(data, "to_dict") and hasattr(data, "columns"):
            data = data.to_dict(orient="records")
        return "\n".join(json.dumps(r, default=_json_value) for r in _records(data)).encode()


class NumpySerializer(Serializer):
    """An array (or anything numpy.asarray takes) in NPY format."""

    CONTENT_TYPE = NPY

    def serialize(self, data: Any) -> bytes:
        import numpy

        buffer = io.BytesIO()
        numpy.save(buffer, numpy.asarray(data), allow_pickle=False)
        return buffer.getvalue()


class IdentitySerializer(Serializer):
    """Bytes (or text) sent as they are, with the given content type."""

    def __init__(self, content_type: str = "application/octet-stream") -> None:
        self.CONTENT_TYPE = content_type

    def serialize(self, data: Any) -> bytes:
        return data.encode() if isinstance(data, str) else bytes(data)


class Deserializer(ABC):
    """Turns a response body into Python data; `ACCEPT` is what it asks the endpoint for."""

    ACCEPT = "*/*"

    @abstractmethod
    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        """The Python value of a response body."""


class CSVDeserializer(Deserializer):
    """CSV → a list of rows of strings (as the SageMaker SDK returns them; quoted values
    keep their commas)."""

    ACCEPT = CSV

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        import csv

        return [row for row in csv.reader(body.decode().splitlines()) if row]


class JSONDeserializer(Deserializer):
    """JSON → its value."""

    ACCEPT = JSON

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        return json.loads(body)


class JSONLinesDeserializer(Deserializer):
    """JSON Lines → a list of values."""

    ACCEPT = JSONLINES

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        return [json.loads(line) for line in body.decode().splitlines() if line.strip()]


class NumpyDeserializer(Deserializer):
    """NPY (or JSON / CSV numbers) → a numpy array."""

    ACCEPT = NPY

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        import numpy

        kind = (content_type or NPY).split(";")[0]
        if kind == JSON:
            return numpy.asarray(json.loads(body))
        if kind == CSV:
            return numpy.loadtxt(io.StringIO(body.decode()), delimiter=",", ndmin=1)
        return numpy.load(io.BytesIO(body), allow_pickle=False)


class PandasDeserializer(Deserializer):
    """CSV (no header) or JSON → a pandas DataFrame."""

    ACCEPT = CSV

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        import pandas

        if (content_type or "").split(";")[0] == JSON:
            value = json.loads(body)
            return pandas.DataFrame(value if isinstance(value, list) else [value])
        return pandas.read_csv(io.BytesIO(body), header=None)


class StringDeserializer(Deserializer):
    """The body as text."""

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        return body.decode()


class BytesDeserializer(Deserializer):
    """The body as it came."""

    def deserialize(self, body: bytes, content_type: str | None) -> Any:
        return body


SERIALIZERS: Registry[type[Serializer]] = Registry("serializer", "jupyter_ext.serializers", {
    "csv": CSVSerializer, "json": JSONSerializer, "jsonlines": JSONLinesSerializer, "npy": NumpySerializer,
    "identity": IdentitySerializer,
}, sort_names=False)
"""Serializer classes by (lower-case) name: the built-ins, then the `jupyter_ext.serializers` entry points."""

DESERIALIZERS: Registry[type[Deserializer]] = Registry("deserializer", "jupyter_ext.deserializers", {
    "csv": CSVDeserializer, "json": JSONDeserializer, "jsonlines": JSONLinesDeserializer, "npy": NumpyDeserializer,
    "pandas": PandasDeserializer, "string": StringDeserializer, "bytes": BytesDeserializer,
}, sort_names=False)
"""Deserializer classes by (lower-case) name: the built-ins, then the `jupyter_ext.deserializers` entry points."""


def _lookup(registry: Registry[Any], name: str) -> Any:
    # Names match in any case; an unknown one is quoted as the user wrote it.
    return registry.get(name.lower() if name.lower() in registry else name)


def get_serializer(name: str) -> Serializer:
    """The serializer called `name` (any case); ValidationError lists the valid names."""
    return _lookup(SERIALIZERS, name)()


def get_deserializer(name: str) -> Deserializer:
    """The deserializer called `name` (any case); ValidationError lists the valid names."""
    return _lookup(DESERIALIZERS, name)()
