"""Batch transform (SageMaker's Transformer): a model run over files as a "Transform" job.

The job loads the model in its own process with the endpoint's handlers, splits each
input file into records (`split_type="Line"`), sends them in batches (`MultiRecord`:
as many as fit in `max_payload` MB; `SingleRecord`: one each) and writes `<file>.out`
at the same relative path under `output_path`, one response per line (`assemble_with="Line"`).
Records can be lines, MXNet RecordIO or TFRecord records, of plain or Gzip files;
`input_filter`, `join_source` and `output_filter` are SageMaker's data processing
(see `data_processing`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..jobs import Job, JobKind, JobSpec, Upload, check_job_options, submit, watch
from ..jobs.contract import base_environment
from ..store import artifact_store_for, default_output_path, join_uri, local_path
from .data_processing import DataProcessing
from .variants import Servable

__all__ = ["Transformer", "TransformJob", "STRATEGIES"]

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
                 **options: Any) -> None:
        self.job_options = check_job_options("Transform", options)
        ignore_sagemaker_arguments("Transformer", {k: v for k, v in options.items() if k not in self.job_options})
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
                  job_name: str | None = None, input_filter: str | None = None, output_filter: str | None = None,
                  join_source: str | None = None, experiment_config: dict[str, str] | None = None,
                  wait: bool = True, logs: bool = True, **_sagemaker_only: Any) -> None:
        """Transform `data` (a file or a folder of files); with `wait`, raise unless the job Completed.

        `split_type` is Line, RecordIO, TFRecord or None (each file one record);
        `compression_type` None or Gzip. `input_filter` / `output_filter` are JSONPaths
        ("$[1:]": a CSV row without its first field) and `join_source="Input"` puts each
        input record beside its output, as SageMaker's DataProcessing does."""
        ignore_sagemaker_arguments("Transformer.transform", _sagemaker_only)
        settings = self._settings(data, data_type, content_type, compression_type, split_type)
        processing = DataProcessing(input_filter, output_filter, join_source if join_source != "None" else None)
        if settings["split_type"] in ("RecordIO", "TFRecord") and (processing.per_record or processing.input_filter):
            raise ValidationError("input_filter, output_filter and join_source work on CSV and JSON records; "
                                  f"split_type {split_type} records are binary.")
        settings.update(input_filter=input_filter, output_filter=output_filter, join_source=processing.join_source)
        options = {**self.job_options, "experiment_config": experiment_config}
        check_job_options("Transform", options)
        kind = TransformJob(self, settings)
        self.latest_transform_job = submit(kind, job_name, options)
        self.output_path = kind.output_path
        watch(self.latest_transform_job, wait, logs)

    def _settings(self, data: str, data_type: str, content_type: str | None, compression_type: str | None,
                  split_type: str | None) -> dict[str, Any]:
        source = local_path(str(data))
        if (source is None and not artifact_store_for(str(data)).exists(str(data))) or (source and not source.exists()):
            raise ValidationError(f"Transform input {data} does not exist" + (f" (looked for {source})." if source else "."))
        _choice("data_type", data_type, ("S3Prefix",))
        _choice("compression_type", compression_type, (None, "None", "Gzip"))
        _choice("split_type", split_type, ("Line", "RecordIO", "TFRecord", None, "None"))
        return {"data": str(source or data), "content_type": content_type, "accept": self.accept or content_type,
                "split_type": split_type if split_type != "None" else None,
                "compression_type": compression_type if compression_type != "None" else None}

    def wait(self) -> None:
        """Block until the latest transform job ends."""
        if self.latest_transform_job is None:
            raise ValidationError("No transform job yet: call transform() first.")
        self.latest_transform_job.wait()


class TransformJob(JobKind):
    """A batch transform job of a Transformer over one input (`settings`: data, content
    types, split and join); its `output_path` is known once its spec is built."""

    def __init__(self, transformer: Transformer, settings: dict[str, Any]) -> None:
        self.transformer, self.settings = transformer, settings
        self.base_job_name, self.output_path = transformer.base_transform_job_name, transformer.output_path
        self.config: dict[str, Any] = {}

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        t = self.transformer
        output_path = self.output_path or join_uri(default_output_path(), name)
        if local_path(output_path) is not None:
            output_path = str(local_path(output_path))
        self.output_path = output_path
        given = self.settings
        self.config = config = {
            "data": given["data"], "containers": t.model.containers(), "content_type": given["content_type"],
            "accept": given["accept"], "split_type": given["split_type"], "strategy": t.strategy,
            "max_payload": t.max_payload, "assemble_with": t.assemble_with if t.assemble_with != "None" else None,
            "join_source": given["join_source"], "max_concurrent_transforms": t.max_concurrent_transforms,
            **{key: given[key] for key in ("input_filter", "output_filter", "compression_type")}}
        env = base_environment(name, job_dir, {
            **t.env, "SAGEMAKER_BATCH": "True", "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(t.max_payload),
            "SAGEMAKER_BATCH_STRATEGY": STRATEGIES[t.strategy],
            "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": str(t.max_concurrent_transforms)})
        return JobSpec(name=name, job_type="Transform",
                       program=[sys.executable, "-m", "jupyter_ext.serving.run_transform", "transform.json"],
                       environment=env, uploads=[Upload("output/transform", output_path, role="output_data")],
                       record={"inputs": {"data": self.settings["data"]}, "outputs": {"output_path": output_path},
                               "details": {k: v for k, v in config.items() if k != "containers"}
                               | {"model_name": t.model.name}})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        data = self.config["data"]
        if local_path(data) is None:  # a URI (s3://...): the job reads its own copy
            self.config = {**self.config, "data": str(artifact_store_for(data).download(data, job_dir / "input"))}
        (job_dir / "transform.json").write_text(json.dumps(self.config, indent=1))

