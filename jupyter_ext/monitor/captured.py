"""An endpoint's captured requests and responses as rows for a monitoring run.

Files under `<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/` are read for the hours of
the window, and records by their `inferenceTime`. A captured CSV row is the response's
fields then the request's (`output_columns_position="START"`, SageMaker's default) or the
other way round ("END"), named after the baseline's features by position; fields past the
baseline's get `_c<i>` names. When the request alone is as wide as the baseline (a baseline
of the features without the model's output), the response is left out. JSON payloads of
objects keep their keys.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .dataset_chunks import Chunk, ReadReport, csv_fields, rows_to_chunk

__all__ = ["capture_files", "read_captured", "payload_rows", "CHUNK_RECORDS"]

CHUNK_RECORDS = 20_000


def capture_files(root: Path, endpoint: str, start: datetime | None, end: datetime | None) -> list[Path]:
    """Capture files of `endpoint` whose hour folder overlaps [start, end)."""
    files = []
    for path in sorted((root / endpoint).glob("*/*/*/*/*/*.jsonl")):
        try:
            hour = datetime.strptime("/".join(path.parts[-5:-1]), "%Y/%m/%d/%H").replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        if (start is None or hour + timedelta(hours=1) > start) and (end is None or hour < end):
            files.append(path)
    return files


def payload_rows(side: dict[str, Any] | None) -> list[list[Any]]:
    """The rows of one captured payload (`endpointInput`, `endpointOutput` or `groundTruthData`):
    CSV lines, or JSON values (a JSON object's `instances` or `predictions`)."""
    if not side:
        return []
    text = side.get("data", "")
    if side.get("encoding") == "BASE64":
        text = base64.b64decode(text).decode("utf-8", "replace")
    if side.get("encoding") == "JSON" or "json" in side.get("observedContentType", ""):
        value = json.loads(text)
        if isinstance(value, dict):
            value = value.get("instances", value.get("predictions", [value]))
        if not isinstance(value, list):
            return [[value]]
        return [v if isinstance(v, (list, dict)) else [v] for v in value]
    return csv_fields(text)


def _rows(record: dict[str, Any], names: list[str], output_first: bool) -> list[dict[str, Any]]:
    data = record.get("captureData", {})
    inputs, outputs = payload_rows(data.get("endpointInput")), payload_rows(data.get("endpointOutput"))
    if outputs and len(outputs) != len(inputs) and inputs:
        outputs = [outputs[0]] * len(inputs) if len(outputs) == 1 else outputs[:len(inputs)]
    rows = []
    for index, request in enumerate(inputs or outputs):
        response = outputs[index] if outputs and inputs and index < len(outputs) else []
        if isinstance(request, dict):
            rows.append(dict(request))
            continue
        fields = list(response) + list(request) if output_first else list(request) + list(response)
        if response and len(request) == len(names) != len(fields):
            fields = list(request)  # a baseline of the features only: the model's output is left out
        rows.append({(names[i] if i < len(names) else f"_c{i}"): value for i, value in enumerate(fields)})
    return rows


def read_captured(files: list[Path], names: list[str], start: datetime | None, end: datetime | None,
                  report: ReadReport, output_first: bool = True) -> Iterator[Chunk]:
    """Rows of the captured records in [start, end), in chunks; unreadable lines are malformed."""
    seen: list[str] = list(names)
    rows: list[dict[str, Any]] = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    record = json.loads(line)
                    when = datetime.strptime(record["eventMetadata"]["inferenceTime"][:19], "%Y-%m-%dT%H:%M:%S")
                    when = when.replace(tzinfo=timezone.utc)
                    if (start and when < start) or (end and when >= end):
                        continue
                    rows += _rows(record, names, output_first)
                except (ValueError, KeyError, TypeError):
                    report.malformed_lines += 1
                    if len(report.examples) < 5:
                        report.examples.append(f"{path.name} line {number}: not a capture record: {line[:80]!r}")
                    continue
                if len(rows) >= CHUNK_RECORDS:
                    yield _fill(seen, rows)
                    rows = []
    if rows:
        yield _fill(seen, rows)


def _fill(names: list[str], rows: list[dict[str, Any]]) -> Chunk:
    """A chunk with every row's columns; only columns some row has are kept."""
    present = [n for n in names if any(n in r for r in rows)]
    chunk_names, columns = rows_to_chunk(present, rows)
    for name in chunk_names:
        if name not in names:
            names.append(name)
    return chunk_names, columns
