"""SageMaker's processing job operations over our processing jobs.

CreateProcessingJob runs `AppSpecification.ContainerEntrypoint` + `ContainerArguments`
(SKLearnProcessor's `python3 /opt/ml/processing/input/code/<script>`) as a
`jupyter_ext.Processor` job with the request's inputs and outputs at their container
paths; SageMaker's model-monitor analyzer image is a Model Monitor baselining job
(monitoring_baselines.py). Describe/List/Stop answer for every processing job; a job made
in Python answers with its inputs and outputs in the local S3 folder as s3:// URIs.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConflictError
from ..jobs import Job, JobSpec
from ..models import JobDescription, JobSummary
from ..processing import ProcessingInput, ProcessingOutput, Processor
from ..store import local_s3_uri
from .credentials import LOCAL_ROLE
from .images import framework_image, is_model_monitor_image
from .job_requests import sagemaker_request
from .job_shapes import api_status, find_job, list_page, stop_api_job
from .monitoring_baselines import start_baselining_job
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags
from .trial_components import job_experiment_config

__all__ = ["SERVICE", "OPERATIONS"]

SERVICE = "sagemaker"
_ECHOED = ("ProcessingInputs", "ProcessingOutputConfig", "ProcessingResources", "StoppingCondition",
           "AppSpecification", "Environment", "NetworkConfig", "RoleArn", "ExperimentConfig")


def _inputs(request: dict[str, Any]) -> list[ProcessingInput]:
    inputs = []
    for item in request.get("ProcessingInputs") or []:
        source = item.get("S3Input")
        if source is None:
            raise AwsError("ValidationException", f"ProcessingInput {item['InputName']}: only S3Input inputs run here "
                           "(DatasetDefinition needs Athena or Redshift).")
        inputs.append(ProcessingInput(source["S3Uri"], source["LocalPath"], item["InputName"],
                                      s3_data_type=source.get("S3DataType", "S3Prefix"),
                                      s3_input_mode=source.get("S3InputMode", "File")))
    return inputs


def _outputs(request: dict[str, Any]) -> list[ProcessingOutput]:
    outputs = []
    for item in (request.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        target = item.get("S3Output")
        if target is None:
            raise AwsError("ValidationException", f"ProcessingOutput {item['OutputName']}: only S3Output outputs "
                           "run here (FeatureStoreOutput needs a feature group).")
        outputs.append(ProcessingOutput(target["LocalPath"], target["S3Uri"], item["OutputName"],
                                        s3_upload_mode=target.get("S3UploadMode", "EndOfJob")))
    return outputs


def start_processing_job(request: dict[str, Any], experiment_config: dict[str, str] | None = None) -> Job:
    """Start the processing job a CreateProcessingJob `request` describes (a script in a
    framework image), in `experiment_config` or the request's own; AwsError if it cannot run here."""
    name, app = request["ProcessingJobName"], request["AppSpecification"]
    image = framework_image(app.get("ImageUri"), "ImageUri")
    if not app.get("ContainerEntrypoint"):
        raise AwsError("ValidationException", f"AppSpecification.ContainerEntrypoint is needed here: {app['ImageUri']} "
                       "has no default program outside its container (the SDK's processors send one).")
    cluster = request["ProcessingResources"]["ClusterConfig"]
    if int(cluster.get("InstanceCount", 1)) != 1:
        raise AwsError("ValidationException", "InstanceCount must be 1: jobs run on this machine.")
    processor = Processor(
        entrypoint=[*app["ContainerEntrypoint"], *(app.get("ContainerArguments") or [])],
        instance_type=cluster.get("InstanceType") or "ml.m5.large", env=request.get("Environment"),
        max_runtime_in_seconds=int((request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds") or 86400),
        base_job_name=name, sagemaker_request=request, job_notices=image.notices())
    try:
        return processor.start(_inputs(request), _outputs(request), job_name=name,
                               experiment_config=experiment_config or job_experiment_config(request))
    except ConflictError:
        raise AwsError("ResourceInUse", f"Processing job {name} exists already: processing job names must be "
                       "unique within an AWS account and region.") from None


def create_processing_job(call: Call) -> dict[str, Any]:
    """Start the processing job the request describes."""
    request = call.params
    if is_model_monitor_image(request["AppSpecification"].get("ImageUri")):
        return start_baselining_job(call)
    start_processing_job(request)
    job_arn = arn(call, f"processing-job/{request['ProcessingJobName'].lower()}")
    record_tags(job_arn, request.get("Tags") or [])
    return {"ProcessingJobArn": job_arn}


def _uri(location: Any) -> Any:
    """A job's input or output location, as an s3:// URI when it is in the local S3 folder."""
    return (local_s3_uri(location) if isinstance(location, str) else None) or location


def _defaults(description: JobDescription, spec: JobSpec) -> dict[str, Any]:
    """What a job made in Python answers where the API would echo its request."""
    record = spec.record
    return {
        "AppSpecification": {"ImageUri": "jupyter-ext/local", "ContainerEntrypoint": record.get("arguments") or []},
        "ProcessingInputs": [{"InputName": name, "S3Input": {"S3Uri": _uri(uri), "LocalPath": f"/opt/ml/processing/input/{name}",
                                                            "S3DataType": "S3Prefix", "S3InputMode": "File"}}
                             for name, uri in description.inputs.items()],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": name, "S3Output": {"S3Uri": _uri(uri), "LocalPath": f"/opt/ml/processing/output/{name}",
                                              "S3UploadMode": "EndOfJob"}} for name, uri in description.outputs.items()]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                                  "VolumeSizeInGB": 30}},
        "StoppingCondition": {"MaxRuntimeInSeconds": description.max_run}, "RoleArn": LOCAL_ROLE,
    }


