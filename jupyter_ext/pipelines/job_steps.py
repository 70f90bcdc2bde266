"""Steps that run a job or make a model: ProcessingStep, TrainingStep, TuningStep,
TransformStep, ModelStep, RegisterModel and PythonStep.

They take our own capability objects (Processor, Estimator, HyperparameterTuner,
Transformer) with their run arguments, where values may be parameters or other steps'
properties; the objects' settings are stored as JSON and the objects built again when
the step runs.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..processing import ProcessingInput, ProcessingOutput, Processor, ScriptProcessor
from ..training import Estimator, TrainingInput
from .expressions import Properties, PropertyFile
from .steps import CacheConfig, RetryPolicy, Step

__all__ = ["ProcessingStep", "TrainingStep", "TuningStep", "TransformStep", "TransformInput", "ModelStep",
           "RegisterModel", "PythonStep"]

_IMAGE = "jupyter-ext-local"


def _fields(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    return {f.name: getattr(item, f.name) for f in fields(item)} if is_dataclass(item) else {"s3_data": item}


def _s3_data_source(uri: Any, kind: str = "S3Prefix") -> dict[str, Any]:
    return {"S3DataSource": {"S3DataType": kind, "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}


class _JobStep(Step):
    def __init__(self, name: str, depends_on: Sequence[Any] | None, cache_config: CacheConfig | None,
                 retry_policies: Sequence[RetryPolicy] | None, display_name: str | None,
                 description: str | None) -> None:
        super().__init__(name, depends_on, display_name, description, cache_config, retry_policies)


class ProcessingStep(_JobStep):
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
        if not isinstance(processor, Processor):
            raise ValidationError(f"ProcessingStep {name} needs a Processor; got {type(processor).__name__}.")
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
                "inputs": [_fields(i) for i in self.inputs], "outputs": [_fields(o) for o in self.outputs],
                "arguments": self.job_arguments}

    def arguments(self) -> dict[str, Any]:
        processor = self.processor
        entrypoint = (processor.command + [f"/opt/ml/processing/input/code/{Path(self.code).name}"]
                      if self.code else processor.entrypoint)
        app: dict[str, Any] = {"ImageUri": _IMAGE, "ContainerEntrypoint": entrypoint}
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


def _training_arguments(estimator: Estimator, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """CreateTrainingJob's request for `estimator` with channels `inputs`."""
    channels = []
    for channel, value in inputs.items():
        item = _fields(value)
        entry = {"ChannelName": channel, "DataSource": _s3_data_source(item["s3_data"]),
                 "InputMode": item.get("input_mode", "File")}
        if item.get("content_type"):
            entry["ContentType"] = item["content_type"]
        channels.append(entry)
    return {"AlgorithmSpecification": {"TrainingImage": _IMAGE, "TrainingInputMode": "File",
                                       "MetricDefinitions": estimator.metric_definitions},
            "HyperParameters": {k: v for k, v in estimator.hyperparameters().items()},
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
    return {name: _fields(value) for name, value in inputs.items()}


class TrainingStep(_JobStep):
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


class TuningStep(_JobStep):
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


class TransformInput:
    """The data of a TransformStep and how to split it (SageMaker's TransformInput)."""

    def __init__(self, data: Any, data_type: str = "S3Prefix", content_type: str | None = None,
                 compression_type: str | None = None, split_type: str | None = "Line") -> None:
        self.data, self.data_type, self.content_type = data, data_type, content_type
        self.compression_type, self.split_type = compression_type, split_type


class TransformStep(_JobStep):
    """Runs `transformer` over `inputs` as a batch transform job; `model_data` (a path or
    another step's property) replaces its model's artifact when given."""

    step_type = "Transform"

    def __init__(self, name: str, transformer: Any, inputs: TransformInput, model_data: Any = None,
                 cache_config: CacheConfig | None = None, depends_on: Sequence[Any] | None = None,
                 retry_policies: Sequence[RetryPolicy] | None = None, display_name: str | None = None,
                 description: str | None = None) -> None:
        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        self.transformer, self.inputs, self.model_data = transformer, inputs, model_data

    def local_arguments(self) -> dict[str, Any]:
        t = self.transformer
        container = t.model.containers()[0]
        if self.model_data is not None:
            container = {**container, "model_data": self.model_data}
        return {"model": container, "transformer": {
            "strategy": t.strategy, "assemble_with": t.assemble_with, "output_path": t.output_path, "accept": t.accept,
            "max_concurrent_transforms": t.max_concurrent_transforms, "max_payload": t.max_payload, "env": t.env,
            "base_transform_job_name": t.base_transform_job_name}, "inputs": vars(self.inputs)}

    def arguments(self) -> dict[str, Any]:
        t, i = self.transformer, self.inputs
        return {"ModelName": t.model.name, "TransformInput": {"DataSource": _s3_data_source(i.data, i.data_type),
                                                             "ContentType": i.content_type, "SplitType": i.split_type},
                "TransformOutput": {"S3OutputPath": t.output_path, "Accept": t.accept},
                "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
                "BatchStrategy": t.strategy, "MaxPayloadInMB": t.max_payload}


class ModelStep(_JobStep):
    """Makes a model of `model_data` (a model.tar.gz, or a training step's
    `properties.ModelArtifacts.S3ModelArtifacts`) with optional inference code;
    `properties.ModelName` and `properties.PrimaryContainer.ModelDataUrl` name it."""

    step_type = "Model"

    def __init__(self, name: str, model_data: Any, entry_point: str | None = None, source_dir: str | None = None,
                 env: Mapping[str, str] | None = None, model_name: str | None = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, description: str | None = None) -> None:
        super().__init__(name, depends_on, None, retry_policies, display_name, description)
        self.model = {"model_data": model_data, "entry_point": entry_point,
                      "source_dir": str(Path(source_dir).resolve()) if source_dir else None,
                      "env": dict(env or {}), "name": model_name}

    def local_arguments(self) -> dict[str, Any]:
        return {"model": self.model}

    def arguments(self) -> dict[str, Any]:
        return {"PrimaryContainer": {"Image": _IMAGE, "ModelDataUrl": self.model["model_data"],
                                     "Environment": self.model["env"]}, "ExecutionRoleArn": ""}


class RegisterModel(_JobStep):
    """Registers a model version in `model_package_group_name` (the model registry): the
    artifact of `estimator`'s step (give `model_data`, e.g. a training step's
    `properties.ModelArtifacts.S3ModelArtifacts`) with `approval_status`, `model_metrics`
    (a dict, or an object with `to_request()`) and `customer_metadata_properties`.
    `properties.ModelPackageArn` / `ModelPackageVersion` / `ModelApprovalStatus` name it."""

    step_type = "RegisterModel"

    def __init__(self, name: str, model_package_group_name: Any, model_data: Any = None, estimator: Any = None,
                 approval_status: Any = "PendingManualApproval", model_metrics: Any = None,
                 customer_metadata_properties: Mapping[str, Any] | None = None, description: str | None = None,
                 entry_point: str | None = None, source_dir: str | None = None, content_types: Any = None,
                 response_types: Any = None, inference_instances: Any = None, transform_instances: Any = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, **_sagemaker_only: Any) -> None:
        super().__init__(name, depends_on, None, retry_policies, display_name, description)
        if model_data is None:
            raise ValidationError(f"RegisterModel {name} needs model_data= (e.g. a training step's "
                                  "properties.ModelArtifacts.S3ModelArtifacts).")
        metrics = model_metrics.to_request() if hasattr(model_metrics, "to_request") else model_metrics
        self.registration = {
            "model": {"model_data": model_data, "entry_point": entry_point,
                      "source_dir": str(Path(source_dir).resolve()) if source_dir else None},
            "model_package_group_name": model_package_group_name, "approval_status": approval_status,
            "model_metrics": metrics, "customer_metadata_properties": dict(customer_metadata_properties or {}),
            "description": description}
        self.inference = {"content_types": content_types, "response_types": response_types,
                          "inference_instances": inference_instances, "transform_instances": transform_instances}

    def local_arguments(self) -> dict[str, Any]:
        return self.registration

    def arguments(self) -> dict[str, Any]:
        r, i = self.registration, self.inference
        request = {"ModelPackageGroupName": r["model_package_group_name"], "ModelApprovalStatus": r["approval_status"],
                   "InferenceSpecification": {"Containers": [{"Image": _IMAGE, "ModelDataUrl": r["model"]["model_data"]}],
                                              "SupportedContentTypes": i["content_types"] or [],
                                              "SupportedResponseMIMETypes": i["response_types"] or []},
                   "CustomerMetadataProperties": r["customer_metadata_properties"]}
        if r["model_metrics"]:
            request["ModelMetrics"] = r["model_metrics"]
        if r["description"]:
            request["ModelPackageDescription"] = r["description"]
        return request


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


class PythonStep(_JobStep):
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
        return {"AlgorithmSpecification": {"TrainingImage": _IMAGE, "TrainingInputMode": "File"},
                "HyperParameters": {"function": f"{self.function['module']}.{self.function['qualname']}"},
                "RoleArn": "", "StoppingCondition": {"MaxRuntimeInSeconds": 86400}}
