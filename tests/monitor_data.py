"""Data for the Model Monitor tests: a mixed tabular dataset and captured requests written
by the serving package's own capture-record code, in SageMaker's folder layout."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import numpy
import pandas

from jupyter_ext.serving.capture import capture_record

CONFIG = {"capture_modes": ["Input"], "csv_content_types": ["text/csv"], "json_content_types": ["application/json"]}


def frame(rows: int, seed: int, shift: float = 0.0) -> pandas.DataFrame:
    """Four features: a normal float, a small integer, a category and a uniform float."""
    random = numpy.random.RandomState(seed)
    return pandas.DataFrame({
        "x1": random.normal(0, 1, rows) + shift,
        "x2": random.poisson(3, rows),
        "cat": random.choice(["a", "b", "c"], rows, p=[0.5, 0.3, 0.2]),
        "x3": random.uniform(0, 10, rows).round(3),
    })


def write_captures(root: Path, endpoint: str, rows: list[list[object]], when: float | None = None) -> Path:
    """One captured CSV request per row under `root/endpoint/AllTraffic/yyyy/mm/dd/hh/`."""
    when = time.time() if when is None else when
    folder = root / endpoint / "AllTraffic" / time.strftime("%Y/%m/%d/%H", time.gmtime(when))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{time.strftime('%M-%S', time.gmtime(when))}-000-test.jsonl"
    with open(path, "a") as handle:
        for row in rows:
            text = io.StringIO()
            csv.writer(text).writerow(["" if v is None else v for v in row])
            event = ("AllTraffic", when, None, text.getvalue().strip().encode(), "text/csv", b"", "text/csv")
            handle.write(json.dumps(capture_record(event, CONFIG)) + "\n")
    return path
