"""How each kind of step runs, given its resolved local arguments: the job it starts
through the public API (or the work it does at once), and its properties afterwards —
SageMaker's Describe* answer of its job, which later steps' expressions read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Optional

from ..errors import ValidationError
from ..jobs import Job
from ..models import JobDescription
from ..plugins import Registry
from ..processing import ProcessingInput, ProcessingOutput, Processor
from ..training import Estimator, TrainingInput
from .execution import job_arn

__all__ = ["STEP_KINDS", "launch_step", "job_properties", "model_properties", "register_properties", "code_digest"]

RESULT_FOLDER = "/opt/ml/processing/output/result"
Experiment = Optional[Mapping[str, str]]


def _processing(args: dict[str, Any], experiment: Experiment) -> Job:
    processor = Processor.from_config(args["processor"])
    inputs = [ProcessingInput(**i) for i in args["inputs"]]
    outputs = [ProcessingOutput(**o) for o in args["outputs"]]
    arguments = [str(a) for a in args["arguments"]]
    if args["code"]:
        return processor.start(args["code"], inputs, outputs, arguments,  # type: ignore[call-arg]
                               experiment_config=experiment)
    return processor.start(inputs, outputs, arguments, experiment_config=experiment)


def _channels(inputs: dict[str, Any]) -> dict[str, TrainingInput]:
    return {name: TrainingInput(**{**value, "s3_data": str(value["s3_data"])}) for name, value in inputs.items()}


def _training(args: dict[str, Any], experiment: Experiment) -> Job:
    return Estimator.from_config(args["estimator"]).start(_channels(args["inputs"]), experiment_config=experiment)


def _tuning(args: dict[str, Any], experiment: Experiment) -> Job:
    from ..tuning import HyperparameterTuner
    from ..tuning.parameters import range_from_dict

    tuner = HyperparameterTuner(
        Estimator.from_config(args["estimator"]), args["objective_metric_name"],
        {k: range_from_dict(v) for k, v in args["hyperparameter_ranges"].items()},
        metric_definitions=args["metric_definitions"], strategy=args["strategy"],
        objective_type=args["objective_type"], max_jobs=args["max_jobs"], max_parallel_jobs=args["max_parallel_jobs"],
        early_stopping_type=args["early_stopping_type"], random_seed=args["random_seed"],
        strategy_config=args["strategy_config"], base_tuning_job_name=args["base_tuning_job_name"])
    tuner.fit(_channels(args["inputs"]), wait=False, logs=False, experiment_config=experiment)
    assert tuner.latest_tuning_job is not None
    return tuner.latest_tuning_job


def _serving_model(container: dict[str, Any]) -> Any:
    from ..serving import Model

    return Model(str(container["model_data"]), container.get("entry_point"),
                 container.get("code_dir") or container.get("source_dir"), container.get("env"),
                 container.get("name") or None)


def _transform(args: dict[str, Any], experiment: Experiment) -> Job:
    from ..serving import Transformer

    transformer = Transformer(_serving_model(args["model"]), **args["transformer"])
    inputs = args["inputs"]
    transformer.transform(str(inputs["data"]), inputs["data_type"], inputs["content_type"], inputs["compression_type"],
                          inputs["split_type"], wait=False, logs=False,
                          experiment_config=dict(experiment) if experiment else None)
    assert transformer.latest_transform_job is not None
    return transformer.latest_transform_job


def _python(args: dict[str, Any], experiment: Experiment) -> Job:
    processor = Processor(entrypoint=["python3", "-m", "jupyter_ext.pipelines.run_function"],
                          base_job_name=args["function"]["qualname"].replace("_", "-"))
    call = json.dumps({"function": args["function"], "args": args["args"], "kwargs": args["kwargs"]})
    return processor.start(outputs=[ProcessingOutput(RESULT_FOLDER, output_name="result")],
                           arguments=[RESULT_FOLDER, call], experiment_config=experiment)


# A step kind is how a job step of a local definition starts its job, from the step's
# resolved arguments; its properties are then its job's Describe* answer. Other packages
# (and protocol layers: a SageMaker definition's own Arguments) add kinds by entry point.
STEP_KINDS: Registry[Callable[[dict[str, Any], Experiment], Job]] = Registry(
    "pipeline step kind", "jupyter_ext.pipeline_step_kinds",
    {"Processing": _processing, "Training": _training, "Tuning": _tuning, "Transform": _transform, "Python": _python},
    unknown="This installation cannot run a step of kind {name!r} (kinds it runs: {names}).")


def launch_step(kind: str, args: dict[str, Any], experiment: Experiment) -> Job:
    """Start the job of a step of `kind` with resolved arguments `args`, in `experiment`
    (an experiment_config, or None)."""
    return STEP_KINDS.get(kind)(args, experiment)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def job_properties(kind: str, description: JobDescription) -> dict[str, Any]:
    """A finished step job's properties: SageMaker's Describe* answer of it (with the
    shapes SageMaker's properties paths name: ProcessingOutputConfig.Outputs, ...)."""
    answer: dict[str, Any] = dict(description.to_sagemaker())
    answer[f"{_prefix(description.job_type)}Arn"] = job_arn(description.job_type, description.name)
    if description.job_type == "Processing":
        answer["ProcessingOutputConfig"] = {"Outputs": [
            {"OutputName": n, "S3Output": {"S3Uri": d, "S3UploadMode": "EndOfJob"}}
            for n, d in description.outputs.items()]}
        answer["ProcessingInputs"] = [{"InputName": n, "S3Input": {"S3Uri": s}} for n, s in description.inputs.items()]
    if description.job_type == "Tuning":
        answer.update(_tuning_properties(description))
    if description.job_type == "Transform":
        answer["TransformOutput"] = {"S3OutputPath": description.output_data or description.outputs.get("output_path")}
    if kind == "Python":
        answer["Result"] = _function_result(description)
    return _jsonable(answer)


def _tuning_properties(description: JobDescription) -> dict[str, Any]:
    """BestTrainingJob, and TrainingJobSummaries best first (each with its ModelArtifacts,
    which `TuningStep.get_top_model_s3_uri` reads)."""
    from ..jobs import describe_job
    from ..tuning import HyperparameterTuner
    from ..tuning.trials import read_trials

    maximize = HyperparameterTuner.attach(description.name).objective_type == "Maximize"
    scored = sorted((r for r in read_trials(description.name) if r.value is not None),
                    key=lambda r: -r.value if maximize else r.value)  # type: ignore[operator]
    summaries = []
    for record in scored:
        job = describe_job(record.job)
        summaries.append({"TrainingJobName": record.job, "TrainingJobStatus": job.status,
                          "FinalHyperParameterTuningJobObjectiveMetric": {"Value": record.value},
                          "TunedHyperParameters": {k: str(v) for k, v in record.hyperparameters.items()},
                          "ModelArtifacts": {"S3ModelArtifacts": job.model_data}})
    answer: dict[str, Any] = {"TrainingJobSummaries": summaries}
    if summaries:
        answer["BestTrainingJob"] = summaries[0]
    return answer


def _prefix(job_type: str) -> str:
    return {"Tuning": "HyperParameterTuningJob"}.get(job_type, f"{job_type}Job")


def _function_result(description: JobDescription) -> Any:
    from .property_files import read_json

    return read_json(description.outputs["result"], "result.json", f"the result of {description.name}")


def model_properties(args: dict[str, Any], step_name: str) -> dict[str, Any]:
    """A ModelStep's work (the model checked: its artifact and code exist) and its
    properties; `Container` is the model as a TransformStep loads it. Unnamed, the model is
    named after the step and its artifact (so a TransformStep of it can be reused from cache)."""
    settings = dict(args["model"])
    if not settings.get("name"):
        digest = hashlib.sha256(str(settings["model_data"]).encode()).hexdigest()[:8]
        settings["name"] = f"{step_name}-{digest}"
    model = _serving_model(settings)
    return _jsonable({"ModelName": model.name, "ModelArn": f"arn:aws:sagemaker:local:000000000000:model/{model.name}",
                      "PrimaryContainer": {"ModelDataUrl": model.model_data, "Environment": model.env},
                      "Container": model.containers()[0]})


def register_properties(args: dict[str, Any], source_job: str | None) -> dict[str, Any]:
    """A RegisterModel step's work (a version in the model registry) and its properties."""
    from .. import registry  # registry deploys through serving; imported when a step registers
    model = _serving_model(args["model"])
    package = registry.register_model(
        model, args["model_package_group_name"], approval_status=args["approval_status"],
        model_metrics=args["model_metrics"], customer_metadata_properties=args["customer_metadata_properties"] or None,
        description=args["description"], source_job=source_job)
    return _jsonable({"ModelPackageArn": package.arn, "ModelPackageVersion": package.version,
                      "ModelApprovalStatus": package.approval_status,
                      "ModelPackageGroupName": args["model_package_group_name"]})


def _hash_path(digest: Any, path: Path) -> None:
    if path.is_file():
        digest.update(path.read_bytes())
    elif path.is_dir():
        for item in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(item.relative_to(path)).encode())
            digest.update(item.read_bytes())


def code_digest(kind: str, args: dict[str, Any]) -> str:
    """A digest of the code a step runs, so a changed script is not served from the cache."""
    digest = hashlib.sha256()
    estimator = args.get("estimator")
    if estimator:
        _hash_path(digest, Path(estimator["source_dir"] or estimator["entry_path"]))
    if args.get("code"):
        _hash_path(digest, Path(args["code"]))
    if kind == "Python":
        digest.update(str(args["function"].get("source")).encode())
    return digest.hexdigest()

