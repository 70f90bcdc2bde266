"""SageMaker's Model Registry over jupyter_ext.registry: model package groups
(Create/Describe/List/DeleteModelPackageGroup) and versioned model packages
(Create/Describe/List/Update/DeleteModelPackage).

A version's InferenceSpecification is kept as given and answered back; its containers
become a serving Model the way CreateModel's do (a framework image run in this Python:
`ModelDataUrl` served with `SAGEMAKER_PROGRAM` from `SAGEMAKER_SUBMIT_DIRECTORY`), so
CreateModel naming the version's ARN (`ModelPackageName`, hosting_models.py) serves it.
Unversioned packages (a ModelPackageName without a group) are not kept here.
"""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError, ValidationError
from ..models import ModelPackageDescription, ModelPackageGroupDescription
from ..registry import (
    ModelPackage, create_model_package_group, delete_model_package, delete_model_package_group,
    describe_model_package, describe_model_package_group, list_model_package_groups, list_model_packages,
    register_model, update_model_package,
)
from ..serving import Model, PipelineModel
from .hosting_models import list_answer
from .images import framework_image
from .operations import Call
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "group_document", "package_document"]

SERVICE = "sagemaker"
# Members of CreateModelPackage that change what SageMaker does and are not served here.
_NOT_SERVED = ("SourceAlgorithmSpecification", "ValidationSpecification", "DriftCheckBaselines",
               "AdditionalInferenceSpecifications", "SourceUri", "ModelCard", "ModelLifeCycle", "SecurityConfig")


def group_document(group: ModelPackageGroupDescription) -> dict[str, Any]:
    """DescribeModelPackageGroup's answer (and a group's summary) for `group`."""
    return group.to_sagemaker()


def create_group(call: Call) -> dict[str, Any]:
    """CreateModelPackageGroup."""
    group = create_model_package_group(call.params["ModelPackageGroupName"],
                                       call.params.get("ModelPackageGroupDescription"), region=call.region)
    record_tags(group.arn, call.params.get("Tags") or [])
    return {"ModelPackageGroupArn": group.arn}


def describe_group(call: Call) -> dict[str, Any]:
    """DescribeModelPackageGroup (by name or ARN)."""
    return group_document(describe_model_package_group(call.params["ModelPackageGroupName"]))


def list_groups(call: Call) -> dict[str, Any]:
    """ListModelPackageGroups: NameContains, CreationTime bounds, SortBy, SortOrder, pages."""
    items = [group_document(g) for g in list_model_package_groups()]
    return list_answer(items, call.params, "ModelPackageGroupSummaryList", "ModelPackageGroupName")


def delete_group(call: Call) -> None:
    """DeleteModelPackageGroup (refused while it holds versions, as in SageMaker)."""
    delete_model_package_group(call.params["ModelPackageGroupName"])


def _serving_model(spec: dict[str, Any], name: str) -> Model:
    containers = spec["Containers"]
    models = []
    for index, container in enumerate(containers):
        where = f"InferenceSpecification.Containers[{index}]"
        if container.get("Image"):
            framework_image(container["Image"], f"{where}.Image")
        source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
        data = container.get("ModelDataUrl") or source.get("S3Uri")
        if not data:
            raise AwsError("ValidationException", f"{where} has no ModelDataUrl: give the s3:// URI of the "
                           "model.tar.gz (e.g. the training job's ModelArtifacts.S3ModelArtifacts).")
        models.append(Model(data, env=container.get("Environment") or {},
                            name=name if len(containers) == 1 else f"{name}-{index}"))
    return models[0] if len(models) == 1 else PipelineModel(models, name=name)


