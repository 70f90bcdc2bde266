"""What a compilation does for each target (SageMaker Neo's TargetDevice names): the ONNX
Runtime graph optimisation level, whether weights are quantised to int8, and how close the
compiled model must stay to the original by default.

Cloud instances (`ml_c5`, `ml_m5`, ...) get every graph optimisation and keep fp32; Lambda
and Windows hosts the portable (extended) optimisations in fp32; edge devices (Jetson,
Raspberry Pi, i.MX, ...) the portable optimisations and dynamic int8 quantisation of the
weights, smaller and faster on small CPUs at some cost in accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ValidationError

__all__ = ["CompilationPlan", "Tolerance", "TARGETS", "plan_for", "tolerance_for", "FRAMEWORKS"]

CLOUD = ("ml_c4", "ml_c5", "ml_c6i", "ml_c7g", "ml_m4", "ml_m5", "ml_m6g", "ml_m6i", "ml_r5", "ml_p2", "ml_p3",
         "ml_g4dn", "ml_g5", "ml_inf1", "ml_inf2", "ml_trn1", "ml_eia2")
HOSTS = ("lambda", "x86_win32", "x86_win64")
EDGE = ("jetson_tx1", "jetson_tx2", "jetson_nano", "jetson_xavier", "rasp3b", "rasp4b", "imx8qm", "imx8mplus",
        "deeplens", "rk3399", "rk3288", "aisage", "sbe_c", "qcs605", "qcs603", "sitara_am57x", "amba_cv2",
        "amba_cv22", "amba_cv25", "jacinto_tda4vm", "coreml")
TARGETS = CLOUD + HOSTS + EDGE
# SageMaker's Framework values (CreateCompilationJob's InputConfig.Framework), lower case.
FRAMEWORKS = ("pytorch", "sklearn", "xgboost", "onnx")


@dataclass(frozen=True)
class CompilationPlan:
    """What compiling for `target` does: ONNX Runtime's `optimization_level` ("all" or
    "extended") and `quantization` ("int8-dynamic" or None for fp32)."""

    target: str
    optimization_level: str
    quantization: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


@dataclass(frozen=True)
class Tolerance:
    """How far the compiled model may be from the original on the sample inputs:
    `max_relative_difference` is max|compiled - original| / max|original| over every output
    value; `min_label_agreement` the share of samples a classifier must label alike."""

    max_relative_difference: float
    min_label_agreement: float

    def to_dict(self) -> dict[str, float]:
        """JSON-ready."""
        return asdict(self)


_FP32 = Tolerance(1e-4, 1.0)
_INT8 = Tolerance(0.05, 0.9)


def _target_name(target: str) -> str:
    name = str(target).lower().replace(".", "_")
    if name.startswith("ml_") and name.count("_") > 1:  # an instance type (ml.c5.xlarge): its family
        name = "_".join(name.split("_")[:2])
    return name


def plan_for(target: str) -> CompilationPlan:
    """The plan for `target` (a family such as "ml_c5", an instance type "ml.c5.xlarge",
    or a device "rasp4b"); ValidationError names the known ones."""
    name = _target_name(target)
    if name in CLOUD:
        return CompilationPlan(name, "all", None)
    if name in HOSTS:
        return CompilationPlan(name, "extended", None)
    if name in EDGE:
        return CompilationPlan(name, "extended", "int8-dynamic")
    raise ValidationError(f"Unknown target_instance_family {target!r}; choose a cloud family ({', '.join(CLOUD[:6])}, "
                          f"...), {', '.join(HOSTS)}, or an edge device ({', '.join(EDGE[:5])}, ...).")


def tolerance_for(plan: CompilationPlan, tolerance: float | Mapping[str, float] | None) -> Tolerance:
    """The tolerance asked for (a number: the max relative difference; a mapping with
    `max_relative_difference` and/or `min_label_agreement`), else the plan's default."""
    default = _INT8 if plan.quantization else _FP32
    if tolerance is None:
        return default
    if isinstance(tolerance, (int, float)) and not isinstance(tolerance, bool):
        given = {"max_relative_difference": float(tolerance)}
    elif isinstance(tolerance, Mapping) and set(tolerance) <= {"max_relative_difference", "min_label_agreement"}:
        given = {k: float(v) for k, v in tolerance.items()}
    else:
        raise ValidationError(f"tolerance {tolerance!r}: give a number (the largest relative difference allowed, "
                              "e.g. 0.01) or {'max_relative_difference': ..., 'min_label_agreement': ...}.")
    result = Tolerance(**{**default.to_dict(), **given})
    if result.max_relative_difference < 0 or not 0 <= result.min_label_agreement <= 1:
        raise ValidationError(f"tolerance {tolerance!r}: the difference must be >= 0 and the label agreement "
                              "between 0 and 1.")
    return result
