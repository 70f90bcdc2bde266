"""The job steps of a pipeline the real SDK defined, run from their SageMaker Arguments:
the `jupyter_ext.pipeline_step_kinds` entry points SageMakerTraining, SageMakerProcessing
and SageMakerTransform (see pipelines/sagemaker_steps.py). Each gets the step's Arguments
(a CreateTrainingJob request without its name, expressions resolved) and starts the job as
the matching Create* operation would, named as SageMaker names a pipeline's jobs."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ..jobs import Job
from ..models.sagemaker_names import DEFAULT_REGION, LOCAL_ACCOUNT
from .processing_jobs import start_processing_job
from .training_jobs import start_training_job
from .transform_jobs import start_transform_job

__all__ = ["training", "processing", "transform"]


def _named(arguments: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The request with a job name of its own, `pipelines-<random>` as SageMaker's are."""
    return {**arguments, key: f"pipelines-{secrets.token_hex(6)}"}


def _experiment(experiment: Mapping[str, str] | None) -> dict[str, str] | None:
    return dict(experiment) if experiment else None


def training(arguments: Mapping[str, Any], experiment: Mapping[str, str] | None) -> Job:
    """A SageMaker TrainingStep: its CreateTrainingJob Arguments, started."""
    request = _named(arguments, "TrainingJobName")
    job_arn = f"arn:aws:sagemaker:{DEFAULT_REGION}:{LOCAL_ACCOUNT}:training-job/{request['TrainingJobName']}"
    return start_training_job(request, job_arn, _experiment(experiment))


def processing(arguments: Mapping[str, Any], experiment: Mapping[str, str] | None) -> Job:
    """A SageMaker ProcessingStep: its CreateProcessingJob Arguments, started."""
    return start_processing_job(_named(arguments, "ProcessingJobName"), _experiment(experiment))


def transform(arguments: Mapping[str, Any], experiment: Mapping[str, str] | None) -> Job:
    """A SageMaker TransformStep: its CreateTransformJob Arguments, started."""
    return start_transform_job(_named(arguments, "TransformJobName"), _experiment(experiment))
