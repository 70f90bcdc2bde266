"""Ground Truth's labeling job operations over our Labeling jobs (`jupyter_ext.labeling`).

CreateLabelingJob labels `InputConfig.DataSource.S3DataSource.ManifestS3Uri` into
`OutputConfig.S3OutputPath/<job>/manifests/output/output.manifest` (LabelingJobOutput's
OutputDatasetS3Uri). The task type comes from `HumanTaskConfig.PreHumanTaskLambdaArn`
(PRE-ImageMultiClass, PRE-ImageMultiClassMultiLabel, PRE-BoundingBox, PRE-TextMultiClass,
PRE-NamedEntityRecognition), the categories from `LabelCategoryConfigS3Uri`, the instructions
from `TaskDescription`. The workers are local users: the tag `workers` ("me,alice"), else
`me`, `worker-2`, ... as many as `NumberOfHumanWorkersPerDataObject`. A
`LabelingJobAlgorithmsConfig` turns automated labeling on. People label in JupyterLab's
labeling panel or from a file of answers (`jupyter-ext labeling answer`).
"""

from __future__ import annotations

from typing import Any

from ..labeling import LabelingJob
from ..labeling.describe import describe_labeling_job, list_labeling_jobs
from ..store import get_store
from .credentials import LOCAL_ROLE
from .job_requests import sagemaker_request
from .job_shapes import find_job, paged, stop_api_job
from .operations import Call, arn
from .protocol import AwsError
from .tags import record_tags

__all__ = ["SERVICE", "OPERATIONS", "labeling_job_arn", "TASK_LAMBDAS"]

SERVICE = "sagemaker"
TASK_LAMBDAS = {"PRE-ImageMultiClass": "ImageClassification", "PRE-ImageMultiClassMultiLabel": "ImageMultiLabel",
                "PRE-BoundingBox": "BoundingBox", "PRE-TextMultiClass": "TextClassification",
                "PRE-NamedEntityRecognition": "NamedEntityRecognition"}
_ALGORITHMS = {"ImageClassification": "image-classification", "TextClassification": "text-classification",
               "BoundingBox": "object-detection", "ImageMultiLabel": "image-classification",
               "NamedEntityRecognition": "text-classification"}
_SUMMARY_KEYS = ("LabelingJobName", "CreationTime", "LastModifiedTime", "LabelingJobStatus", "LabelCounters",
                 "FailureReason", "LabelingJobOutput", "InputConfig")


def labeling_job_arn(call: Call, name: str) -> str:
    """The ARN of labeling job `name`."""
    return arn(call, f"labeling-job/{name.lower()}")


def _task_type(config: dict[str, Any]) -> str:
    function = str(config.get("PreHumanTaskLambdaArn") or "").rsplit(":", 1)[-1]
    if function not in TASK_LAMBDAS:
        raise AwsError("ValidationException", f"HumanTaskConfig.PreHumanTaskLambdaArn {function or None!r} is not a "
                       f"task labeled here; end it with one of {', '.join(TASK_LAMBDAS)}.")
    return TASK_LAMBDAS[function]


def _workers(request: dict[str, Any], per_item: int) -> list[str]:
    tags = {t.get("Key"): t.get("Value", "") for t in request.get("Tags") or []}
    if tags.get("workers"):
        return [w.strip() for w in tags["workers"].split(",") if w.strip()]
    return ["me", *(f"worker-{i}" for i in range(2, per_item + 1))]


def create_labeling_job(call: Call) -> dict[str, Any]:
    """Start the labeling job the request describes."""
    request, name = call.params, call.params["LabelingJobName"]
    human = request["HumanTaskConfig"]
    if not request.get("LabelCategoryConfigS3Uri"):
        raise AwsError("ValidationException", "Give LabelCategoryConfigS3Uri: the label-category configuration "
                       '({"document-version": "2018-11-28", "labels": [{"label": ...}]}) in S3.')
    source = (request["InputConfig"].get("DataSource") or {}).get("S3DataSource") or {}
    if not source.get("ManifestS3Uri"):
        raise AwsError("ValidationException", "Give InputConfig.DataSource.S3DataSource.ManifestS3Uri: streaming "
                       "labeling jobs (SnsDataSource) are not served here.")
    if find_existing(name):
        raise AwsError("ResourceInUse", f"A labeling job named {name} exists already; choose another name.")
    per_item = int(human.get("NumberOfHumanWorkersPerDataObject") or 1)
    LabelingJob(source["ManifestS3Uri"], _task_type(human), request["LabelCategoryConfigS3Uri"],
                label_attribute_name=request["LabelAttributeName"], instructions=human.get("TaskDescription") or "",
                workers=_workers(request, per_item), annotations_per_item=per_item,
                automated_labeling=bool(request.get("LabelingJobAlgorithmsConfig")),
                output_path=request["OutputConfig"]["S3OutputPath"]).start(name, {"sagemaker_request": request})
    record_tags(labeling_job_arn(call, name), request.get("Tags") or [])
    return {"LabelingJobArn": labeling_job_arn(call, name)}


