"""KLL sketches of numeric features, in the layout SageMaker's statistics.json uses.

The sketch itself is Apache DataSketches' KLL (`datasketches.kll_doubles_sketch`, k=2048).
What we write is SageMaker's layout (Deequ's `QuantileNonSample`): `parameters {c: 0.64,
k: 2048.0}` and `data`, one list per compactor level whose items each weigh 2^level. Ranks,
buckets and drift distances are computed from that layout, so a baseline SageMaker made
reads the same way as ours (distances to it are close, not bit-identical: the two
libraries compact differently).
"""

from __future__ import annotations

import math
from typing import Any

import numpy

__all__ = ["NumericSketch", "RankMap", "KLL_PARAMETERS", "BUCKETS"]

KLL_PARAMETERS = {"c": 0.64, "k": 2048.0}
BUCKETS = 10


class NumericSketch:
    """A streaming KLL sketch of one numeric feature (DataSketches underneath)."""

    def __init__(self) -> None:
        from datasketches import kll_doubles_sketch

        self._sketch = kll_doubles_sketch(int(KLL_PARAMETERS["k"]))

    def update(self, values: numpy.ndarray) -> None:
        """Add a chunk of values (NaNs are skipped)."""
        values = values[~numpy.isnan(values)]
        if len(values):
            self._sketch.update(numpy.ascontiguousarray(values, dtype=numpy.float64))

    def data(self) -> list[list[float]]:
        """The retained items grouped by level: items of weight 2^h in `data[h]`."""
        levels: dict[int, list[float]] = {}
        for item, weight in self._sketch:
            levels.setdefault(int(round(math.log2(weight))), []).append(float(item))
        top = max(levels, default=-1)
        return [sorted(levels.get(h, [])) for h in range(top + 1)]


class RankMap:
    """Cumulative weights of a sketch's items (Deequ's rank map); `total` is n."""

    def __init__(self, data: list[list[float]]) -> None:
        items = numpy.concatenate([numpy.asarray(level, dtype=float) for level in data] or [numpy.empty(0)])
        weights = numpy.concatenate([numpy.full(len(level), 2.0 ** h) for h, level in enumerate(data)]
                                    or [numpy.empty(0)])
        order = numpy.argsort(items, kind="stable")
        self.items, self.cumulative = items[order], numpy.cumsum(weights[order])
        self.total = float(self.cumulative[-1]) if len(self.cumulative) else 0.0

    def rank(self, keys: numpy.ndarray) -> numpy.ndarray:
        """Σ weights of items ≤ each key."""
        index = numpy.searchsorted(self.items, keys, side="right")
        return numpy.where(index > 0, self.cumulative[numpy.maximum(index - 1, 0)], 0.0)

    def rank_exclusive(self, keys: numpy.ndarray) -> numpy.ndarray:
        """Σ weights of items < each key."""
        index = numpy.searchsorted(self.items, keys, side="left")
        return numpy.where(index > 0, self.cumulative[numpy.maximum(index - 1, 0)], 0.0)

    def buckets(self, low: float, high: float) -> list[dict[str, Any]]:
        """Ten equal-width buckets on [low, high]; the last includes `high`."""
        edges = [low + (high - low) * i / BUCKETS for i in range(BUCKETS + 1)]
        below = self.rank_exclusive(numpy.asarray(edges))
        below[-1] = self.rank(numpy.asarray([high]))[0]
        return [{"lower_bound": edges[i], "upper_bound": edges[i + 1], "count": float(below[i + 1] - below[i])}
                for i in range(BUCKETS)]

    def cdf(self, keys: numpy.ndarray) -> numpy.ndarray:
        """The sketch's CDF at each key."""
        return self.rank(keys) / self.total if self.total else numpy.zeros(len(keys))
