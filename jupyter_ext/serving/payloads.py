"""The built-in request decoding and response encoding of endpoints (SageMaker's default
`input_fn` / `output_fn`): CSV, JSON, JSON Lines and NumPy.

A payload the endpoint cannot read raises `PayloadError` with the HTTP status it earns
(400 malformed, 415 unsupported content type, 406 unsupported Accept). Malformed includes
what Python would read but a model cannot take: NaN and infinities (JSON has none; in CSV
leave a missing value empty), a byte order mark, a NUL byte, nesting too deep to read.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any

__all__ = ["PayloadError", "base_type", "decode", "encode", "CSV", "JSON", "JSONLINES", "NPY", "CONTENT_TYPES"]

CSV, JSON, JSONLINES, NPY = "text/csv", "application/json", "application/jsonlines", "application/x-npy"
_ALIASES = {"application/jsonl": JSONLINES, "application/x-jsonlines": JSONLINES, "application/json-lines": JSONLINES,
            "text/plain": CSV}
CONTENT_TYPES = (CSV, JSON, JSONLINES, NPY)


class PayloadError(ValueError):
    """A request the endpoint cannot take; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def base_type(content_type: str | None) -> str:
    """`text/csv; charset=utf-8` → `text/csv` (aliases of JSON Lines folded in)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return _ALIASES.get(kind, kind)


def _cell(text: str, line: int) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text.strip('"')
    if not math.isfinite(value):
        raise PayloadError(f"The CSV payload is malformed: {text!r} on line {line} is not a finite number; "
                           "leave a missing value empty.")
    return value


def _csv_rows(body: bytes) -> list[list[Any]]:
    text = _text(body)
    rows = [[_cell(c, number) for c in line.split(",")]
            for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise PayloadError("The CSV payload is empty: send one record per line, values separated by commas.")
    if len({len(r) for r in rows}) > 1:
        raise PayloadError(f"The CSV payload is malformed: lines have different numbers of values "
                           f"({sorted({len(r) for r in rows})}).")
    return rows


def _text(body: bytes) -> str:
    if body.startswith(b"\xef\xbb\xbf"):
        raise PayloadError("The payload starts with a UTF-8 byte order mark (BOM); send UTF-8 text without one "
                           "(e.g. save the file as 'UTF-8', not 'UTF-8 with BOM').")
    nul = body.find(b"\x00")
    if nul >= 0:
        raise PayloadError(f"The payload holds a NUL byte (at byte {nul}); text payloads cannot hold one.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("The payload is not UTF-8 text.") from None


def _not_json(constant: str) -> Any:
    raise PayloadError(f"{constant} is not a JSON value (and models cannot take it); send null for a missing value.")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"{text} is out of a float's range; send numbers within ±1.8e308.")
    return value


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except PayloadError as error:
        raise PayloadError(f"The {what} payload is malformed: {error}") from None
    except RecursionError:
        raise PayloadError(f"The {what} payload is nested too deeply to read.") from None
    except ValueError as error:
        raise PayloadError(f"The {what} payload is malformed: {error}.") from None


def decode(body: bytes, content_type: str | None) -> Any:
    """The request body as Python data: CSV → list of rows; JSON → the value (the list under
    "instances" if that is how it is wrapped); JSON Lines → list of values; NPY → array."""
    kind = base_type(content_type)
    if not body:
        raise PayloadError("The request body is empty; send a record to predict on.")
    if kind == CSV:
        return _csv_rows(body)
    if kind == JSON:
        data = _json(_text(body), "JSON")
        return data["instances"] if isinstance(data, dict) and "instances" in data else data
    if kind == JSONLINES:
        return [_json(line, "JSON Lines") for line in _text(body).splitlines() if line.strip()]
    if kind == NPY:
        import numpy

        try:
            return numpy.load(io.BytesIO(body), allow_pickle=False)
        except ValueError as error:
            raise PayloadError(f"The NPY payload is malformed: {error}.") from None
    raise PayloadError(f"Content type {content_type!r} is not supported; send one of: {', '.join(CONTENT_TYPES)}.",
                       status=415)


def _plain(prediction: Any) -> Any:
    if hasattr(prediction, "detach"):
        prediction = prediction.detach().cpu().numpy()
    if hasattr(prediction, "tolist"):
        return prediction.tolist()
    return prediction


def _csv_line(row: Any) -> str:
    values = row if isinstance(row, (list, tuple)) else [row]
    return ",".join(json.dumps(v) if isinstance(v, str) and "," in v else str(v) for v in values)


def encode(prediction: Any, accept: str | None) -> tuple[bytes, str]:
    """A prediction as (body, content type) per `accept` (default JSON)."""
    kind = base_type(accept) if accept and accept not in ("*/*",) else JSON
    if kind == NPY:
        import numpy

        buffer = io.BytesIO()
        numpy.save(buffer, numpy.asarray(_plain(prediction)), allow_pickle=False)
        return buffer.getvalue(), NPY
    value = _plain(prediction)
    if kind == JSON:
        return json.dumps(value).encode(), JSON
    rows = value if isinstance(value, list) else [value]
    if kind == CSV:
        return "\n".join(_csv_line(row) for row in rows).encode(), CSV
    if kind == JSONLINES:
        return "\n".join(json.dumps(row) for row in rows).encode(), JSONLINES
    raise PayloadError(f"Accept {accept!r} is not supported; ask for one of: {', '.join(CONTENT_TYPES)}.", status=406)
