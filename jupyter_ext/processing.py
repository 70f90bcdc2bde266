"""Processing jobs with SageMaker's Processor API, run locally as detached jobs.

Container paths under `/opt/ml/processing/...` (in inputs, outputs and arguments) are
mapped into the job folder; the program finds its data there, as in SageMaker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ValidationError
from .sagemaker_arguments import ignore_sagemaker_arguments
from .jobs import Job, JobKind, JobSpec, Upload, check_job_options, resolve_executor, submit, watch
from .jobs.contract import base_environment, copy_input, map_container_path, python_command
from .jobs.spec import DEFAULT_MAX_RUN
from .store import absolute_uri, artifact_store_for, default_output_path, join_uri, local_path, looked_for

__all__ = ["ProcessingInput", "ProcessingOutput", "Processor", "ProcessingJob", "ScriptProcessor", "NotebookProcessor"]

PROCESSING_ROOT = "/opt/ml/processing/"
MAX_INPUTS = MAX_OUTPUTS = 10
_CONTAINER_PATH = re.compile(r"(^|=)/opt/ml(?=/|$)")


@dataclass
class ProcessingInput:
    """Data copied into the job before it runs: `source` (path or URI) → `destination`
    (a container path under /opt/ml/processing/, default `.../input/<input_name>`)."""

    source: str
    destination: str | None = None
    input_name: str | None = None
    s3_data_type: str = "S3Prefix"
    s3_input_mode: str = "File"
    s3_data_distribution_type: str = "FullyReplicated"
    s3_compression_type: str = "None"


@dataclass
class ProcessingOutput:
    """Data kept after the job: container path `source` → `destination` (path or URI,
    default `<output_path>/<job>/output/<output_name>`)."""

    source: str
    destination: str | None = None
    output_name: str | None = None
    s3_upload_mode: str = "EndOfJob"


def _container_path(path: str, what: str) -> str:
    if not path.startswith(PROCESSING_ROOT):
        raise ValidationError(f"{what} {path!r} must be a container path under {PROCESSING_ROOT}.")
    return path.rstrip("/")


def _check_inputs(inputs: Sequence[ProcessingInput]) -> list[ProcessingInput]:
    if len(inputs) > MAX_INPUTS:
        raise ValidationError(f"{len(inputs)} processing inputs given; a job takes at most {MAX_INPUTS}.")
    checked = []
    for index, item in enumerate(inputs, 1):
        name = item.input_name or f"input-{index}"
        destination = _container_path(item.destination or f"{PROCESSING_ROOT}input/{name}", "Input destination")
        if not artifact_store_for(item.source).exists(item.source):
            raise ValidationError(
                f"Processing input '{name}': {item.source} does not exist{looked_for(item.source)}. "
                "Check the path (relative paths start from the notebook's folder)."
            )
        checked.append(ProcessingInput(item.source, destination, name))
    return checked


class Processor:
    """A command run as a processing job (SageMaker's Processor).

    `entrypoint` is the command (`python3` means this environment's Python); `run()`
    appends `arguments`. `max_runtime_in_seconds` bounds the run; `env` adds variables.
    """

    job_kind = "processing"

    def __init__(
        self,
        entrypoint: Sequence[str] | None = None,
        instance_type: str = "local",
        env: Mapping[str, str] | None = None,
        max_runtime_in_seconds: int = DEFAULT_MAX_RUN,
        base_job_name: str | None = None,
        output_path: str | None = None,
        instance_count: int = 1,
        **options: Any,  # role, image_uri...: accepted silently; others with a warning
    ) -> None:
        if instance_count != 1:
            raise ValidationError("instance_count must be 1: jobs run on this machine.")
        if not isinstance(max_runtime_in_seconds, int) or max_runtime_in_seconds < 1:
            raise ValidationError(f"max_runtime_in_seconds must be a whole number >= 1; got {max_runtime_in_seconds!r}.")
        self.entrypoint = list(entrypoint or [])
        self.instance_type, self.executor = instance_type, resolve_executor(instance_type)
        self.env = dict(env or {})
        base_environment("check", Path("."), self.env)
        self.max_runtime_in_seconds = max_runtime_in_seconds
        self.base_job_name = base_job_name or self.job_kind
        # A relative path starts from the notebook's folder, not the job's.
        self.output_path = absolute_uri(output_path) if output_path else default_output_path()
        self.latest_job: Job | None = None
        self.jobs: list[Job] = []
        self.job_options = check_job_options("Processing", options)
        ignore_sagemaker_arguments(type(self).__name__, {k: v for k, v in options.items() if k not in self.job_options})

    def run(self, inputs: Sequence[ProcessingInput] | None = None,
            outputs: Sequence[ProcessingOutput] | None = None, arguments: Sequence[str] | None = None,
            wait: bool = True, logs: bool = True, job_name: str | None = None,
            experiment_config: Mapping[str, str] | None = None) -> None:
        """Run the entrypoint with `arguments`; with `wait`, raise unless it Completed."""
        if not self.entrypoint:
            raise ValidationError("Processor needs an entrypoint, e.g. Processor(entrypoint=['python3', 'prep.py']).")
        self.experiment_config = experiment_config
        self._launch(self.entrypoint + list(arguments or []), inputs, outputs, wait, logs, job_name)

    def start(self, inputs: Sequence[ProcessingInput] | None = None,
              outputs: Sequence[ProcessingOutput] | None = None, arguments: Sequence[str] | None = None,
              job_name: str | None = None, experiment_config: Mapping[str, str] | None = None) -> Job:
        """Start the entrypoint with `arguments` as a job and return it at once."""
        if not self.entrypoint:
            raise ValidationError("Processor needs an entrypoint, e.g. Processor(entrypoint=['python3', 'prep.py']).")
        self.experiment_config = experiment_config
        return self._start(self.entrypoint + list(arguments or []), inputs, outputs, job_name)

    def to_config(self) -> dict[str, Any]:
        """What it takes to build this processor again in another process (JSON-ready)."""
        config = {"entrypoint": self.entrypoint, "instance_type": self.instance_type, "env": self.env,
                  "max_runtime_in_seconds": self.max_runtime_in_seconds, "base_job_name": self.base_job_name,
                  "output_path": self.output_path}
        if isinstance(self, ScriptProcessor):
            config["command"] = self.command
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Processor:
        """The Processor (a ScriptProcessor if it has a `command`) `to_config()` described."""
        settings = dict(config)
        if "command" in settings:
            settings.pop("entrypoint")
            return ScriptProcessor(**settings)
        return Processor(**settings)

    def _launch(self, command: list[str], inputs: Sequence[ProcessingInput] | None,
                outputs: Sequence[ProcessingOutput] | None, wait: bool, logs: bool,
                job_name: str | None, code: tuple[Path, str] | None = None,
                extra: Mapping[str, Any] | None = None) -> Job:
        job = self._start(command, inputs, outputs, job_name, code, extra)
        watch(job, wait, logs)
        return job

    def _start(self, command: list[str], inputs: Sequence[ProcessingInput] | None,
               outputs: Sequence[ProcessingOutput] | None, job_name: str | None,
               code: tuple[Path, str] | None = None, extra: Mapping[str, Any] | None = None) -> Job:
        options = {**self.job_options, "experiment_config": getattr(self, "experiment_config", None)}
        check_job_options("Processing", options)
        checked = _check_inputs(list(inputs or []))
        if code is not None:
            checked.append(ProcessingInput(str(code[0]), str(Path(code[1]).parent), "code"))
        if len(outputs or []) > MAX_OUTPUTS:
            raise ValidationError(f"{len(outputs or [])} processing outputs given; a job takes at most {MAX_OUTPUTS}.")
        source = code[0].name if code else " ".join(command)
        kind = ProcessingJob(self, command, checked, list(outputs or []), dict(extra or {}), source)
        self.latest_job = submit(kind, job_name, options)
        self.jobs.append(self.latest_job)
        return self.latest_job

    def _uploads(self, name: str, outputs: list[ProcessingOutput], extra: Mapping[str, Any]) -> tuple[list[Upload], dict[str, str]]:
        uploads, destinations = [], {}
        for index, item in enumerate(outputs, 1):
            output_name = item.output_name or f"output-{index}"
            source = _container_path(item.source, "Output source")
            destination = item.destination or join_uri(self.output_path, name, "output", output_name)
            if local_path(destination) is not None:
                destination = str(local_path(destination))
            uploads.append(Upload(source[len("/opt/ml/"):], destination))
            destinations[output_name] = destination
        return uploads, destinations

    def _build(self, job_dir: Path, spec: JobSpec, inputs: list[ProcessingInput], uploads: list[Upload]) -> None:
        for item in inputs:
            destination = Path(map_container_path(item.destination, job_dir))
            source = local_path(item.source)
            if source is not None:
                copy_input(source, destination)
            else:
                artifact_store_for(item.source).download(item.source, destination)
        for upload in uploads:
            (job_dir / upload.source).mkdir(parents=True, exist_ok=True)
        config = job_dir / "config"
        config.mkdir(exist_ok=True)
        (config / "processingjobconfig.json").write_text(json.dumps({
            "ProcessingJobName": spec.name,
            "AppSpecification": {"ContainerEntrypoint": spec.record["arguments"]},
            "Environment": self.env,
            "ProcessingInputs": [{"InputName": i.input_name, "S3Input": {"S3Uri": i.source, "LocalPath": i.destination}} for i in inputs],
            "ProcessingOutputConfig": {"Outputs": [{"OutputName": n, "S3Output": {"S3Uri": d}} for n, d in spec.record["outputs"].items()]},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": self.instance_type}},
            "StoppingCondition": {"MaxRuntimeInSeconds": spec.max_run},
        }, indent=1))
        (config / "resourceconfig.json").write_text(json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))


class ProcessingJob(JobKind):
    """A processing job of a Processor: its command and its checked inputs and outputs."""

    def __init__(self, processor: Processor, command: list[str], inputs: list[ProcessingInput],
                 outputs: list[ProcessingOutput], extra: dict[str, Any], source: str) -> None:
        self.processor, self.command, self.inputs, self.outputs = processor, command, inputs, outputs
        self.extra, self.source = extra, source
        self.base_job_name, self.output_path = processor.base_job_name, processor.output_path
        self.uploads: list[Upload] = []

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        processor = self.processor
        self.uploads, destinations = processor._uploads(name, self.outputs, self.extra)
        program = [_CONTAINER_PATH.sub(lambda m: m.group(1) + str(job_dir), arg) for arg in python_command(self.command)]
        return JobSpec(
            name=name, job_type="Processing", program=program, working_dir=".",
            environment=base_environment(name, job_dir, processor.env), max_run=processor.max_runtime_in_seconds,
            uploads=self.uploads, executor=processor.executor,
            record={"inputs": {i.input_name: absolute_uri(i.source) for i in self.inputs}, "outputs": destinations,
                    "arguments": list(self.command), **self.extra},
        )

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        self.processor._build(job_dir, spec, self.inputs, self.uploads)

    def run_details(self, spec: JobSpec) -> tuple[Mapping[str, Any], str | None]:
        return self.extra.get("parameters", {}), self.source


class ScriptProcessor(Processor):
    """Runs a script with `command` (default `python3`), as SageMaker's ScriptProcessor.

    The script lands in /opt/ml/processing/input/code/ of the job.
    """

    def __init__(self, command: Sequence[str] = ("python3",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.command = list(command)

    def run(self, code: str, inputs: Sequence[ProcessingInput] | None = None,  # type: ignore[override]
            outputs: Sequence[ProcessingOutput] | None = None, arguments: Sequence[str] | None = None,
            wait: bool = True, logs: bool = True, job_name: str | None = None,
            experiment_config: Mapping[str, str] | None = None) -> None:
        """Run `code` (a local script) with `arguments`; with `wait`, raise unless it Completed."""
        watch(self.start(code, inputs, outputs, arguments, job_name, experiment_config), wait, logs)

    def start(self, code: str, inputs: Sequence[ProcessingInput] | None = None,  # type: ignore[override]
              outputs: Sequence[ProcessingOutput] | None = None, arguments: Sequence[str] | None = None,
              job_name: str | None = None, experiment_config: Mapping[str, str] | None = None) -> Job:
        """Start `code` (a local script) with `arguments` as a job and return it at once."""
        self.experiment_config = experiment_config
        script = Path(code).resolve()
        if not script.is_file():
            raise ValidationError(f"code {code} not found (looked for {script}).")
        if self.base_job_name == self.job_kind:
            self.base_job_name = script.stem
        container = f"{PROCESSING_ROOT}input/code/{script.name}"
        return self._start(self.command + [container] + list(arguments or []), inputs, outputs,
                           job_name, code=(script, container))


class NotebookProcessor(Processor):
    """Runs a notebook with papermill as a processing job; the executed notebook (kept
    even when a cell fails) is the output `notebook`.

    The notebook runs in its own folder, so its relative paths work as they do by hand.
    """

    job_kind = "notebook"

    def __init__(self, kernel_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_name = kernel_name

    def run(self, notebook: str, parameters: Mapping[str, Any] | None = None,  # type: ignore[override]
            inputs: Sequence[ProcessingInput] | None = None, outputs: Sequence[ProcessingOutput] | None = None,
            wait: bool = True, logs: bool = True, job_name: str | None = None,
            experiment_config: Mapping[str, str] | None = None) -> None:
        """Execute `notebook` with `parameters` injected; with `wait`, raise unless it Completed."""
        self.experiment_config = experiment_config
        path = Path(notebook).resolve()
        if not path.is_file() or path.suffix != ".ipynb":
            raise ValidationError(f"notebook {notebook} is not an .ipynb file (looked for {path}).")
        try:
            params = json.dumps(dict(parameters or {}))
        except (TypeError, ValueError):
            raise ValidationError("Notebook parameters must be JSON values (numbers, strings, lists, dicts).") from None
        if self.base_job_name == self.job_kind:
            self.base_job_name = path.stem
        container = f"{PROCESSING_ROOT}input/code/{path.name}"
        executed = f"{PROCESSING_ROOT}output/notebook/{path.name}"
        command = ["python3", "-m", "papermill", container, executed, "-y", params,
                   "--cwd", str(path.parent), "--log-output", "--no-progress-bar"]
        if self.kernel_name:
            command += ["-k", self.kernel_name]
        outputs = [*(outputs or []), ProcessingOutput(executed.rsplit("/", 1)[0], output_name="notebook")]
        self._launch(command, inputs, outputs, wait, logs, job_name, code=(path, container),
                     extra={"parameters": dict(parameters or {})})

    def _uploads(self, name: str, outputs: list[ProcessingOutput], extra: Mapping[str, Any]) -> tuple[list[Upload], dict[str, str]]:
        uploads, destinations = super()._uploads(name, outputs, extra)
        uploads[-1].when = "always"  # a failed run's notebook shows where it failed
        return uploads, destinations
