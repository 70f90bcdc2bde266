"""SageMaker's trial component operations, and sagemaker-metrics' BatchPutMetrics and
BatchGetMetrics, over jupyter_ext.experiments' runs: a trial component is a run (the SDK's
`Run` makes one per `with`), a job's run is the trial component of that job (Source: the
job's ARN), and metrics put here are the run's metric series.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..errors import JupyterExtError
from ..experiments import components
from ..experiments.queries import describe_run, run_metric_points
from ..models import MetricPoint
from .experiment_shapes import already_exists, component_arn, component_document, list_page, trial_arn
from .operations import Call
from .tags import record_tags

__all__ = ["OPERATION_TABLES", "job_experiment_config"]

_SUMMARY_KEYS = ("TrialComponentName", "TrialComponentArn", "DisplayName", "Status", "StartTime", "EndTime",
                 "CreationTime", "LastModifiedTime")
_PERIODS = {"OneMinute": 60, "FiveMinute": 300, "OneHour": 3600}


def job_experiment_config(request: dict[str, Any]) -> dict[str, str] | None:
    """The experiment_config a job made through the API runs with: its ExperimentName and
    TrialName. The request's RunName names the SDK's run the job belongs to (the job's
    script logs there with `load_run()`); the job is a run of its own, as in SageMaker."""
    config = request.get("ExperimentConfig") or {}
    kept = {key: value for key, value in config.items() if key != "RunName"}
    return kept or None


def _artifacts(artifacts: dict[str, dict[str, str]] | None) -> dict[str, tuple[str, str | None]]:
    return {name: (item.get("Value", ""), item.get("MediaType")) for name, item in (artifacts or {}).items()}


def _fields(params: dict[str, Any]) -> dict[str, Any]:
    status = params.get("Status") or {}
    return {"status": status.get("PrimaryStatus"), "status_message": status.get("Message"),
            "start_time": params.get("StartTime"), "end_time": params.get("EndTime"),
            "parameters": {k: v.get("NumberValue", v.get("StringValue")) for k, v in (params.get("Parameters")
                                                                                 or {}).items()},
            "input_artifacts": _artifacts(params.get("InputArtifacts")),
            "output_artifacts": _artifacts(params.get("OutputArtifacts"))}


def create_trial_component(call: Call) -> dict[str, Any]:
    """CreateTrialComponent: a run in no experiment until AssociateTrialComponent."""
    params = call.params
    name = params["TrialComponentName"]
    with already_exists("TrialComponent", name):
        components.create_run(name, params.get("DisplayName"), **_fields(params))
    record_tags(component_arn(call, name), params.get("Tags") or [])
    return {"TrialComponentArn": component_arn(call, name)}


def describe_trial_component(call: Call) -> dict[str, Any]:
    """DescribeTrialComponent of any run, a job's or a `Run`'s of our own too."""
    return component_document(call, call.params["TrialComponentName"])


def list_trial_components(call: Call) -> dict[str, Any]:
    """ListTrialComponents (of ExperimentName, TrialName or the job SourceArn names)."""
    params = call.params
    source = (params.get("SourceArn") or "").rsplit("/", 1)[-1].lower()
    runs = [describe_run(name) for name in components.list_runs(params.get("ExperimentName"), params.get("TrialName"))]
    summaries = []
    for run in runs:
        if source and (run.job_name or "").lower() != source:
            continue
        document = component_document(call, run)
        summaries.append({**{key: document[key] for key in _SUMMARY_KEYS},
                          "TrialComponentSource": document["Source"]})
    return list_page(summaries, params, "TrialComponentSummaries", "TrialComponentName")


def update_trial_component(call: Call) -> dict[str, Any]:
    """UpdateTrialComponent: what is given changes; *ToRemove forget names."""
    params = call.params
    name = params["TrialComponentName"]
    components.update_run(name, params.get("DisplayName"), **_fields(params),
                          remove_parameters=params.get("ParametersToRemove") or [],
                          remove_inputs=params.get("InputArtifactsToRemove") or [],
                          remove_outputs=params.get("OutputArtifactsToRemove") or [])
    return {"TrialComponentArn": component_arn(call, name)}


def delete_trial_component(call: Call) -> dict[str, Any]:
    """DeleteTrialComponent: the run and what it logged (a job that made it is kept)."""
    components.delete_run(call.params["TrialComponentName"])
    return {"TrialComponentArn": component_arn(call, call.params["TrialComponentName"])}


def associate_trial_component(call: Call) -> dict[str, Any]:
    """AssociateTrialComponent: the run joins the trial and its experiment."""
    name, trial = call.params["TrialComponentName"], call.params["TrialName"]
    components.associate_run(name, trial)
    return {"TrialComponentArn": component_arn(call, name), "TrialArn": trial_arn(call, trial)}


def disassociate_trial_component(call: Call) -> dict[str, Any]:
    """DisassociateTrialComponent: the run leaves the trial (and its experiment)."""
    name, trial = call.params["TrialComponentName"], call.params["TrialName"]
    components.disassociate_run(name, trial)
    return {"TrialComponentArn": component_arn(call, name), "TrialArn": trial_arn(call, trial)}


def batch_put_metrics(call: Call) -> dict[str, Any]:
    """BatchPutMetrics: the points join the run's metric series."""
    points = [(item["MetricName"], item["Value"], item.get("Step"), item["Timestamp"])
              for item in call.params["MetricData"]]
    components.log_metrics(call.params["TrialComponentName"], points)
    return {"Errors": []}


