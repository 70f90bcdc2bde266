"""Versioned model packages (SageMaker's Model Registry): register a serving Model as the
next version of a group, list and describe versions, approve or reject them, deploy one.

A version is named by its ARN (`arn:aws:sagemaker:<region>:000000000000:model-package/<group>/<version>`,
the group lowercased as in SageMaker's ARNs) or by "<group>/<version>". It keeps what serving
deploys (the model's containers) beside SageMaker's InferenceSpecification, so a version
registered from Python and one registered through the AWS endpoint deploy the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..experiments import lineage as artifact_lineage
from ..jobs import describe_job
from ..models import APPROVAL_STATUSES, ModelLineage, ModelPackageDescription, ModelPackageGroupDescription, timestamp
from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..serving import Model, PipelineModel, Predictor, Transformer
from ..store import get_store
from . import records
from .groups import (
    check_group_name, create_model_package_group, delete_model_package_group, describe_model_package_group, group_of,
    sagemaker_arn,
)
from .metrics import ModelMetrics, model_metrics_document

__all__ = ["ModelPackage", "ModelPackageGroup", "package_lineage", "register_model", "describe_model_package", "list_model_packages", "update_approval",
           "update_model_package", "delete_model_package", "check_approval_status", "package_reference"]

_REFERENCE = re.compile(r"^(?:arn:aws:sagemaker:[^:]*:[^:]*:model-package/)?(?P<group>[^/:]+)/(?P<version>\d+)$")


def check_approval_status(status: Any) -> str:
    """`status` if it is one of SageMaker's ModelApprovalStatus values, else ValidationError naming them."""
    if status not in APPROVAL_STATUSES:
        raise ValidationError(f"Approval status {status!r} is not valid; use one of: {', '.join(APPROVAL_STATUSES)}.")
    return str(status)


def package_reference(reference: Any) -> tuple[str, int]:
    """(group, version) of a version's ARN, "<group>/<version>" or ModelPackage."""
    if isinstance(reference, ModelPackage):
        return reference.group, reference.version
    match = _REFERENCE.match(str(reference or ""))
    if match is None:
        raise ValidationError(f"{reference!r} names no model package version: give its ARN "
                              "(arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION) or GROUP/VERSION.")
    return match.group("group"), int(match.group("version"))


def _row(reference: Any) -> Any:
    group, version = package_reference(reference)
    row = records.package_row(get_store(), group, version)
    if row is None:
        name = group_of(group)["name"]
        versions = [str(r["version"]) for r in records.package_rows(get_store(), name)]
        raise NotFoundError(f"Model package group {name} has no version {version}; it has: "
                            f"{', '.join(reversed(versions)) or 'none'}.")
    return row


def _describe(row: Any) -> ModelPackageDescription:
    loaded = {k: json.loads(row[k]) if row[k] is not None else None for k in records.PACKAGE_JSON_COLUMNS}
    return ModelPackageDescription(
        group=row["group_name"], version=row["version"], arn=row["arn"], name=row["group_name"],
        status=row["status"], approval_status=row["approval_status"],
        approval_description=row["approval_description"], description=row["description"],
        created_at=timestamp(row["created_at"]), last_modified=timestamp(row["last_modified"]),
        model_data=row["model_data"], source_job=row["source_job"],
        inference_specification=loaded["inference_specification"], model_metrics=loaded["model_metrics"],
        customer_metadata_properties=loaded["customer_metadata"] or {})


def describe_model_package(reference: Any) -> ModelPackageDescription:
    """Everything about a version (its ARN or "<group>/<version>"); NotFoundError names the
    versions there are."""
    return _describe(_row(reference))


def _metadata(properties: Mapping[str, Any] | None) -> dict[str, str]:
    properties = dict(properties or {})
    if len(properties) > 50:
        raise ValidationError(f"customer_metadata_properties takes at most 50 keys; got {len(properties)}.")
    return {str(k): str(v) for k, v in properties.items()}


def _inference_specification(model: Model, content_types: Sequence[str] | None, response_types: Sequence[str] | None,
                             inference_instances: Sequence[str] | None, transform_instances: Sequence[str] | None,
                             image_uri: str | None) -> dict[str, Any]:
    containers = []
    for container in model.containers():
        document: dict[str, Any] = {"ModelDataUrl": container["model_data"]}
        if image_uri:
            document["Image"] = image_uri
        if container.get("env"):
            document["Environment"] = dict(container["env"])
        containers.append(document)
    spec: dict[str, Any] = {"Containers": containers}
    for key, values in (("SupportedContentTypes", content_types), ("SupportedResponseMIMETypes", response_types),
                        ("SupportedRealtimeInferenceInstanceTypes", inference_instances),
                        ("SupportedTransformInstanceTypes", transform_instances)):
        if values:
            spec[key] = [str(v) for v in values]
    return spec


def _source_job(model_data: str, source_job: str | None) -> str | None:
    if source_job:
        return source_job
    try:
        return artifact_lineage(model_data)["job"]
    except NotFoundError:
        return None


