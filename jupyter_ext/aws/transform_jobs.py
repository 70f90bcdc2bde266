"""SageMaker's batch transform job operations over our Transform jobs.

CreateTransformJob runs the model CreateModel kept (hosting_models.serving_model) as a
`jupyter_ext.serving.Transformer` job over the request's input, with its batch strategy,
payload size, split, compression, data processing (InputFilter, JoinSource, OutputFilter)
and output; outputs land at `S3OutputPath/<input file>.out`, as SageMaker writes them.
Describe/List/Stop answer for every transform job, the ones made in Python too.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConflictError, ValidationError
from ..jobs import Job
from ..models import JobDescription, JobSummary
from ..serving import Transformer
from .hosting_models import serving_model
from .job_requests import sagemaker_request
from .job_shapes import api_status, find_job, list_page, stop_api_job
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags
from .trial_components import job_experiment_config

__all__ = ["SERVICE", "OPERATIONS", "transform_job_arn"]

SERVICE = "sagemaker"
_ECHOED = ("ModelName", "MaxConcurrentTransforms", "ModelClientConfig", "MaxPayloadInMB", "BatchStrategy",
           "Environment", "TransformInput", "TransformOutput", "TransformResources", "DataProcessing",
           "ExperimentConfig")


def transform_job_arn(call: Call, name: str) -> str:
    """The ARN of transform job `name`."""
    return arn(call, f"transform-job/{name.lower()}")


def _check(request: dict[str, Any]) -> dict[str, Any]:
    """The request's S3DataSource, once what cannot run here is refused."""
    if int(request["TransformResources"].get("InstanceCount", 1)) != 1:
        raise AwsError("ValidationException", "TransformResources.InstanceCount must be 1: jobs run on this machine.")
    if request.get("DataCaptureConfig"):
        raise AwsError("ValidationException", "DataCaptureConfig (batch data capture) is not served here yet; "
                       "leave it out.")
    source = request["TransformInput"]["DataSource"].get("S3DataSource")
    if source is None:
        raise AwsError("ValidationException", "TransformInput.DataSource needs an S3DataSource (S3Uri, S3DataType).")
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        raise AwsError("ValidationException", f"S3DataType {source['S3DataType']} does not run here yet; give an "
                       "S3Prefix (a file, or a folder of files).")
    return source


def _transformer(request: dict[str, Any]) -> Transformer:
    output = request["TransformOutput"]
    payload = request.get("MaxPayloadInMB")
    return Transformer(
        serving_model(request["ModelName"]), instance_type=request["TransformResources"]["InstanceType"],
        strategy=request.get("BatchStrategy") or "MultiRecord", assemble_with=output.get("AssembleWith"),
        output_path=output["S3OutputPath"], accept=output.get("Accept"),
        max_concurrent_transforms=int(request.get("MaxConcurrentTransforms") or 1),
        max_payload=6 if payload is None else int(payload), env=request.get("Environment"),
        base_transform_job_name=request["TransformJobName"], sagemaker_request=request)


def start_transform_job(request: dict[str, Any], experiment_config: dict[str, str] | None = None) -> Job:
    """Start the transform job a CreateTransformJob `request` describes, in
    `experiment_config` or the request's own; AwsError if it cannot run here."""
    name = request["TransformJobName"]
    source = _check(request)
    given, processing = request["TransformInput"], request.get("DataProcessing") or {}
    transformer = _transformer(request)
    try:
        transformer.transform(
            source["S3Uri"], content_type=given.get("ContentType"), compression_type=given.get("CompressionType"),
            split_type=given.get("SplitType"), job_name=name, input_filter=processing.get("InputFilter"),
            output_filter=processing.get("OutputFilter"), join_source=processing.get("JoinSource"),
            experiment_config=experiment_config or job_experiment_config(request), wait=False, logs=False)
    except ConflictError:
        raise AwsError("ResourceInUse", f"Transform job {name} exists already: transform job names must be unique "
                       "within an AWS account and region.") from None
    except ValidationError as error:
        raise AwsError("ValidationException", f"Transform job {name}: {error}") from None
    assert transformer.latest_transform_job is not None
    return transformer.latest_transform_job


def create_transform_job(call: Call) -> dict[str, Any]:
    """Start the transform job the request describes."""
    request, name = call.params, call.params["TransformJobName"]
    start_transform_job(request)
    record_tags(transform_job_arn(call, name), request.get("Tags") or [])
    return {"TransformJobArn": transform_job_arn(call, name)}


def _defaults(description: JobDescription) -> dict[str, Any]:
    """What a job made in Python answers where the API would echo its request."""
    details = description.details
    given = {"ContentType": details.get("content_type"), "SplitType": details.get("split_type") or "None",
             "CompressionType": details.get("compression_type") or "None"}
    processing = {"InputFilter": details.get("input_filter") or "$", "OutputFilter": details.get("output_filter") or "$",
                  "JoinSource": details.get("join_source") or "None"}
    return {
        "ModelName": details.get("model_name") or "", "BatchStrategy": details.get("strategy") or "MultiRecord",
        "MaxConcurrentTransforms": details.get("max_concurrent_transforms") or 1,
        "MaxPayloadInMB": details.get("max_payload", 6),
        "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                           "S3Uri": description.inputs.get("data", "")}},
                           **{k: v for k, v in given.items() if v is not None}},
        "TransformOutput": {"S3OutputPath": description.outputs.get("output_path", ""),
                            "AssembleWith": details.get("assemble_with") or "None",
                            **({"Accept": details["accept"]} if details.get("accept") else {})},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        "DataProcessing": processing,
    }


def describe_transform_job(call: Call) -> dict[str, Any]:
    """DescribeTransformJob of any transform job: the request as given, with its status and times."""
    name = call.params["TransformJobName"]
    description, spec = find_job(name, "Transform")
    request = sagemaker_request(spec.record)
    answer = _defaults(description)
    answer.update({key: request[key] for key in _ECHOED if key in request})
    answer.update(description.to_sagemaker(), TransformJobArn=transform_job_arn(call, name),
                  TransformJobStatus=api_status(description.status))
    return answer


def _summary(call: Call) -> Any:
    def summary(job: JobSummary) -> dict[str, Any]:
        return {"TransformJobName": job.name, "TransformJobArn": transform_job_arn(call, job.name),
                "CreationTime": job.created_at, "TransformEndTime": job.ended_at,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at,
                "TransformJobStatus": api_status(job.status), "FailureReason": job.failure_reason}
    return summary


def list_transform_jobs(call: Call) -> dict[str, Any]:
    """ListTransformJobs, newest first unless SortBy/SortOrder say otherwise."""
    return list_page("Transform", call.params, _summary(call), "TransformJobSummaries")


def stop_transform_job(call: Call) -> None:
    """StopTransformJob: the job's program is stopped (Stopping, then Stopped)."""
    stop_api_job(call.params["TransformJobName"], "Transform", "StopTransformJob")


OPERATIONS = {"CreateTransformJob": create_transform_job, "DescribeTransformJob": describe_transform_job,
              "ListTransformJobs": list_transform_jobs, "StopTransformJob": stop_transform_job}
