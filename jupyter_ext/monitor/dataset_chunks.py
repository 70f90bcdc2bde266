"""Datasets read in chunks, every value as text: CSV (with or without a header), JSON
lines and an endpoint's captured JSONL. Memory stays bounded by the chunk size.

A chunk is `(names, columns)`, columns being pyarrow string arrays (null = missing).
Malformed CSV lines (a wrong number of fields) are counted, a few kept as examples, and
skipped: the run goes on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow
import pyarrow.csv as pacsv

from ..errors import ValidationError

__all__ = ["Chunk", "ReadReport", "TypeConflict", "read_dataset", "dataset_files", "NULL_VALUES"]

Chunk = tuple[list[str], list[pyarrow.Array]]
NULL_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
BLOCK_BYTES = 8 << 20
JSON_ROWS = 50_000


@dataclass
class ReadReport:
    """What reading found besides the data: malformed lines and a few examples."""

    malformed_lines: int = 0
    examples: list[str] = field(default_factory=list)

    def skip(self, row: Any) -> str:
        """pyarrow's invalid-row handler: count the line and skip it."""
        self.malformed_lines += 1
        if len(self.examples) < 5:
            self.examples.append(f"line {row.number}: {row.expected_columns} fields expected, "
                                 f"{row.actual_columns} found: {row.text[:80]!r}")
        return "skip"


def dataset_files(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """`path` itself, or the files in the folder `path` with one of `suffixes` (sorted)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ValidationError(f"Dataset {path} does not exist. Give a file or a folder of files.")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise ValidationError(f"Dataset folder {path} holds no {'/'.join(suffixes)} files.")
    return files


def _header(path: Path, has_header: bool) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        first = next(csv.reader(handle), None)
    if first is None:
        raise ValidationError(f"Dataset {path} is empty: it has no lines. Give a file with rows to analyse.")
    return [name.strip() for name in first] if has_header else [f"_c{i}" for i in range(len(first))]


class TypeConflict(Exception):
    """A later block of a CSV file did not fit the column types inferred from its first block."""


def read_csv(path: Path, has_header: bool, report: ReadReport, typed: bool = True) -> Iterator[Chunk]:
    """A CSV file in chunks. `typed`: columns typed as pyarrow infers from the first block
    (numbers parse once, quickly); TypeConflict if a later block disagrees — read it again
    untyped (every column text)."""
    names = _header(path, has_header)
    if len(set(names)) != len(names):
        raise ValidationError(f"Dataset {path} repeats column names in its header: {names}.")
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if has_header else 0,
                                             block_size=BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(invalid_row_handler=report.skip, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(column_types={} if typed else {n: pyarrow.string() for n in names},
                                             null_values=NULL_VALUES, strings_can_be_null=True))
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pyarrow.ArrowInvalid as error:
            if typed and "conversion error" in str(error).lower():
                raise TypeConflict(str(error)) from None
            raise ValidationError(f"Dataset {path} could not be read: {error}") from None
        if batch.num_rows:
            yield names, list(batch.columns)


_NULLS = frozenset(NULL_VALUES)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and value in _NULLS):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else json.dumps(value)


def rows_to_chunk(names: list[str], rows: list[dict[str, Any]]) -> Chunk:
    """Dict rows as a chunk of text columns (keys not in `names` are appended to it)."""
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    return list(names), [pyarrow.array([_text(row.get(n)) for row in rows], pyarrow.string()) for n in names]


def read_json_lines(path: Path, report: ReadReport) -> Iterator[Chunk]:
    """A JSON-lines file of objects in chunks; lines that are not objects are malformed."""
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if not isinstance(row, dict):
                report.malformed_lines += 1
                if len(report.examples) < 5:
                    report.examples.append(f"line {number}: not a JSON object: {line[:80]!r}")
                continue
            rows.append(row)
            if len(rows) >= JSON_ROWS:
                yield rows_to_chunk(names, rows)
                rows = []
    if rows:
        yield rows_to_chunk(names, rows)


def read_dataset(path: Path, dataset_format: dict[str, Any], report: ReadReport, typed: bool = True) -> Iterator[Chunk]:
    """Every chunk of the dataset at `path` (a file or a folder of files); see read_csv for `typed`."""
    if "csv" in dataset_format:
        for file in dataset_files(path, (".csv", ".txt", ".gz")):
            yield from read_csv(file, dataset_format["csv"].get("header", True), report, typed)
    elif "json" in dataset_format:
        if not dataset_format["json"].get("lines", True):
            for file in dataset_files(path, (".json",)):
                rows = json.loads(file.read_text())
                if not isinstance(rows, list):
                    raise ValidationError(f"{file}: with json(lines=False) the file must hold a list of objects.")
                yield rows_to_chunk([], [r for r in rows if isinstance(r, dict)])
        else:
            for file in dataset_files(path, (".json", ".jsonl")):
                yield from read_json_lines(file, report)
    else:
        raise ValidationError("Captured data is read with read_captured(), not as a baseline dataset.")


def csv_fields(text: str) -> list[list[str]]:
    """The rows of a small CSV payload (a captured request or response)."""
    return [row for row in csv.reader(io.StringIO(text)) if row]
