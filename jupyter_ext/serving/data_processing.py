"""Batch transform's data processing, as SageMaker defines it: `input_filter` (a JSONPath
choosing what of each record the model gets), `join_source="Input"` (each input record
beside its output) and `output_filter` (a JSONPath choosing what of the joined, or plain,
output is written).

A CSV record is read as a JSON array of its fields, so only index paths apply to it
(`$[1:]`, `$[0,-1]`); a JSON record is filtered as JSON (`$.features`, `$['id','SageMakerOutput']`).
Joining appends a CSV output row's fields to the input row's; a JSON output goes into the
input object under "SageMakerOutput", or, when the input is not an object, beside it
under "SageMakerInput". The JSONPath operators are SageMaker's: `$`, `.name`, `*`,
`['name','name']`, `[index,index]` (negative ones from the end) and `[start:end]`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError
from .payloads import CSV, base_type

__all__ = ["JsonPath", "DataProcessing", "record_value", "record_bytes"]

_STEP = re.compile(r"""\.(?P<name>[A-Za-z_][\w-]*)|\.?(?P<star>\*)|\[(?P<bracket>[^\]]*)\]""")
_SLICE = re.compile(r"^\s*(-?\d*)\s*:\s*(-?\d*)\s*$")


@dataclass(frozen=True)
class JsonPath:
    """A JSONPath of SageMaker's data processing; `select(value)` applies it.

    Raises ValidationError on an operator SageMaker does not support."""

    path: str
    steps: tuple[tuple[str, Any], ...]

    @classmethod
    def parse(cls, path: str, what: str = "JSONPath") -> JsonPath:
        """`path` parsed ("$", "$[1:]", "$.features", "$['id','SageMakerOutput']")."""
        text = path.strip()
        if not text.startswith("$"):
            raise ValidationError(f"{what} {path!r} must start with $ (the whole record), e.g. $[1:] or $.features.")
        steps, position = [], 1
        while position < len(text):
            match = _STEP.match(text, position)
            if match is None:
                raise ValidationError(f"{what} {path!r}: cannot read {text[position:]!r}; SageMaker's operators are "
                                      "$, .name, *, ['name',...], [index,...] and [start:end].")
            steps.append(_step(match, path, what))
            position = match.end()
        return cls(path, tuple(steps))

    def select(self, value: Any) -> Any:
        """The part of `value` the path names; ValueError where the record has no such part."""
        for kind, argument in self.steps:
            value = _apply(kind, argument, value, self.path)
        return value


def _step(match: re.Match[str], path: str, what: str) -> tuple[str, Any]:
    if match.group("name"):
        return "name", match.group("name")
    if match.group("star"):
        return "star", None
    inside = match.group("bracket").strip()
    if inside == "*":
        return "star", None
    sliced = _SLICE.match(inside)
    if sliced:
        return "slice", tuple(int(part) if part else None for part in sliced.groups())
    parts = [part.strip() for part in inside.split(",")]
    if parts and all(re.fullmatch(r"-?\d+", part) for part in parts):
        return "indexes", tuple(int(part) for part in parts)
    if parts and all(re.fullmatch(r"'[^']*'|\"[^\"]*\"", part) for part in parts):
        return "names", tuple(part[1:-1] for part in parts)
    raise ValidationError(f"{what} {path!r}: [{inside}] is neither indexes, a slice nor quoted names.")


def _apply(kind: str, argument: Any, value: Any, path: str) -> Any:
    if kind == "star":
        return list(value.values()) if isinstance(value, dict) else value
    if kind == "slice":
        _need(value, list, path)
        return value[argument[0]:argument[1]]
    if kind == "indexes":
        _need(value, list, path)
        try:
            chosen = [value[index] for index in argument]
        except IndexError:
            raise ValueError(f"{path}: the record has {len(value)} fields, fewer than its indexes need") from None
        return chosen[0] if len(chosen) == 1 else chosen
    names = (argument,) if kind == "name" else argument
    _need(value, dict, path)
    missing = [name for name in names if name not in value]
    if missing:
        raise ValueError(f"{path}: the record has no {', '.join(map(repr, missing))} (it has {', '.join(value)})")
    return value[names[0]] if len(names) == 1 else {name: value[name] for name in names}


def _need(value: Any, kind: type, path: str) -> None:
    if not isinstance(value, kind):
        shape = "an array (a CSV row)" if kind is list else "an object"
        raise ValueError(f"{path} needs {shape}; the record is {type(value).__name__}")


def record_value(record: bytes, content_type: str | None) -> Any:
    """A record as JSONPath sees it: a CSV row as the array of its fields, else its JSON."""
    if base_type(content_type) == CSV:
        rows = list(csv.reader(io.StringIO(record.decode())))
        return rows[0] if len(rows) == 1 else rows
    return json.loads(record)


def record_bytes(value: Any, content_type: str | None) -> bytes:
    """`value` written back as a record of `content_type` (a CSV row, or JSON)."""
    if base_type(content_type) != CSV:
        return json.dumps(value).encode()
    fields = value if isinstance(value, list) else [value]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        [json.dumps(field) if isinstance(field, (dict, list)) else field for field in fields])
    return out.getvalue().encode()


@dataclass(frozen=True)
class DataProcessing:
    """SageMaker's DataProcessing of a transform job: input_filter, output_filter (JSONPaths,
    "$" being the whole record) and join_source ("Input" or None)."""

    input_filter: str | None = None
    output_filter: str | None = None
    join_source: str | None = None

    def __post_init__(self) -> None:
        for what, path in (("input_filter", self.input_filter), ("output_filter", self.output_filter)):
            if path is not None:
                JsonPath.parse(path, what)
        if self.join_source not in (None, "Input"):
            raise ValidationError(f"join_source {self.join_source!r}; choose one of: Input, None.")

    @property
    def per_record(self) -> bool:
        """Whether outputs are handled record by record (a join or an output filter)."""
        return self.join_source is not None or _filters(self.output_filter)

    def model_input(self, record: bytes, content_type: str | None) -> bytes:
        """What of `record` the model gets (input_filter)."""
        if not _filters(self.input_filter):
            return record
        chosen = JsonPath.parse(self.input_filter or "$").select(record_value(record, content_type))
        return record_bytes(chosen, content_type)

    def written(self, record: bytes, output: bytes, content_type: str | None, accept: str | None) -> bytes:
        """What is written for `record` whose model output is `output`: joined, then output_filter."""
        if self.join_source is None:
            if not _filters(self.output_filter):
                return output
            value, kind = record_value(output, accept), accept
        else:
            value, kind = _joined(record, output, content_type, accept), content_type
        return record_bytes(JsonPath.parse(self.output_filter or "$").select(value), kind)


def _filters(path: str | None) -> bool:
    return path is not None and path.strip() != "$"


def _joined(record: bytes, output: bytes, content_type: str | None, accept: str | None) -> Any:
    value = record_value(record, content_type)
    if base_type(content_type) == CSV:
        answer = record_value(output, accept)
        return [*value, *(answer if isinstance(answer, list) else [answer])]
    try:
        answer = json.loads(output)
    except ValueError:  # a CSV answer to a JSON record: its fields
        answer = record_value(output, CSV)
    if isinstance(value, dict):
        return {**value, "SageMakerOutput": answer}
    return {"SageMakerInput": value, "SageMakerOutput": answer}
