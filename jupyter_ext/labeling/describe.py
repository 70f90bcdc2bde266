"""Describing labeling jobs in Ground Truth's words (DescribeLabelingJob, ListLabelingJobs):
status, LabelCounters, the output manifest's URI, the task and its settings. The CLI's JSON,
the sidebar and the local AWS endpoint all read these."""

from __future__ import annotations

import json
from typing import Any

from ..jobs import describe_job
from ..store import get_store
from . import records
from .work import labeling_progress

__all__ = ["describe_labeling_job", "list_labeling_jobs", "labeling_status"]

_STATUSES = {"Pending": "Initializing", "InProgress": "InProgress", "Completed": "Completed", "Failed": "Failed",
             "Stopping": "Stopping", "Stopped": "Stopped"}


def labeling_status(job_status: str) -> str:
    """Ground Truth's LabelingJobStatus of a job status (Pending is Initializing there)."""
    return _STATUSES[job_status]


def _counters(name: str) -> dict[str, int]:
    progress = labeling_progress(name)
    return {"TotalLabeled": progress.human + progress.machine, "HumanLabeled": progress.human,
            "MachineLabeled": progress.machine, "FailedNonRetryableError": 0, "Unlabeled": progress.left}


def describe_labeling_job(name: str) -> dict[str, Any]:
    """DescribeLabelingJob of `name` (without ARNs; the AWS endpoint adds them).
    NotFoundError when there is no such labeling job."""
    row = records.job_row(get_store(), name)
    job = describe_job(name)
    settings = json.loads(row["settings"])
    answer: dict[str, Any] = {
        "LabelingJobName": name, "LabelingJobStatus": labeling_status(job.status), "LabelCounters": _counters(name),
        "CreationTime": job.created_at, "LastModifiedTime": job.last_modified, "JobReferenceCode": name,
        "LabelAttributeName": row["label_attribute_name"], "TaskType": row["task_type"],
        "LabelCategories": json.loads(row["categories"]), "Workers": json.loads(row["workers"]),
        "LabelingState": row["state"],
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": row["input_manifest"]}}},
        "OutputConfig": {"S3OutputPath": row["output_path"]},
        "HumanTaskConfig": {"TaskTitle": name, "TaskDescription": row["instructions"] or name,
                            "NumberOfHumanWorkersPerDataObject": int(row["annotations_per_item"]),
                            "TaskTimeLimitInSeconds": 3600},
        "StoppingConditions": {}, "TargetAccuracy": settings["target_accuracy"],
        "MinHumanLabels": settings["min_human_labels"]}
    if row["automated"]:
        answer["LabelingJobAlgorithmsConfig"] = {"LabelingJobAlgorithmSpecificationArn": row["task_type"]}
    # Where the output manifest is (written when the job ends, what is labeled when it is stopped).
    answer["LabelingJobOutput"] = {"OutputDatasetS3Uri": job.outputs.get("output_manifest", "")}
    if job.failure_reason and job.status == "Failed":
        answer["FailureReason"] = job.failure_reason
    return answer


def list_labeling_jobs(limit: int | None = None) -> list[dict[str, Any]]:
    """LabelingJobSummaryList entries, newest first."""
    keys = ("LabelingJobName", "LabelingJobStatus", "LabelCounters", "CreationTime", "LastModifiedTime",
            "LabelingJobOutput", "InputConfig", "FailureReason", "TaskType")
    summaries = []
    for name in records.job_names(get_store(), limit):
        try:
            description = describe_labeling_job(name)
        except LookupError:  # a labeling record whose job was deleted
            continue
        summaries.append({k: description[k] for k in keys if k in description})
    return summaries
