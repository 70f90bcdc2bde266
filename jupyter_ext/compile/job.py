"""Compilation jobs (SageMaker Neo's role) with ONNX and ONNX Runtime: `compile_model` makes
a "Compilation" job whose program exports, optimises and checks the model
(run_compile.py), and returns the compiled Model to deploy or transform with.

    compiled = compile_model(estimator.create_model(), "ml_c5", {"input0": [1, 3, 32, 32]},
                             framework="pytorch")
    compiled.deploy()

The model to compile is a serving Model, a model artifact (path or URI), or, in a notebook,
a torch `nn.Module` (traced to TorchScript on `input_shape`) or a fitted scikit-learn
estimator or pipeline.
"""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..jobs import Job, JobKind, JobSpec, Upload, submit, watch
from ..jobs.contract import base_environment
from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..serving.archives import unpack
from ..serving.model import Model
from ..store import absolute_uri, default_output_path, join_uri, local_path
from .exporters import detect_framework
from .targets import plan_for, tolerance_for

__all__ = ["CompilationJob", "compile_model", "start_compilation", "compiled_model"]


def _input_shape(input_shape: Mapping[str, Any] | str | None) -> dict[str, list[int]]:
    """`input_shape` as {name: [dims]} (SageMaker's DataInputConfig is its JSON text)."""
    if input_shape is None or input_shape == "":
        return {}
    if isinstance(input_shape, str):
        try:
            input_shape = json.loads(input_shape)
        except json.JSONDecodeError:
            raise ValidationError(f"input_shape {input_shape!r} is not JSON; give e.g. "
                                  "'{\"input0\": [1, 3, 32, 32]}'.") from None
    if not isinstance(input_shape, Mapping) or not all(
            isinstance(v, (list, tuple)) and v and all(isinstance(d, int) and d > 0 for d in v)
            for v in input_shape.values()):
        raise ValidationError(f"input_shape {input_shape!r}: give {{input name: [dimensions]}}, e.g. "
                              "{'input0': [1, 3, 32, 32]} (batch first).")
    return {str(k): list(v) for k, v in input_shape.items()}


def _source(model: Any) -> tuple[str | None, Any, dict[str, Any], str]:
    """(artifact path or URI, or None; the in-memory model to save, or None; serving code; name)."""
    if isinstance(model, Model):
        return str(model.model_data), None, {"entry_point": model.entry_point, "code_dir": model.code_dir}, model.name
    if isinstance(model, (str, Path)):
        return str(Model(str(model)).model_data), None, {}, Path(str(model)).name.split(".")[0] or "model"
    kind = type(model).__module__.split(".")[0]
    if kind in ("torch", "sklearn") or hasattr(model, "state_dict") or hasattr(model, "predict"):
        return None, model, {}, type(model).__name__.lower()
    raise ValidationError(f"compile_model takes a Model, a model artifact, a torch nn.Module or a fitted "
                          f"scikit-learn estimator; got {type(model).__name__}.")


def _framework_of(artifact: str) -> str | None:
    """The framework an artifact on this machine holds, from its top-level file names (None
    for a remote URI: the job tells it once unpacked)."""
    path = local_path(artifact)
    if path is None:
        return None
    if path.is_dir():
        names = [p.name for p in path.iterdir() if p.is_file()]
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            names = [m.name.removeprefix("./") for m in tar.getmembers() if m.isfile()]
        names = [n for n in names if "/" not in n]
    else:
        names = [path.name]
    return detect_framework(names)


def _save_in_memory(model: Any, folder: Path, input_shape: Mapping[str, list[int]]) -> None:
    """Write a notebook's model into `folder` as its artifact would hold it (TorchScript, joblib)."""
    folder.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "state_dict") and hasattr(model, "eval"):
        import torch

        if not input_shape:
            raise ValidationError("Compiling a torch module needs input_shape, e.g. {'input0': [1, 3, 32, 32]}.")
        example = torch.zeros(next(iter(input_shape.values())))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript is what the ONNX exporter reads
            traced = model if isinstance(model, torch.jit.ScriptModule) else torch.jit.trace(model.eval(), example)
            torch.jit.save(traced, str(folder / "model.pt"))
        return
    import joblib

    joblib.dump(model, folder / "model.joblib")


