"""The check of a compiled model against its original on the same sample inputs: the max
absolute and relative difference over every output value, and for classifiers the share of
samples labelled alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .targets import Tolerance

__all__ = ["CheckResult", "compare"]


@dataclass
class CheckResult:
    """What the check measured on `samples` inputs; `passed` against `tolerance`.
    `max_relative_difference` is max|compiled - original| / max|original|."""

    samples: int
    max_absolute_difference: float
    max_relative_difference: float
    label_agreement: float | None
    tolerance: dict[str, float]
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    def failure(self) -> str:
        """Why the check failed, with the step to take."""
        parts = []
        if self.max_relative_difference > self.tolerance["max_relative_difference"]:
            parts.append(f"max relative difference {self.max_relative_difference:.3g} > "
                         f"{self.tolerance['max_relative_difference']:.3g}")
        if self.label_agreement is not None and self.label_agreement < self.tolerance["min_label_agreement"]:
            parts.append(f"label agreement {self.label_agreement:.3f} < {self.tolerance['min_label_agreement']:.3f}")
        return ("The compiled model is outside tolerance on the sample inputs: " + "; ".join(parts) +
                f" (max absolute difference {self.max_absolute_difference:.3g}, {self.samples} samples). "
                "Give a looser tolerance= if that is close enough, or compile for a cloud target (fp32).")


def _numeric(value: Any) -> Any:
    import numpy

    array = numpy.asarray(value)
    return array.astype("float64") if array.dtype.kind in "fiub" else None


def compare(original: list[Any], compiled: list[Any], labels: tuple[Any, Any], tolerance: Tolerance,
            label_output: int | None = None) -> CheckResult:
    """Compare outputs position by position (numeric ones, but the `label_output`; labels of
    any type by equality). `labels` is (original labels, compiled labels), or (None, None)
    for a model without."""
    import numpy

    absolute, scale = 0.0, 0.0
    for index, (before, after) in enumerate(zip(original, compiled)):
        if index == label_output:
            continue
        a, b = _numeric(before), _numeric(after)
        if a is None or b is None:
            continue
        b = b.reshape(a.shape)
        absolute = max(absolute, float(numpy.max(numpy.abs(a - b))) if a.size else 0.0)
        scale = max(scale, float(numpy.max(numpy.abs(a))) if a.size else 0.0)
    relative = absolute / scale if scale else absolute
    agreement = None
    if labels[0] is not None and labels[1] is not None:
        before, after = numpy.asarray(labels[0]).ravel(), numpy.asarray(labels[1]).ravel()
        if before.dtype.kind in "biuf" and after.dtype.kind in "biuf":  # True and 1 are one label
            before, after = before.astype("float64"), after.astype("float64")
        agreement = float(numpy.mean(before.astype(str) == after.astype(str)))
    passed = relative <= tolerance.max_relative_difference and (
        agreement is None or agreement >= tolerance.min_label_agreement)
    return CheckResult(len(original[0]) if original else 0, absolute, relative, agreement, tolerance.to_dict(), passed)
