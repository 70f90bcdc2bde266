"""Steps that run a job: ProcessingStep, TrainingStep, TuningStep and PythonStep (the
model steps are in `model_steps`).

They take our own capability objects (Processor, Estimator, HyperparameterTuner,
Transformer) with their run arguments, where values may be parameters or other steps'
properties; the objects' settings are stored as JSON and the objects built again when
the step runs.
"""

from __future__ import annotations

import inspect
import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import absolute_uri
from ..processing import ProcessingInput, ProcessingOutput, Processor, ScriptProcessor
from ..training import Estimator, TrainingInput
from .expressions import PipelineVariable, Properties, PropertyFile
from .steps import CacheConfig, RetryPolicy, Step

__all__ = ["JobStep", "ProcessingStep", "TrainingStep", "TuningStep", "PythonStep", "STEP_IMAGE", "absolute",
           "s3_data_source"]

STEP_IMAGE = "jupyter-ext-local"


def _fields(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    return {f.name: getattr(item, f.name) for f in fields(item)} if is_dataclass(item) else {"s3_data": item}


def absolute(value: Any) -> Any:
    """A local path made absolute (the step's job runs in its own folder, and a relative
    path starts from the notebook's); URIs and pipeline variables as they are."""
    return absolute_uri(str(value)) if isinstance(value, (str, Path)) and str(value) else value


def _located(item: Any, *keys: str) -> dict[str, Any]:
    values = _fields(item)
    return {k: absolute(v) if k in keys else v for k, v in values.items()}


def s3_data_source(uri: Any, kind: str = "S3Prefix") -> dict[str, Any]:
    """SageMaker's DataSource of an S3 prefix (or any URI here)."""
    return {"S3DataSource": {"S3DataType": kind, "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}


class JobStep(Step):
    """A step whose work is a job (or a model made from one's artifact)."""

    def __init__(self, name: str, depends_on: Sequence[Any] | None, cache_config: CacheConfig | None,
                 retry_policies: Sequence[RetryPolicy] | None, display_name: str | None,
                 description: str | None) -> None:
        super().__init__(name, depends_on, display_name, description, cache_config, retry_policies)


class ProcessingStep(JobStep):
    """Runs `processor` (a Processor, or a ScriptProcessor with `code`) as a processing job.

    `property_files` name JSON files among its outputs for `JsonGet`."""

    step_type = "Processing"

    def __init__(self, name: str, processor: Processor, inputs: Sequence[ProcessingInput] | None = None,
                 outputs: Sequence[ProcessingOutput] | None = None, job_arguments: Sequence[Any] | None = None,
                 code: str | None = None, property_files: Sequence[PropertyFile] | None = None,
                 cache_config: CacheConfig | None = None, depends_on: Sequence[Any] | None = None,
                 retry_policies: Sequence[RetryPolicy] | None = None, display_name: str | None = None,
                 description: str | None = None) -> None:
        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        if type(processor) not in (Processor, ScriptProcessor):
            raise ValidationError(f"ProcessingStep {name} runs a Processor or a ScriptProcessor; got "
                                  f"{type(processor).__name__} (a PythonStep can run what it does).")
        if isinstance(processor, ScriptProcessor) != (code is not None):
            raise ValidationError(f"ProcessingStep {name}: a ScriptProcessor needs code=, a Processor takes none.")
        if code is not None and not Path(code).is_file():
            raise ValidationError(f"ProcessingStep {name}: code {code} not found (looked for {Path(code).resolve()}).")
        self.processor, self.code = processor, str(Path(code).resolve()) if code else None
        self.inputs, self.outputs = list(inputs or []), list(outputs or [])
        self.job_arguments = list(job_arguments or [])
        self.property_files = list(property_files or [])
        names = {o.output_name for o in self.outputs}
        for item in self.property_files:
            if item.output_name not in names:
                raise ValidationError(f"ProcessingStep {name}: property file {item.name} names output "
                                      f"{item.output_name!r}, which is not among its outputs ({sorted(map(str, names))}).")

    def local_arguments(self) -> dict[str, Any]:
        return {"processor": self.processor.to_config(), "code": self.code,
                "inputs": [_located(i, "source") for i in self.inputs],
                "outputs": [_located(o, "destination") for o in self.outputs],
                "arguments": self.job_arguments}

    def arguments(self) -> dict[str, Any]:
        processor = self.processor
        entrypoint = (processor.command + [f"/opt/ml/processing/input/code/{Path(self.code).name}"]
                      if self.code else processor.entrypoint)
        app: dict[str, Any] = {"ImageUri": STEP_IMAGE, "ContainerEntrypoint": entrypoint}
        if self.job_arguments:
            app["ContainerArguments"] = self.job_arguments
        inputs = [{"InputName": i.input_name or f"input-{n}", "AppManaged": False,
                   "S3Input": {"S3Uri": i.source, "LocalPath": i.destination or f"/opt/ml/processing/input/{i.input_name}",
                               "S3DataType": i.s3_data_type, "S3InputMode": i.s3_input_mode,
                               "S3DataDistributionType": i.s3_data_distribution_type,
                               "S3CompressionType": i.s3_compression_type}} for n, i in enumerate(self.inputs, 1)]
        if self.code:
            inputs.append({"InputName": "code", "AppManaged": False, "S3Input": {
                "S3Uri": self.code, "LocalPath": "/opt/ml/processing/input/code", "S3DataType": "S3Prefix",
                "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}})
        outputs = [{"OutputName": o.output_name or f"output-{n}", "AppManaged": False,
                    "S3Output": {"S3Uri": o.destination or f"{processor.output_path}/{self.name}/output/{o.output_name}",
                                 "LocalPath": o.source, "S3UploadMode": o.s3_upload_mode}}
                   for n, o in enumerate(self.outputs, 1)]
        return {"ProcessingResources": {"ClusterConfig": {"InstanceType": processor.instance_type, "InstanceCount": 1,
                                                          "VolumeSizeInGB": 30}},
                "AppSpecification": app, "RoleArn": "", "Environment": processor.env, "ProcessingInputs": inputs,
                "ProcessingOutputConfig": {"Outputs": outputs},
                "StoppingCondition": {"MaxRuntimeInSeconds": processor.max_runtime_in_seconds}}


def _hyperparameters(values: Mapping[str, Any]) -> dict[str, Any]:
    """CreateTrainingJob's HyperParameters: strings (JSON, as our jobs read them); a
    pipeline variable as a Join of one value, as SageMaker's SDK writes it."""
    return {k: v.to_string() if isinstance(v, PipelineVariable) else json.dumps(v) for k, v in values.items()}


def _training_arguments(estimator: Estimator, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """CreateTrainingJob's request for `estimator` with channels `inputs`."""
    channels = []
    for channel, value in inputs.items():
        item = _fields(value)
        entry = {"ChannelName": channel, "DataSource": s3_data_source(item["s3_data"]),
                 "InputMode": item.get("input_mode", "File")}
        if item.get("content_type"):
            entry["ContentType"] = item["content_type"]
        channels.append(entry)
    return {"AlgorithmSpecification": {"TrainingImage": STEP_IMAGE, "TrainingInputMode": "File",
                                       "MetricDefinitions": estimator.metric_definitions},
            "HyperParameters": _hyperparameters(estimator.hyperparameters()),
            "InputDataConfig": channels, "OutputDataConfig": {"S3OutputPath": estimator.output_path},
            "ResourceConfig": {"InstanceType": estimator.instance_type, "InstanceCount": estimator.instance_count,
                               "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": estimator.max_run}, "RoleArn": "",
            "Environment": estimator.environment}


def _channels(inputs: Any) -> dict[str, Any]:
    if inputs is None:
        return {}
    if not isinstance(inputs, Mapping):
        inputs = {"training": inputs}
    return {name: _located(value, "s3_data") for name, value in inputs.items()}


class TrainingStep(JobStep):
    """Runs `estimator` as a training job with `inputs` (a path, TrainingInput or a dict of them)."""

    step_type = "Training"

    def __init__(self, name: str, estimator: Estimator, inputs: Any = None, cache_config: CacheConfig | None = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        if not isinstance(estimator, Estimator):
            raise ValidationError(f"TrainingStep {name} needs an Estimator; got {type(estimator).__name__}.")
        self.estimator, self.inputs = estimator, _channels(inputs)

    def local_arguments(self) -> dict[str, Any]:
        return {"estimator": self.estimator.to_config(), "inputs": self.inputs}

    def arguments(self) -> dict[str, Any]:
        return _training_arguments(self.estimator, self.inputs)


class TuningStep(JobStep):
    """Runs `tuner` (a HyperparameterTuner of one estimator) as a tuning job with `inputs`;
    `properties.BestTrainingJob.TrainingJobName` names its best training job."""

    step_type = "Tuning"

    def __init__(self, name: str, tuner: Any, inputs: Any = None, cache_config: CacheConfig | None = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        from ..tuning import HyperparameterTuner

        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        if not isinstance(tuner, HyperparameterTuner) or len(tuner.definitions) != 1:
            raise ValidationError(f"TuningStep {name} needs a HyperparameterTuner of one estimator.")
        self.tuner, self.inputs = tuner, _channels(inputs)

    def local_arguments(self) -> dict[str, Any]:
        tuner, definition = self.tuner, self.tuner.definitions[0]
        return {"estimator": definition.estimator.to_config(), "objective_metric_name": definition.objective,
                "hyperparameter_ranges": {k: v.to_dict() for k, v in definition.ranges.items()},
                "metric_definitions": definition.metric_definitions, "strategy": tuner.strategy,
                "objective_type": tuner.objective_type, "max_jobs": tuner.max_jobs,
                "max_parallel_jobs": tuner.max_parallel_jobs, "early_stopping_type": tuner.early_stopping_type,
                "random_seed": tuner.random_seed, "strategy_config": tuner.strategy_config,
                "base_tuning_job_name": tuner.base_tuning_job_name, "inputs": self.inputs}

    def get_top_model_s3_uri(self, top_k: int = 0, s3_bucket: str | None = None, prefix: str = "") -> Properties:
        """The model artifact of the tuning job's `top_k`-th best training job (0: the best).
        `s3_bucket` and `prefix` are SageMaker's; here the job's own artifact is named."""
        return self.properties.TrainingJobSummaries[top_k].ModelArtifacts.S3ModelArtifacts

    def arguments(self) -> dict[str, Any]:
        tuner, definition = self.tuner, self.tuner.definitions[0]
        ranges: dict[str, list[dict[str, Any]]] = {"ContinuousParameterRanges": [], "IntegerParameterRanges": [],
                                                   "CategoricalParameterRanges": []}
        for key, value in definition.ranges.items():
            ranges.setdefault(f"{value.kind}ParameterRanges", []).append({"Name": key, **{
                "".join(w.capitalize() for w in k.split("_")): [str(x) for x in v] if isinstance(v, list) else str(v)
                for k, v in vars(value).items() if v is not None}})
        return {"HyperParameterTuningJobConfig": {
            "Strategy": tuner.strategy, "HyperParameterTuningJobObjective": {
                "Type": tuner.objective_type, "MetricName": definition.objective},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": tuner.max_jobs,
                               "MaxParallelTrainingJobs": tuner.max_parallel_jobs},
            "ParameterRanges": ranges, "TrainingJobEarlyStoppingType": tuner.early_stopping_type},
            "TrainingJobDefinition": _training_arguments(definition.estimator, self.inputs)}


def _function_config(func: Callable[..., Any]) -> dict[str, Any]:
    if not callable(func) or not hasattr(func, "__qualname__"):
        raise ValidationError(f"PythonStep needs a function; got {func!r}.")
    if "<locals>" in func.__qualname__ or func.__name__ == "<lambda>":
        raise ValidationError(f"PythonStep: {func.__qualname__} must be a module-level function (def), "
                              "so the step's job can find it.")
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        source = None
    return {"module": func.__module__, "qualname": func.__qualname__, "source": source}


class PythonStep(JobStep):
    """Runs `func(*args, **kwargs)` (a module-level function, or one defined in the notebook
    with its imports inside it) as a processing job. Its return value, JSON, is
    `properties.Result` for later steps."""

    step_type = "Training"
    local_kind = "Python"

    def __init__(self, name: str, func: Callable[..., Any], args: Sequence[Any] | None = None,
                 kwargs: Mapping[str, Any] | None = None, cache_config: CacheConfig | None = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        self.function, self.args, self.kwargs = _function_config(func), list(args or []), dict(kwargs or {})

    def local_arguments(self) -> dict[str, Any]:
        return {"function": self.function, "args": self.args, "kwargs": self.kwargs}

    def arguments(self) -> dict[str, Any]:
        # SageMaker runs a Python function (its @step) as a training job of the function.
        return {"AlgorithmSpecification": {"TrainingImage": STEP_IMAGE, "TrainingInputMode": "File"},
                "HyperParameters": {"function": f"{self.function['module']}.{self.function['qualname']}"},
                "RoleArn": "", "StoppingCondition": {"MaxRuntimeInSeconds": 86400}}