def describe_processing_job(call: Call) -> dict[str, Any]:
    """DescribeProcessingJob of any processing job (and of a training job's rule jobs)."""
    name = call.params["ProcessingJobName"]
    description, spec = find_job(name, "Processing", "Rule")  # a debugger rule job is a processing job there
    request = sagemaker_request(spec.record)
    answer = {**_defaults(description, spec), **{k: request[k] for k in _ECHOED if k in request}}
    answer.update(
        ProcessingJobName=name, ProcessingJobArn=arn(call, f"processing-job/{name.lower()}"),
        ProcessingJobStatus=api_status(description.status), FailureReason=description.failure_reason,
        ExitMessage=description.failure_reason, CreationTime=description.created_at,
        ProcessingStartTime=description.started_at, ProcessingEndTime=description.ended_at,
        LastModifiedTime=description.last_modified)
    return answer


def _summary(call: Call) -> Any:
    def summary(job: JobSummary) -> dict[str, Any]:
        return {"ProcessingJobName": job.name, "ProcessingJobArn": arn(call, f"processing-job/{job.name.lower()}"),
                "CreationTime": job.created_at, "ProcessingEndTime": job.ended_at,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at,
                "ProcessingJobStatus": api_status(job.status), "FailureReason": job.failure_reason}
    return summary


def list_processing_jobs(call: Call) -> dict[str, Any]:
    """ListProcessingJobs, newest first unless SortBy/SortOrder say otherwise."""
    return list_page("Processing", call.params, _summary(call), "ProcessingJobSummaries")


def stop_processing_job(call: Call) -> None:
    """StopProcessingJob: SIGTERM to the program, then SIGKILL."""
    stop_api_job(call.params["ProcessingJobName"], "Processing", "StopProcessingJob")


OPERATIONS = {"CreateProcessingJob": create_processing_job, "DescribeProcessingJob": describe_processing_job,
              "ListProcessingJobs": list_processing_jobs, "StopProcessingJob": stop_processing_job}
