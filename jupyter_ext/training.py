"""Training jobs with SageMaker's Estimator API, run locally as detached jobs.

    est = Estimator(entry_point="train.py", source_dir="src", hyperparameters={"lr": 0.01},
                    metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}])
    est.fit({"train": "data/"})
    est.model_data      # <output_path>/<job>/output/model.tar.gz
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ValidationError
from .inputs import Inputs, TrainingInput, channel_uris, check_channels, copy_channel, data_config
from .sagemaker_arguments import ignore_sagemaker_arguments
from .jobs import Job, JobKind, JobSpec, Upload, check_job_options, resolve_executor, submit, watch
from .distributed import check_distribution, check_instance_count, copy_code_to_hosts, plan_hosts, torchrun_environment
from .jobs.contract import (
    TRAINING_FOLDERS, base_environment, copy_code, decode_hyperparameter, encode_hyperparameters,
    hyperparameter_args, python_command, resource_config, training_environment,
)
from .jobs.hosts import Host
from .jobs.metrics import validate_metric_definitions
from .jobs.spec import DEFAULT_MAX_RUN
from .store import absolute_uri, default_output_path, join_uri

if TYPE_CHECKING:
    from .serving import DataCaptureConfig, Deserializer, Model, Predictor, Serializer, Transformer

__all__ = ["Estimator", "TrainingInput", "TrainingJob", "channel_uris"]

def _locate_code(entry_point: str, source_dir: str | None) -> tuple[Path | None, Path]:
    """The resolved source folder (if any) and entry script; ValidationError if missing."""
    folder = Path(source_dir).resolve() if source_dir else None
    if folder is not None and not folder.is_dir():
        raise ValidationError(f"source_dir {source_dir} is not a folder.")
    script = ((folder or Path.cwd()) / entry_point).resolve()
    if not script.is_file():
        raise ValidationError(
            f"entry_point {entry_point} not found (looked for {script}); "
            "give a script path relative to source_dir, or to the current folder."
        )
    if folder is not None and not script.is_relative_to(folder):
        raise ValidationError(f"entry_point {entry_point} must be inside source_dir {source_dir}.")
    return folder, script


class Estimator:
    """A training script run as a job, SageMaker-style.

    `entry_point` is a script (.py runs with this Python, .sh with sh, else executed
    directly), relative to `source_dir` when given. `hyperparameters` reach it as
    `--name value` arguments and SM_HP_* variables; `metric_definitions` are regexes over
    its output. `max_run` is in seconds. Threads default to one per library; set
    `environment={"OMP_NUM_THREADS": "2"}` to change that. `instance_count=N` runs the
    script on N hosts algo-1..algo-N (see `jupyter_ext.distributed`), with
    `distribution={"torch_distributed": {"enabled": True}}` as torchrun would. Job extensions
    take their own options: `rules=[Rule.builtin(...)]`, `debugger_hook_config=` and
    `tensorboard_output_config=` (the debugger). SageMaker arguments about AWS (role,
    sagemaker_session, image_uri...) are accepted silently; others we cannot honour with a
    SageMakerArgumentWarning naming them.
    Raises ValidationError on bad input.
    """

    def __init__(
        self,
        entry_point: str,
        source_dir: str | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        metric_definitions: list[dict[str, str]] | None = None,
        instance_type: str = "local",
        output_path: str | None = None,
        max_run: int = DEFAULT_MAX_RUN,
        environment: Mapping[str, str] | None = None,
        base_job_name: str | None = None,
        dependencies: list[str] | None = None,
        instance_count: int = 1,
        distribution: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        self.source_dir, self._entry_path = _locate_code(entry_point, source_dir)
        self.entry_point = str(self._entry_path.relative_to(self.source_dir or self._entry_path.parent))
        self.dependencies = [Path(d).resolve() for d in dependencies or []]
        for dependency in self.dependencies:
            if not dependency.exists():
                raise ValidationError(f"dependency {dependency} does not exist.")
        self._hyperparameters = dict(hyperparameters or {})
        encode_hyperparameters(self._hyperparameters)
        self.metric_definitions = validate_metric_definitions(metric_definitions)
        if not isinstance(max_run, int) or max_run < 1:
            raise ValidationError(f"max_run must be a whole number of seconds >= 1; got {max_run!r}.")
        self.instance_count = check_instance_count(instance_count)
        self.distribution = dict(distribution or {})
        check_distribution(self.distribution)
        self.instance_type, self.max_run = instance_type, max_run
        self.executor = resolve_executor(instance_type)
        # A relative path starts from the notebook's folder, not the job's.
        self.output_path = absolute_uri(output_path) if output_path else default_output_path()
        self.environment = dict(environment or {})
        base_environment("check", Path("."), self.environment)
        self.base_job_name = base_job_name or Path(self.entry_point).stem
        self.latest_training_job: Job | None = None
        self.job_options = check_job_options("Training", options)
        ignore_sagemaker_arguments("Estimator", {k: v for k, v in options.items() if k not in self.job_options})

    @property
    def entry_path(self) -> Path:
        """The entry script's absolute path."""
        return self._entry_path

    def set_hyperparameters(self, **hyperparameters: Any) -> None:
        """Add or replace hyperparameters."""
        encode_hyperparameters(hyperparameters)
        self._hyperparameters.update(hyperparameters)

    def hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters the next job gets."""
        return dict(self._hyperparameters)

    def fit(self, inputs: Inputs = None, wait: bool = True, logs: bool = True,
            job_name: str | None = None, experiment_config: Mapping[str, str] | None = None) -> None:
        """Start a training job with `inputs` (path, TrainingInput, or {channel: ...}).

        With `wait`, blocks until it ends and raises UnexpectedStatusError unless it
        Completed; with `logs`, shows the log as it comes. `experiment_config`
        ({"ExperimentName": ..., "TrialName": ..., "RunName": ...}) puts the job's run in
        an experiment; every job is tracked as a run either way.
        """
        watch(self.start(inputs, job_name, experiment_config), wait, logs)

    def start(self, inputs: Inputs = None, job_name: str | None = None,
              experiment_config: Mapping[str, str] | None = None) -> Job:
        """Start a training job with `inputs` and return it at once (what `fit` shows)."""
        options = {**self.job_options, "experiment_config": experiment_config}
        check_job_options("Training", options)
        self.latest_training_job = submit(TrainingJob(self, check_channels(inputs)), job_name, options)
        return self.latest_training_job

    def command(self) -> list[str]:
        """How the entry script is run: .py with this Python, .sh with sh, else directly."""
        suffix = self._entry_path.suffix
        if suffix == ".py":
            return python_command(["python", self.entry_point])
        if suffix == ".sh":
            return ["/bin/sh", self.entry_point]
        return [f"./{self.entry_point}"]

    def to_config(self) -> dict[str, Any]:
        """What it takes to build this Estimator again in another process (JSON-ready)."""
        return {
            "entry_point": self.entry_point, "source_dir": str(self.source_dir) if self.source_dir else None,
            "entry_path": str(self._entry_path), "hyperparameters": self.hyperparameters(),
            "metric_definitions": self.metric_definitions, "instance_type": self.instance_type,
            "output_path": self.output_path, "max_run": self.max_run, "environment": self.environment,
            "base_job_name": self.base_job_name, "dependencies": [str(d) for d in self.dependencies],
            "instance_count": self.instance_count, "distribution": self.distribution,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Estimator:
        """The Estimator `to_config()` described (with `job_options`, if the config has them:
        job extensions' options, as the constructor takes them)."""
        entry = config["entry_point"] if config["source_dir"] else config["entry_path"]
        return cls(entry, source_dir=config["source_dir"], hyperparameters=config["hyperparameters"],
                   metric_definitions=config["metric_definitions"], instance_type=config["instance_type"],
                   output_path=config["output_path"], max_run=config["max_run"],
                   environment=config["environment"], base_job_name=config["base_job_name"],
                   dependencies=config["dependencies"], instance_count=config.get("instance_count", 1),
                   distribution=config.get("distribution"), **dict(config.get("job_options") or {}))

    @classmethod
    def attach(cls, training_job_name: str) -> Estimator:
        """An Estimator for an existing training job (any process's), e.g. after a restart:
        its settings are the job's, its code the job's copy, so `fit()` runs a new job."""
        job = Job(training_job_name)
        spec = job.spec()
        if spec.job_type != "Training":
            raise ValidationError(f"{training_job_name} is a {spec.job_type} job, not a training job.")
        config = dict(spec.record.get("estimator") or _config_of_older_job(spec))
        code = job.job_dir / "code"
        if code.is_dir():  # the job's own copy: what it ran, even if the notebook's files changed since
            config.update(source_dir=str(code), dependencies=[])
        estimator = cls.from_config(config)
        estimator.latest_training_job = job
        return estimator

    def _ipython_display_(self) -> None:
        """An Estimator as a cell's value (`Estimator.attach(NAME)`) shows its latest job's monitor."""
        if self.latest_training_job is None:
            print(f"Estimator for {self.entry_point}: no training job yet; fit() starts one.")
        else:
            self.latest_training_job.watch()

    @property
    def model_data(self) -> str | None:
        """Where the latest job's model.tar.gz is (a path for local storage), once Completed."""
        if self.latest_training_job is None:
            return None
        return self.latest_training_job.describe().model_data

    def create_model(self, entry_point: str | None = None, source_dir: str | None = None,
                     env: Mapping[str, str] | None = None, name: str | None = None, **_sagemaker_only: Any) -> Model:
        """A serving Model of the latest job's model.tar.gz. As SageMaker's framework
        estimators do, the training script serves too (its `model_fn`, `input_fn`,
        `predict_fn`, `output_fn`, where it defines them; the built-ins otherwise) unless
        another `entry_point` is given. ValidationError before a Completed job."""
        from .serving.model import Model

        ignore_sagemaker_arguments("Estimator.create_model", _sagemaker_only)
        job = self._completed_job()
        if entry_point is None and self._entry_path.suffix == ".py":
            entry_point, source_dir = self.entry_point, str(self.source_dir or self._entry_path.parent)
        return Model(job.describe().model_data or "", entry_point, source_dir, env, name or job.name)

    def register(self, *args: Any, **kwargs: Any) -> Any:
        """Register the latest job's model (`create_model()`) in the model registry; returns
        its ModelPackage. Arguments as `Model.register` (SageMaker SDK v2's Estimator.register)."""
        return self.create_model().register(*args, **kwargs)

    def deploy(self, initial_instance_count: int = 1, instance_type: str | None = None,
               serializer: Serializer | None = None, deserializer: Deserializer | None = None,
               endpoint_name: str | None = None, data_capture_config: DataCaptureConfig | None = None,
               wait: bool = True, **_sagemaker_only: Any) -> Predictor:
        """Serve the latest job's model on a local endpoint (see `create_model` for the
        inference code); returns its Predictor. `predictor.delete_endpoint()` removes it."""
        ignore_sagemaker_arguments("Estimator.deploy", _sagemaker_only)
        return self.create_model().deploy(endpoint_name, initial_instance_count, serializer, deserializer,
                                          data_capture_config, wait=wait)

    def compile_model(self, target_instance_family: str, input_shape: Mapping[str, Any] | str | None = None,
                      output_path: str | None = None, framework: str | None = None,
                      framework_version: str | None = None, **kwargs: Any) -> Model:
        """The latest job's model (`create_model()`) compiled for `target_instance_family` with
        ONNX Runtime; returns the compiled Model. Other arguments (`tolerance=`,
        `sample_inputs=`, `compile_max_run=`) as `Model.compile`."""
        return self.create_model().compile(target_instance_family, input_shape, output_path, framework=framework,
                                           framework_version=framework_version, **kwargs)

    def transformer(self, instance_count: int = 1, instance_type: str | None = None, **kwargs: Any) -> Transformer:
        """A batch Transformer of the latest job's model (arguments as `Transformer`'s)."""
        return self.create_model().transformer(instance_count, **kwargs)

    def _completed_job(self) -> Job:
        job = self.latest_training_job
        if job is None:
            raise ValidationError("No training job yet: call fit() before deploy() or create_model().")
        description = job.describe()
        if description.status != "Completed" or not description.model_data:
            raise ValidationError(f"Training job {job.name} is {description.status}; a model is served once "
                                  "its job Completed (fit() waits for it by default).")
        return job

    def logs(self) -> None:
        """Print the latest job's log, following it while the job runs."""
        if self.latest_training_job is None:
            raise ValidationError("No training job yet: call fit() first.")
        self.latest_training_job.logs(follow=True)


def _config_of_older_job(spec: JobSpec) -> dict[str, Any]:
    """An Estimator config from what a job recorded before it recorded its Estimator."""
    record = spec.record
    return {"entry_point": record["entry_point"], "source_dir": record.get("source_dir"), "entry_path": "",
            "hyperparameters": dict(record.get("hyperparameters", {})), "metric_definitions": spec.metric_definitions,
            "instance_type": record.get("instance_type", "local"), "output_path": None, "max_run": spec.max_run,
            "environment": {}, "base_job_name": spec.name, "dependencies": []}


class TrainingJob(JobKind):
    """A training job of an Estimator, with its checked input channels."""

    def __init__(self, estimator: Estimator, channels: dict[str, TrainingInput]) -> None:
        self.estimator, self.channels = estimator, channels
        self.encoded = encode_hyperparameters(estimator.hyperparameters())
        self.base_job_name, self.output_path = estimator.base_job_name, estimator.output_path

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        est = self.estimator
        decoded = {k: decode_hyperparameter(v) for k, v in self.encoded.items()}
        # The toolkit keeps its own `sagemaker_*` hyperparameters from the script's arguments.
        user = {k: v for k, v in decoded.items() if not k.startswith("sagemaker_")}
        environments = [self._environment(name, job_dir, host.folder, rank, user)
                        for rank, host in enumerate(self.hosts)]
        artifacts = join_uri(est.output_path, name, "output")
        requirements = (est.source_dir / "requirements.txt") if est.source_dir else None
        return JobSpec(
            name=name, job_type="Training", program=est.command() + hyperparameter_args(user),
            working_dir="code", environment=environments[0], max_run=est.max_run,
            metric_definitions=est.metric_definitions,
            requirements="code/requirements.txt" if requirements and requirements.is_file() else None,
            uploads=[
                Upload("model", join_uri(artifacts, "model.tar.gz"), archive=True, role="model_data"),
                Upload("output/data", join_uri(artifacts, "output.tar.gz"), archive=True,
                       when="always", role="output_data"),
            ],
            executor=est.executor, hosts=plan_hosts(est.instance_count, environments),
            record={"hyperparameters": decoded, "entry_point": est.entry_point,
                    "source_dir": str(est.source_dir) if est.source_dir else None,
                    "inputs": {c: absolute_uri(t.s3_data) for c, t in self.channels.items()},
                    "outputs": {"model_data": join_uri(artifacts, "model.tar.gz")},
                    "instance_type": est.instance_type, "instance_count": est.instance_count,
                    "estimator": est.to_config()},
        )

    @property
    def hosts(self) -> list[Host]:
        """Every host of the job (algo-1 first), with its folder."""
        return plan_hosts(self.estimator.instance_count, [{}] * self.estimator.instance_count) or [Host("algo-1")]

    def _environment(self, name: str, job_dir: Path, folder: str, rank: int, user: Mapping[str, Any]) -> dict[str, str]:
        """Every variable host number `rank` sees, its paths in its own folder."""
        est, host_dir = self.estimator, job_dir / folder
        names = [host.name for host in self.hosts]
        env = base_environment(name, job_dir, None)
        env["SAGEMAKER_BASE_DIR"] = str(host_dir)
        env.update(training_environment(name, host_dir, est.entry_point, user, data_config(self.channels),
                                        est.instance_type, names[rank], names))
        if check_distribution(est.distribution):
            env.update(torchrun_environment(rank, len(names)))
        base_path = env["PYTHONPATH"]  # the job's own packages, then the launching process's PYTHONPATH
        env.update(est.environment)
        # The launching process's PYTHONPATH last, so the job imports what the notebook imports.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(host_dir / "code"), est.environment.get("PYTHONPATH"),
                                                          base_path]))
        return env

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        est, hosts = self.estimator, self.hosts
        copy_code(est.source_dir, est.entry_path, est.dependencies, job_dir / "code")
        copy_code_to_hosts(job_dir, hosts)
        names = [host.name for host in hosts]
        for host in hosts:
            folder = job_dir / host.folder
            for sub in TRAINING_FOLDERS:
                (folder / sub).mkdir(parents=True, exist_ok=True)
            config = folder / "input" / "config"
            (config / "hyperparameters.json").write_text(json.dumps(self.encoded, indent=1))
            (config / "resourceconfig.json").write_text(json.dumps(
                resource_config(host.name, names, est.instance_type)))
            (config / "inputdataconfig.json").write_text(json.dumps(data_config(self.channels), indent=1))
        for name, channel in self.channels.items():
            copy_channel(job_dir, name, channel, hosts)

    def run_details(self, spec: JobSpec) -> tuple[Mapping[str, Any], str | None]:
        return spec.record["hyperparameters"], str(self.estimator.entry_path)
