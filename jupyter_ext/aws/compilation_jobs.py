"""SageMaker Neo's compilation job operations over our Compilation jobs (ONNX Runtime).

CreateCompilationJob compiles `InputConfig.S3Uri` (a model.tar.gz) for
`OutputConfig.TargetDevice` with `jupyter_ext.compile`, its input shape from
`DataInputConfig`; the compiled model.tar.gz lands at `S3OutputLocation/<job>/model.tar.gz`.
`CompilerOptions` may carry `{"tolerance": ...}` (see `compile_model`). Describe answers
`InferenceImage` as a `sagemaker-neo-<framework>` image, which CreateModel serves with
ONNX Runtime, so SDK v2's `compile_model(...).deploy()` works. Describe/List/Stop answer for
every compilation job, the ones made in Python too.
"""

from __future__ import annotations

import json
from typing import Any

from ..compile import start_compilation
from ..jobs import Job
from ..models import JobDescription, JobSummary
from .credentials import LOCAL_ROLE
from .job_requests import sagemaker_request
from .job_shapes import find_job, list_page, stop_api_job
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "compilation_job_arn"]

SERVICE = "sagemaker"
_FRAMEWORKS = {"PYTORCH": "pytorch", "SKLEARN": "sklearn", "XGBOOST": "xgboost"}
_STATUSES = {"Pending": "STARTING", "InProgress": "INPROGRESS", "Completed": "COMPLETED", "Failed": "FAILED",
             "Stopping": "STOPPING", "Stopped": "STOPPED"}


def compilation_job_arn(call: Call, name: str) -> str:
    """The ARN of compilation job `name`."""
    return arn(call, f"compilation-job/{name.lower()}")


def _framework(given: dict[str, Any]) -> str:
    framework = str(given.get("Framework") or "").upper()
    if framework not in _FRAMEWORKS:
        raise AwsError("ValidationException", f"InputConfig.Framework {framework or None!r} is not compiled here: "
                       f"give one of {', '.join(_FRAMEWORKS)} (ONNX export needs torch, skl2onnx or onnxmltools).")
    return _FRAMEWORKS[framework]


def _tolerance(output: dict[str, Any]) -> Any:
    options = output.get("CompilerOptions")
    if not options:
        return None
    try:
        return json.loads(options).get("tolerance")
    except (json.JSONDecodeError, AttributeError):
        raise AwsError("ValidationException", f"CompilerOptions {options!r} is not a JSON object; give e.g. "
                       "'{\"tolerance\": 0.01}'.") from None


def create_compilation_job(call: Call) -> dict[str, Any]:
    """Start the compilation job the request describes."""
    request, name = call.params, call.params["CompilationJobName"]
    given, output = request.get("InputConfig"), request["OutputConfig"]
    if request.get("ModelPackageVersionArn") or not given:
        raise AwsError("ValidationException", "Give InputConfig (S3Uri, DataInputConfig, Framework): compiling a "
                       "registered ModelPackageVersionArn is not served here yet.")
    if not output.get("TargetDevice"):
        raise AwsError("ValidationException", "Give OutputConfig.TargetDevice (ml_c5, ml_m5, lambda, rasp4b, ...): "
                       "a TargetPlatform alone is not compiled for here yet.")
    start_compilation(given["S3Uri"], output["TargetDevice"], given.get("DataInputConfig"),
                      output["S3OutputLocation"], _framework(given), given.get("FrameworkVersion"),
                      _tolerance(output), job_name=name,
                      max_run=int((request.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds") or 900),
                      options={"sagemaker_request": request})
    record_tags(compilation_job_arn(call, name), request.get("Tags") or [])
    return {"CompilationJobArn": compilation_job_arn(call, name)}


def _inference_image(call: Call, framework: str | None, version: str | None) -> str:
    return (f"{call.account}.dkr.ecr.{call.region}.amazonaws.com/sagemaker-neo-{framework or 'pytorch'}:"
            f"{version or 'latest'}-onnxruntime-cpu-py3")


def _defaults(description: JobDescription) -> dict[str, Any]:
    """What a job made in Python answers where the API would echo its request."""
    details = description.details
    given = {"S3Uri": description.inputs.get("model", ""), "DataInputConfig": json.dumps(details.get("input_shape") or {}),
             "Framework": (details.get("framework") or "pytorch").upper()}
    if details.get("framework_version"):
        given["FrameworkVersion"] = details["framework_version"]
    location = (description.outputs.get("model_data") or "").rsplit("/", 2)[0]
    return {"InputConfig": given, "OutputConfig": {"S3OutputLocation": location, "TargetDevice": details.get("target")},
            "StoppingCondition": {"MaxRuntimeInSeconds": 900}, "RoleArn": LOCAL_ROLE}


def describe_compilation_job(call: Call) -> dict[str, Any]:
    """DescribeCompilationJob of any compilation job: the request, its status, times and artifacts."""
    name = call.params["CompilationJobName"]
    description, spec = find_job(name, "Compilation")
    request = sagemaker_request(spec.record)
    answer = _defaults(description)
    answer.update({key: request[key] for key in ("InputConfig", "OutputConfig", "StoppingCondition", "RoleArn",
                                                 "VpcConfig") if key in request})
    details = description.details
    answer.update(description.to_sagemaker(), CompilationJobArn=compilation_job_arn(call, name),
                  CompilationJobStatus=_STATUSES[description.status],
                  FailureReason=description.failure_reason or "",
                  ModelArtifacts={"S3ModelArtifacts": description.model_data if description.status == "Completed"
                                  else ""},
                  InferenceImage=_inference_image(call, details.get("framework"), details.get("framework_version")))
    return answer


def _summary(call: Call) -> Any:
    def summary(job: JobSummary) -> dict[str, Any]:
        target = Job(job.name).spec().record.get("details", {}).get("target")
        return {"CompilationJobName": job.name, "CompilationJobArn": compilation_job_arn(call, job.name),
                "CreationTime": job.created_at, "CompilationStartTime": job.started_at,
                "CompilationEndTime": job.ended_at, "CompilationTargetDevice": target,
                "LastModifiedTime": job.ended_at or job.started_at or job.created_at,
                "CompilationJobStatus": _STATUSES[job.status]}
    return summary


def list_compilation_jobs(call: Call) -> dict[str, Any]:
    """ListCompilationJobs, newest first unless SortBy/SortOrder say otherwise."""
    params = dict(call.params)
    if params.get("StatusEquals"):  # the API's statuses are upper case, ours are not
        params["StatusEquals"] = {v: k for k, v in _STATUSES.items() if k != "Pending"}.get(params["StatusEquals"],
                                                                                             params["StatusEquals"])
    return list_page("Compilation", params, _summary(call), "CompilationJobSummaries")


def stop_compilation_job(call: Call) -> None:
    """StopCompilationJob: the job's program is stopped (Stopping, then Stopped)."""
    stop_api_job(call.params["CompilationJobName"], "Compilation", "StopCompilationJob")


OPERATIONS = {"CreateCompilationJob": create_compilation_job, "DescribeCompilationJob": describe_compilation_job,
              "ListCompilationJobs": list_compilation_jobs, "StopCompilationJob": stop_compilation_job}
