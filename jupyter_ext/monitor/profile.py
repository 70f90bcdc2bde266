"""Profiles of features built chunk by chunk, and the statistics.json they give.

Each value is classed as Deequ does (Integral, Fractional or String; null = missing) and a
feature's type follows Deequ's rule: any String → String, else any Fractional →
Fractional, else Integral (Unknown when every value is missing). Numbers get count, sum,
mean, population std_dev, min, max and a KLL sketch; strings get value counts (exact up
to MAX_TRACKED_VALUES distinct values, then an HLL estimate of the distinct count).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy
import pyarrow
import pyarrow.compute as pc

from .sketch import KLL_PARAMETERS, NumericSketch, RankMap

__all__ = ["FeatureProfile", "profile_chunks", "statistics_document"]

MAX_TRACKED_VALUES = 10_000
_INTEGRAL = r"^[+-]?\d+$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Infinity|nan)$"


_SAMPLE = 64


def _looks_numeric(present: pyarrow.Array) -> bool:
    """Whether a small sample of the chunk is all numbers (then a whole-chunk cast is tried:
    a failing pyarrow cast is slow, a succeeding one fast)."""
    sample = present.slice(0, _SAMPLE)
    return bool(pc.all(pc.match_substring_regex(sample, _NUMBER)).as_py())


def _integral_count(present: pyarrow.Array, values: numpy.ndarray) -> int:
    """How many values are written as integers (whole, without a point or exponent)."""
    whole = values == numpy.floor(values)
    if not whole.any():
        return 0
    candidates = pc.filter(present, pyarrow.array(whole)) if not whole.all() else present
    return len(candidates) - int(pc.sum(pc.match_substring_regex(candidates, r"[.eEnN]")).as_py() or 0)


def _classify(column: pyarrow.Array) -> tuple[numpy.ndarray, int, int, pyarrow.Array | None]:
    """(numeric values, integral count, fractional count, non-numeric strings or None)."""
    present = column.drop_null() if column.null_count else column
    if not len(present):
        return numpy.empty(0), 0, 0, None
    if _looks_numeric(present):
        try:
            values = pc.cast(present, pyarrow.float64()).to_numpy(zero_copy_only=False)
            integral = _integral_count(present, values)
            return values, integral, len(present) - integral, None
        except (pyarrow.ArrowInvalid, pyarrow.ArrowNotImplementedError):
            pass
    trimmed = pc.utf8_trim_whitespace(present)
    numeric = pc.match_substring_regex(trimmed, _NUMBER)
    integral = int(pc.sum(pc.match_substring_regex(trimmed, _INTEGRAL)).as_py() or 0)
    numbers = pc.filter(trimmed, numeric)
    values = pc.cast(numbers, pyarrow.float64()).to_numpy(zero_copy_only=False) if len(numbers) else numpy.empty(0)
    return values, integral, len(numbers) - integral, pc.filter(present, pc.invert(numeric))


class FeatureProfile:
    """One feature's running profile. `track_all_values` keeps the counts of every value
    (for String features) rather than only of the non-numeric ones."""

    def __init__(self, name: str, track_all_values: bool | None = None) -> None:
        self.name, self.track_all_values = name, track_all_values
        self.present = self.missing = self.integral = self.fractional = self.strings = 0
        self.count, self.total, self.mean, self.m2 = 0, 0.0, 0.0, 0.0
        self.minimum, self.maximum = numpy.inf, -numpy.inf
        self.sketch = NumericSketch()
        self.values: dict[str, int] | None = {}
        self._hll: Any = None
        self.saw_decimals = False
        self.values_complete = True  # every present value counted as a category so far
        self.first_text: str | None = None  # the first value that is not a number, for messages

    def add(self, column: pyarrow.Array) -> None:
        """Add a chunk of this feature's text values."""
        self.missing += column.null_count
        self.present += len(column) - column.null_count
        if self.track_all_values and self.strings:
            # Already a String feature: every value is counted as a category, none as a number.
            self._add_values(column)
            return
        numbers, integral, fractional, strings = self._typed(column)
        self.integral, self.fractional = self.integral + integral, self.fractional + fractional
        self.strings += 0 if strings is None else len(strings)
        if self.first_text is None and strings is not None and len(strings):
            self.first_text = strings[0].as_py()
        if self.track_all_values is None and len(column) > column.null_count:
            self.track_all_values = strings is not None and len(strings) > 0.5 * (len(column) - column.null_count)
        self._add_numbers(numbers)
        if not self.track_all_values and len(numbers):
            self.values_complete = False
        counted = column if self.track_all_values else strings
        if counted is not None and len(counted):
            self._add_values(counted)

    def _typed(self, column: pyarrow.Array) -> tuple[numpy.ndarray, int, int, pyarrow.Array | None]:
        """Classify a chunk: numbers a CSV reader typed are taken as they are, the rest as text."""
        kind = column.type
        if pyarrow.types.is_integer(kind) or pyarrow.types.is_floating(kind):
            present = column.drop_null() if column.null_count else column
            values = present.to_numpy(zero_copy_only=False).astype(float, copy=False)
            if pyarrow.types.is_integer(kind):
                return values, len(values), 0, None
            self.saw_decimals = True  # the reader saw a decimal point or exponent
            whole = int(numpy.count_nonzero(values == numpy.floor(values)))
            return values, whole, len(values) - whole, None
        if not pyarrow.types.is_string(kind) and not pyarrow.types.is_large_string(kind):
            column = pc.cast(column, pyarrow.string())
        return _classify(column)

    def _add_numbers(self, numbers: numpy.ndarray) -> None:
        finite = numbers[numpy.isfinite(numbers)]
        if not len(finite):
            return
        n, mean = len(finite), float(finite.mean())
        m2 = float(((finite - mean) ** 2).sum())
        total = self.count + n
        delta = mean - self.mean
        self.m2 += m2 + delta * delta * self.count * n / total
        self.mean += delta * n / total
        self.count, self.total = total, self.total + float(finite.sum())
        self.minimum, self.maximum = min(self.minimum, float(finite.min())), max(self.maximum, float(finite.max()))
        self.sketch.update(finite)

    def _add_values(self, column: pyarrow.Array) -> None:
        counts = pc.value_counts(column.drop_null())
        if self.values is not None:
            for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
                self.values[value] = self.values.get(value, 0) + count
            if len(self.values) <= MAX_TRACKED_VALUES:
                return
            self._start_hll(list(self.values))
            self.values = None
        for value in counts.field("values").to_pylist():
            self._hll.update(value)

    def _start_hll(self, values: list[str]) -> None:
        from datasketches import hll_sketch

        self._hll = hll_sketch(14)
        for value in values:
            self._hll.update(value)

    @property
    def inferred_type(self) -> str:
        """Integral, Fractional, String or Unknown (every value missing)."""
        if not self.present:
            return "Unknown"
        if self.strings:
            return "String"
        return "Fractional" if self.fractional or self.saw_decimals else "Integral"

    @property
    def distinct_count(self) -> float:
        """Distinct present values (exact, or an HLL estimate for many values)."""
        return float(len(self.values)) if self.values is not None else float(round(self._hll.get_estimate()))

    def feature(self) -> dict[str, Any]:
        """This feature's entry in statistics.json."""
        common = {"num_present": self.present, "num_missing": self.missing}
        kind = self.inferred_type
        if kind in ("Integral", "Fractional") or (kind == "Unknown" and not self.track_all_values):
            return {"name": self.name, "inferred_type": kind, "numerical_statistics": self._numbers(common)}
        buckets = [{"value": v, "count": c} for v, c in sorted((self.values or {}).items(), key=lambda i: -i[1])]
        return {"name": self.name, "inferred_type": kind, "string_statistics": {
            "common": common, "distinct_count": self.distinct_count,
            "distribution": {"categorical": {"buckets": buckets}}}}

    def _numbers(self, common: dict[str, int]) -> dict[str, Any]:
        if not self.count:
            return {"common": common, "mean": 0.0, "sum": 0.0, "std_dev": 0.0, "min": 0.0, "max": 0.0,
                    "distribution": {"kll": {"buckets": [], "sketch": {"parameters": dict(KLL_PARAMETERS),
                                                                       "data": []}}}}
        data = self.sketch.data()
        return {"common": common, "mean": self.mean, "sum": self.total,
                "std_dev": float(numpy.sqrt(self.m2 / self.count)), "min": self.minimum, "max": self.maximum,
                "distribution": {"kll": {"buckets": RankMap(data).buckets(self.minimum, self.maximum),
                                         "sketch": {"parameters": dict(KLL_PARAMETERS), "data": data}}}}


