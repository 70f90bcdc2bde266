"""AutoML, SageMaker Autopilot's API, run locally as an AutoML job.

    automl = AutoML(target_attribute_name="churn", max_candidates=20)
    automl.fit("data/churn.csv")
    automl.leaderboard()
    automl.best_candidate()["InferenceContainers"][0]["ModelDataUrl"]

The AutoML job (type AutoML) profiles the table and runs one multi-algorithm tuning job;
each candidate is one of its training jobs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..jobs import Job, JobKind, JobSpec, check_job_options, describe_job, resolve_executor, submit, watch
from ..jobs.contract import base_environment
from ..store import absolute_uri
from .pipelines import ALGORITHMS
from .problem import analyse, read_table
from .validation import CROSS_VALIDATION_MAX_ROWS, folds_for

if TYPE_CHECKING:
    import pandas

    from ..serving import Model, Predictor

__all__ = ["AutoML", "AutoMLJob", "MODES"]

MODES = ("AUTO", "HYPERPARAMETER_TUNING", "ENSEMBLING")
# AUTO chooses ENSEMBLING below this much data in memory, as SageMaker does below 100 MB.
ENSEMBLING_LIMIT_BYTES = 100 * 1024 * 1024
DEFAULT_CANDIDATES = 20
DEFAULT_TOTAL_RUNTIME = 6 * 60 * 60
DEFAULT_JOB_RUNTIME = 60 * 60
CANDIDATE_ENTRY = "from jupyter_ext.automl.run_candidate import main\n\nmain()\n"


def _folds(frame: pandas.DataFrame, problem: Any) -> int:
    """Cross-validation folds for this table: none for big tables, or when a class has
    fewer rows than there are folds."""
    labels = frame[problem.target].dropna()
    folds = folds_for(len(labels))
    if folds and problem.problem_type != "Regression" and labels.value_counts().min() < folds:
        return 0
    return folds


class AutoMLJob(JobKind):
    """An AutoML job: the table, what was inferred of it, and the search to run."""

    max_name_length = 40  # room for the tuning job's and its candidates' suffixes

    def __init__(self, automl: AutoML, inputs: Any, frame: pandas.DataFrame, problem: Any, mode: str,
                 folds: int) -> None:
        self.automl, self.inputs, self.frame, self.problem = automl, inputs, frame, problem
        self.mode, self.folds, self.base_job_name = mode, folds, automl.base_job_name

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        automl, problem = self.automl, self.problem
        details = {"problem_type": problem.problem_type, "objective": problem.objective,
                   "target": problem.target, "max_candidates": automl.max_candidates, "mode": self.mode}
        return JobSpec(name=name, job_type="AutoML",
                       program=[sys.executable, "-m", "jupyter_ext.automl.run_automl", "automl.json"],
                       environment=base_environment(name, job_dir, None),
                       max_run=automl.total_job_runtime_in_seconds + 60,
                       record={"inputs": {"data": str(self.inputs) if not hasattr(self.inputs, "columns")
                                          else "<DataFrame>"}, "details": details})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        automl, problem = self.automl, self.problem
        (job_dir / "data").mkdir()
        self.frame.to_pickle(job_dir / "data" / "data.pkl")
        (job_dir / "data" / "problem.json").write_text(json.dumps({
            "target": problem.target, "problem_type": problem.problem_type, "reason": problem.reason,
            "objective": problem.objective, "columns": problem.columns, "dropped": problem.dropped,
            "input_columns": [c for c in self.frame.columns if c != problem.target],
            "validation_fraction": automl.validation_fraction, "cross_validation_folds": self.folds,
            "seed": automl.random_seed}, indent=1))
        (job_dir / "code").mkdir()
        (job_dir / "code" / "candidate_entry.py").write_text(CANDIDATE_ENTRY)
        config = {"name": spec.name, "algorithms": automl.algorithms, "max_candidates": automl.max_candidates,
                  "max_parallel_jobs": automl.max_parallel_jobs, "total_runtime": automl.total_job_runtime_in_seconds,
                  "max_run_per_job": automl.max_runtime_per_training_job_in_seconds, "mode": self.mode,
                  "output_path": automl.output_path, "instance_type": automl.instance_type}
        (job_dir / "automl.json").write_text(json.dumps(config, indent=1))

    def run_details(self, spec: JobSpec) -> tuple[Mapping[str, Any], str | None]:
        return spec.record["details"], "automl"


class AutoML:
    """Finds a model for a table: infers the problem, tunes candidate pipelines, ranks them.

    `problem_type` and `job_objective` ({"MetricName": "F1"}) go together or not at all,
    as in SageMaker. Budgets are in seconds. With `output_path` (e.g. "s3://bucket/prefix")
    the job copies its notebooks, models and inference code under `<output_path>/<job>/`
    (publish.py). `instance_type="ray"` trains the candidates on a Ray cluster (see
    `jupyter_ext.ray`). Bad input raises ValidationError before any job starts.
    """

    def __init__(self, target_attribute_name: str, problem_type: str | None = None,
                 job_objective: dict[str, str] | None = None, max_candidates: int | None = None,
                 max_runtime_per_training_job_in_seconds: int | None = None,
                 total_job_runtime_in_seconds: int | None = None, mode: str = "AUTO",
                 validation_fraction: float = 0.2, base_job_name: str | None = None,
                 max_parallel_jobs: int = 2, random_seed: int = 0, algorithms: list[str] | None = None,
                 output_path: str | None = None, instance_type: str = "local", **options: Any) -> None:
        self.job_options = check_job_options("AutoML", options)
        ignore_sagemaker_arguments("AutoML", {k: v for k, v in options.items() if k not in self.job_options})
        if (problem_type is None) != (job_objective is None):
            raise ValidationError("Give problem_type and job_objective together, or neither (as SageMaker asks).")
        if mode not in MODES:
            raise ValidationError(f"mode {mode!r}; choose one of: {', '.join(MODES)}.")
        if not 0 < validation_fraction < 1:
            raise ValidationError(f"validation_fraction must be between 0 and 1; got {validation_fraction}.")
        self.algorithms = list(algorithms or ALGORITHMS)
        unknown = set(self.algorithms) - set(ALGORITHMS)
        if unknown:
            raise ValidationError(f"Unknown algorithm(s) {sorted(unknown)}; choose from: {', '.join(ALGORITHMS)}.")
        for name, value in (("max_candidates", max_candidates), ("total_job_runtime_in_seconds", total_job_runtime_in_seconds),
                            ("max_runtime_per_training_job_in_seconds", max_runtime_per_training_job_in_seconds)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValidationError(f"{name} must be a whole number >= 1; got {value!r}.")
        self.target_attribute_name, self.problem_type = target_attribute_name, problem_type
        self.objective = (job_objective or {}).get("MetricName")
        self.max_candidates = max_candidates or DEFAULT_CANDIDATES
        self.max_runtime_per_training_job_in_seconds = max_runtime_per_training_job_in_seconds or DEFAULT_JOB_RUNTIME
        self.total_job_runtime_in_seconds = total_job_runtime_in_seconds or DEFAULT_TOTAL_RUNTIME
        self.mode, self.validation_fraction, self.random_seed = mode, validation_fraction, random_seed
        self.max_parallel_jobs = max_parallel_jobs
        self.base_job_name = base_job_name or "automl"
        self.output_path = absolute_uri(output_path) if output_path else None
        self.instance_type = instance_type  # where candidates train: "ray" spreads them over a cluster
        resolve_executor(instance_type)
        self.latest_auto_ml_job: Job | None = None

    def fit(self, inputs: Any, wait: bool = True, logs: bool = True, job_name: str | None = None) -> None:
        """Start the AutoML job on a CSV/Parquet path or a DataFrame; with `wait`, block and
        raise unless it Completed."""
        frame = read_table(inputs)
        problem = analyse(frame, self.target_attribute_name, self.problem_type, self.objective)
        print(f"{problem.problem_type}: {problem.reason}. Objective: {problem.objective}."
              + (f" Left out: {problem.dropped}." if problem.dropped else ""), flush=True)
        mode = self._mode(frame)
        folds = _folds(frame, problem)
        print(f"Validation: {folds}-fold cross-validation (at most {CROSS_VALIDATION_MAX_ROWS} rows)." if folds else
              f"Validation: a {self.validation_fraction:.0%} holdout split.", flush=True)
        self.latest_auto_ml_job = submit(AutoMLJob(self, inputs, frame, problem, mode, folds), job_name,
                                         self.job_options)
        watch(self.latest_auto_ml_job, wait, logs)

    def _mode(self, frame: pandas.DataFrame) -> str:
        """The mode to run: AUTO becomes ENSEMBLING for data under 100 MB, else HYPERPARAMETER_TUNING."""
        if self.mode != "AUTO":
            return self.mode
        size = int(frame.memory_usage(deep=True).sum())
        mode = "ENSEMBLING" if size < ENSEMBLING_LIMIT_BYTES else "HYPERPARAMETER_TUNING"
        print(f"Mode AUTO: {mode}, as the data takes {size / 2 ** 20:.1f} MB "
              f"({'under' if mode == 'ENSEMBLING' else 'at least'} 100 MB).", flush=True)
        return mode

    @classmethod
    def attach(cls, auto_ml_job_name: str) -> AutoML:
        """An AutoML for an existing AutoML job, with the job's settings (so `fit()` on new
        data runs a like job)."""
        description = describe_job(auto_ml_job_name)
        if description.job_type != "AutoML":
            raise ValidationError(f"{auto_ml_job_name} is a {description.job_type} job, not an AutoML job.")
        folder, details = Path(description.job_dir), description.details
        config = json.loads((folder / "automl.json").read_text())
        problem = json.loads((folder / "data" / "problem.json").read_text())
        automl = cls(details["target"], details["problem_type"], {"MetricName": details["objective"]},
                     max_candidates=config["max_candidates"], mode=config["mode"],
                     max_runtime_per_training_job_in_seconds=config["max_run_per_job"],
                     total_job_runtime_in_seconds=config["total_runtime"],
                     validation_fraction=problem["validation_fraction"], max_parallel_jobs=config["max_parallel_jobs"],
                     random_seed=problem["seed"], algorithms=config["algorithms"],
                     output_path=config.get("output_path"), instance_type=config.get("instance_type", "local"))
        automl.latest_auto_ml_job = Job(auto_ml_job_name)
        return automl

    def _job(self) -> Job:
        if self.latest_auto_ml_job is None:
            raise ValidationError("No AutoML job yet: call fit() first.")
        return self.latest_auto_ml_job

    def describe_auto_ml_job(self) -> dict[str, Any]:
        """The AutoML job's description, with SageMaker's keys beside ours (AutoMLJobStatus,
        AutoMLJobName, ...), its BestCandidate once there is one and its AutoMLJobArtifacts
        (the notebooks: URIs under `output_path` once copied there, else paths in the job folder)."""
        job = self._job().describe()
        description = {**job.to_dict(), **job.to_sagemaker(), "AutoMLJobArtifacts": self._artifacts(Path(job.job_dir))}
        candidates = self.list_candidates()
        if candidates:
            description["BestCandidate"] = candidates[0]
        return description

    def _artifacts(self, folder: Path) -> dict[str, str]:
        from .notebooks import CANDIDATE_NOTEBOOK
        from .publish import ARTIFACT_KEYS, artifacts_of
        from .report import EXPLORATION_NOTEBOOK

        local = {ARTIFACT_KEYS[name]: str(folder / "notebooks" / name) for name in (EXPLORATION_NOTEBOOK, CANDIDATE_NOTEBOOK)
                 if (folder / "notebooks" / name).exists()}
        return {**local, **artifacts_of(folder)}

    def list_candidates(self, sort_by: str | None = None, max_results: int | None = None,
                        sort_order: str | None = None, status_equals: str | None = None,
                        candidate_name: str | None = None, **sagemaker_only: Any) -> list[dict[str, Any]]:
        """Candidates, best first; or sorted by `sort_by` ("FinalObjectiveMetricValue",
        "CreationTime" or "Status"; the objective value when only `sort_order` is given) in
        `sort_order` ("Ascending" or "Descending"). `status_equals` and `candidate_name`
        filter them."""
        ignore_sagemaker_arguments("AutoML.list_candidates", sagemaker_only)
        path = Path(self._job().describe().job_dir) / "leaderboard.json"
        candidates = json.loads(path.read_text()) if path.exists() else []
        candidates = [c for c in candidates if (status_equals is None or c["CandidateStatus"] == status_equals)
                      and (candidate_name is None or c["CandidateName"] == candidate_name)]
        if sort_order not in (None, "Ascending", "Descending"):
            raise ValidationError(f"sort_order {sort_order!r}; choose Ascending or Descending.")
        if sort_by is None and sort_order is not None:
            sort_by = "FinalObjectiveMetricValue"
        order = {"CreationTime": lambda c: c["CreationTime"], "Status": lambda c: c["CandidateStatus"],
                 "FinalObjectiveMetricValue": _objective_value}
        if sort_by not in (None, *order):
            raise ValidationError(f"sort_by {sort_by!r}; choose FinalObjectiveMetricValue, CreationTime or Status.")
        if sort_by is not None and not (sort_by == "FinalObjectiveMetricValue" and sort_order is None):
            candidates.sort(key=order[sort_by], reverse=sort_order == "Descending")
        return candidates[:max_results] if max_results else candidates

    def best_candidate(self) -> dict[str, Any]:
        """The best candidate's record (ValidationError before any candidate finished)."""
        candidates = self.list_candidates()
        if not candidates or candidates[0]["FinalAutoMLJobObjectiveMetric"]["Value"] is None:
            raise ValidationError(f"AutoML job {self._job().name} has no finished candidate yet.")
        return candidates[0]

    def model_data(self, candidate: dict[str, Any] | None = None) -> str:
        """A model.tar.gz (model.joblib, a scikit-learn pipeline, inside): by default the best
        candidate refitted on every row; for a given candidate, its own training job's model."""
        if candidate is None:
            best = self.best_candidate()
            return best.get("RefitModelDataUrl") or best["InferenceContainers"][0]["ModelDataUrl"]
        return candidate["InferenceContainers"][0]["ModelDataUrl"]

    def inference_container(self, candidate: dict[str, Any] | None = None,
                            inference_response_keys: list[str] | None = None) -> dict[str, Any]:
        """`candidate`'s (default: the best, refitted) inference container as Autopilot
        describes one: ModelDataUrl and the Environment that serves it with our inference
        code (SAGEMAKER_PROGRAM in SAGEMAKER_SUBMIT_DIRECTORY), answering the keys
        SAGEMAKER_INFERENCE_OUTPUT names among SAGEMAKER_INFERENCE_SUPPORTED."""
        from .inference_code import inference
        from .publish import CODE_KEY, artifacts_of

        keys = list(inference_response_keys or ["predicted_label"])
        unknown = [k for k in keys if k not in inference.RESPONSE_KEYS]
        if unknown:
            raise ValidationError(f"inference_response_keys {unknown} unknown; choose from {list(inference.RESPONSE_KEYS)}.")
        folder = Path(self._job().describe().job_dir)
        regression = json.loads((folder / "data" / "problem.json").read_text())["problem_type"] == "Regression"
        if keys != ["predicted_label"] and regression:
            raise ValidationError("A regression model answers predicted_label only; leave out inference_response_keys.")
        code = Path(inference.__file__)
        env = {"SAGEMAKER_PROGRAM": code.name,
               "SAGEMAKER_SUBMIT_DIRECTORY": artifacts_of(folder).get(CODE_KEY) or str(code.parent),
               "SAGEMAKER_INFERENCE_SUPPORTED": "predicted_label" if regression else ",".join(inference.RESPONSE_KEYS),
               inference.OUTPUT_VARIABLE: ",".join(keys), inference.MODE_VARIABLE: self._job_mode(folder),
               inference.COLUMNS_VARIABLE: json.dumps(_input_columns(folder))}
        return {"ModelDataUrl": self.model_data(candidate), "Environment": env}

    def create_model(self, name: str | None = None, candidate: dict[str, Any] | None = None,
                     inference_response_keys: list[str] | None = None, **sagemaker_only: Any) -> Model:
        """A serving Model of `candidate` (default: the best, refitted; see `model_data`) that
        answers as Autopilot's inference containers do: the `inference_response_keys` asked
        for (predicted_label, probability, probabilities, labels; default predicted_label),
        CSV unless JSON is asked for; records may keep the columns AutoML left out."""
        from ..serving import Model

        ignore_sagemaker_arguments("AutoML.create_model", sagemaker_only)
        container = self.inference_container(candidate, inference_response_keys)
        return Model(container["ModelDataUrl"], env=container["Environment"], name=name or f"{self._job().name}-model")

    def _job_mode(self, folder: Path) -> str:
        return json.loads((folder / "automl.json").read_text())["mode"]

    def feature_importance(self, candidate: dict[str, Any] | None = None) -> pandas.Series:
        """A candidate's (by default the best's) feature importance: how much its validation
        score (accuracy or R²) drops when one input column is shuffled, most important first.
        Computed once and kept beside the candidate's model as `feature_importance.json`."""
        import pandas

        from .leaderboard import explain
        from .validation import validation_rows

        candidate = candidate or self.best_candidate()
        features, labels = validation_rows(Path(self._job().describe().job_dir) / "data")
        report = json.loads(explain(candidate, (features, labels)).read_text())
        return pandas.Series(report["importance"], name=candidate["CandidateName"])
    def deploy(self, initial_instance_count: int = 1, instance_type: str | None = None, serializer: Any = None,
               deserializer: Any = None, candidate: dict[str, Any] | None = None, endpoint_name: str | None = None,
               inference_response_keys: list[str] | None = None, wait: bool = True, model_name: str | None = None,
               data_capture_config: Any = None, **sagemaker_only: Any) -> Predictor:
        """Serve `candidate` (default: the best, refitted) on a local endpoint; returns its
        Predictor, which sends and reads CSV unless given other (de)serializers. See
        `create_model` for `inference_response_keys` and what records may hold."""
        from ..serving import CSVDeserializer, CSVSerializer

        ignore_sagemaker_arguments("AutoML.deploy", sagemaker_only)
        model = self.create_model(model_name, candidate, inference_response_keys)
        return model.deploy(endpoint_name, initial_instance_count, serializer or CSVSerializer(),
                            deserializer or CSVDeserializer(), data_capture_config, wait=wait)

    def leaderboard(self) -> pandas.DataFrame:
        """Candidates as a DataFrame, best first."""
        import pandas

        rows = [{"Rank": i + 1, "CandidateName": c["CandidateName"], "Algorithm": c["Algorithm"],
                 "Preprocessing": c["Preprocessing"], c["FinalAutoMLJobObjectiveMetric"]["MetricName"]:
                 c["FinalAutoMLJobObjectiveMetric"]["Value"], "CandidateStatus": c["CandidateStatus"],
                 **{f"validation:{k}": v for k, v in c["CandidateMetrics"].items()}}
                for i, c in enumerate(self.list_candidates())]
        return pandas.DataFrame(rows)


def _objective_value(candidate: dict[str, Any]) -> float:
    value = candidate["FinalAutoMLJobObjectiveMetric"]["Value"]
    return float("-inf") if value is None else value


def _input_columns(folder: Path) -> list[Any]:
    """The training table's columns but the target, in order (what a CSV record holds)."""
    problem = json.loads((folder / "data" / "problem.json").read_text())
    if "input_columns" in problem:
        return problem["input_columns"]
    import pandas

    return [c for c in pandas.read_pickle(folder / "data" / "data.pkl").columns if c != problem["target"]]
