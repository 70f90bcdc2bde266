"""CloudWatch metrics over job metrics: what `TrainingJobAnalytics(name).dataframe()` asks for.

A training job's metric series (regexes over its log, and `log_metric` values) are the
namespace `/aws/sagemaker/TrainingJobs`, dimension `TrainingJobName` (or `Host` =
`<job>/algo-1`), as SageMaker publishes them; GetMetricStatistics buckets them by `Period`.
botocore calls CloudWatch with JSON 1.0 (newer ones may choose CBOR): both are served.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..errors import NotFoundError
from ..jobs import Job, list_jobs
from ..models import MetricPoint
from .operations import Call

__all__ = ["SERVICE", "OPERATIONS", "NAMESPACE"]

SERVICE = "cloudwatch"
NAMESPACE = "/aws/sagemaker/TrainingJobs"


def _host_job(dimensions: list[dict[str, str]]) -> str | None:
    """The job a metric query is about: dimension TrainingJobName (what the SDK's analytics
    send) or Host (`<job>/algo-1`, SageMaker's per-host series)."""
    for dimension in dimensions or []:
        if dimension.get("Name") == "TrainingJobName":
            return dimension.get("Value")
        if dimension.get("Name") == "Host":
            return dimension.get("Value", "").rsplit("/algo-", 1)[0]
    return None


def _points(namespace: str, job: str | None, metric: str) -> list[MetricPoint]:
    if namespace != NAMESPACE or not job:
        return []
    try:
        return Job(job).metric_points(metric)
    except NotFoundError:
        return []


def _statistics(values: list[float]) -> dict[str, float]:
    return {"SampleCount": float(len(values)), "Average": sum(values) / len(values), "Sum": sum(values),
            "Minimum": min(values), "Maximum": max(values)}


def get_metric_statistics(call: Call) -> dict[str, Any]:
    """A metric's values in `Period`-second buckets from StartTime to EndTime."""
    params = call.params
    start, end, period = params["StartTime"], params["EndTime"], max(1, int(params["Period"]))
    buckets: dict[int, list[float]] = defaultdict(list)
    for point in _points(params["Namespace"], _host_job(params.get("Dimensions")), params["MetricName"]):
        if start <= point.timestamp < end:
            buckets[int((point.timestamp - start).total_seconds() // period)].append(point.value)
    wanted = params.get("Statistics") or ["Average"]
    datapoints = []
    for index, values in sorted(buckets.items()):
        stats = _statistics(values)
        datapoints.append({"Timestamp": start.timestamp() + index * period, "Unit": "None",
                           **{name: stats[name] for name in wanted if name in stats}})
    return {"Label": params["MetricName"], "Datapoints": datapoints}


def list_metrics(call: Call) -> dict[str, Any]:
    """The metrics of training jobs (all, or those matching Namespace, MetricName, Dimensions)."""
    params = call.params
    if params.get("Namespace") not in (None, NAMESPACE):
        return {"Metrics": []}
    wanted_job = _host_job(params.get("Dimensions") or [])
    jobs = [wanted_job] if wanted_job else [job.name for job in list_jobs(type="Training", limit=None)]
    metrics = []
    for name in jobs:
        try:
            names = sorted({point.name for point in Job(name).metric_points()})
        except NotFoundError:
            continue
        metrics += [{"Namespace": NAMESPACE, "MetricName": metric,
                     "Dimensions": [{"Name": "TrainingJobName", "Value": name}]}
                    for metric in names if params.get("MetricName") in (None, metric)]
    return {"Metrics": metrics}


OPERATIONS = {"GetMetricStatistics": get_metric_statistics, "ListMetrics": list_metrics}
