"""SageMaker's models and endpoint configs (CreateModel, CreateEndpointConfig and their
Describe/List/Delete), and how they become what `jupyter_ext.serving` deploys.

A model's container is a framework image (images.py) run in this Python: `ModelDataUrl`
(a model.tar.gz) served with the script `SAGEMAKER_PROGRAM` in `SAGEMAKER_SUBMIT_DIRECTORY`
(serving's handlers find it, as the framework containers do), or the built-in XGBoost
algorithm's `xgboost-model`; or a registered model version (`ModelPackageName`, its ARN:
model_packages.py), once Approved. Both resources are requests kept until CreateEndpoint and
UpdateEndpoint resolve them into serving's `Model`s and `ProductionVariant`s (records.py
says why they are kept here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..models import timestamp
from ..registry import ModelPackage
from ..serving import DataCaptureConfig, Model, PipelineModel, ProductionVariant, describe_endpoint
from ..store import artifact_store_for, get_store
from . import records
from .images import framework_image
from .job_requests import jsonable
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "model_arn", "config_arn", "endpoint_config", "production_variants",
           "data_capture_config", "list_answer", "serving_model"]

SERVICE = "sagemaker"
_DEFAULT_INSTANCE_TYPE = "ml.m5.large"


def model_arn(call: Call, name: str) -> str:
    """The ARN of model `name`."""
    return arn(call, f"model/{name.lower()}")


def config_arn(call: Call, name: str) -> str:
    """The ARN of endpoint config `name`."""
    return arn(call, f"endpoint-config/{name.lower()}")


def _model_data(container: dict[str, Any]) -> str | None:
    source = (container.get("ModelDataSource") or {}).get("S3DataSource") or {}
    return container.get("ModelDataUrl") or source.get("S3Uri")


def _registered_version(container: dict[str, Any], where: str) -> ModelPackage:
    """The Approved model package version `container` names by its ModelPackageName."""
    try:
        package = ModelPackage(container["ModelPackageName"])
    except (ValidationError, NotFoundError) as error:
        raise AwsError("ValidationException", f"{where}.ModelPackageName: {error}") from None
    if package.approval_status != "Approved":
        raise AwsError("ValidationException", f"{where}: model package {package.arn} is {package.approval_status}; "
                       "approve it first (UpdateModelPackage with ModelApprovalStatus=Approved).")
    return package


def _check_container(container: dict[str, Any], where: str) -> None:
    if container.get("ModelPackageName"):
        _registered_version(container, where)
        return
    framework_image(container.get("Image"), f"{where}.Image")
    if container.get("Mode") == "MultiModel":
        raise AwsError("ValidationException", f"{where}: multi-model containers are not served here yet; give an "
                       "Image and a ModelDataUrl (or a ModelPackageName).")
    model_data = _model_data(container)
    if not model_data:
        raise AwsError("ValidationException", f"{where} has no ModelDataUrl: give the s3:// URI of the model.tar.gz "
                       "(e.g. the training job's ModelArtifacts.S3ModelArtifacts).")
    if not artifact_store_for(model_data).exists(model_data):
        raise AwsError("ValidationException", f"Could not find model data at {model_data}.")


def _containers(request: dict[str, Any]) -> list[dict[str, Any]]:
    if request.get("PrimaryContainer") and request.get("Containers"):
        raise AwsError("ValidationException", "Give PrimaryContainer or Containers, not both.")
    containers = request.get("Containers") or ([request["PrimaryContainer"]] if request.get("PrimaryContainer") else [])
    if not containers:
        raise AwsError("ValidationException", "CreateModel needs a PrimaryContainer (or Containers for a serial "
                       "inference pipeline).")
    return containers


def create_model(call: Call) -> dict[str, Any]:
    """CreateModel: check the containers can be served here and keep the request."""
    request, name = call.params, call.params["ModelName"]
    containers = _containers(request)
    for index, container in enumerate(containers):
        _check_container(container, "PrimaryContainer" if request.get("PrimaryContainer") else f"Containers[{index}]")
    records.insert_request(get_store(), "Model", name, jsonable(request))
    record_tags(model_arn(call, name), request.get("Tags") or [])
    return {"ModelArn": model_arn(call, name)}


def _found(kind: str, name: str, what: str) -> tuple[dict[str, Any], float]:
    found = records.request_of(get_store(), kind, name)
    if found is None:
        raise AwsError("ValidationException", f"Could not find {what} \"{name}\".")
    return found


def describe_model(call: Call) -> dict[str, Any]:
    """DescribeModel: the request as given, with its ARN and creation time."""
    name = call.params["ModelName"]
    request, created = _found("Model", name, "model")
    answer = {key: value for key, value in request.items() if key != "Tags"}
    return {**answer, "ModelArn": model_arn(call, name), "CreationTime": timestamp(created)}


def _delete(call: Call, kind: str, name: str, what: str, resource_arn: str) -> None:
    if not records.delete_request(get_store(), kind, name):
        raise AwsError("ValidationException", f"Could not find {what} \"{resource_arn}\".")
    records.delete_all_tags(get_store(), resource_arn)


def delete_model(call: Call) -> None:
    """DeleteModel (endpoints serving it keep serving, as in SageMaker)."""
    name = call.params["ModelName"]
    _delete(call, "Model", name, "model", model_arn(call, name))


def list_answer(items: list[dict[str, Any]], params: dict[str, Any], key: str, name_key: str,
                extra_filters: Callable[[dict[str, Any]], bool] = lambda item: True) -> dict[str, Any]:
    """One page of a List* answer over `items` (summaries): NameContains, CreationTime
    bounds, SortBy Name/CreationTime/Status, SortOrder, MaxResults and NextToken."""
    contains = (params.get("NameContains") or "").lower()
    after, before = params.get("CreationTimeAfter"), params.get("CreationTimeBefore")
    chosen = [item for item in items if contains in item[name_key].lower() and extra_filters(item)
              and (after is None or item["CreationTime"] > after) and (before is None or item["CreationTime"] < before)]
    sort_by = {"Name": name_key, "Status": "EndpointStatus"}.get(params.get("SortBy") or "", "CreationTime")
    chosen.sort(key=lambda item: item.get(sort_by) or "", reverse=(params.get("SortOrder") or "Descending") == "Descending")
    token = params.get("NextToken") or "0"
    if not token.isdigit():
        raise AwsError("ValidationException", f"NextToken {token!r} is not one this endpoint gave out; list again "
                       "without it.")
    start, size = int(token), int(params.get("MaxResults") or 10)
    page: dict[str, Any] = {key: chosen[start:start + size]}
    if start + size < len(chosen):
        page["NextToken"] = str(start + size)
    return page


def list_models(call: Call) -> dict[str, Any]:
    """ListModels."""
    items = [{"ModelName": name, "ModelArn": model_arn(call, name), "CreationTime": timestamp(created)}
             for name, _request, created in records.requests_of(get_store(), "Model")]
    return list_answer(items, call.params, "Models", "ModelName")


def create_endpoint_config(call: Call) -> dict[str, Any]:
    """CreateEndpointConfig: check its variants and data capture, and keep the request."""
    request, name = call.params, call.params["EndpointConfigName"]
    for variant in request["ProductionVariants"]:
        if variant.get("ServerlessConfig") is None and not variant.get("ModelName"):
            raise AwsError("ValidationException", f"Variant {variant['VariantName']} names no ModelName.")
        if variant.get("ModelName"):
            _found("Model", variant["ModelName"], "model")
    if request.get("AsyncInferenceConfig") or request.get("ShadowProductionVariants"):
        raise AwsError("ValidationException", "Asynchronous inference and shadow variants are not served here yet.")
    capture = data_capture_config(request)
    if capture is not None:
        capture.to_config(capture.destination_s3_uri or "")  # its checks, before anything is kept
    records.insert_request(get_store(), "EndpointConfig", name, jsonable(request))
    record_tags(config_arn(call, name), request.get("Tags") or [])
    return {"EndpointConfigArn": config_arn(call, name)}


def _variant_answer(variant: dict[str, Any]) -> dict[str, Any]:
    defaults = {"InitialInstanceCount": 1, "InstanceType": _DEFAULT_INSTANCE_TYPE, "InitialVariantWeight": 1.0}
    return {**defaults, **variant}


def _implicit_config(name: str) -> tuple[dict[str, Any], float] | None:
    """The config an endpoint made in Python stands on (named after it), or None."""
    if records.request_of(get_store(), "Endpoint", name) is not None:
        return None
    try:
        endpoint = describe_endpoint(name)
    except NotFoundError:
        return None
    variants = [{"VariantName": v.variant_name, "ModelName": v.model_name, "InitialInstanceCount": v.instance_count,
                 "InitialVariantWeight": v.current_weight} for v in endpoint.variants]
    return {"EndpointConfigName": name, "ProductionVariants": variants}, endpoint.created_at.timestamp()


def describe_endpoint_config(call: Call) -> dict[str, Any]:
    """DescribeEndpointConfig: the request as given, its variants' defaults filled in (an
    endpoint made in Python answers for the config named after it)."""
    name = call.params["EndpointConfigName"]
    request, created = _implicit_config(name) or _found("EndpointConfig", name, "endpoint configuration")
    answer = {key: value for key, value in request.items() if key != "Tags"}
    answer["ProductionVariants"] = [_variant_answer(v) for v in request["ProductionVariants"]]
    return {**answer, "EndpointConfigArn": config_arn(call, name), "CreationTime": timestamp(created)}


def delete_endpoint_config(call: Call) -> None:
    """DeleteEndpointConfig (endpoints made from it keep serving, as in SageMaker); the
    config of an endpoint made in Python is part of it, so it goes with the endpoint."""
    name = call.params["EndpointConfigName"]
    if _implicit_config(name) is not None:
        return
    _delete(call, "EndpointConfig", name, "endpoint configuration", config_arn(call, name))


def list_endpoint_configs(call: Call) -> dict[str, Any]:
    """ListEndpointConfigs."""
    items = [{"EndpointConfigName": name, "EndpointConfigArn": config_arn(call, name),
              "CreationTime": timestamp(created)}
             for name, _request, created in records.requests_of(get_store(), "EndpointConfig")]
    return list_answer(items, call.params, "EndpointConfigs", "EndpointConfigName")


def endpoint_config(name: str) -> dict[str, Any]:
    """The CreateEndpointConfig request of `name`; ValidationException if there is none."""
    return _found("EndpointConfig", name, "endpoint configuration")[0]


def serving_model(name: str) -> Model:
    """Model `name` as serving deploys it (a PipelineModel for several containers)."""
    request = _found("Model", name, "model")[0]
    models = []
    for index, container in enumerate(_containers(request)):
        if container.get("ModelPackageName"):
            served = _registered_version(container, f"Model {name}").model(name)
            served.env.update(container.get("Environment") or {})
            models.append(served)
            continue
        try:
            models.append(Model(_model_data(container) or "", env=container.get("Environment") or {},
                                name=name if len(_containers(request)) == 1 else f"{name}-{index}"))
        except (ValidationError, NotFoundError) as error:
            raise AwsError("ValidationException", f"Model {name}: {error}") from None
    return models[0] if len(models) == 1 else PipelineModel(models, name=name)


def production_variants(config: dict[str, Any]) -> list[ProductionVariant]:
    """The endpoint config's variants as serving's ProductionVariants."""
    variants = []
    for variant in config["ProductionVariants"]:
        weight = variant.get("InitialVariantWeight")
        variants.append(ProductionVariant(serving_model(variant["ModelName"]), variant["VariantName"],
                                          1.0 if weight is None else float(weight),
                                          int(variant.get("InitialInstanceCount") or 1)))
    return variants


def data_capture_config(config: dict[str, Any]) -> DataCaptureConfig | None:
    """The endpoint config's DataCaptureConfig as serving's (None without one)."""
    asked = config.get("DataCaptureConfig")
    if not asked:
        return None
    headers = asked.get("CaptureContentTypeHeader") or {}
    capture = DataCaptureConfig(
        enable_capture=asked.get("EnableCapture", True), sampling_percentage=asked["InitialSamplingPercentage"],
        destination_s3_uri=asked["DestinationS3Uri"],
        capture_options=[option["CaptureMode"] for option in asked["CaptureOptions"]],
        csv_content_types=headers.get("CsvContentTypes") or ("text/csv",),
        json_content_types=headers.get("JsonContentTypes") or ("application/json",), kms_key_id=asked.get("KmsKeyId"))
    if not capture.destination_s3_uri.startswith("s3://"):
        raise AwsError("ValidationException", f"DataCaptureConfig.DestinationS3Uri {capture.destination_s3_uri!r} "
                       "must be an s3:// URI.")
    return capture


OPERATIONS = {
    "CreateModel": create_model, "DescribeModel": describe_model, "ListModels": list_models,
    "DeleteModel": delete_model, "CreateEndpointConfig": create_endpoint_config,
    "DescribeEndpointConfig": describe_endpoint_config, "ListEndpointConfigs": list_endpoint_configs,
    "DeleteEndpointConfig": delete_endpoint_config,
}