def find_existing(name: str) -> bool:
    """Whether a labeling job `name` is in the store."""
    from ..labeling import records

    try:
        records.job_row(get_store(), name)
    except LookupError:
        return False
    return True


def _human_task_config(call: Call, description: dict[str, Any]) -> dict[str, Any]:
    config = dict(description["HumanTaskConfig"])
    lambdas = {v: k for k, v in TASK_LAMBDAS.items()}
    config.setdefault("WorkteamArn", arn(call, "workteam/private-crowd/local"))
    config.setdefault("UiConfig", {"UiTemplateS3Uri": ""})
    config.setdefault("PreHumanTaskLambdaArn",
                      f"arn:aws:lambda:{call.region}:{call.account}:function:{lambdas[description['TaskType']]}")
    return config


def describe_labeling_job_call(call: Call) -> dict[str, Any]:
    """DescribeLabelingJob of any labeling job (those made in Python too)."""
    name = call.params["LabelingJobName"]
    _, spec = find_job(name, "Labeling")
    request = sagemaker_request(spec.record)
    ours = describe_labeling_job(name)
    answer = {k: ours[k] for k in ("LabelingJobName", "LabelingJobStatus", "LabelCounters", "CreationTime",
                                   "LastModifiedTime", "JobReferenceCode", "LabelAttributeName", "InputConfig",
                                   "OutputConfig", "StoppingConditions", "LabelingJobOutput", "FailureReason")
              if k in ours}
    answer.update(LabelingJobArn=labeling_job_arn(call, name), RoleArn=request.get("RoleArn", LOCAL_ROLE),
                  HumanTaskConfig=request.get("HumanTaskConfig") or _human_task_config(call, ours))
    for key in ("LabelCategoryConfigS3Uri", "Tags", "LabelingJobAlgorithmsConfig"):
        if key in request:
            answer[key] = request[key]
    if "LabelingJobAlgorithmsConfig" in ours and "LabelingJobAlgorithmsConfig" not in answer:
        answer["LabelingJobAlgorithmsConfig"] = {"LabelingJobAlgorithmSpecificationArn": arn(
            call, f"labeling-job-algorithm-specification/{_ALGORITHMS[ours['TaskType']]}")}
    return answer


def list_labeling_jobs_call(call: Call) -> dict[str, Any]:
    """ListLabelingJobs, newest first unless SortBy/SortOrder say otherwise."""
    params = call.params
    jobs = [j for j in list_labeling_jobs() if (not params.get("StatusEquals") or
                                                j["LabelingJobStatus"] == params["StatusEquals"])
            and (params.get("NameContains") or "").lower() in j["LabelingJobName"].lower()]
    key = {"Name": "LabelingJobName", "Status": "LabelingJobStatus"}.get(params.get("SortBy") or "", "CreationTime")
    jobs.sort(key=lambda j: j[key], reverse=(params.get("SortOrder") or "Descending") == "Descending")

    def summary(job: dict[str, Any]) -> dict[str, Any]:
        return {**{k: job[k] for k in _SUMMARY_KEYS if k in job},
                "LabelingJobArn": labeling_job_arn(call, job["LabelingJobName"]),
                "WorkteamArn": arn(call, "workteam/private-crowd/local")}
    return paged(jobs, params, "LabelingJobSummaryList", summary)


def stop_labeling_job(call: Call) -> None:
    """StopLabelingJob: the output manifest keeps what is labeled (Stopping, then Stopped)."""
    stop_api_job(call.params["LabelingJobName"], "Labeling", "StopLabelingJob")


OPERATIONS = {"CreateLabelingJob": create_labeling_job, "DescribeLabelingJob": describe_labeling_job_call,
              "ListLabelingJobs": list_labeling_jobs_call, "StopLabelingJob": stop_labeling_job}
