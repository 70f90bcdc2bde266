"""Model metrics a package version carries, in the SageMaker SDK v2's words (`MetricsSource`,
`ModelMetrics`): where a version's evaluation statistics, constraints, bias and
explainability reports are, as SageMaker's ModelMetrics document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError

__all__ = ["MetricsSource", "ModelMetrics", "model_metrics_document"]


@dataclass
class MetricsSource:
    """A metrics file: its content type (e.g. "application/json") and URI (a path or s3:// URI)."""

    content_type: str
    s3_uri: str
    content_digest: str | None = None

    def _to_request_dict(self) -> dict[str, str]:
        document = {"ContentType": self.content_type, "S3Uri": str(self.s3_uri)}
        if self.content_digest:
            document["ContentDigest"] = self.content_digest
        return document


# ModelMetrics' argument → (SageMaker's section, its member)
_PLACES = {
    "model_statistics": ("ModelQuality", "Statistics"), "model_constraints": ("ModelQuality", "Constraints"),
    "model_data_statistics": ("ModelDataQuality", "Statistics"),
    "model_data_constraints": ("ModelDataQuality", "Constraints"),
    "bias": ("Bias", "Report"), "bias_pre_training": ("Bias", "PreTrainingReport"),
    "bias_post_training": ("Bias", "PostTrainingReport"), "explainability": ("Explainability", "Report"),
}


class ModelMetrics:
    """The metrics of a model version (SageMaker SDK v2's ModelMetrics): each argument a
    `MetricsSource`, e.g. `ModelMetrics(model_statistics=MetricsSource("application/json",
    "evaluation.json"))`."""

    def __init__(self, **sources: MetricsSource | None) -> None:
        unknown = sorted(set(sources) - set(_PLACES))
        if unknown:
            raise ValidationError(f"ModelMetrics takes {', '.join(_PLACES)}; got {', '.join(unknown)}.")
        for name, source in sources.items():
            if source is not None and not isinstance(source, MetricsSource):
                raise ValidationError(f"ModelMetrics {name} must be a MetricsSource(content_type, s3_uri).")
        self.sources = {name: source for name, source in sources.items() if source is not None}

    def _to_request_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for name, source in self.sources.items():
            section, member = _PLACES[name]
            document.setdefault(section, {})[member] = source._to_request_dict()
        return document


def model_metrics_document(metrics: ModelMetrics | Mapping[str, Any] | str | None) -> dict[str, Any] | None:
    """SageMaker's ModelMetrics document of `metrics`: a ModelMetrics, a document already, or
    the URI of an evaluation JSON (its ModelQuality statistics). ValidationError otherwise."""
    if metrics is None:
        return None
    if isinstance(metrics, str):
        return {"ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": metrics}}}
    if hasattr(metrics, "_to_request_dict"):  # ours, or the SageMaker SDK's own ModelMetrics
        return dict(metrics._to_request_dict())
    if isinstance(metrics, Mapping):
        sections = {section for section, _ in _PLACES.values()}
        unknown = sorted(set(metrics) - sections)
        if unknown:
            raise ValidationError(f"model_metrics has unknown sections {unknown}; SageMaker's are {sorted(sections)}.")
        return dict(metrics)
    raise ValidationError("model_metrics must be a ModelMetrics, SageMaker's ModelMetrics document (a dict) or the "
                          f"URI of an evaluation JSON; got {type(metrics).__name__}.")