def create_package(call: Call) -> dict[str, Any]:
    """CreateModelPackage: the next version of ModelPackageGroupName, from its InferenceSpecification."""
    request = call.params
    if not request.get("ModelPackageGroupName"):
        raise AwsError("ValidationException", "Only versioned model packages are kept here: give "
                       "ModelPackageGroupName (ModelPackageName alone makes an unversioned package).")
    asked = sorted(key for key in _NOT_SERVED if request.get(key))
    if asked:
        raise AwsError("ValidationException", f"CreateModelPackage: {', '.join(asked)} not served here yet.")
    spec = request.get("InferenceSpecification")
    if not spec:
        raise AwsError("ValidationException", "CreateModelPackage needs an InferenceSpecification (its Containers).")
    group = describe_model_package_group(request["ModelPackageGroupName"]).name
    try:
        model = _serving_model(spec, group)
    except (ValidationError, NotFoundError) as error:
        raise AwsError("ValidationException", f"InferenceSpecification: {error}") from None
    package = register_model(model, group, request.get("ModelApprovalStatus") or "PendingManualApproval",
                             request.get("ModelMetrics"), request.get("CustomerMetadataProperties"),
                             request.get("ModelPackageDescription"), inference_specification=spec,
                             region=call.region, create_group=False)
    record_tags(package.arn, request.get("Tags") or [])
    return {"ModelPackageArn": package.arn}


def package_document(d: ModelPackageDescription) -> dict[str, Any]:
    """DescribeModelPackage's answer for version `d`."""
    return {**d.to_sagemaker(), "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
            "CertifyForMarketplace": False}


def _package(call: Call, key: str) -> ModelPackage:
    try:
        return ModelPackage(call.params[key])
    except ValidationError as error:
        raise AwsError("ValidationException", f"{key}: {error}") from None


def describe_package(call: Call) -> dict[str, Any]:
    """DescribeModelPackage (by the version's ARN)."""
    return package_document(describe_model_package(_package(call, "ModelPackageName")))


def list_packages(call: Call) -> dict[str, Any]:
    """ListModelPackages: ModelPackageGroupName, ModelApprovalStatus, NameContains, CreationTime
    bounds, SortBy Name/CreationTime, SortOrder, pages. Every version is Versioned: an
    Unversioned ModelPackageType lists none."""
    params = call.params
    if params.get("ModelPackageType") == "Unversioned":
        return {"ModelPackageSummaryList": []}
    packages = list_model_packages(params.get("ModelPackageGroupName"), params.get("ModelApprovalStatus"))
    items = []
    for package in packages:
        document = package_document(package.describe())
        items.append({key: document[key] for key in (
            "ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion", "ModelPackageArn",
            "ModelPackageDescription", "CreationTime", "ModelPackageStatus", "ModelApprovalStatus") if key in document})
    return list_answer(items, params, "ModelPackageSummaryList", "ModelPackageName")


def update_package(call: Call) -> dict[str, Any]:
    """UpdateModelPackage: ModelApprovalStatus with ApprovalDescription, CustomerMetadataProperties
    (merged) and CustomerMetadataPropertiesToRemove."""
    params = call.params
    asked = sorted(key for key in ("AdditionalInferenceSpecificationsToAdd", "InferenceSpecification", "SourceUri",
                                   "ModelCard", "ModelLifeCycle") if params.get(key))
    if asked:
        raise AwsError("ValidationException", f"UpdateModelPackage: {', '.join(asked)} not served here yet.")
    package = update_model_package(_package(call, "ModelPackageArn"), params.get("ModelApprovalStatus"),
                                   params.get("ApprovalDescription"), params.get("CustomerMetadataProperties"),
                                   params.get("CustomerMetadataPropertiesToRemove") or ())
    return {"ModelPackageArn": package.arn}


def delete_package(call: Call) -> None:
    """DeleteModelPackage (endpoints serving it keep serving)."""
    delete_model_package(_package(call, "ModelPackageName"))


OPERATIONS = {
    "CreateModelPackageGroup": create_group, "DescribeModelPackageGroup": describe_group,
    "ListModelPackageGroups": list_groups, "DeleteModelPackageGroup": delete_group,
    "CreateModelPackage": create_package, "DescribeModelPackage": describe_package,
    "ListModelPackages": list_packages, "UpdateModelPackage": update_package, "DeleteModelPackage": delete_package,
}
