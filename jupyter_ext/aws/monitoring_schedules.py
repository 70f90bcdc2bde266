"""SageMaker's monitoring schedule operations over jupyter_ext.monitor's schedules.

CreateMonitoringSchedule takes a job definition by name (`MonitoringJobDefinitionName` +
`MonitoringType`, what SDK v2 sends) or inline (`MonitoringJobDefinition`) and makes an
ordinary jupyter_ext.monitor schedule of the endpoint its EndpointInput names: the baseline
files (StatisticsResource / ConstraintsResource, else the BaseliningJobName's outputs), the
output S3Uri, the window offsets (ScheduleConfig's DataAnalysisStartTime/EndTime, else the
EndpointInput's StartTimeOffset/EndTimeOffset) and, for ModelQuality, the ground truth,
problem type and attributes; without a ScheduleConfig it runs daily, as SageMaker's does.
The request is kept beside the schedule, so Describe echoes it; each run is a Processing
job that DescribeProcessingJob answers with the analyzer's image and environment, its
outputs as s3:// URIs. A NOW schedule starts its run at once; cron schedules run when the
Jupyter server's (or `jupyter-ext aws serve`'s) ticker finds them due. What the analyzer
does not honour is a notice at the top of each run's log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..errors import ConflictError, NotFoundError
from ..models import MonitoringExecutionSummary
from ..monitor import (
    BaseliningJob, CronExpressionGenerator, create_schedule, delete_schedule, describe_schedule, list_executions,
    list_schedules, model_quality_settings, monitoring_config, run_due_schedules, set_schedule_status, update_schedule,
)
from ..store import get_store
from . import records
from .job_requests import jsonable
from .job_shapes import paged
from .monitoring_baselines import environment_notices
from .monitoring_definitions import KINDS, MonitoringJob, job_definition, job_from_definition, job_from_inline
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "schedule_arn"]

SERVICE = "sagemaker"
log = logging.getLogger("jupyter_ext.aws")


def schedule_arn(call: Call, name: str) -> str:
    """The ARN of monitoring schedule `name`."""
    return arn(call, f"monitoring-schedule/{name.lower()}")


def _description(call: Call, name: str) -> dict[str, Any]:
    try:
        return describe_schedule(name)
    except NotFoundError:
        raise AwsError("ResourceNotFound", f"Monitoring Schedule '{schedule_arn(call, name)}' does not exist "
                       "(ListMonitoringSchedules lists them).") from None


def _monitoring_job(config: dict[str, Any]) -> MonitoringJob:
    """The job a MonitoringScheduleConfig runs: its named job definition, or the inline one."""
    monitoring_type = config.get("MonitoringType") or "DataQuality"
    if monitoring_type not in KINDS:
        raise AwsError("ValidationException", f"MonitoringType {monitoring_type} is not served yet; "
                       f"{' and '.join(KINDS)} are.")
    name = config.get("MonitoringJobDefinitionName")
    if name:
        if not config.get("MonitoringType"):
            raise AwsError("ValidationException", "MonitoringType is needed with MonitoringJobDefinitionName "
                           "(DataQuality or ModelQuality).")
        return job_from_definition(monitoring_type, job_definition(monitoring_type, name)[0], name)
    if config.get("MonitoringJobDefinition"):
        return job_from_inline(config["MonitoringJobDefinition"], monitoring_type)
    raise AwsError("ValidationException", "MonitoringScheduleConfig needs MonitoringJobDefinitionName (with "
                   "MonitoringType) or an inline MonitoringJobDefinition.")


def _baseline(job: MonitoringJob) -> tuple[str | None, str | None, BaseliningJob | None]:
    """(statistics URI, constraints URI, baselining job) of the job's BaselineConfig; all
    None without one (its runs then check no constraints, as SageMaker's do)."""
    statistics = (job.baseline.get("StatisticsResource") or {}).get("S3Uri")
    constraints = (job.baseline.get("ConstraintsResource") or {}).get("S3Uri")
    complete = constraints and (statistics or job.monitoring_type == "ModelQuality")
    baselining = job.baseline.get("BaseliningJobName")
    if (statistics or constraints) and not complete and not baselining:
        needed = "ConstraintsResource" if job.monitoring_type == "ModelQuality" else \
            "StatisticsResource and ConstraintsResource"
        raise AwsError("ValidationException", f"The {job.monitoring_type} job's baseline config needs {needed} "
                       "(the files a baselining job wrote) or the BaseliningJobName that wrote them, or no "
                       "baseline at all.")
    return statistics, constraints, BaseliningJob.attach(baselining) if baselining and not complete else None


def _analysis_settings(job: MonitoringJob, config: dict[str, Any]) -> dict[str, Any]:
    """What the runs analyse besides the baseline: window offsets, metrics, model quality's settings."""
    schedule, endpoint = config.get("ScheduleConfig") or {}, job.endpoint_input
    settings: dict[str, Any] = {"publish_cloudwatch_metrics": job.environment.get("publish_cloudwatch_metrics",
                                                                                  "Enabled")}
    start = schedule.get("DataAnalysisStartTime") or endpoint.get("StartTimeOffset")
    end = schedule.get("DataAnalysisEndTime") or endpoint.get("EndTimeOffset")
    settings.update({k: v for k, v in (("start_time_offset", start), ("end_time_offset", end)) if v})
    if job.monitoring_type == "ModelQuality":
        settings.update(model_quality_settings(
            job.ground_truth, job.app.get("ProblemType") or job.environment.get("problem_type"),
            endpoint.get("ProbabilityAttribute"), endpoint.get("ProbabilityThresholdAttribute"),
            endpoint.get("InferenceAttribute")))
    return settings


def _run_notices(job: MonitoringJob) -> list[str]:
    """One line for each setting of the job that the runs do not honour."""
    notices = environment_notices(job.environment)
    for key in ("RecordPreprocessorSourceUri", "PostAnalyticsProcessorSourceUri"):
        if job.app.get(key):
            notices.append(f"Notice: {key} {job.app[key]} is not run: jupyter_ext's model-monitor analyzer has no "
                           "script hooks.")
    if job.app.get("ContainerEntrypoint") or job.app.get("ContainerArguments"):
        notices.append("Notice: ContainerEntrypoint and ContainerArguments are not used: the runs are jupyter_ext's "
                       "model-monitor analyzer.")
    for key in ("FeaturesAttribute", "ExcludeFeaturesAttribute"):
        if job.endpoint_input.get(key):
            notices.append(f"Notice: EndpointInput.{key} is not honoured: every captured column is analysed.")
    return notices


def _run_request(job: MonitoringJob) -> dict[str, Any]:
    """What DescribeProcessingJob of a run echoes: the analyzer's image, environment, resources."""
    request: dict[str, Any] = {
        "AppSpecification": {k: v for k, v in job.app.items() if k in ("ImageUri", "ContainerEntrypoint",
                                                                       "ContainerArguments")},
        "Environment": job.environment, "RoleArn": job.role, "ProcessingResources": {"ClusterConfig": job.cluster}}
    if job.stopping:
        request["StoppingCondition"] = job.stopping
    if job.network:
        request["NetworkConfig"] = job.network
    return request


def _schedule_settings(config: dict[str, Any]) -> tuple[str, str, str, dict[str, Any], dict[str, Any]]:
    """(endpoint, monitoring type, expression, analysis config, runs' job options) of a MonitoringScheduleConfig."""
    job = _monitoring_job(config)
    statistics, constraints, baselining = _baseline(job)
    output = job.outputs["MonitoringOutputs"][0]["S3Output"]["S3Uri"]
    endpoint, analysis = monitoring_config(job.monitoring_type, job.endpoint_input["EndpointName"], output,
                                           statistics, constraints, baselining, **_analysis_settings(job, config))
    expression = (config.get("ScheduleConfig") or {}).get("ScheduleExpression") or CronExpressionGenerator.daily()
    return endpoint, job.monitoring_type, expression, analysis, {"sagemaker_request": _run_request(job),
                                                                 "job_notices": _run_notices(job)}


def _start_if_now(name: str, expression: str) -> None:
    """A NOW schedule's run starts at once (the ticker would start it within its interval)."""
    if expression != "NOW":
        return
    try:
        run_due_schedules(schedule=name)
    except Exception:  # the schedule is made; its run is the ticker's to retry
        log.exception("The run of monitoring schedule %s did not start", name)


def create_monitoring_schedule(call: Call) -> dict[str, Any]:
    """CreateMonitoringSchedule: a jupyter_ext.monitor schedule of the job definition's endpoint."""
    name, config = call.params["MonitoringScheduleName"], call.params["MonitoringScheduleConfig"]
    endpoint, monitoring_type, expression, analysis, run_options = _schedule_settings(config)
    kept = jsonable({k: v for k, v in call.params.items() if k != "Tags"})
    try:
        create_schedule(name, endpoint, monitoring_type, expression, analysis, kept, run_options)
    except ConflictError:
        raise AwsError("ResourceInUse", f"Monitoring schedule {name} exists already: delete it first or choose "
                       "another name.") from None
    record_tags(schedule_arn(call, name), call.params.get("Tags") or [])
    _start_if_now(name, expression)
    return {"MonitoringScheduleArn": schedule_arn(call, name)}


def update_monitoring_schedule(call: Call) -> dict[str, Any]:
    """UpdateMonitoringSchedule: run another job definition (and/or at other times); the
    schedule's status and past runs stay."""
    name, config = call.params["MonitoringScheduleName"], call.params["MonitoringScheduleConfig"]
    _description(call, name)
    endpoint, monitoring_type, expression, analysis, run_options = _schedule_settings(config)
    update_schedule(name, endpoint, monitoring_type, expression, analysis, jsonable(call.params), run_options)
    _start_if_now(name, expression)
    return {"MonitoringScheduleArn": schedule_arn(call, name)}


def _definition_name(described: dict[str, Any]) -> str | None:
    return ((described.get("sagemaker_request") or {}).get("MonitoringScheduleConfig") or {}).get(
        "MonitoringJobDefinitionName")


def _execution(call: Call, execution: MonitoringExecutionSummary, definition: str | None) -> dict[str, Any]:
    """A MonitoringExecutionSummary in SageMaker's shape."""
    return {"MonitoringScheduleName": execution.monitoring_schedule_name, "ScheduledTime": execution.scheduled_time,
            "CreationTime": execution.created_at or execution.scheduled_time,
            "LastModifiedTime": execution.last_modified or execution.scheduled_time,
            "MonitoringExecutionStatus": execution.monitoring_execution_status,
            "ProcessingJobArn": arn(call, f"processing-job/{execution.job_name.lower()}"),
            "EndpointName": execution.endpoint_name, "FailureReason": execution.failure_reason,
            "MonitoringJobDefinitionName": definition, "MonitoringType": execution.monitoring_type}


def describe_monitoring_schedule(call: Call) -> dict[str, Any]:
    """DescribeMonitoringSchedule: the request's config, status, times, latest run."""
    name = call.params["MonitoringScheduleName"]
    described = _description(call, name)
    config = (described["sagemaker_request"] or {}).get("MonitoringScheduleConfig") or {
        "ScheduleConfig": {"ScheduleExpression": described["schedule_expression"]},
        "MonitoringType": described["monitoring_type"]}
    latest = list_executions(schedule=name, limit=1)
    return {"MonitoringScheduleArn": schedule_arn(call, name), "MonitoringScheduleName": name,
            "MonitoringScheduleStatus": described["status"], "MonitoringType": described["monitoring_type"],
            "CreationTime": described["CreationTime"], "LastModifiedTime": described["LastModifiedTime"],
            "MonitoringScheduleConfig": config, "EndpointName": described["endpoint_name"],
            "LastMonitoringExecutionSummary": _execution(call, latest[0], _definition_name(described)) if latest
            else None}


def _within(item: dict[str, Any], params: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """Whether `item`'s times are inside the request's `<Field>After` / `<Field>Before` bounds."""
    for field in fields:
        after, before = params.get(f"{field}After"), params.get(f"{field}Before")
        if (after is not None and item[field] <= after) or (before is not None and item[field] >= before):
            return False
    return True


def _sorted_page(items: list[dict[str, Any]], params: dict[str, Any], sort_keys: dict[str, str], default: str,
                 key: str) -> dict[str, Any]:
    field = sort_keys.get(params.get("SortBy") or default, sort_keys[default])
    items.sort(key=lambda item: item[field] or "", reverse=(params.get("SortOrder") or "Descending") == "Descending")
    return paged(items, params, key)


def list_monitoring_schedules(call: Call) -> dict[str, Any]:
    """ListMonitoringSchedules: EndpointName, NameContains, StatusEquals, MonitoringTypeEquals,
    MonitoringJobDefinitionName and time bounds filter; SortBy Name, CreationTime or Status."""
    params, items = call.params, []
    for summary in list_schedules(params.get("EndpointName")):
        described = describe_schedule(summary.monitoring_schedule_name)
        item = {"MonitoringScheduleName": summary.monitoring_schedule_name,
                "MonitoringScheduleArn": schedule_arn(call, summary.monitoring_schedule_name),
                "CreationTime": described["CreationTime"], "LastModifiedTime": described["LastModifiedTime"],
                "MonitoringScheduleStatus": summary.status, "EndpointName": described["endpoint_name"],
                "MonitoringJobDefinitionName": _definition_name(described), "MonitoringType": summary.monitoring_type}
        if ((params.get("NameContains") or "").lower() in item["MonitoringScheduleName"].lower()
                and params.get("StatusEquals") in (None, item["MonitoringScheduleStatus"])
                and params.get("MonitoringTypeEquals") in (None, item["MonitoringType"])
                and params.get("MonitoringJobDefinitionName") in (None, item["MonitoringJobDefinitionName"])
                and _within(item, params, ("CreationTime", "LastModifiedTime"))):
            items.append(item)
    return _sorted_page(items, params, {"Name": "MonitoringScheduleName", "CreationTime": "CreationTime",
                                        "Status": "MonitoringScheduleStatus"}, "CreationTime",
                        "MonitoringScheduleSummaries")


def list_monitoring_executions(call: Call) -> dict[str, Any]:
    """ListMonitoringExecutions of a schedule and/or endpoint (runs made by schedules):
    status, type, job definition and time filters; SortBy ScheduledTime (the default),
    CreationTime or Status."""
    params, items = call.params, []
    definitions: dict[str, str | None] = {}
    for execution in list_executions(params.get("EndpointName"), params.get("MonitoringScheduleName"), limit=None):
        schedule = execution.monitoring_schedule_name
        if schedule is None:
            continue  # a run made with run_monitoring_now(): no schedule of SageMaker's
        if schedule not in definitions:
            try:
                definitions[schedule] = _definition_name(describe_schedule(schedule))
            except NotFoundError:
                definitions[schedule] = None  # its schedule was deleted; its runs stay listed
        item = _execution(call, execution, definitions[schedule])
        if (params.get("StatusEquals") in (None, item["MonitoringExecutionStatus"])
                and params.get("MonitoringTypeEquals") in (None, item["MonitoringType"])
                and params.get("MonitoringJobDefinitionName") in (None, item["MonitoringJobDefinitionName"])
                and _within(item, params, ("ScheduledTime", "CreationTime", "LastModifiedTime"))):
            items.append(item)
    return _sorted_page(items, params, {"ScheduledTime": "ScheduledTime", "CreationTime": "CreationTime",
                                        "Status": "MonitoringExecutionStatus"}, "ScheduledTime",
                        "MonitoringExecutionSummaries")


def _status_change(status: str) -> Callable[[Call], None]:
    def change(call: Call) -> None:
        """Start/StopMonitoringSchedule: the schedule's status becomes `status`."""
        name = call.params["MonitoringScheduleName"]
        _description(call, name)
        set_schedule_status(name, status)
    return change


def delete_monitoring_schedule(call: Call) -> None:
    """DeleteMonitoringSchedule (its runs stay listed, as their processing jobs do)."""
    name = call.params["MonitoringScheduleName"]
    _description(call, name)
    delete_schedule(name)
    records.delete_all_tags(get_store(), schedule_arn(call, name))


OPERATIONS = {
    "CreateMonitoringSchedule": create_monitoring_schedule, "DescribeMonitoringSchedule": describe_monitoring_schedule,
    "ListMonitoringSchedules": list_monitoring_schedules, "UpdateMonitoringSchedule": update_monitoring_schedule,
    "StartMonitoringSchedule": _status_change("Scheduled"), "StopMonitoringSchedule": _status_change("Stopped"),
    "DeleteMonitoringSchedule": delete_monitoring_schedule, "ListMonitoringExecutions": list_monitoring_executions,
}
