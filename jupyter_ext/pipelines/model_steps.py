"""Steps about models: ModelStep (a model of an artifact), TransformStep (a batch
transform job) and RegisterModel (a version in the model registry)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .job_steps import STEP_IMAGE, JobStep, absolute, s3_data_source
from .steps import CacheConfig, RetryPolicy

__all__ = ["TransformInput", "StepTransformer", "TransformStep", "ModelStep", "RegisterModel"]


class TransformInput:
    """The data of a TransformStep and how to split it (SageMaker's TransformInput)."""

    def __init__(self, data: Any, data_type: str = "S3Prefix", content_type: str | None = None,
                 compression_type: str | None = None, split_type: str | None = "Line") -> None:
        self.data, self.data_type, self.content_type = absolute(data), data_type, content_type
        self.compression_type, self.split_type = compression_type, split_type


class StepTransformer:
    """A batch transformer of a ModelStep's model, for a TransformStep (made by
    `model_step.transformer(...)`; the settings are `serving.Transformer`'s)."""

    def __init__(self, model_step: ModelStep, settings: dict[str, Any]) -> None:
        self.model_step, self.settings = model_step, settings


def _transformer_settings(t: Any) -> dict[str, Any]:
    return {"strategy": t.strategy, "assemble_with": t.assemble_with, "output_path": t.output_path,
            "accept": t.accept, "max_concurrent_transforms": t.max_concurrent_transforms,
            "max_payload": t.max_payload, "env": t.env, "base_transform_job_name": t.base_transform_job_name}


class TransformStep(JobStep):
    """Runs a batch transform job over `inputs` with `transformer`: a ModelStep's
    `model_step.transformer(...)`, or a `serving.Transformer` of a model that exists
    already (its artifact replaced by `model_data`, a path or another step's property,
    when given)."""

    step_type = "Transform"

    def __init__(self, name: str, transformer: Any, inputs: TransformInput, model_data: Any = None,
                 cache_config: CacheConfig | None = None, depends_on: Sequence[Any] | None = None,
                 retry_policies: Sequence[RetryPolicy] | None = None, display_name: str | None = None,
                 description: str | None = None) -> None:
        from ..serving import Transformer

        super().__init__(name, depends_on, cache_config, retry_policies, display_name, description)
        if not isinstance(transformer, (StepTransformer, Transformer)):
            raise ValidationError(f"TransformStep {name} needs model_step.transformer(...) or a Transformer; "
                                  f"got {type(transformer).__name__}.")
        if not isinstance(inputs, TransformInput):
            raise ValidationError(f"TransformStep {name} needs inputs=TransformInput(data=...).")
        self.transformer, self.inputs, self.model_data = transformer, inputs, model_data

    def _model(self) -> tuple[Any, Any]:
        """(the container JSON or its expression, the model's name or its expression)."""
        if isinstance(self.transformer, StepTransformer):
            step = self.transformer.model_step
            return step.properties.Container, step.properties.ModelName
        model = self.transformer.model
        container = model.containers()[0]
        if self.model_data is not None:
            container = {**container, "model_data": absolute(self.model_data)}
        return container, model.name

    def local_arguments(self) -> dict[str, Any]:
        t = self.transformer
        settings = t.settings if isinstance(t, StepTransformer) else _transformer_settings(t)
        return {"model": self._model()[0], "transformer": settings, "inputs": vars(self.inputs)}

    def arguments(self) -> dict[str, Any]:
        t, i = self.transformer, self.inputs
        settings = t.settings if isinstance(t, StepTransformer) else _transformer_settings(t)
        return {"ModelName": self._model()[1],
                "TransformInput": {"DataSource": s3_data_source(i.data, i.data_type), "ContentType": i.content_type,
                                   "SplitType": i.split_type or "None"},
                "TransformOutput": {"S3OutputPath": settings["output_path"], "Accept": settings["accept"]},
                "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
                "BatchStrategy": settings["strategy"], "MaxPayloadInMB": settings["max_payload"]}


def _step_args(name: str, step_args: Any) -> Any:
    from ..serving.model import ModelStepArguments

    if not isinstance(step_args, ModelStepArguments):
        raise ValidationError(f"ModelStep {name}: step_args must be model.create() or model.register(...) of a "
                              f"Model whose model_data is a step's property; got {type(step_args).__name__}.")
    return step_args


class ModelStep(JobStep):
    """Makes a model of `model_data` (a model.tar.gz, or a training step's
    `properties.ModelArtifacts.S3ModelArtifacts`) with optional inference code;
    `properties.ModelName` and `properties.PrimaryContainer.ModelDataUrl` name it, and
    `transformer(...)` makes a TransformStep's transformer of it.

    Or, as SageMaker writes it, `ModelStep(name, step_args=model.create())` or
    `step_args=model.register(model_package_group_name=..., ...)` for a serving `Model`
    whose `model_data` is a step's property: the second is a RegisterModel step."""

    step_type = "Model"

    def __new__(cls, name: str, *args: Any, step_args: Any = None, **kwargs: Any) -> Any:
        if step_args is not None and _step_args(name, step_args).action == "register":
            return RegisterModel._of(name, step_args, **kwargs)
        return super().__new__(cls)

    def __init__(self, name: str, model_data: Any = None, entry_point: str | None = None,
                 source_dir: str | None = None, env: Mapping[str, str] | None = None, model_name: str | None = None,
                 depends_on: Sequence[Any] | None = None, retry_policies: Sequence[RetryPolicy] | None = None,
                 display_name: str | None = None, description: str | None = None, step_args: Any = None) -> None:
        super().__init__(name, depends_on, None, retry_policies, display_name, description)
        if step_args is not None:
            model = _step_args(name, step_args).model
            model_data, entry_point, source_dir, env = model.model_data, model.entry_point, model.code_dir, model.env
            model_name = model_name or model.name
        if model_data is None:
            raise ValidationError(f"ModelStep {name} needs model_data= (e.g. a training step's "
                                  "properties.ModelArtifacts.S3ModelArtifacts) or step_args=model.create().")
        self.model = {"model_data": absolute(model_data), "entry_point": entry_point if source_dir or not entry_point else absolute(entry_point),
                      "source_dir": str(Path(source_dir).resolve()) if source_dir else None,
                      "env": dict(env or {}), "name": model_name}

    def transformer(self, instance_count: int = 1, instance_type: str = "local", strategy: str = "MultiRecord",
                    assemble_with: str | None = "Line", output_path: str | None = None, accept: str | None = None,
                    max_concurrent_transforms: int = 1, max_payload: int = 6, env: Mapping[str, str] | None = None,
                    base_transform_job_name: str | None = None) -> StepTransformer:
        """A batch transformer of this step's model, for a TransformStep (arguments as
        `serving.Transformer`'s, checked when the step runs)."""
        return StepTransformer(self, {
            "strategy": strategy, "assemble_with": assemble_with,
            "output_path": str(Path(output_path).resolve()) if output_path and "://" not in output_path else output_path,
            "accept": accept, "max_concurrent_transforms": max_concurrent_transforms, "max_payload": max_payload,
            "env": dict(env or {}), "base_transform_job_name": base_transform_job_name})

    def local_arguments(self) -> dict[str, Any]:
        return {"model": self.model}

    def arguments(self) -> dict[str, Any]:
        return {"PrimaryContainer": {"Image": STEP_IMAGE, "ModelDataUrl": self.model["model_data"],
                                     "Environment": self.model["env"]}, "ExecutionRoleArn": ""}


class RegisterModel(JobStep):
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
            "model": {"model_data": absolute(model_data), "entry_point": entry_point if source_dir or not entry_point else absolute(entry_point),
                      "source_dir": str(Path(source_dir).resolve()) if source_dir else None},
            "model_package_group_name": model_package_group_name, "approval_status": approval_status,
            "model_metrics": metrics, "customer_metadata_properties": dict(customer_metadata_properties or {}),
            "description": description}
        self.inference = {"content_types": content_types, "response_types": response_types,
                          "inference_instances": inference_instances, "transform_instances": transform_instances}

    @classmethod
    def _of(cls, name: str, step_args: Any, depends_on: Sequence[Any] | None = None,
            retry_policies: Sequence[RetryPolicy] | None = None, display_name: str | None = None,
            description: str | None = None, **others: Any) -> RegisterModel:
        """The step of `ModelStep(name, step_args=model.register(...))`."""
        if others:
            raise ValidationError(f"ModelStep {name}: {', '.join(sorted(others))} cannot go with "
                                  "step_args=model.register(...); give them to the Model or to register().")
        model, options = step_args.model, dict(step_args.options)
        return cls(name, model_data=model.model_data, entry_point=model.entry_point, source_dir=model.code_dir,
                   depends_on=depends_on, retry_policies=retry_policies, display_name=display_name,
                   **{**options, "description": options.get("description") or description})

    def local_arguments(self) -> dict[str, Any]:
        return self.registration

    def arguments(self) -> dict[str, Any]:
        r, i = self.registration, self.inference
        request = {"ModelPackageGroupName": r["model_package_group_name"], "ModelApprovalStatus": r["approval_status"],
                   "InferenceSpecification": {"Containers": [{"Image": STEP_IMAGE, "ModelDataUrl": r["model"]["model_data"]}],
                                              "SupportedContentTypes": i["content_types"] or [],
                                              "SupportedResponseMIMETypes": i["response_types"] or []},
                   "CustomerMetadataProperties": r["customer_metadata_properties"]}
        if r["model_metrics"]:
            request["ModelMetrics"] = r["model_metrics"]
        if r["description"]:
            request["ModelPackageDescription"] = r["description"]
        return request