def register_model(model: Model, model_package_group_name: str, approval_status: str = "PendingManualApproval",
                   model_metrics: ModelMetrics | Mapping[str, Any] | str | None = None,
                   customer_metadata_properties: Mapping[str, Any] | None = None, description: str | None = None,
                   source_job: str | None = None, *, content_types: Sequence[str] | None = None,
                   response_types: Sequence[str] | None = None, inference_instances: Sequence[str] | None = None,
                   transform_instances: Sequence[str] | None = None, image_uri: str | None = None,
                   inference_specification: Mapping[str, Any] | None = None, region: str | None = None,
                   create_group: bool = True) -> ModelPackage:
    """Register `model` (a serving Model) as the next version of group `model_package_group_name`
    (made first if it does not exist and `create_group`, as the SageMaker SDK does); returns it.

    Versions are 1, 2, 3... per group, distinct even when several processes register at once.
    `source_job` is the training job that made the model (default: the job that wrote its
    model_data, when one did). `model_metrics` is a ModelMetrics, SageMaker's ModelMetrics
    document or the URI of an evaluation JSON. ValidationError for a bad status or group name;
    NotFoundError for a missing group when not `create_group`.
    """
    if not isinstance(model, Model):
        raise ValidationError(f"register_model takes a jupyter_ext.serving Model; got {type(model).__name__}.")
    status = check_approval_status(approval_status)
    name = check_group_name(model_package_group_name)
    if create_group:
        create_model_package_group(name, region=region, exist_ok=True)
    name = group_of(name)["name"]
    spec = dict(inference_specification) if inference_specification else _inference_specification(
        model, content_types, response_types, inference_instances, transform_instances, image_uri)
    fields = {"status": "Completed", "approval_status": status, "description": description,
              "inference_specification": spec, "containers": model.containers(),
              "model_metrics": model_metrics_document(model_metrics),
              "customer_metadata": _metadata(customer_metadata_properties), "model_data": model.model_data,
              "source_job": _source_job(model.model_data, source_job)}
    version = records.insert_package(get_store(), name, lambda v: sagemaker_arn(
        f"model-package/{name.lower()}/{v}", region), fields)
    return ModelPackage(f"{name}/{version}")


def list_model_packages(model_package_group_name: str | None = None,
                        approval_status: str | None = None) -> list[ModelPackage]:
    """Versions of a group (of every group for None), newest first, with `approval_status` if
    given. NotFoundError for an unknown group, ValidationError for a bad status."""
    group = group_of(model_package_group_name)["name"] if model_package_group_name is not None else None
    status = check_approval_status(approval_status) if approval_status is not None else None
    return [ModelPackage(f"{r['group_name']}/{r['version']}")
            for r in records.package_rows(get_store(), group, status)]


def update_model_package(reference: Any, approval_status: str | None = None, approval_description: str | None = None,
                         customer_metadata_properties: Mapping[str, Any] | None = None,
                         customer_metadata_properties_to_remove: Sequence[str] = ()) -> ModelPackage:
    """Change a version's approval status (with why) and metadata (merged; keys removed)."""
    row = _row(reference)
    fields: dict[str, Any] = {}
    if approval_status is not None:
        fields["approval_status"] = check_approval_status(approval_status)
    if approval_description is not None:
        fields["approval_description"] = approval_description
    if customer_metadata_properties is not None or customer_metadata_properties_to_remove:
        metadata = {**json.loads(row["customer_metadata"]), **_metadata(customer_metadata_properties)}
        fields["customer_metadata"] = _metadata({k: v for k, v in metadata.items()
                                                 if k not in set(customer_metadata_properties_to_remove)})
    records.update_package(get_store(), row["group_name"], row["version"], **fields)
    return ModelPackage(f"{row['group_name']}/{row['version']}")


def update_approval(reference: Any, approval_status: str, approval_description: str | None = None) -> ModelPackage:
    """Approve or reject a version ("Approved", "Rejected", or back to "PendingManualApproval")."""
    return update_model_package(reference, check_approval_status(approval_status), approval_description)


def delete_model_package(reference: Any) -> None:
    """Delete a version (its number is not given again; endpoints serving it keep serving)."""
    row = _row(reference)
    records.delete_package(get_store(), row["group_name"], row["version"])


class _PackagedModel(Model):
    """A serving Model made from a version: its containers name the version, so the
    endpoint serving it knows where its model came from (lineage)."""

    model_package_arn = ""

    def containers(self) -> list[dict[str, Any]]:
        """Model's containers, each naming the package version."""
        return [{**c, "model_package_arn": self.model_package_arn} for c in super().containers()]


