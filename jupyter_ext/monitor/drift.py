"""Drift distances as Deequ defines them (`Distance.scala`).

Numeric: L-infinity distance between the two sketches' CDFs over the union of their items;
"Robust" subtracts the two-sample Kolmogorov-Smirnov allowance c_α·sqrt((n+m)/(n·m))
(c_α = 1.8, α ≈ 0.003), "Simple" does not. Categorical: L-infinity over per-category
frequencies (same Simple/Robust choice), or ChiSquared's p-value (small = drift).
"""

from __future__ import annotations

import math

import numpy

from .sketch import RankMap

__all__ = ["numeric_distance", "categorical_distance", "chi_squared_p_value", "C_ALPHA"]

C_ALPHA = 1.8


def _robust(simple: float, n: float, m: float, method: str) -> float:
    if method == "Simple" or not n or not m:
        return simple
    return max(0.0, simple - C_ALPHA * math.sqrt((n + m) / (n * m)))


def numeric_distance(baseline: list[list[float]], current: list[list[float]], method: str = "Robust") -> float:
    """L∞ distance between two KLL sketches (SageMaker's `data` layout)."""
    first, second = RankMap(baseline), RankMap(current)
    if not first.total or not second.total:
        return 0.0
    keys = numpy.union1d(first.items, second.items)
    simple = float(numpy.max(numpy.abs(first.cdf(keys) - second.cdf(keys))))
    return _robust(simple, first.total, second.total, method)


def categorical_distance(baseline: dict[str, float], current: dict[str, float], method: str = "Robust") -> float:
    """L∞ distance between two categorical distributions (value → count)."""
    n, m = sum(baseline.values()), sum(current.values())
    if not n or not m:
        return 0.0
    simple = max(abs(baseline.get(k, 0) / n - current.get(k, 0) / m) for k in set(baseline) | set(current))
    return _robust(simple, n, m, method)


def _regroup(expected: list[float], observed: list[float]) -> tuple[list[float], list[float]]:
    """Merge the smallest expected category into the next smallest until Cochran's rule holds."""
    while len(expected) >= 2:
        small = sum(e < 5 for e in expected)
        valid = all(e >= 10 for e in expected) if len(expected) == 2 else small <= int(0.2 * len(expected))
        if valid:
            break
        order = sorted(range(len(expected)), key=lambda i: expected[i])
        low, next_low = order[0], order[1]
        expected[next_low] += expected[low]
        observed[next_low] += observed[low]
        del expected[low], observed[low]
    return expected, observed


def chi_squared_p_value(baseline: dict[str, float], current: dict[str, float]) -> float:
    """Pearson χ² goodness of fit of the live counts against the baseline's; NaN when
    fewer than two categories are left after regrouping. Live-only categories are ignored."""
    from scipy.stats import chisquare

    shared = [k for k in baseline if baseline[k] > 0]
    sample = sum(current.get(k, 0) for k in shared)
    total = sum(baseline[k] for k in shared)
    if not sample or not total:
        return float("nan")
    expected, observed = _regroup([baseline[k] * sample / total for k in shared],
                                  [float(current.get(k, 0)) for k in shared])
    if len(expected) < 2:
        return float("nan")
    return float(chisquare(observed, expected).pvalue)
