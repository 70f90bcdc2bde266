"""Lineage from an endpoint: the package version each variant serves, the training job that
made its model, the job's data and the experiment run that recorded it."""

from __future__ import annotations

from ..errors import NotFoundError, ValidationError
from ..models import ModelLineage
from ..serving import describe_endpoint
from .packages import ModelPackage, package_lineage

__all__ = ["lineage"]


def lineage(endpoint_name: str, variant: str | None = None) -> ModelLineage:
    """Where endpoint `endpoint_name`'s model came from (its `variant`, default the first
    serving a registered version): the version, its training job, data and experiment run.
    NotFoundError for an unknown endpoint; ValidationError if it serves no registered version."""
    endpoint = describe_endpoint(endpoint_name)
    variants = [v for v in endpoint.variants if variant in (None, v.variant_name)]
    if not variants:
        raise ValidationError(f"Endpoint {endpoint_name} has no variant {variant!r}; it has: "
                              f"{', '.join(v.variant_name for v in endpoint.variants)}.")
    for chosen in variants:
        if chosen.model_package_arn:
            try:
                package = ModelPackage(chosen.model_package_arn)
            except NotFoundError:
                raise NotFoundError(f"Endpoint {endpoint_name} serves {chosen.model_package_arn}, which was "
                                    "deleted from the registry since.") from None
            return package_lineage(package, endpoint_name, chosen.variant_name)
    raise ValidationError(f"Endpoint {endpoint_name} serves no registered model version (deploy one with "
                          "ModelPackage(arn).deploy() for its lineage); experiments.lineage(model_data) follows a "
                          "model artifact to its job.")
