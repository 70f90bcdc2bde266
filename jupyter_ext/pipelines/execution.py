"""Pipeline executions: the job that runs one (a job of type Pipeline) and the
`PipelineExecution` handle on it (wait, describe, list_steps, stop, retry).

An execution is stored (its parameters and the local form of the pipeline it runs), so
any process can look at it, stop it or retry it, and it outlives the kernel.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError, UnexpectedStatusError
from ..jobs import JobKind, JobSpec, describe_job, stop_job, submit
from ..jobs.contract import base_environment
from ..models import TERMINAL_STATUSES, timestamp
from ..store import get_store
from . import records

__all__ = ["PipelineExecution", "PipelineJob", "launch_execution", "execution_arn", "pipeline_arn",
           "EXECUTION_STATUSES"]

# SageMaker's execution status for the status of the job that runs it.
EXECUTION_STATUSES = {"Pending": "Executing", "InProgress": "Executing", "Stopping": "Stopping",
                      "Completed": "Succeeded", "Failed": "Failed", "Stopped": "Stopped"}
_METADATA_KEYS = {"Training": "TrainingJob", "Processing": "ProcessingJob", "Tuning": "TuningJob",
                  "Transform": "TransformJob"}
_ARN_PREFIX = "arn:aws:sagemaker:local:000000000000"


def pipeline_arn(name: str) -> str:
    """The pipeline's ARN-like name."""
    return f"{_ARN_PREFIX}:pipeline/{name.lower()}"


def execution_arn(pipeline: str, execution_id: str) -> str:
    """An execution's ARN-like name."""
    return f"{pipeline_arn(pipeline)}/execution/{execution_id}"


def job_arn(job_type: str, name: str) -> str:
    """A step job's ARN-like name."""
    kind = {"Training": "training-job", "Processing": "processing-job", "Tuning": "hyper-parameter-tuning-job",
            "Transform": "transform-job"}.get(job_type, "job")
    return f"{_ARN_PREFIX}:{kind}/{name}"


class PipelineJob(JobKind):
    """The job of one run of an execution: its program runs the steps as child jobs."""

    def __init__(self, execution_id: str, pipeline: str, parameters: dict[str, Any], definition: dict[str, Any]) -> None:
        self.execution_id, self.pipeline, self.parameters, self.definition = execution_id, pipeline, parameters, definition
        self.base_job_name = re.sub(r"[^a-zA-Z0-9-]+", "-", pipeline).strip("-")[:40] or "pipeline"

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        return JobSpec(name=name, job_type="Pipeline",
                       program=[sys.executable, "-m", "jupyter_ext.pipelines.run_pipeline", "execution.json"],
                       environment=base_environment(name, job_dir, None),
                       record={"details": {"PipelineName": self.pipeline, "PipelineExecutionId": self.execution_id},
                               "hyperparameters": self.parameters})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        (job_dir / "execution.json").write_text(json.dumps({
            "execution_id": self.execution_id, "pipeline_name": self.pipeline, "parameters": self.parameters,
            "definition": self.definition}, indent=1))


def launch_execution(pipeline: str, parameters: dict[str, Any], definition: dict[str, Any],
                     display_name: str | None = None) -> PipelineExecution:
    """Record a new execution of `pipeline` and start its job."""
    store = get_store()
    execution_id = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))
    records.insert_execution(store, execution_id, pipeline, display_name, parameters, json.dumps(definition))
    execution = PipelineExecution(execution_id)
    try:
        execution._run()
    except BaseException:  # no execution without a job behind it
        records.delete_execution(store, execution_id)
        raise
    return execution