def profile_chunks(chunks: Iterable[tuple[list[str], list[pyarrow.Array]]],
                   string_features: set[str] | None = None) -> tuple[list[FeatureProfile], int]:
    """Profiles of every column seen (in first-seen order) and the row count.
    `string_features` (from a baseline) are counted value by value from the start."""
    profiles: dict[str, FeatureProfile] = {}
    rows = 0
    for names, columns in chunks:
        length = len(columns[0]) if columns else 0
        for name in names:
            if name not in profiles:
                profiles[name] = FeatureProfile(name, True if string_features and name in string_features else None)
                profiles[name].missing += rows  # a column that appears late was missing before
        for name, column in zip(names, columns):
            profiles[name].add(column)
        for name in set(profiles) - set(names):
            profiles[name].missing += length
        rows += length
    return list(profiles.values()), rows


def statistics_document(profiles: list[FeatureProfile], rows: int, malformed_lines: int = 0) -> dict[str, Any]:
    """statistics.json as SageMaker writes it (plus `malformed_line_count` when lines were skipped)."""
    dataset: dict[str, Any] = {"item_count": rows}
    if malformed_lines:
        dataset["malformed_line_count"] = malformed_lines
    return {"version": 0, "dataset": dataset, "features": [p.feature() for p in profiles]}
