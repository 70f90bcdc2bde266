"""SageMaker's endpoint operations over `jupyter_ext.serving`'s endpoints.

CreateEndpoint resolves the endpoint config's variants (hosting_models.py) and starts a
serving endpoint without waiting: DescribeEndpoint says Creating until its models are
loaded, then InService (or Failed with the reason). UpdateEndpoint and
UpdateEndpointWeightsAndCapacities change a running endpoint without dropping a request
(Updating, then InService). Describe/List/Delete answer for every endpoint, the ones made
in Python too (their endpoint config is named after them).
"""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError
from ..models import EndpointDescription
from ..serving import (
    DataCaptureConfig, create_endpoint as start_endpoint, delete_endpoint as stop_endpoint, describe_endpoint as
    serving_description, list_endpoints as serving_endpoints, update_endpoint as serve_variants,
    update_endpoint_weights_and_capacities as change_weights,
)
from ..store import get_store
from . import records
from .hosting_models import data_capture_config, endpoint_config, list_answer, production_variants
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "endpoint_arn"]

SERVICE = "sagemaker"


def endpoint_arn(call: Call, name: str) -> str:
    """The ARN of endpoint `name`."""
    return arn(call, f"endpoint/{name.lower()}")


def _description(call: Call, name: str) -> EndpointDescription:
    try:
        return serving_description(name)
    except NotFoundError:
        raise AwsError("ValidationException", f"Could not find endpoint \"{endpoint_arn(call, name)}\".") from None


def _config_name(name: str) -> str:
    found = records.request_of(get_store(), "Endpoint", name)
    return found[0]["EndpointConfigName"] if found else name


def create_endpoint(call: Call) -> dict[str, Any]:
    """CreateEndpoint: start serving the endpoint config's variants (Creating → InService)."""
    name, config_name = call.params["EndpointName"], call.params["EndpointConfigName"]
    if any(e.name == name for e in serving_endpoints()):
        raise AwsError("ValidationException", f"Cannot create already existing endpoint \"{endpoint_arn(call, name)}\".")
    config = endpoint_config(config_name)
    variants, capture = production_variants(config), data_capture_config(config)
    records.delete_request(get_store(), "Endpoint", name)  # one deleted from Python left its request
    records.insert_request(get_store(), "Endpoint", name, {"EndpointName": name, "EndpointConfigName": config_name})
    try:
        start_endpoint(name, variants, capture, wait=False)
    except Exception:
        records.delete_request(get_store(), "Endpoint", name)
        raise
    record_tags(endpoint_arn(call, name), call.params.get("Tags") or [])
    return {"EndpointArn": endpoint_arn(call, name)}


def _images(model_name: str) -> list[dict[str, str]]:
    found = records.request_of(get_store(), "Model", model_name)
    if found is None:
        return []
    containers = found[0].get("Containers") or [found[0].get("PrimaryContainer") or {}]
    return [{"SpecifiedImage": c["Image"], "ResolvedImage": c["Image"]} for c in containers if c.get("Image")]


def describe_endpoint(call: Call) -> dict[str, Any]:
    """DescribeEndpoint: status, variants with their weights, data capture."""
    name = call.params["EndpointName"]
    description = _description(call, name)
    answer = description.to_sagemaker()
    for variant, summary in zip(description.variants, answer.get("ProductionVariants") or []):
        summary["DeployedImages"] = _images(variant.model_name)
    answer.update(EndpointArn=endpoint_arn(call, name), EndpointConfigName=_config_name(name))
    return answer


def list_endpoints(call: Call) -> dict[str, Any]:
    """ListEndpoints (StatusEquals and the time bounds filter it)."""
    params = call.params
    items = [{"EndpointName": e.name, "EndpointArn": endpoint_arn(call, e.name), "CreationTime": e.created_at,
              "LastModifiedTime": e.last_modified, "EndpointStatus": e.status} for e in serving_endpoints()]

    def wanted(item: dict[str, Any]) -> bool:
        after, before = params.get("LastModifiedTimeAfter"), params.get("LastModifiedTimeBefore")
        return ((params.get("StatusEquals") is None or item["EndpointStatus"] == params["StatusEquals"])
                and (after is None or item["LastModifiedTime"] > after)
                and (before is None or item["LastModifiedTime"] < before))

    return list_answer(items, params, "Endpoints", "EndpointName", wanted)


def delete_endpoint(call: Call) -> None:
    """DeleteEndpoint: stop its server (captured data is written out first) and forget it."""
    name = call.params["EndpointName"]
    _description(call, name)
    stop_endpoint(name)
    records.delete_request(get_store(), "Endpoint", name)
    records.delete_all_tags(get_store(), endpoint_arn(call, name))


def _retain(call: Call, name: str, variants: list[Any]) -> set[str]:
    """RetainAllVariantProperties: the running variants' weights and counts kept on the new
    ones of the same name; the properties that are *not* kept are returned."""
    excluded = {p["VariantPropertyType"] for p in call.params.get("ExcludeRetainedVariantProperties") or []}
    current = {v.variant_name: v for v in _description(call, name).variants}
    for variant in variants:
        running = current.get(variant.variant_name)
        if running is not None and "DesiredWeight" not in excluded:
            variant.initial_weight = running.current_weight
        if running is not None and "DesiredInstanceCount" not in excluded:
            variant.initial_instance_count = running.instance_count
    return excluded


def update_endpoint(call: Call) -> dict[str, Any]:
    """UpdateEndpoint: serve another endpoint config's variants (and data capture), switching
    over between two requests once the new models are loaded."""
    name, config_name = call.params["EndpointName"], call.params["EndpointConfigName"]
    _description(call, name)
    config = endpoint_config(config_name)
    variants = production_variants(config)
    capture: DataCaptureConfig | None = data_capture_config(config) or DataCaptureConfig(enable_capture=False)
    if call.params.get("RetainAllVariantProperties") and "DataCaptureConfig" not in _retain(call, name, variants):
        capture = None  # serving keeps the capture settings it has
    serve_variants(name, variants, wait=False, data_capture_config=capture)
    records.set_endpoint_config_name(get_store(), name, config_name)
    return {"EndpointArn": endpoint_arn(call, name)}


def update_endpoint_weights_and_capacities(call: Call) -> dict[str, Any]:
    """UpdateEndpointWeightsAndCapacities: new weights, applied between two requests."""
    name = call.params["EndpointName"]
    _description(call, name)
    change_weights(name, call.params["DesiredWeightsAndCapacities"], wait=False)
    return {"EndpointArn": endpoint_arn(call, name)}


OPERATIONS = {
    "CreateEndpoint": create_endpoint, "DescribeEndpoint": describe_endpoint, "ListEndpoints": list_endpoints,
    "DeleteEndpoint": delete_endpoint, "UpdateEndpoint": update_endpoint,
    "UpdateEndpointWeightsAndCapacities": update_endpoint_weights_and_capacities,
}