class PipelineExecution:
    """One execution of a pipeline (SageMaker's `_PipelineExecution`), by its id or ARN."""

    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id.rsplit("/", 1)[-1]
        if records.execution_row(get_store(), self.execution_id) is None:
            raise NotFoundError(f"No pipeline execution {execution_id}; see Pipeline.list_executions().")

    def __repr__(self) -> str:
        return f"PipelineExecution({self.execution_id!r})"

    def _row(self) -> Any:
        return records.execution_row(get_store(), self.execution_id)

    @property
    def arn(self) -> str:
        """The execution's ARN-like name."""
        return execution_arn(self._row()["pipeline_name"], self.execution_id)

    @property
    def pipeline_name(self) -> str:
        """The name of the pipeline this is an execution of."""
        return self._row()["pipeline_name"]

    @property
    def job_name(self) -> str:
        """The name of the job that runs (or ran) the execution's latest run."""
        return self._row()["job_name"]

    def _run(self) -> None:
        row = self._row()
        kind = PipelineJob(self.execution_id, row["pipeline_name"], json.loads(row["parameters"]),
                           json.loads(row["local_definition"]))
        job = submit(kind)
        records.set_execution_job(get_store(), self.execution_id, job.name)

    def describe(self) -> dict[str, Any]:
        """DescribePipelineExecution: PipelineExecutionStatus (Executing, Stopping, Stopped,
        Failed, Succeeded), FailureReason, times, and the parameters it ran with."""
        row = self._row()
        job = describe_job(row["job_name"])
        answer = {"PipelineArn": pipeline_arn(row["pipeline_name"]), "PipelineExecutionArn": self.arn,
                  "PipelineExecutionDisplayName": row["display_name"] or self.execution_id,
                  "PipelineExecutionStatus": EXECUTION_STATUSES[job.status],
                  "PipelineExperimentConfig": {"ExperimentName": row["pipeline_name"], "TrialName": self.execution_id},
                  "CreationTime": timestamp(row["created_at"]), "LastModifiedTime": job.last_modified,
                  "PipelineParameters": [{"Name": k, "Value": str(v)} for k, v in json.loads(row["parameters"]).items()],
                  "JobName": job.name}
        if job.status == "Failed" and job.failure_reason:
            answer["FailureReason"] = job.failure_reason
        return answer

    def list_steps(self) -> list[dict[str, Any]]:
        """ListPipelineExecutionSteps: the steps that ran, latest first, each with StepStatus,
        times, FailureReason, Metadata (its job's Arn and name) and CacheHitResult."""
        steps = []
        ended = describe_job(self.job_name).status in TERMINAL_STATUSES
        for row in records.step_rows(get_store(), self.execution_id):
            status = row["status"]
            if ended and status == "Executing":  # the run's program died while the step ran
                status = "Failed"
            step: dict[str, Any] = {"StepName": row["step_name"], "StepStatus": status,
                                    "StartTime": timestamp(row["started_at"]), "AttemptCount": row["attempts"],
                                    "Metadata": _metadata(row)}
            if row["ended_at"] is not None:
                step["EndTime"] = timestamp(row["ended_at"])
            if row["failure_reason"]:
                step["FailureReason"] = row["failure_reason"]
            if row["cache_hit_execution"]:
                step["CacheHitResult"] = {"SourcePipelineExecutionArn": execution_arn(
                    self._row()["pipeline_name"], row["cache_hit_execution"])}
            steps.append(step)
        return steps

    def wait(self, delay: float = 0.25, max_attempts: int | None = None) -> dict[str, Any]:
        """Block until the execution ends; its description. Raises UnexpectedStatusError
        unless it Succeeded (with the failure reason)."""
        attempts = 0
        while True:
            description = self.describe()  # one read: its status is the one this decides on
            if description["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
                break
            attempts += 1
            if max_attempts is not None and attempts >= max_attempts:
                raise UnexpectedStatusError(self.execution_id, description["PipelineExecutionStatus"],
                                            "still running after max_attempts")
            time.sleep(delay)
        if description["PipelineExecutionStatus"] != "Succeeded":
            raise UnexpectedStatusError(self.execution_id, description["PipelineExecutionStatus"],
                                        description.get("FailureReason"))
        return description

    def stop(self) -> None:
        """Stop the execution: its running steps' jobs are stopped, it ends Stopped.
        ConflictError if it has ended."""
        job = describe_job(self.job_name)
        if job.status in TERMINAL_STATUSES:
            raise ConflictError(f"Pipeline execution {self.execution_id} is {EXECUTION_STATUSES[job.status]}; "
                                "only an Executing one can be stopped.")
        stop_job(job.name, reason="Pipeline execution stopped")

    def retry(self) -> PipelineExecution:
        """Run a Failed or Stopped execution again: its Succeeded steps are kept, the
        others (and those after them) run. ConflictError while it runs or once it Succeeded."""
        status = EXECUTION_STATUSES[describe_job(self.job_name).status]
        if status not in ("Failed", "Stopped"):
            raise ConflictError(f"Pipeline execution {self.execution_id} is {status}; only a Failed or Stopped "
                                "execution can be retried.")
        for row in records.step_rows(get_store(), self.execution_id):
            # A run whose program died leaves its steps' jobs running: they are run again.
            if row["status"] != "Succeeded" and row["job_name"] and row["cache_hit_execution"] is None:
                try:
                    stop_job(row["job_name"], reason="Pipeline execution retried")
                except ConflictError:
                    pass  # it has ended
        records.reset_steps(get_store(), self.execution_id)
        self._run()
        return self

    def result(self, step_name: str) -> Any:
        """A PythonStep's return value (or another step's properties) in this execution."""
        row = records.step_row(get_store(), self.execution_id, step_name)
        if row is None or row["status"] != "Succeeded":
            raise NotFoundError(f"Step {step_name} has not succeeded in execution {self.execution_id}.")
        outputs = json.loads(row["outputs"] or "{}")
        return outputs.get("Result", outputs)


def _metadata(row: Any) -> dict[str, Any]:
    outputs = json.loads(row["outputs"] or "{}")
    if row["job_name"] and row["job_type"] in _METADATA_KEYS:
        return {_METADATA_KEYS[row["job_type"]]: {"Arn": job_arn(row["job_type"], row["job_name"]),
                                                  "Name": row["job_name"]}}
    kind = row["step_type"]
    if kind == "Condition" and "Outcome" in outputs:
        return {"Condition": {"Outcome": str(bool(outputs["Outcome"]))}}
    if kind == "Fail":
        return {"Fail": {"ErrorMessage": row["failure_reason"] or ""}}
    if kind == "Model" and "ModelArn" in outputs:
        return {"Model": {"Arn": outputs["ModelArn"]}}
    if kind == "RegisterModel" and "ModelPackageArn" in outputs:
        return {"RegisterModel": {"Arn": outputs["ModelPackageArn"]}}
    return {}
