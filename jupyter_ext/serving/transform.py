"""Batch transform (SageMaker's Transformer): a model run over files as a "Transform" job.

The job loads the model in its own process with the endpoint's handlers, splits each
input file into records (`split_type="Line"`), sends them in batches (`MultiRecord`:
as many as fit in `max_payload` MB; `SingleRecord`: one each) and writes `<file>.out`
at the same relative path under `output_path`, one response per line (`assemble_with="Line"`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..errors import ValidationError
from ..jobs import Job, JobSpec, Upload, create_job, unique_job_name, validate_job_name
from ..jobs.contract import base_environment
from ..jobs.display import watch
from ..jobs.launch import job_dir_for
from ..store import default_output_path, join_uri, local_path
from .variants import Servable

__all__ = ["Transformer", "STRATEGIES"]

STRATEGIES = {"MultiRecord": "MULTI_RECORD", "SingleRecord": "SINGLE_RECORD"}


def _choice(what: str, value: Any, choices: tuple[Any, ...]) -> Any:
    if value not in choices:
        raise ValidationError(f"{what} {value!r}; choose one of: {', '.join(map(str, choices))}.")
    return value


class Transformer:
    """Runs `model` over a dataset as a batch transform job.

    `max_payload` is in MB (1-100, 6 by default); `max_concurrent_transforms` batches run
    at once (max_concurrent_transforms × max_payload ≤ 100). `accept` defaults to the
    input's content type, so CSV in gives CSV out.
    """

    def __init__(self, model: Servable, instance_count: int = 1, instance_type: str = "local",
                 strategy: str = "MultiRecord", assemble_with: str | None = "Line", output_path: str | None = None,
                 accept: str | None = None, max_concurrent_transforms: int = 1, max_payload: int = 6,
                 env: dict[str, str] | None = None, base_transform_job_name: str | None = None,
                 **_sagemaker_only: Any) -> None:
        if not isinstance(model, Servable):
            raise ValidationError(f"Transformer needs a Model (or PipelineModel); got {type(model).__name__}.")
        _choice("strategy", strategy, tuple(STRATEGIES))
        _choice("assemble_with", assemble_with, ("Line", None, "None"))
        if not isinstance(max_payload, int) or not 0 <= max_payload <= 100:
            raise ValidationError(f"max_payload is in MB, a whole number from 0 to 100; got {max_payload!r}.")
        if not isinstance(max_concurrent_transforms, int) or max_concurrent_transforms < 1:
            raise ValidationError(f"max_concurrent_transforms must be a whole number >= 1; got {max_concurrent_transforms!r}.")
        if max_concurrent_transforms * max_payload > 100:
            raise ValidationError("max_concurrent_transforms × max_payload must be at most 100 (MB).")
        self.model, self.strategy, self.assemble_with = model, strategy, assemble_with
        self.output_path, self.accept, self.env = output_path, accept, dict(env or {})
        self.max_concurrent_transforms, self.max_payload = max_concurrent_transforms, max_payload
        self.base_transform_job_name = base_transform_job_name or f"{model.name}-transform"
        self.latest_transform_job: Job | None = None

    def transform(self, data: str, data_type: str = "S3Prefix", content_type: str | None = None,
                  compression_type: str | None = None, split_type: str | None = "Line",
                  join_source: str | None = None, job_name: str | None = None, wait: bool = True,
                  logs: bool = True, **_sagemaker_only: Any) -> None:
        """Transform `data` (a file or a folder of files); with `wait`, raise unless the job Completed.
        `join_source="Input"` puts each input record beside its output."""
        source = local_path(str(data))
        if source is None or not source.exists():
            raise ValidationError(f"Transform input {data} does not exist" + (f" (looked for {source})." if source else "."))
        _choice("data_type", data_type, ("S3Prefix",))
        _choice("compression_type", compression_type, (None, "None"))
        _choice("split_type", split_type, ("Line", None, "None"))
        _choice("join_source", join_source, ("Input", None, "None"))
        name = validate_job_name(job_name) if job_name else unique_job_name(self.base_transform_job_name)
        output_path = self.output_path or join_uri(default_output_path(), name)
        if local_path(output_path) is not None:
            output_path = str(local_path(output_path))
        config = {"data": str(source), "containers": self.model.containers(), "content_type": content_type,
                  "accept": self.accept or content_type, "split_type": split_type if split_type != "None" else None,
                  "strategy": self.strategy, "max_payload": self.max_payload,
                  "assemble_with": self.assemble_with if self.assemble_with != "None" else None,
                  "join_source": join_source if join_source != "None" else None,
                  "max_concurrent_transforms": self.max_concurrent_transforms}
        job_dir = job_dir_for(name)
        env = base_environment(name, job_dir, {
            **self.env, "SAGEMAKER_BATCH": "True", "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(self.max_payload),
            "SAGEMAKER_BATCH_STRATEGY": STRATEGIES[self.strategy],
            "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": str(self.max_concurrent_transforms)})
        spec = JobSpec(name=name, job_type="Transform",
                       program=[sys.executable, "-m", "jupyter_ext.serving.run_transform", "transform.json"],
                       environment=env, uploads=[Upload("output/transform", output_path, role="output_data")],
                       record={"inputs": {"data": str(source)}, "outputs": {"output_path": output_path},
                               "details": {k: v for k, v in config.items() if k != "containers"}
                               | {"model_name": self.model.name}})
        create_job(spec, lambda folder: (folder / "transform.json").write_text(json.dumps(config, indent=1)))
        self.output_path = output_path
        self.latest_transform_job = Job(name)
        watch(self.latest_transform_job, wait, logs)

    def wait(self) -> None:
        """Block until the latest transform job ends."""
        if self.latest_transform_job is None:
            raise ValidationError("No transform job yet: call transform() first.")
        self.latest_transform_job.wait()
