"""SageMaker's Model Monitor job definitions: Create/Describe/List/Delete of
DataQualityJobDefinition and ModelQualityJobDefinition.

A job definition is an API document that only names what a schedule will run, so it is
kept as its request (records.py), as endpoint configs are. `job_from_definition` and
`job_from_inline` read one, or a schedule's inline `MonitoringJobDefinition`, as one
`MonitoringJob`, which monitoring_schedules.py turns into a jupyter_ext.monitor schedule.
Only SageMaker's model-monitor analyzer image runs (as jupyter_ext's analyzer), over an
endpoint's captured data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ConflictError
from ..models import timestamp
from ..monitor import describe_schedule, list_schedules
from ..store import get_store
from . import records
from .images import MODEL_MONITOR_REPOSITORY, is_model_monitor_image
from .job_requests import jsonable
from .job_shapes import paged
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "MonitoringJob", "KINDS", "definition_arn", "job_definition", "job_from_definition",
           "job_from_inline"]

SERVICE = "sagemaker"
KINDS = {"DataQuality": "DataQualityJobDefinition", "ModelQuality": "ModelQualityJobDefinition"}
_ARN_KINDS = {"DataQuality": "data-quality-job-definition", "ModelQuality": "model-quality-job-definition"}


@dataclass(frozen=True)
class MonitoringJob:
    """What a monitoring schedule runs: the analyzer's app specification and environment,
    the baseline, the endpoint's input (with its window offsets and attributes), ground
    truth (ModelQuality), outputs, resources; `definition_name` if a job definition gave it."""

    monitoring_type: str
    app: dict[str, Any]
    environment: dict[str, str]
    baseline: dict[str, Any]
    endpoint_input: dict[str, Any]
    ground_truth: str | None
    outputs: dict[str, Any]
    cluster: dict[str, Any]
    role: str
    stopping: dict[str, Any] | None = None
    network: dict[str, Any] | None = None
    definition_name: str | None = None


def definition_arn(call: Call, monitoring_type: str, name: str) -> str:
    """The ARN of job definition `name` of `monitoring_type`."""
    return arn(call, f"{_ARN_KINDS[monitoring_type]}/{name.lower()}")


def _checked(job: MonitoringJob, where: str) -> MonitoringJob:
    if not is_model_monitor_image(job.app.get("ImageUri")):
        raise AwsError("ValidationException", f"{where}: image {job.app.get('ImageUri')!r} cannot run here; Model "
                       f"Monitor runs SageMaker's {MODEL_MONITOR_REPOSITORY} image (sagemaker.image_uris.retrieve("
                       "\"model-monitor\", region)) as jupyter_ext's analyzer. Bring-your-own monitoring containers "
                       "are not served.")
    if not job.endpoint_input:
        raise AwsError("ValidationException", f"{where}: only an EndpointInput is monitored here (an endpoint's "
                       "captured data); BatchTransformInput is not served yet.")
    if not job.outputs.get("MonitoringOutputs"):
        raise AwsError("ValidationException", f"{where}: give one MonitoringOutputs entry (its S3Uri gets the reports).")
    if int(job.cluster.get("InstanceCount", 1)) != 1:
        raise AwsError("ValidationException", f"{where}: InstanceCount must be 1: jobs run on this machine.")
    return job


def job_from_definition(monitoring_type: str, request: dict[str, Any], name: str | None = None) -> MonitoringJob:
    """The MonitoringJob of a Create<Type>JobDefinition request (AwsError if it cannot run here)."""
    app = dict(request[f"{monitoring_type}AppSpecification"])
    environment = dict(app.pop("Environment", None) or {})
    job_input = request[f"{monitoring_type}JobInput"]
    return _checked(MonitoringJob(
        monitoring_type, app, environment, request.get(f"{monitoring_type}BaselineConfig") or {},
        job_input.get("EndpointInput") or {}, (job_input.get("GroundTruthS3Input") or {}).get("S3Uri"),
        request[f"{monitoring_type}JobOutputConfig"], request["JobResources"]["ClusterConfig"], request["RoleArn"],
        request.get("StoppingCondition"), request.get("NetworkConfig"), name),
        f"{KINDS[monitoring_type]} {name or request.get('JobDefinitionName')}")


def job_from_inline(definition: dict[str, Any], monitoring_type: str) -> MonitoringJob:
    """The MonitoringJob of a schedule's inline MonitoringJobDefinition (DataQuality only:
    the inline form has no ground truth)."""
    if monitoring_type != "DataQuality":
        raise AwsError("ValidationException", f"A {monitoring_type} schedule names its job definition "
                       f"(Create{KINDS.get(monitoring_type, 'ModelQualityJobDefinition')} first, then "
                       "MonitoringJobDefinitionName); the inline MonitoringJobDefinition is for DataQuality.")
    inputs = definition.get("MonitoringInputs") or []
    endpoint = next((item["EndpointInput"] for item in inputs if item.get("EndpointInput")), {})
    return _checked(MonitoringJob(
        "DataQuality", dict(definition["MonitoringAppSpecification"]), dict(definition.get("Environment") or {}),
        definition.get("BaselineConfig") or {}, endpoint, None, definition["MonitoringOutputConfig"],
        definition["MonitoringResources"]["ClusterConfig"], definition["RoleArn"],
        definition.get("StoppingCondition"), definition.get("NetworkConfig")), "MonitoringJobDefinition")


def job_definition(monitoring_type: str, name: str) -> tuple[dict[str, Any], float]:
    """(request, creation time) of job definition `name`; AwsError ResourceNotFound if there is none."""
    found = records.request_of(get_store(), KINDS[monitoring_type], name) if monitoring_type in KINDS else None
    if found is None:
        raise AwsError("ResourceNotFound", f"Could not find {monitoring_type} job definition {name!r} "
                       f"(List{KINDS.get(monitoring_type, 'DataQualityJobDefinition')}s lists them).")
    return found


def _in_use(monitoring_type: str, name: str) -> list[str]:
    """The schedules that run job definition `name`."""
    using = []
    for summary in list_schedules():
        config = (describe_schedule(summary.monitoring_schedule_name)["sagemaker_request"] or {}).get(
            "MonitoringScheduleConfig") or {}
        if config.get("MonitoringJobDefinitionName") == name and config.get("MonitoringType") == monitoring_type:
            using.append(summary.monitoring_schedule_name)
    return using


def _create(monitoring_type: str) -> Callable[[Call], dict[str, Any]]:
    def create(call: Call) -> dict[str, Any]:
        """Create<Type>JobDefinition: checked (it must run here), then kept."""
        name = call.params["JobDefinitionName"]
        request = {k: v for k, v in call.params.items() if k != "Tags"}
        job_from_definition(monitoring_type, request, name)
        try:
            records.insert_request(get_store(), KINDS[monitoring_type], name, jsonable(request))
        except ConflictError:
            raise AwsError("ResourceInUse", f"{KINDS[monitoring_type]} {name} exists already; delete it first or "
                           "choose another name.") from None
        record_tags(definition_arn(call, monitoring_type, name), call.params.get("Tags") or [])
        return {"JobDefinitionArn": definition_arn(call, monitoring_type, name)}
    return create


def _describe(monitoring_type: str) -> Callable[[Call], dict[str, Any]]:
    def describe(call: Call) -> dict[str, Any]:
        """Describe<Type>JobDefinition: the request, its ARN and creation time."""
        name = call.params["JobDefinitionName"]
        request, created = job_definition(monitoring_type, name)
        return {**request, "JobDefinitionArn": definition_arn(call, monitoring_type, name),
                "CreationTime": timestamp(created)}
    return describe


def _list(monitoring_type: str) -> Callable[[Call], dict[str, Any]]:
    def list_definitions(call: Call) -> dict[str, Any]:
        """List<Type>JobDefinitions: EndpointName, NameContains and creation time filter;
        SortBy Name or CreationTime (newest first by default)."""
        params = call.params
        contains = (params.get("NameContains") or "").lower()
        after, before = params.get("CreationTimeAfter"), params.get("CreationTimeBefore")
        items = []
        for name, request, created in records.requests_of(get_store(), KINDS[monitoring_type]):
            endpoint = (request[f"{monitoring_type}JobInput"].get("EndpointInput") or {}).get("EndpointName", "")
            moment = timestamp(created)
            if (contains in name.lower() and params.get("EndpointName") in (None, endpoint)
                    and (after is None or moment > after) and (before is None or moment < before)):
                items.append({"MonitoringJobDefinitionName": name, "CreationTime": moment, "EndpointName": endpoint,
                              "MonitoringJobDefinitionArn": definition_arn(call, monitoring_type, name)})
        key = "MonitoringJobDefinitionName" if params.get("SortBy") == "Name" else "CreationTime"
        items.sort(key=lambda item: item[key], reverse=(params.get("SortOrder") or "Descending") == "Descending")
        return paged(items, params, "JobDefinitionSummaries")
    return list_definitions


def _delete(monitoring_type: str) -> Callable[[Call], None]:
    def delete(call: Call) -> None:
        """Delete<Type>JobDefinition (ResourceInUse while a schedule runs it)."""
        name = call.params["JobDefinitionName"]
        job_definition(monitoring_type, name)
        using = _in_use(monitoring_type, name)
        if using:
            raise AwsError("ResourceInUse", f"{KINDS[monitoring_type]} {name} is used by monitoring schedule(s) "
                           f"{', '.join(using)}: delete them first.")
        records.delete_request(get_store(), KINDS[monitoring_type], name)
        records.delete_all_tags(get_store(), definition_arn(call, monitoring_type, name))
    return delete


OPERATIONS: dict[str, Callable[[Call], Any]] = {
    operation: handler for monitoring_type, kind in KINDS.items() for operation, handler in (
        (f"Create{kind}", _create(monitoring_type)), (f"Describe{kind}", _describe(monitoring_type)),
        (f"List{kind}s", _list(monitoring_type)), (f"Delete{kind}", _delete(monitoring_type)))
}