class ModelPackage:
    """A registered model version (SageMaker's ModelPackage), by its ARN or "<group>/<version>".

    `arn`, `group`, `version`, `name` (SageMaker's ModelPackageName: the group's name) and
    `approval_status` read the registry; `deploy()` serves the version once Approved.
    NotFoundError if there is no such version.
    """

    def __init__(self, model_package_arn: str, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("ModelPackage", _sagemaker_only)
        row = _row(model_package_arn)
        self.group, self.version, self.arn = row["group_name"], int(row["version"]), row["arn"]
        self.name = self.group

    def describe(self) -> ModelPackageDescription:
        """Everything about the version, as it is now."""
        return describe_model_package(self)

    @property
    def approval_status(self) -> str:
        """PendingManualApproval, Approved or Rejected (read now)."""
        return self.describe().approval_status

    @property
    def model_data(self) -> str | None:
        """The version's model artifact."""
        return self.describe().model_data

    def update_approval_status(self, approval_status: str, approval_description: str | None = None) -> ModelPackage:
        """Approve or reject this version (SDK v2's name for `update_approval`)."""
        return update_approval(self, approval_status, approval_description)

    def model(self, name: str | None = None) -> Model:
        """The version as a serving Model (a PipelineModel for several containers)."""
        containers = json.loads(_row(self)["containers"])
        models = []
        for index, c in enumerate(containers):
            model = _PackagedModel(c["model_data"], c.get("entry_point"), c.get("code_dir"), c.get("env"),
                                   name or (f"{self.group}-{self.version}" + (f"-{index}" if len(containers) > 1 else "")))
            model.model_package_arn = self.arn
            models.append(model)
        return models[0] if len(models) == 1 else PipelineModel(models, name=name or f"{self.group}-{self.version}")

    def deploy(self, initial_instance_count: int = 1, instance_type: str | None = None, serializer: Any = None,
               deserializer: Any = None, endpoint_name: str | None = None, wait: bool = True,
               **kwargs: Any) -> Predictor:
        """Serve this version on a local endpoint (arguments as serving's Model.deploy); returns
        its Predictor. ValidationError unless the version is Approved (approve it first)."""
        return self._approved_model().deploy(endpoint_name, initial_instance_count, serializer, deserializer,
                                             wait=wait, instance_type=instance_type, **kwargs)

    def transformer(self, instance_count: int = 1, **kwargs: Any) -> Transformer:
        """A batch Transformer of this version (arguments as serving's Transformer); Approved only."""
        return self._approved_model().transformer(instance_count, **kwargs)

    def _approved_model(self) -> Model:
        status = self.approval_status
        if status != "Approved":
            raise ValidationError(f"Model package {self.arn} is {status}; only an Approved version is deployed. "
                                  f"Approve it first: update_approval({self.arn!r}, 'Approved').")
        return self.model()

    def lineage(self) -> ModelLineage:
        """Where this version's model came from: its training job, that job's data and its
        experiment run (None where unknown: a model registered from a file)."""
        return package_lineage(self)

    def __repr__(self) -> str:
        return f"ModelPackage({self.arn!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelPackage) and other.arn == self.arn

    def __hash__(self) -> int:
        return hash(self.arn)


def package_lineage(package: ModelPackage, endpoint: str | None = None, variant: str | None = None) -> ModelLineage:
    """The lineage of `package` (served by `endpoint`'s `variant`, if given): its training
    job, the job's input channels and the experiment run that recorded the job."""
    d = package.describe()
    found: dict[str, Any] = {}
    if d.model_data:
        try:
            found = artifact_lineage(d.model_data)
        except NotFoundError:
            found = {}
    if d.source_job and found.get("job") != d.source_job:
        try:
            found = {"job": d.source_job, "inputs": describe_job(d.source_job).inputs}
        except NotFoundError:  # the job was deleted since: its name is all that is known
            found = {"job": d.source_job}
    return ModelLineage(endpoint=endpoint, variant=variant, model_package_arn=d.arn, model_package_group=d.group,
                        model_package_version=d.version, approval_status=d.approval_status, model_data=d.model_data,
                        training_job=found.get("job"), inputs=dict(found.get("inputs") or {}),
                        experiment=found.get("experiment"), run=found.get("run"))


class ModelPackageGroup:
    """A model package group by name (SageMaker's ModelPackageGroup): `create()`,
    `describe()`, `list_model_packages()`, `delete()`."""

    def __init__(self, name: str, description: str | None = None) -> None:
        self.name = check_group_name(name)
        self.description = description

    def create(self, tags: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
               exist_ok: bool = False) -> ModelPackageGroupDescription:
        """Create the group; ConflictError if it exists, unless `exist_ok`."""
        return create_model_package_group(self.name, self.description, tags, exist_ok=exist_ok)

    def describe(self) -> ModelPackageGroupDescription:
        """The group's description (NotFoundError if it does not exist)."""
        return describe_model_package_group(self.name)

    def list_model_packages(self, approval_status: str | None = None) -> list[ModelPackage]:
        """The group's versions, newest first, with `approval_status` if given."""
        return list_model_packages(self.name, approval_status)

    def delete(self) -> None:
        """Delete the group (ConflictError while it holds versions)."""
        delete_model_package_group(self.name)

    def __repr__(self) -> str:
        return f"ModelPackageGroup({self.name!r})"
