"""Metrics two ways: SageMaker metric_definitions (regexes over the log) and values the
program pushes with `jupyter_ext.log_metric()`.

A pushed value is appended as one JSON line to the file named by
`JUPYTER_EXT_METRICS_FILE` (set in every job); the runner moves both kinds into the store.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

import regex

from ..errors import ValidationError

__all__ = [
    "METRICS_FILE",
    "MAX_METRIC_DEFINITIONS",
    "validate_metric_definitions",
    "RegexMetrics",
    "PushedMetrics",
    "MetricSteps",
    "log_metric",
]

METRICS_FILE = "metrics.jsonl"
MAX_METRIC_DEFINITIONS = 40
# A metric regex gets this long on one log line; one that backtracks for longer is skipped.
MATCH_TIMEOUT_SECONDS = 0.1


def validate_metric_definitions(definitions: Iterable[dict[str, str]] | None) -> list[dict[str, str]]:
    """Check SageMaker-style `[{"Name": ..., "Regex": ...}]`; return them as plain dicts."""
    checked = []
    for index, definition in enumerate(definitions or []):
        if not isinstance(definition, dict) or set(definition) != {"Name", "Regex"}:
            raise ValidationError(
                f"metric_definitions[{index}] must be a dict with exactly the keys 'Name' and "
                f"'Regex', e.g. {{'Name': 'loss', 'Regex': 'loss: ([0-9.]+)'}}; got {definition!r}"
            )
        name, text = definition["Name"], definition["Regex"]
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise ValidationError(f"Metric name {name!r} must be a string of 1 to 255 characters.")
        if not isinstance(text, str) or not 1 <= len(text) <= 500:
            raise ValidationError(f"The regex of metric '{name}' must be 1 to 500 characters.")
        try:
            compiled = re.compile(text)
        except re.error as error:
            raise ValidationError(f"The regex of metric '{name}' is not valid: {error} in {text!r}") from None
        if compiled.groups < 1:
            raise ValidationError(
                f"The regex of metric '{name}' has no capture group; put the number in "
                f"parentheses, e.g. 'loss: ([0-9.]+)'. Got {text!r}."
            )
        checked.append({"Name": name, "Regex": text})
    if len(checked) > MAX_METRIC_DEFINITIONS:
        raise ValidationError(
            f"{len(checked)} metric definitions given; a job takes at most {MAX_METRIC_DEFINITIONS}."
        )
    names = [d["Name"] for d in checked]
    if len(set(names)) != len(names):
        raise ValidationError(f"Metric names must be unique; got {names}.")
    return checked


class MetricSteps:
    """Step numbers for values that come without one: 0, 1, 2, ... per metric."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, name: str, step: int | None) -> int:
        """`step`, or the next free step of metric `name` when it is None."""
        if step is None:
            step = self._next.get(name, 0)
        self._next[name] = max(self._next.get(name, 0), step + 1)
        return step


class RegexMetrics:
    """Applies metric definitions to log lines (search; value = first group as a float).

    Each search is bounded (MATCH_TIMEOUT_SECONDS), so a pattern that backtracks without
    end on some line cannot stall the runner's supervision; `on_timeout(name)` is told,
    once per definition, and that line yields nothing for it.
    """

    def __init__(self, definitions: list[dict[str, str]], steps: MetricSteps | None = None,
                 on_timeout: Callable[[str], None] | None = None) -> None:
        self._patterns = [(d["Name"], regex.compile(d["Regex"])) for d in definitions]
        self.steps = steps or MetricSteps()
        self._on_timeout = on_timeout
        self._timed_out: set[str] = set()

    def scan(self, line: str, when: float) -> list[tuple[str, float, int, float]]:
        """The (name, value, step, timestamp) points one line yields."""
        points = []
        for name, pattern in self._patterns:
            try:
                matches = list(pattern.finditer(line, timeout=MATCH_TIMEOUT_SECONDS))
            except TimeoutError:
                self._timeout(name)
                continue
            for match in matches:
                try:
                    value = float(match.group(1))
                except (TypeError, ValueError, IndexError):
                    continue
                if math.isfinite(value):
                    points.append((name, value, self.steps.take(name, None), when))
        return points

    def _timeout(self, name: str) -> None:
        if name not in self._timed_out and self._on_timeout is not None:
            self._on_timeout(name)
        self._timed_out.add(name)


class PushedMetrics:
    """Reads the values a program appended to its metrics file since the last read."""

    def __init__(self, path: Path, steps: MetricSteps) -> None:
        self.path = path
        self.steps = steps
        self._offset = 0

    def read(self) -> list[tuple[str, float, int, float]]:
        """New (name, value, step, timestamp) points."""
        try:
            with open(self.path, "rb") as file:
                file.seek(self._offset)
                data = file.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self._offset += end
        points = []
        for line in data[:end].splitlines():
            try:
                item = json.loads(line)
                value = float(item["value"])
            except (ValueError, KeyError, TypeError):
                continue
            if not math.isfinite(value):
                continue
            step = self.steps.take(item["name"], item.get("step"))
            points.append((item["name"], value, step, float(item.get("timestamp", time.time()))))
        return points


def log_metric(name: str, value: float, step: int | None = None) -> None:
    """Record a metric value from inside a job (a point of its time series).

    `step` defaults to the count of earlier values of this metric. Outside a job the
    value is not recorded and a warning says so.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Metric '{name}' needs a number; got {value!r}.") from None
    if step is not None and not isinstance(step, int):
        raise ValidationError(f"The step of metric '{name}' must be an int; got {step!r}.")
    path = os.environ.get("JUPYTER_EXT_METRICS_FILE")
    if not path:
        warnings.warn(f"log_metric('{name}') outside a jupyter_ext job: the value is not recorded.",
                      stacklevel=2)
        return
    line = json.dumps({"name": name, "value": number, "step": step, "timestamp": time.time()})
    # One short O_APPEND write per value keeps lines whole when threads push at once.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)