class CompilationJob(JobKind):
    """A compilation job: the source model, the target's plan, the tolerance and sample inputs."""

    base_job_name = "compilation"

    def __init__(self, model: Any, target: str, input_shape: Mapping[str, Any] | str | None,
                 output_path: str | None, framework: str | None, framework_version: str | None,
                 tolerance: float | Mapping[str, float] | None, sample_inputs: Any = None, max_run: int = 900) -> None:
        self.artifact, self.in_memory, self.code, self.source_name = _source(model)
        self.plan = plan_for(target)
        self.tolerance = tolerance_for(self.plan, tolerance)
        self.input_shape = _input_shape(input_shape)
        if framework:
            self.framework: str | None = framework.lower()
        elif self.artifact is not None:
            self.framework = _framework_of(self.artifact)
        else:
            self.framework = "pytorch" if hasattr(self.in_memory, "state_dict") else "sklearn"
        self.framework_version, self.sample_inputs, self.max_run = framework_version, sample_inputs, max_run
        self.output_path = absolute_uri(output_path) if output_path else default_output_path()
        self.base_job_name = f"{self.source_name}-{self.plan.target}".replace("_", "-")

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        destination = join_uri(self.output_path, name, "model.tar.gz")
        if local_path(destination) is not None:
            destination = str(local_path(destination))
        source = absolute_uri(self.artifact) if self.artifact else f"{self.source_name} (from the notebook)"
        details = {"target": self.plan.target, "framework": self.framework, "framework_version": self.framework_version,
                   "input_shape": self.input_shape, "plan": self.plan.to_dict(), "tolerance": self.tolerance.to_dict(),
                   "source_name": self.source_name}
        return JobSpec(name=name, job_type="Compilation",
                       program=[sys.executable, "-m", "jupyter_ext.compile.run_compile", "compile.json"],
                       environment=base_environment(name, job_dir, {}), max_run=self.max_run,
                       uploads=[Upload("model", destination, archive=True, role="model_data")],
                       record={"inputs": {"model": source}, "outputs": {"model_data": destination}, "details": details})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        model_dir = job_dir / "input" / "model"
        framework = self.framework
        if self.artifact is not None:
            unpacked = unpack(self.artifact, model_dir)
            if unpacked != model_dir:  # a folder is used where it is: the job keeps its own copy
                shutil.copytree(unpacked, model_dir)
        else:
            _save_in_memory(self.in_memory, model_dir, self.input_shape)
        details = spec.record["details"]
        config = {"model_dir": "input/model", "framework": framework, "code": self.code,
                  "samples": self._write_samples(job_dir), "source_model": spec.record["inputs"]["model"],
                  **{key: details[key] for key in ("source_name", "framework_version", "input_shape", "plan", "tolerance")}}
        (job_dir / "compile.json").write_text(json.dumps(config, indent=1))

    def _write_samples(self, job_dir: Path) -> str | None:
        given = self.sample_inputs
        if given is None:
            return None
        if isinstance(given, (str, Path)):
            path = Path(given).expanduser().resolve()
            if path.suffix not in (".npy", ".csv") or not path.is_file():
                raise ValidationError(f"sample_inputs {given}: give a .npy or .csv file that exists, or an array.")
            (job_dir / "input" / f"samples{path.suffix}").write_bytes(path.read_bytes())
            return f"input/samples{path.suffix}"
        if hasattr(given, "to_csv"):
            given.to_csv(job_dir / "input" / "samples.csv", index=False)
            return "input/samples.csv"
        import numpy

        numpy.save(job_dir / "input" / "samples.npy", numpy.asarray(given), allow_pickle=False)
        return "input/samples.npy"


def start_compilation(model: Any, target_instance_family: str, input_shape: Mapping[str, Any] | str | None = None,
                      output_path: str | None = None, framework: str | None = None,
                      framework_version: str | None = None, tolerance: float | Mapping[str, float] | None = None,
                      sample_inputs: Any = None, job_name: str | None = None, max_run: int = 900,
                      options: Mapping[str, Any] | None = None) -> Job:
    """Start a compilation job of `model` (see `compile_model`) and return it at once."""
    kind = CompilationJob(model, target_instance_family, input_shape, output_path, framework, framework_version,
                          tolerance, sample_inputs, max_run)
    return submit(kind, job_name, options)


def compiled_model(job: Job, name: str | None = None) -> Model:
    """The Model of a Completed compilation job's model.tar.gz (served with ONNX Runtime)."""
    description = job.describe()
    if description.job_type != "Compilation":
        raise ValidationError(f"{job.name} is a {description.job_type} job, not a compilation job.")
    if description.status != "Completed" or not description.model_data:
        raise ValidationError(f"Compilation job {job.name} is {description.status}"
                              + (f": {description.failure_reason}" if description.failure_reason else "."))
    return Model(description.model_data, name=name or job.name)


def compile_model(model: Any, target_instance_family: str, input_shape: Mapping[str, Any] | str | None = None,
                  output_path: str | None = None, framework: str | None = None, framework_version: str | None = None,
                  tolerance: float | Mapping[str, float] | None = None, sample_inputs: Any = None,
                  job_name: str | None = None, logs: bool = True, compile_max_run: int = 900,
                  **_sagemaker_only: Any) -> Model:
    """Compile `model` for `target_instance_family` ("ml_c5", "ml_m5", "lambda", "rasp4b", ...)
    with ONNX Runtime and return the compiled Model once the job Completed.

    `input_shape` ({"input0": [1, 3, 32, 32]}, batch first) is needed for torch models;
    `framework` ("pytorch", "sklearn", "xgboost") is told from the artifact when not given.
    The job checks the compiled model against the original on `sample_inputs` (an array,
    DataFrame, .npy or .csv; drawn from the shape when not given) and fails outside
    `tolerance` (max relative difference, default 1e-4 in fp32 and 0.05 for int8 edge
    targets; or a mapping with `min_label_agreement` too). Raises UnexpectedStatusError
    with the job's reason (the converter's message for a model it cannot export).
    """
    ignore_sagemaker_arguments("compile_model", _sagemaker_only)
    job = start_compilation(model, target_instance_family, input_shape, output_path, framework, framework_version,
                            tolerance, sample_inputs, job_name, compile_max_run)
    watch(job, True, logs)
    return compiled_model(job)
