"""ModelQualityMonitor: SageMaker's model-quality monitoring, locally."""

from __future__ import annotations

from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from .executions import BaseliningJob, MonitoringExecution
from .datasets import dataset_and_format, require_local_path
from .monitors import DefaultModelMonitor
from .quality import PROBLEM_TYPES

__all__ = ["ModelQualityMonitor", "model_quality_settings"]


def _problem(problem_type: str | None) -> str:
    if problem_type not in PROBLEM_TYPES:
        raise ValidationError(f"problem_type {problem_type!r}; choose one of: {', '.join(PROBLEM_TYPES)}.")
    return problem_type


def model_quality_settings(ground_truth_input: str | None, problem_type: str | None,
                           probability_attribute: str | int | None = None,
                           probability_threshold_attribute: float | None = None,
                           inference_attribute: str | None = None) -> dict[str, Any]:
    """The analysis settings of model-quality runs: where ground truth lands (a local folder
    or an s3:// URI of the local S3 folder), the problem type and how to read predictions.
    ValidationError for a missing ground truth or an unknown problem type."""
    if not ground_truth_input:
        raise ValidationError("ground_truth_input is needed: the folder where ground-truth records land.")
    settings: dict[str, Any] = {"ground_truth": require_local_path(ground_truth_input, "ground_truth_input"),
                                "problem_type": _problem(problem_type)}
    for key, value in (("probability_attribute", probability_attribute), ("inference_attribute", inference_attribute),
                       ("probability_threshold_attribute", probability_threshold_attribute)):
        if value is not None:
            settings[key] = value
    return settings


class ModelQualityMonitor(DefaultModelMonitor):
    """Model-quality monitoring: metrics of the endpoint's predictions against ground truth
    (merged on inferenceId, else eventId), checked against a baseline's thresholds.

    Ground truth is JSONL under `ground_truth_input/yyyy/mm/dd/hh/`, one record per line:
    `{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": ...}, "eventVersion": "0"}`.
    """

    monitoring_type = "ModelQuality"

    def __init__(self, base_job_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(base_job_name or "model-quality-baseline", **kwargs)
        self._quality: dict[str, Any] = {}

    def suggest_baseline(self, baseline_dataset: Any, dataset_format: dict[str, Any] | None = None,  # type: ignore[override]
                         problem_type: str | None = None, inference_attribute: str | None = None,
                         probability_attribute: str | None = None, ground_truth_attribute: str | None = None,
                         probability_threshold_attribute: float | None = None, output_s3_uri: str | None = None,
                         wait: bool = True, logs: bool = True, job_name: str | None = None,
                         **_sagemaker_only: Any) -> BaseliningJob:
        """Metrics of the dataset's predictions against its labels → statistics.json, and
        constraints.json with a threshold per metric at its baseline value."""
        ignore_sagemaker_arguments("ModelQualityMonitor.suggest_baseline", _sagemaker_only)
        dataset, dataset_format = dataset_and_format(baseline_dataset, dataset_format)
        self._quality = {"problem_type": _problem(problem_type), "inference_attribute": inference_attribute,
                         "probability_attribute": probability_attribute,
                         "probability_threshold_attribute": probability_threshold_attribute}
        analysis = {"kind": "model_quality_baseline", "dataset": dataset, "dataset_format": dataset_format,
                    "ground_truth_attribute": ground_truth_attribute, **self._quality}
        return self._start_baselining(analysis, output_s3_uri, job_name, wait, logs)

    def create_monitoring_schedule(self, endpoint_input: Any, ground_truth_input: str | None = None,  # type: ignore[override]
                                   problem_type: str | None = None, output_s3_uri: str | None = None,
                                   constraints: Any = None, monitor_schedule_name: str | None = None,
                                   schedule_cron_expression: str | None = None,
                                   probability_attribute: str | int | None = None,
                                   probability_threshold_attribute: float | None = None,
                                   data_analysis_start_time: str | None = None,
                                   data_analysis_end_time: str | None = None, **_sagemaker_only: Any) -> str:
        """Schedule model-quality runs of `endpoint_input` against `ground_truth_input`."""
        ignore_sagemaker_arguments("ModelQualityMonitor.create_monitoring_schedule", _sagemaker_only)
        self._quality = {**self._quality, **model_quality_settings(
            ground_truth_input, problem_type or self._quality.get("problem_type"), probability_attribute,
            probability_threshold_attribute)}
        return super().create_monitoring_schedule(endpoint_input, output_s3_uri,
                                                  constraints=constraints, monitor_schedule_name=monitor_schedule_name,
                                                  schedule_cron_expression=schedule_cron_expression,
                                                  data_analysis_start_time=data_analysis_start_time,
                                                  data_analysis_end_time=data_analysis_end_time)

    def run_monitoring_now(self, *args: Any, **kwargs: Any) -> MonitoringExecution:
        """One model-quality run now (after create_monitoring_schedule)."""
        if "ground_truth" not in self._quality:
            raise ValidationError("Call create_monitoring_schedule(endpoint, ground_truth_input=...) first.")
        return super().run_monitoring_now(*args, **kwargs)

    def _extra_config(self) -> dict[str, Any]:
        return dict(self._quality)
