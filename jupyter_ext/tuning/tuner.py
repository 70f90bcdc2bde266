"""HyperparameterTuner: SageMaker's tuning API, run as a local tuning job.

    tuner = HyperparameterTuner(est, "loss", {"lr": ContinuousParameter(1e-4, 1e-1, "Logarithmic")},
                                objective_type="Minimize", max_jobs=20, max_parallel_jobs=2)
    tuner.fit({"train": "data/"})
    tuner.analytics().dataframe()

The tuning job is a job of type Tuning; its training jobs are its children.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ConflictError, ValidationError
from ..experiments.tracking import check_experiment_config
from ..jobs import Job, JobKind, JobSpec, check_job_options, describe_job, submit, watch
from ..jobs.contract import base_environment, copy_code
from ..training import Estimator, Inputs, channel_uris
from .analytics import HyperparameterTuningJobAnalytics
from .parameters import ParameterRange, range_from_dict, validate_ranges
from .strategies import get_strategy, grid_size
from .trials import read_trials

__all__ = ["HyperparameterTuner", "TuningJob", "WarmStartConfig", "WarmStartTypes", "TuningJobCompletionCriteriaConfig"]

DEFAULT_MAX_RUNTIME = 7 * 24 * 60 * 60
# A tuning job's name leaves room for "-NNN", its training jobs' suffix, within 63.
MAX_TUNING_NAME = 59


class WarmStartTypes:
    """Kinds of warm start (SageMaker's names)."""

    IDENTICAL_DATA_AND_ALGORITHM = "IdenticalDataAndAlgorithm"
    TRANSFER_LEARNING = "TransferLearning"


@dataclass
class WarmStartConfig:
    """Seed a tuning job with the trials of 1 to 5 earlier tuning jobs (`parents`)."""

    warm_start_type: str
    parents: set[str] | list[str]


@dataclass
class TuningJobCompletionCriteriaConfig:
    """End a tuning job early: a target objective value, or N jobs without improvement."""

    max_number_of_training_jobs_not_improving: int | None = None
    complete_on_convergence: bool | None = None
    target_objective_metric_value: float | None = None


@dataclass
class _Definition:
    name: str
    estimator: Estimator
    objective: str
    ranges: dict[str, ParameterRange]
    metric_definitions: list[dict[str, str]] = field(default_factory=list)


def _check_objective(definition: _Definition) -> None:
    names = [d["Name"] for d in definition.metric_definitions + definition.estimator.metric_definitions]
    if names and definition.objective not in names:
        raise ValidationError(
            f"Objective metric '{definition.objective}' is not among the metric definitions "
            f"({', '.join(names)}); add {{'Name': '{definition.objective}', 'Regex': ...}} or fix the name.")


class HyperparameterTuner:
    """Tunes an Estimator's hyperparameters with training jobs run here.

    strategy: Bayesian (default), Random, Grid (max_jobs = grid size) or Hyperband;
    objective_type: Maximize or Minimize; early_stopping_type: Off or Auto (SageMaker's
    median rule). Static hyperparameters of the estimator pass through unchanged, and so do
    its job extensions' options that can be written as JSON (the AWS endpoint's
    `sagemaker_request`, say); the tuner takes such options for its own job the same way.
    Raises ValidationError on bad ranges, an unknown objective or strategy.
    """

    def __init__(
        self, estimator: Estimator, objective_metric_name: str, hyperparameter_ranges: dict[str, ParameterRange],
        metric_definitions: list[dict[str, str]] | None = None, strategy: str = "Bayesian",
        objective_type: str = "Maximize", max_jobs: int | None = None, max_parallel_jobs: int = 1,
        early_stopping_type: str = "Off", warm_start_config: WarmStartConfig | None = None,
        completion_criteria: TuningJobCompletionCriteriaConfig | None = None, random_seed: int | None = None,
        base_tuning_job_name: str | None = None, strategy_config: Mapping[str, Any] | None = None,
        max_runtime_in_seconds: int = DEFAULT_MAX_RUNTIME, **sagemaker_only: Any,
    ) -> None:
        completion_criteria = completion_criteria or sagemaker_only.pop("completion_criteria_config", None)
        job_options = check_job_options("Tuning", sagemaker_only)
        ignore_sagemaker_arguments("HyperparameterTuner", {k: v for k, v in sagemaker_only.items()
                                                           if k not in job_options})
        definition = _Definition("default", estimator, objective_metric_name, hyperparameter_ranges,
                                 list(metric_definitions or []))
        self._setup([definition], strategy, objective_type, max_jobs, max_parallel_jobs, early_stopping_type,
                    warm_start_config, completion_criteria, random_seed, base_tuning_job_name,
                    dict(strategy_config or {}), max_runtime_in_seconds)
        self.job_options = job_options

    def _setup(self, definitions: list[_Definition], strategy: str, objective_type: str, max_jobs: int | None,
               max_parallel_jobs: int, early_stopping_type: str, warm_start: WarmStartConfig | None,
               completion: TuningJobCompletionCriteriaConfig | None, seed: int | None, base: str | None,
               strategy_config: dict[str, Any], max_runtime: int) -> None:
        get_strategy(strategy)
        if objective_type not in ("Maximize", "Minimize"):
            raise ValidationError(f"objective_type {objective_type!r}; choose Maximize or Minimize.")
        if early_stopping_type not in ("Off", "Auto"):
            raise ValidationError(f"early_stopping_type {early_stopping_type!r}; choose Off or Auto.")
        if strategy == "Hyperband" and early_stopping_type != "Off":
            raise ValidationError("Hyperband stops jobs itself: use early_stopping_type='Off' with it.")
        for definition in definitions:
            validate_ranges(definition.ranges, definition.estimator.hyperparameters())
            _check_objective(definition)
        if strategy == "Grid":
            size = sum(grid_size(d.ranges) for d in definitions)
            max_jobs = size if max_jobs is None else min(max_jobs, size)
        if max_jobs is not None and (not isinstance(max_jobs, int) or max_jobs < 1):
            raise ValidationError(f"max_jobs must be a whole number >= 1; got {max_jobs!r}.")
        if not isinstance(max_parallel_jobs, int) or max_parallel_jobs < 1:
            raise ValidationError(f"max_parallel_jobs must be a whole number >= 1; got {max_parallel_jobs!r}.")
        if warm_start is not None:
            self._check_warm_start(warm_start, definitions[0].objective, len(definitions))
        self.definitions, self.strategy, self.objective_type = definitions, strategy, objective_type
        self.max_jobs, self.max_parallel_jobs = max_jobs or 1, max_parallel_jobs
        self.early_stopping_type, self.warm_start_config = early_stopping_type, warm_start
        self.completion_criteria = completion or TuningJobCompletionCriteriaConfig()
        self.random_seed, self.strategy_config, self.max_runtime = seed, strategy_config, max_runtime
        self.base_tuning_job_name = base or definitions[0].estimator.base_job_name
        self.objective_metric_name = definitions[0].objective
        self.latest_tuning_job: Job | None = None
        self.job_options: dict[str, Any] = {}
        self._definition_inputs: dict[str, dict[str, Any]] = {}

    @staticmethod
    def _check_warm_start(config: WarmStartConfig, objective: str, count: int) -> None:
        if config.warm_start_type not in (WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM, WarmStartTypes.TRANSFER_LEARNING):
            raise ValidationError(f"warm_start_type {config.warm_start_type!r}; use WarmStartTypes.*.")
        if isinstance(config.parents, str):
            config.parents = [config.parents]
        if not 1 <= len(config.parents) <= 5 or count > 1:
            raise ValidationError("Warm start takes 1 to 5 parent tuning jobs, for a single training job definition.")
        for parent in config.parents:
            if describe_job(parent).job_type != "Tuning":
                raise ValidationError(f"Warm start parent {parent} is not a tuning job.")
            parent_config = json.loads((Path(describe_job(parent).job_dir) / "tuning.json").read_text())
            if parent_config["definitions"][0]["objective_metric_name"] != objective:
                raise ValidationError(f"Warm start parent {parent} tuned another objective metric.")

    @classmethod
    def create(cls, estimator_dict: dict[str, Estimator], objective_metric_name_dict: dict[str, str],
               hyperparameter_ranges_dict: dict[str, dict[str, ParameterRange]],
               metric_definitions_dict: dict[str, list[dict[str, str]]] | None = None,
               base_tuning_job_name: str | None = None, strategy: str = "Bayesian", objective_type: str = "Maximize",
               max_jobs: int | None = None, max_parallel_jobs: int = 1, random_seed: int | None = None,
               completion_criteria: TuningJobCompletionCriteriaConfig | None = None,
               strategy_config: Mapping[str, Any] | None = None, **sagemaker_only: Any) -> HyperparameterTuner:
        """A tuner over several training job definitions (algorithms), keyed alike in every dict;
        job extensions' options (as the Estimator takes them) go in `sagemaker_only` too."""
        job_options = check_job_options("Tuning", sagemaker_only)
        ignore_sagemaker_arguments("HyperparameterTuner.create", {k: v for k, v in sagemaker_only.items()
                                                                  if k not in job_options})
        keys = list(estimator_dict)
        if not keys or any(set(d) != set(keys) for d in (objective_metric_name_dict, hyperparameter_ranges_dict)):
            raise ValidationError("estimator_dict, objective_metric_name_dict and hyperparameter_ranges_dict "
                                  "must have the same keys.")
        definitions = [_Definition(k, estimator_dict[k], objective_metric_name_dict[k], hyperparameter_ranges_dict[k],
                                   list((metric_definitions_dict or {}).get(k, []))) for k in keys]
        tuner = cls.__new__(cls)
        tuner._setup(definitions, strategy, objective_type, max_jobs, max_parallel_jobs, "Off", None,
                     completion_criteria, random_seed, base_tuning_job_name, dict(strategy_config or {}),
                     DEFAULT_MAX_RUNTIME)
        tuner.job_options = job_options
        return tuner

    def fit(self, inputs: Inputs = None, wait: bool = True, logs: bool = True, job_name: str | None = None,
            experiment_config: Mapping[str, str] | None = None, **_sagemaker_only: Any) -> None:
        """Start the tuning job; with `wait`, block until it ends (raising unless it Completed).

        For a tuner of several definitions (`create()`), `inputs` may be a dict keyed by
        definition name, each definition's training jobs getting their own inputs.
        `experiment_config` puts the tuning job's run in an experiment."""
        ignore_sagemaker_arguments("HyperparameterTuner.fit", _sagemaker_only)
        self._experiment_config = check_experiment_config(experiment_config)
        names = {d.name for d in self.definitions}
        if len(names) > 1 and isinstance(inputs, Mapping) and inputs and set(inputs) <= names:
            self._definition_inputs = {name: channel_uris(value) for name, value in inputs.items()}
            inputs = None
        self._launch(channel_uris(inputs), job_name, None)
        watch(self.latest_tuning_job, wait, logs)

    def _launch(self, inputs: dict[str, Any], job_name: str | None, resume_from: str | None) -> None:
        options = {**self.job_options, "experiment_config": getattr(self, "_experiment_config", None)}
        self.latest_tuning_job = submit(TuningJob(self, inputs, resume_from), job_name, options)

    def config(self, name: str, job_dir: Path, inputs: dict[str, Any], resume_from: str | None) -> dict[str, Any]:
        """The tuning job's tuning.json: what its program reads."""
        return {
            "name": name, "strategy": self.strategy, "strategy_config": self.strategy_config,
            "objective_type": self.objective_type, "max_jobs": self.max_jobs,
            "max_parallel_jobs": self.max_parallel_jobs, "early_stopping_type": self.early_stopping_type,
            "random_seed": self.random_seed, "completion_criteria": asdict(self.completion_criteria),
            "warm_start_type": self.warm_start_config.warm_start_type if self.warm_start_config else None,
            "warm_start_parents": sorted(self.warm_start_config.parents) if self.warm_start_config else [],
            "resume_from": resume_from, "inputs": inputs,
            "definitions": [_definition_config(d, job_dir, self._definition_inputs.get(d.name))
                            for d in self.definitions],
        }

    @classmethod
    def attach(cls, tuning_job_name: str) -> HyperparameterTuner:
        """A tuner for an existing tuning job (from any process)."""
        description = describe_job(tuning_job_name)
        if description.job_type != "Tuning":
            raise ValidationError(f"{tuning_job_name} is a {description.job_type} job, not a tuning job.")
        config = json.loads((Path(description.job_dir) / "tuning.json").read_text())
        definitions = [_Definition(d["name"], Estimator.from_config(d["estimator"]), d["objective_metric_name"],
                                   {k: range_from_dict(v) for k, v in d["ranges"].items()}) for d in config["definitions"]]
        tuner = cls.__new__(cls)
        parents = config["warm_start_parents"]
        tuner._setup(definitions, config["strategy"], config["objective_type"], config["max_jobs"],
                     config["max_parallel_jobs"], config["early_stopping_type"],
                     WarmStartConfig(config["warm_start_type"], parents) if parents else None,
                     TuningJobCompletionCriteriaConfig(**config["completion_criteria"]), config["random_seed"],
                     None, config["strategy_config"], description.max_run)
        tuner._inputs = config["inputs"]
        tuner._definition_inputs = {d["name"]: d["inputs"] for d in config["definitions"] if "inputs" in d}
        tuner.latest_tuning_job = Job(tuning_job_name)
        return tuner

    def resume(self, wait: bool = True, logs: bool = True) -> None:
        """Continue an ended tuning job (e.g. one whose runner died) as a new tuning job: its
        finished trials count, its running training jobs are waited for, the rest is run."""
        previous = self._job().describe()
        if previous.status not in ("Completed", "Failed", "Stopped"):
            raise ConflictError(f"Tuning job {previous.name} is {previous.status}; resume it once it has ended.")
        self._launch(getattr(self, "_inputs", {}), None, previous.name)
        watch(self.latest_tuning_job, wait, logs)

    def _job(self) -> Job:
        if self.latest_tuning_job is None:
            raise ValidationError("No tuning job yet: call fit() first.")
        return self.latest_tuning_job

    def wait(self) -> None:
        """Block until the tuning job ends; raise unless it Completed."""
        self._job().wait()

    def stop(self) -> None:
        """Stop the tuning job and its running training jobs."""
        self._job().stop()

    stop_tuning_job = stop

    def describe(self) -> dict[str, Any]:
        """The tuning job's description as a dict, with SageMaker's keys beside ours
        (HyperParameterTuningJobStatus, BestTrainingJob once a job has an objective value)."""
        description = self._job().describe()
        answer = {**description.to_dict(), **description.to_sagemaker()}
        if any(r.value is not None for r in read_trials(description.name)):
            answer["BestTrainingJob"] = {"TrainingJobName": self.best_training_job()}
        return answer

    def analytics(self) -> HyperparameterTuningJobAnalytics:
        """Analytics over the tuning job's training jobs."""
        return HyperparameterTuningJobAnalytics(self._job().name)

    def best_training_job(self) -> str:
        """The name of the training job with the best objective value so far."""
        maximize = self.objective_type == "Maximize"
        scored = [r for r in read_trials(self._job().name) if r.value is not None]
        if not scored:
            raise ValidationError(f"No training job of {self._job().name} has an objective value yet.")
        return (max if maximize else min)(scored, key=lambda r: r.value).job

    def best_estimator(self) -> Estimator:
        """An Estimator attached to the best training job."""
        return Estimator.attach(self.best_training_job())

    def deploy(self, initial_instance_count: int = 1, instance_type: str | None = None, serializer: Any = None,
               deserializer: Any = None, endpoint_name: str | None = None, wait: bool = True,
               data_capture_config: Any = None, **sagemaker_only: Any) -> Any:
        """Serve the best training job's model (as `Estimator.deploy` serves a job's) on an
        endpoint named after that job unless `endpoint_name` is given; returns its Predictor."""
        ignore_sagemaker_arguments("HyperparameterTuner.deploy", sagemaker_only)
        best = self.best_training_job()
        predictor = Estimator.attach(best).deploy(initial_instance_count, instance_type, serializer, deserializer,
                                                  endpoint_name or best, data_capture_config, wait)
        self._endpoint_name = predictor.endpoint_name
        return predictor

    def delete_endpoint(self, endpoint_name: str | None = None) -> None:
        """Delete the endpoint `deploy()` started (or `endpoint_name`)."""
        from ..serving import delete_endpoint

        name = endpoint_name or getattr(self, "_endpoint_name", None)
        if name is None:
            raise ValidationError("No endpoint to delete: deploy() first, or give endpoint_name=.")
        delete_endpoint(name)


class TuningJob(JobKind):
    """A tuning job of a HyperparameterTuner (a resumed one names the job it continues)."""

    max_name_length = MAX_TUNING_NAME

    def __init__(self, tuner: HyperparameterTuner, inputs: dict[str, Any], resume_from: str | None) -> None:
        self.tuner, self.inputs, self.resume_from = tuner, inputs, resume_from
        self.base_job_name = tuner.base_tuning_job_name
        self.config: dict[str, Any] = {}

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        self.config = config = self.tuner.config(name, job_dir, self.inputs, self.resume_from)
        return JobSpec(name=name, job_type="Tuning",
                       program=[sys.executable, "-m", "jupyter_ext.tuning.run_tuning", "tuning.json"],
                       environment=base_environment(name, job_dir, None), max_run=self.tuner.max_runtime,
                       record={"inputs": {k: v["s3_data"] for k, v in self.inputs.items()},
                               "details": {k: config[k] for k in ("strategy", "objective_type", "max_jobs",
                                                                  "max_parallel_jobs", "early_stopping_type")}})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        for definition in self.tuner.definitions:
            estimator = definition.estimator
            copy_code(estimator.source_dir, estimator.entry_path, [], job_dir / "code" / definition.name)
        (job_dir / "tuning.json").write_text(json.dumps(self.config, indent=1))

    def run_details(self, spec: JobSpec) -> tuple[Mapping[str, Any], str | None]:
        return spec.record["details"], "tuning"


def _json_ready(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _definition_config(definition: _Definition, job_dir: Path, inputs: dict[str, Any] | None) -> dict[str, Any]:
    estimator = definition.estimator.to_config()
    # The training jobs get the estimator's job options that another process can read back.
    estimator["job_options"] = {k: v for k, v in definition.estimator.job_options.items() if _json_ready(v)}
    estimator["metric_definitions"] = _merge(estimator["metric_definitions"], definition.metric_definitions)
    code = job_dir / "code" / definition.name
    if estimator["source_dir"]:
        estimator["source_dir"] = str(code)
    else:
        estimator["entry_path"] = str(code / Path(estimator["entry_path"]).name)
    config = {"name": definition.name, "estimator": estimator, "objective_metric_name": definition.objective,
              "ranges": {k: v.to_dict() for k, v in definition.ranges.items()}}
    if inputs is not None:
        config["inputs"] = inputs
    return config


def _merge(first: list[dict[str, str]], second: list[dict[str, str]]) -> list[dict[str, str]]:
    names = {d["Name"] for d in first}
    return first + [d for d in second if d["Name"] not in names]
