"""What endpoints and batch transform jobs serve: a `Servable` model (its containers) and
`ProductionVariant`, a model under a name with a traffic weight, with their checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..errors import ValidationError

__all__ = ["Servable", "ProductionVariant", "VARIANT_NAME_PATTERN", "check_variant_name", "check_weight"]


@runtime_checkable
class Servable(Protocol):
    """A model an endpoint or a transform job can load: `Model` and `PipelineModel` are ones.

    `containers()` is its plain-JSON description, one container per model served serially.
    """

    name: str

    def containers(self) -> list[dict[str, Any]]:
        """The JSON description the serving process loads."""


VARIANT_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")


def check_variant_name(name: str) -> str:
    """`name` if it is a valid variant name (SageMaker's rule, ≤ 63 chars), else ValidationError."""
    if not isinstance(name, str) or not VARIANT_NAME_PATTERN.fullmatch(name) or len(name) > 63:
        raise ValidationError(f"Variant name {name!r} is not valid: use 1 to 63 letters, digits and hyphens, "
                              "starting and ending with a letter or digit.")
    return name


@dataclass
class ProductionVariant:
    """A model served under `variant_name` with a traffic weight (SageMaker's ProductionVariant).

    A variant's share of requests is its weight divided by the sum of weights; its
    `initial_instance_count` processes each load the model and answer one request at a time.
    """

    model: Servable
    variant_name: str = "AllTraffic"
    initial_weight: float = 1.0
    initial_instance_count: int = 1

    def to_config(self) -> dict[str, Any]:
        """Checked JSON form kept in the endpoint's configuration."""
        if not isinstance(self.model, Servable):
            raise ValidationError(f"Variant {self.variant_name}: model must be a Model; got {type(self.model).__name__}.")
        check_variant_name(self.variant_name)
        check_weight(self.variant_name, self.initial_weight)
        if not isinstance(self.initial_instance_count, int) or self.initial_instance_count < 1:
            raise ValidationError(f"Variant {self.variant_name}: initial_instance_count must be a whole number >= 1.")
        return {"variant_name": self.variant_name, "model_name": self.model.name,
                "containers": self.model.containers(), "weight": float(self.initial_weight),
                "instance_count": self.initial_instance_count}


def check_weight(variant: str, weight: Any) -> float:
    """`weight` as a float if it is a number >= 0, else ValidationError."""
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight >= 0:
        raise ValidationError(f"Variant {variant}: weight must be a number >= 0; got {weight!r}.")
    return float(weight)
