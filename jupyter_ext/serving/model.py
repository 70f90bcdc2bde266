"""Models to serve: `Model` (a model artifact plus optional inference code) and the serial
`PipelineModel`; `deploy()` starts an endpoint, `transformer()` a batch transform.

A model is described by plain JSON ("containers"), so the endpoint process and batch
transform jobs load it the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..plugins import Registry
from ..store import artifact_store_for, local_path
from .capture import DataCaptureConfig
from .endpoints import create_endpoint
from .predictor import Predictor
from .serializers import Deserializer, Serializer
from .transform import Transformer
from .variants import ProductionVariant

__all__ = ["Model", "PipelineModel", "MODEL_REGISTRIES", "MODEL_COMPILERS", "ModelStepArguments"]

# Where Model.register records a version: the model registry capability, named and not
# imported (it deploys through serving, so serving must not import it).
MODEL_REGISTRIES: Registry[Callable[..., Any]] = Registry(
    "model registry", "jupyter_ext.model_registries", {"local": "jupyter_ext.registry.packages:register_model"})
# What Model.compile runs: the compile capability (ONNX Runtime), named likewise.
MODEL_COMPILERS: Registry[Callable[..., Any]] = Registry(
    "model compiler", "jupyter_ext.model_compilers", {"onnx": "jupyter_ext.compile.job:compile_model"})



@dataclass(frozen=True)
class ModelStepArguments:
    """What `Model.create()` and `Model.register(...)` return for a model whose `model_data`
    is a pipeline step's property (`step.properties.ModelArtifacts.S3ModelArtifacts`): the
    work a pipeline's `ModelStep(name, step_args=...)` does when it runs. `action` is
    "create" or "register"; `options` are register's arguments."""

    action: str
    model: Model
    options: dict[str, Any] = field(default_factory=dict)


def _in_pipeline(model_data: Any) -> bool:
    """Whether `model_data` is a value known only when a pipeline runs (a step's property)."""
    return hasattr(model_data, "expr") and hasattr(model_data, "to_string")


def _model_path(model_data: str) -> str:
    path = local_path(str(model_data))
    if path is None:  # an s3:// (or other) URI: kept as given, fetched by the serving process
        if not artifact_store_for(str(model_data)).exists(str(model_data)):
            raise ValidationError(f"model_data {model_data} does not exist. Give the URI of a model.tar.gz "
                                  "(e.g. estimator.model_data), a model file or a model folder.")
        return str(model_data)
    if not path.exists():
        raise ValidationError(f"model_data {model_data} does not exist (looked for {path}). Give the path of a "
                              "model.tar.gz (e.g. estimator.model_data), a model file or a model folder.")
    return str(path)


