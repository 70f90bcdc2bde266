"""CreateProcessingJob with SageMaker's model-monitor analyzer image: a jupyter_ext.monitor
baselining job.

The SDK's `DefaultModelMonitor.suggest_baseline` (and ModelQualityMonitor's) sends the
analyzer image without an entrypoint and says what to do in the environment:
`dataset_source` (a container path under one input's LocalPath), `dataset_format` (JSON),
`output_path` (an output's LocalPath), and for model quality `analysis_type=MODEL_QUALITY`
with `problem_type`, `inference_attribute`, `probability_attribute`,
`ground_truth_attribute`, `probability_threshold_attribute`. That becomes our monitors'
`suggest_baseline` over the inputs' and outputs' S3 URIs, so the job writes statistics.json
and constraints.json to the output's S3Uri. What the analyzer does not honour is a notice
at the top of the job's log.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ConflictError
from ..monitor import DefaultModelMonitor, ModelQualityMonitor
from ..store import join_uri
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags
from .trial_components import job_experiment_config

__all__ = ["start_baselining_job", "environment_notices", "ANALYZER_VARIABLES"]

# The analyzer's environment variables that jupyter_ext's analyzer reads.
ANALYZER_VARIABLES = frozenset({
    "dataset_source", "dataset_format", "output_path", "publish_cloudwatch_metrics", "analysis_type", "problem_type",
    "inference_attribute", "probability_attribute", "ground_truth_attribute", "probability_threshold_attribute",
    "categorical_drift_method",
})
_SCRIPTS = ("record_preprocessor_script", "post_analytics_processor_script")


def environment_notices(environment: dict[str, str]) -> list[str]:
    """One line for each variable of the analyzer's `environment` that is not honoured here."""
    notices = []
    for name in sorted(environment):
        if name in _SCRIPTS:
            notices.append(f"Notice: {name}={environment[name]} is not run: jupyter_ext's model-monitor analyzer "
                           "has no script hooks, so the statistics and constraints are its own.")
        elif name not in ANALYZER_VARIABLES:
            notices.append(f"Notice: environment variable {name} is not read by jupyter_ext's model-monitor "
                           "analyzer.")
    return notices


def _uri_at(container_path: str, mounts: list[tuple[str, str]], what: str) -> str:
    """The S3 URI behind `container_path`, through the (LocalPath, S3Uri) pair that holds it."""
    for local, uri in mounts:
        local = local.rstrip("/")
        if container_path.rstrip("/") == local or container_path.startswith(local + "/"):
            rest = container_path[len(local):].strip("/")
            return join_uri(uri, rest) if rest else uri
    known = ", ".join(local for local, _ in mounts) or "none"
    raise AwsError("ValidationException", f"Environment {what}={container_path} is under no LocalPath of the "
                   f"job's {'inputs' if what == 'dataset_source' else 'outputs'} (they are: {known}).")


def _dataset_format(environment: dict[str, str]) -> dict[str, Any]:
    try:
        return json.loads(environment.get("dataset_format") or '{"csv": {"header": true}}')
    except ValueError:
        raise AwsError("ValidationException", f"Environment dataset_format={environment['dataset_format']!r} is not "
                       "JSON (DatasetFormat.csv(header=True) gives {\"csv\": {\"header\": true}}).") from None


def _mounts(request: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    inputs = [(i["S3Input"]["LocalPath"], i["S3Input"]["S3Uri"]) for i in request.get("ProcessingInputs") or []
              if i.get("S3Input")]
    outputs = [(o["S3Output"]["LocalPath"], o["S3Output"]["S3Uri"])
               for o in (request.get("ProcessingOutputConfig") or {}).get("Outputs") or [] if o.get("S3Output")]
    return inputs, outputs


def _notices(request: dict[str, Any], environment: dict[str, str]) -> list[str]:
    app = request["AppSpecification"]
    notices = environment_notices(environment)
    if app.get("ContainerEntrypoint") or app.get("ContainerArguments"):
        notices.append(f"Notice: {app['ImageUri']} runs jupyter_ext's model-monitor analyzer here; "
                       "ContainerEntrypoint and ContainerArguments are not used.")
    return notices


def _suggest(name: str, environment: dict[str, str], dataset: str, output: str, options: dict[str, Any]) -> None:
    fmt = _dataset_format(environment)
    if environment.get("analysis_type") == "MODEL_QUALITY":
        threshold = environment.get("probability_threshold_attribute")
        ModelQualityMonitor(base_job_name=name, **options).suggest_baseline(
            dataset, fmt, problem_type=environment.get("problem_type"),
            inference_attribute=environment.get("inference_attribute"),
            probability_attribute=environment.get("probability_attribute"),
            ground_truth_attribute=environment.get("ground_truth_attribute"),
            probability_threshold_attribute=float(threshold) if threshold else None,
            output_s3_uri=output, wait=False, logs=False, job_name=name)
        return
    drift = environment.get("categorical_drift_method")
    DefaultModelMonitor(base_job_name=name, **options).suggest_baseline(
        dataset, fmt, output_s3_uri=output, wait=False, logs=False, job_name=name,
        monitoring_config_override={"distribution_constraints": {"categorical_drift_method": drift}} if drift else None)


def start_baselining_job(call: Call) -> dict[str, Any]:
    """CreateProcessingJob of the analyzer image: start the baselining job its environment asks for."""
    request = call.params
    name, environment = request["ProcessingJobName"], dict(request.get("Environment") or {})
    if int(request["ProcessingResources"]["ClusterConfig"].get("InstanceCount", 1)) != 1:
        raise AwsError("ValidationException", "InstanceCount must be 1: jobs run on this machine.")
    inputs, outputs = _mounts(request)
    dataset = _uri_at(environment.get("dataset_source") or "/opt/ml/processing/input/baseline_dataset_input",
                      inputs, "dataset_source")
    output = _uri_at(environment.get("output_path") or "/opt/ml/processing/output", outputs, "output_path")
    options: dict[str, Any] = {"sagemaker_request": request, "job_notices": _notices(request, environment)}
    experiment = job_experiment_config(request)
    if experiment is not None:
        options["experiment_config"] = experiment
    try:
        _suggest(name, environment, dataset, output, options)
    except ConflictError:
        raise AwsError("ResourceInUse", f"Processing job {name} exists already: processing job names must be "
                       "unique within an AWS account and region.") from None
    job_arn = arn(call, f"processing-job/{name.lower()}")
    record_tags(job_arn, request.get("Tags") or [])
    return {"ProcessingJobArn": job_arn}