def _x(point: MetricPoint, query: dict[str, Any]) -> int:
    if query.get("XAxisType") == "IterationNumber" or query["Period"] == "IterationNumber":
        return int(point.step)
    seconds = _PERIODS.get(query["Period"], 60)
    return int(point.timestamp.timestamp() // seconds * seconds)


def _statistic(values: list[float], stat: str) -> float:
    mean = sum(values) / len(values)
    if stat == "StdDev":
        return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0
    return {"Min": min(values), "Max": max(values), "Avg": mean, "Count": float(len(values)),
            "Last": values[-1]}[stat]


def _metric_query(query: dict[str, Any]) -> dict[str, Any]:
    run = query["ResourceArn"].rsplit("/", 1)[-1]
    try:
        points = run_metric_points(run, query["MetricName"])
    except JupyterExtError as error:  # a failed query is reported in its own result, as the service does
        return {"Status": "ValidationError", "Message": str(error), "XAxisValues": [], "MetricValues": []}
    start, end = query.get("Start"), query.get("End")
    groups: dict[int, list[float]] = defaultdict(list)
    for point in points:
        if (start is None or point.timestamp >= start) and (end is None or point.timestamp <= end):
            groups[_x(point, query)].append(point.value)
    xs = sorted(groups)
    return {"Status": "Complete", "XAxisValues": xs,
            "MetricValues": [_statistic(groups[x], query["MetricStat"]) for x in xs]}


def batch_get_metrics(call: Call) -> dict[str, Any]:
    """BatchGetMetrics: each query's series, a statistic per step or per period."""
    return {"MetricQueryResults": [_metric_query(query) for query in call.params["MetricQueries"]]}


OPERATION_TABLES = {
    "sagemaker": {
        "CreateTrialComponent": create_trial_component, "DescribeTrialComponent": describe_trial_component,
        "ListTrialComponents": list_trial_components, "UpdateTrialComponent": update_trial_component,
        "DeleteTrialComponent": delete_trial_component, "AssociateTrialComponent": associate_trial_component,
        "DisassociateTrialComponent": disassociate_trial_component,
    },
    "sagemaker-metrics": {"BatchPutMetrics": batch_put_metrics, "BatchGetMetrics": batch_get_metrics},
}