class Model:
    """A model artifact and how to serve it (SageMaker's Model).

    `model_data` is a model.tar.gz, a folder, or a single model file (a path or a URI such
    as `s3://bucket/model.tar.gz`, fetched when served). `entry_point` (a
    script, found in `source_dir` if given) may define `model_fn`, `input_fn`,
    `predict_fn` and `output_fn`; without it the built-in handlers serve scikit-learn
    pickles/joblib (AutoML pipelines included) and TorchScript. `env` is set in the
    serving process. Raises ValidationError for a missing artifact or script.
    """

    def __init__(self, model_data: str, entry_point: str | None = None, source_dir: str | None = None,
                 env: Mapping[str, str] | None = None, name: str | None = None, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("Model", _sagemaker_only)
        self.model_data = model_data if _in_pipeline(model_data) else _model_path(model_data)
        self.entry_point, self.code_dir = _locate_entry_point(entry_point, source_dir)
        self.env = {str(k): str(v) for k, v in (env or {}).items()}
        self.name = name or f"model-{uuid.uuid4().hex[:8]}"

    def containers(self) -> list[dict[str, Any]]:
        """The JSON description the serving process loads (one container)."""
        return [{"model_data": self.model_data, "entry_point": self.entry_point, "code_dir": self.code_dir,
                 "env": self.env, "name": self.name}]

    def deploy(self, endpoint_name: str | None = None, initial_instance_count: int = 1,
               serializer: Serializer | None = None, deserializer: Deserializer | None = None,
               data_capture_config: DataCaptureConfig | None = None, port: int | None = None,
               variant_name: str = "AllTraffic", wait: bool = True, **_sagemaker_only: Any) -> Predictor:
        """Start an endpoint serving this model alone; returns its Predictor once InService.

        The endpoint is a detached process on 127.0.0.1 (`port`, default a free one) that
        outlives this kernel; delete it with `predictor.delete_endpoint()`. It hands each
        request to one of `initial_instance_count` instance processes, each with the model
        loaded; one that dies is replaced and its request answered by another.
        """
        ignore_sagemaker_arguments("Model.deploy", _sagemaker_only)
        self._check_not_in_pipeline("deploy")
        name = create_endpoint(endpoint_name, [ProductionVariant(self, variant_name, 1.0, initial_instance_count)],
                               data_capture_config, port=port, wait=wait, base_name=self.name)
        return Predictor(name, serializer=serializer, deserializer=deserializer)

    def register(self, content_types: Sequence[str] | None = None, response_types: Sequence[str] | None = None,
                 inference_instances: Sequence[str] | None = None, transform_instances: Sequence[str] | None = None,
                 model_package_name: str | None = None, model_package_group_name: str | None = None,
                 image_uri: str | None = None, model_metrics: Any = None, approval_status: str | None = None,
                 description: str | None = None, customer_metadata_properties: Mapping[str, str] | None = None,
                 **_sagemaker_only: Any) -> Any:
        """Register this model as the next version of `model_package_group_name` in the model
        registry (made if new); returns its `jupyter_ext.registry.ModelPackage` (`.arn`,
        `.version`). Arguments as SageMaker SDK v2's Model.register; `approval_status`
        defaults to PendingManualApproval. Versioned packages only: a group name is needed."""
        ignore_sagemaker_arguments("Model.register", _sagemaker_only)
        if not model_package_group_name:
            raise ValidationError("Model.register needs model_package_group_name (the registry keeps versioned "
                                  f"packages only{'; model_package_name is for unversioned ones' if model_package_name else ''}).")
        if _in_pipeline(self.model_data):  # SageMaker's ModelStep(step_args=model.register(...))
            return ModelStepArguments("register", self, {
                "model_package_group_name": model_package_group_name, "approval_status": approval_status
                or "PendingManualApproval", "model_metrics": model_metrics, "description": description,
                "customer_metadata_properties": customer_metadata_properties, "content_types": content_types,
                "response_types": response_types, "inference_instances": inference_instances,
                "transform_instances": transform_instances})
        return MODEL_REGISTRIES.get("local")(
            self, model_package_group_name, approval_status or "PendingManualApproval", model_metrics,
            customer_metadata_properties, description, content_types=content_types, response_types=response_types,
            inference_instances=inference_instances, transform_instances=transform_instances, image_uri=image_uri)

    def create(self, **_sagemaker_only: Any) -> ModelStepArguments | None:
        """SageMaker's Model.create: a model here needs no creating, so this does nothing,
        except for a model of a pipeline step's property, for which it returns the arguments
        of `ModelStep(name, step_args=model.create())`."""
        ignore_sagemaker_arguments("Model.create", _sagemaker_only)
        return ModelStepArguments("create", self) if _in_pipeline(self.model_data) else None

    def compile(self, target_instance_family: str, input_shape: Mapping[str, Any] | str | None = None,
                output_path: str | None = None, role: str | None = None, tags: Any = None,
                job_name: str | None = None, compile_max_run: int = 15 * 60, framework: str | None = None,
                framework_version: str | None = None, tolerance: float | Mapping[str, float] | None = None,
                sample_inputs: Any = None, logs: bool = True, **_sagemaker_only: Any) -> Model:
        """Compile this model for `target_instance_family` with ONNX Runtime in a Compilation
        job (SageMaker SDK v2's Model.compile) and return the compiled Model, to deploy or
        transform with. See `jupyter_ext.compile.compile_model` for the arguments."""
        ignore_sagemaker_arguments("Model.compile", _sagemaker_only)
        self._check_not_in_pipeline("compile")
        return MODEL_COMPILERS.get("onnx")(
            self, target_instance_family, input_shape, output_path, framework, framework_version, tolerance,
            sample_inputs, job_name, logs=logs, compile_max_run=compile_max_run)

    def transformer(self, instance_count: int = 1, **kwargs: Any) -> Transformer:
        """A batch `Transformer` for this model (see `Transformer` for the arguments)."""
        self._check_not_in_pipeline("transformer")
        return Transformer(self, instance_count=instance_count, **kwargs)

    def _check_not_in_pipeline(self, what: str) -> None:
        if _in_pipeline(self.model_data):
            raise ValidationError(f"Model.{what}: this model's model_data is a pipeline step's property, known "
                                  "only when the pipeline runs; use it in ModelStep(name, step_args=model.create()) "
                                  "or step_args=model.register(...).")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, model_data={self.model_data!r})"


class PipelineModel(Model):
    """Models served serially in one endpoint: each one's response is the next one's request."""

    def __init__(self, models: Sequence[Model], name: str | None = None, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("PipelineModel", _sagemaker_only)
        if not models or not all(isinstance(m, Model) for m in models):
            raise ValidationError("PipelineModel needs a list of one or more Model objects.")
        if len(models) > 15:
            raise ValidationError(f"A PipelineModel takes at most 15 models; got {len(models)}.")
        self.models = list(models)
        self.model_data = models[-1].model_data
        self.entry_point, self.code_dir, self.env = None, None, {}
        self.name = name or f"pipeline-{uuid.uuid4().hex[:8]}"

    def containers(self) -> list[dict[str, Any]]:
        """One container per model, in order."""
        return [c for model in self.models for c in model.containers()]


def _locate_entry_point(entry_point: str | None, source_dir: str | None) -> tuple[str | None, str | None]:
    if entry_point is None:
        if source_dir is not None:
            raise ValidationError("source_dir needs an entry_point (the script in it that defines model_fn...).")
        return None, None
    base = Path(source_dir).expanduser().resolve() if source_dir else Path(entry_point).expanduser().resolve().parent
    script = base / (entry_point if source_dir else Path(entry_point).name)
    if not script.is_file():
        raise ValidationError(f"entry_point {entry_point} not found (looked for {script}).")
    return script.name, str(base)
