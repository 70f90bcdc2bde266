"""Records of the model registry: model package groups, their versioned model packages,
and the lineage from an endpoint back to the data its model was trained on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .base import Record
from .sagemaker_names import Getter, SageMakerKeys, model_package_group_keys, model_package_keys

__all__ = ["APPROVAL_STATUSES", "ModelPackageGroupDescription", "ListModelPackageGroupsResponse",
           "ModelPackageDescription", "ListModelPackagesRequest", "ListModelPackagesResponse", "UpdateModelApprovalRequest", "ModelLineage"]

# SageMaker's ModelApprovalStatus values, the first the default of a new version.
APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")


@dataclass(slots=True)
class ModelPackageGroupDescription(Record, SageMakerKeys):
    """DescribeModelPackageGroup: a group of versioned model packages (one model's versions);
    `latest_version` is the newest version registered (None before the first)."""

    name: str
    arn: str
    description: str | None
    created_at: datetime
    status: str
    package_count: int
    latest_version: int | None
    tags: dict[str, str] = field(default_factory=dict)

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record (see `sagemaker_names`)."""
        return model_package_group_keys()


@dataclass(slots=True)
class ListModelPackageGroupsResponse(Record):
    """Every model package group, newest first."""

    groups: list[ModelPackageGroupDescription]


@dataclass(slots=True)
class ModelPackageDescription(Record, SageMakerKeys):
    """DescribeModelPackage: one version of a group. `approval_status` is
    PendingManualApproval, Approved or Rejected; `status` is Completed once registered.
    `inference_specification` is SageMaker's (containers with image, model data URL and
    environment; content and response types; instance types), `model_metrics` SageMaker's
    ModelMetrics (e.g. ModelQuality.Statistics.S3Uri, an evaluation JSON); `source_job` is the
    training job that made the model, when known."""

    group: str
    version: int
    arn: str
    name: str
    status: str
    approval_status: str
    approval_description: str | None
    description: str | None
    created_at: datetime
    last_modified: datetime
    model_data: str | None
    source_job: str | None
    inference_specification: dict[str, Any]
    model_metrics: dict[str, Any] | None
    customer_metadata_properties: dict[str, str] = field(default_factory=dict)

    def sagemaker_keys(self) -> dict[str, Getter]:
        """SageMaker's key names for this record (see `sagemaker_names`)."""
        return model_package_keys()


@dataclass(slots=True)
class ListModelPackagesRequest(Record):
    """Query of GET .../model-package-groups/{group}/versions: only versions of this approval status."""

    approval_status: str | None = None


@dataclass(slots=True)
class ListModelPackagesResponse(Record):
    """Versions of a group (or of every group), newest first."""

    model_packages: list[ModelPackageDescription]


@dataclass(slots=True)
class UpdateModelApprovalRequest(Record):
    """Body of POST .../model-packages/{group}/{version}/approve (or /reject): why."""

    approval_description: str | None = None


@dataclass(slots=True)
class ModelLineage(Record):
    """Where a served model came from: the endpoint and variant serving it (None when asked
    of a package), the package version, the training job that made its model, that job's
    input channels ({channel: URI}) and the experiment run that recorded the job."""

    endpoint: str | None
    variant: str | None
    model_package_arn: str
    model_package_group: str
    model_package_version: int
    approval_status: str
    model_data: str | None
    training_job: str | None
    inputs: dict[str, Any] = field(default_factory=dict)
    experiment: str | None = None
    run: str | None = None
