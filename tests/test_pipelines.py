"""ML pipelines with real job processes: preprocess → train → evaluate → condition →
register / fail; caching across executions, retry of a failed step,
stop mid-run, and SageMaker's definition JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import wait_until
from jupyter_ext import Estimator, ProcessingInput, ProcessingOutput, ScriptProcessor, describe_job, list_jobs
from jupyter_ext.errors import UnexpectedStatusError, ValidationError
from jupyter_ext.registry import list_model_packages
from jupyter_ext.pipelines import (
    CacheConfig, ConditionGreaterThanOrEqualTo, ConditionStep, FailStep, Join, JsonGet, ParameterFloat,
    ParameterInteger, ParameterString, Pipeline, PipelineExecution, ProcessingStep, Properties, PropertyFile, PythonStep,
    RegisterModel, SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy, TrainingStep, list_pipelines,
)

PREPROCESS = """
import pathlib, sys
rows = pathlib.Path("/opt/ml/processing/input/raw/data.csv".replace("/opt/ml", sys.argv[2])).read_text().split()
out = pathlib.Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
(out / "train.txt").write_text("\\n".join(r.upper() for r in rows))
print("rows", len(rows))
"""
TRAIN = """
import argparse, os, pathlib, time
p = argparse.ArgumentParser()
p.add_argument("--accuracy", type=float); p.add_argument("--sleep", type=float, default=0)
p.add_argument("--broken", default=""); p.add_argument("--hold", default="")
a = p.parse_args()
started = time.time()
while a.hold and os.path.exists(a.hold) and time.time() < started + 60:
    time.sleep(0.05)
if a.broken and os.path.exists(a.broken):
    raise SystemExit("the training data is broken")
time.sleep(a.sleep)
rows = (pathlib.Path(os.environ["SM_CHANNEL_TRAIN"]) / "train.txt").read_text().split()
pathlib.Path(os.environ["SM_MODEL_DIR"], "model.txt").write_text(f"{a.accuracy} {len(rows)}")
print("accuracy:", a.accuracy)
"""
EVALUATE = """
import json, pathlib, tarfile
with tarfile.open("/opt/ml/processing/model/model.tar.gz") as archive:
    accuracy, rows = archive.extractfile("model.txt").read().decode().split()
out = pathlib.Path("/opt/ml/processing/evaluation"); out.mkdir(parents=True, exist_ok=True)
(out / "evaluation.json").write_text(json.dumps({"metrics": {"accuracy": {"value": float(accuracy)}}, "rows": int(rows)}))
"""


def _fix_paths(script: str) -> str:
    # The processing contract maps /opt/ml in arguments and the working folder is the job's.
    return script.replace('"/opt/ml/processing/', '"./processing/')


def _pipeline(tmp_path: Path, script, name: str = "churn", sleep: float = 0.0, hold: str = "") -> Pipeline:
    (tmp_path / "raw").mkdir(exist_ok=True)
    (tmp_path / "raw" / "data.csv").write_text("a\nb\nc\n")
    accuracy = ParameterFloat("Accuracy", default_value=0.9)
    threshold = ParameterFloat("Threshold", default_value=0.8)
    broken = ParameterString("BrokenFlag", default_value=str(tmp_path / "broken"))
    cache = CacheConfig(enable_caching=True, expire_after="P30D")
    prep = ProcessingStep(
        "Preprocess", ScriptProcessor(command=["python3"], base_job_name="prep"),
        code=str(script(PREPROCESS, "preprocess.py")),
        inputs=[ProcessingInput("raw", "/opt/ml/processing/input/raw")],  # from the notebook's folder
        outputs=[ProcessingOutput("/opt/ml/processing/train", output_name="train")],
        job_arguments=["/opt/ml/processing/train", "/opt/ml"], cache_config=cache)
    estimator = Estimator(str(script(TRAIN, "train.py")), base_job_name="train",
                          hyperparameters={"accuracy": accuracy, "sleep": sleep, "broken": broken, "hold": hold})
    train = TrainingStep("Train", estimator, inputs={
        "train": prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri}, cache_config=cache)
    evaluation = PropertyFile("EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        "Evaluate", ScriptProcessor(command=["python3"], base_job_name="evaluate"),
        code=str(script(_fix_paths(EVALUATE), "evaluate.py")),
        inputs=[ProcessingInput(train.properties.ModelArtifacts.S3ModelArtifacts, "/opt/ml/processing/model")],
        outputs=[ProcessingOutput("/opt/ml/processing/evaluation", output_name="evaluation")],
        property_files=[evaluation], cache_config=cache)
    score = JsonGet(step_name=evaluate.name, property_file=evaluation, json_path="metrics.accuracy.value")
    good = RegisterModel("Register", model_package_group_name="churn-models",
                         model_data=train.properties.ModelArtifacts.S3ModelArtifacts, approval_status="Approved")
    fail = FailStep("TooWeak", error_message=Join(on=" ", values=["Accuracy", score, "is below", threshold]))
    check = ConditionStep("CheckAccuracy", conditions=[ConditionGreaterThanOrEqualTo(score, threshold)],
                          if_steps=[good], else_steps=[fail])
    return Pipeline(name, parameters=[accuracy, threshold, broken], steps=[prep, train, evaluate, check])


def _steps(execution: PipelineExecution) -> dict[str, dict]:
    return {s["StepName"]: s for s in execution.list_steps()}


def test_a_pipeline_runs_its_steps_in_order_and_a_second_run_reuses_them(tmp_path: Path, script) -> None:
    pipeline = _pipeline(tmp_path, script)
    assert pipeline.upsert()["PipelineArn"].endswith(":pipeline/churn")
    first = pipeline.start()
    assert first.wait()["PipelineExecutionStatus"] == "Succeeded"
    steps = _steps(first)
    assert set(steps) == {"Preprocess", "Train", "Evaluate", "CheckAccuracy", "Register"}
    assert all(s["StepStatus"] == "Succeeded" for s in steps.values())
    assert steps["CheckAccuracy"]["Metadata"] == {"Condition": {"Outcome": "True"}}
    train_job = steps["Train"]["Metadata"]["TrainingJob"]["Name"]
    assert describe_job(train_job).parent == first.job_name  # the step's job is the execution's child
    assert steps["Preprocess"]["StartTime"] <= steps["Train"]["StartTime"] <= steps["Evaluate"]["StartTime"]
    (version,) = list_model_packages("churn-models")
    assert steps["Register"]["Metadata"] == {"RegisterModel": {"Arn": version.arn}}
    assert (version.approval_status, version.describe().source_job) == ("Approved", train_job)

    second = pipeline.start()
    second.wait()
    again = _steps(second)
    for name in ("Preprocess", "Train", "Evaluate"):
        assert again[name]["CacheHitResult"]["SourcePipelineExecutionArn"] == first.arn
    assert again["Train"]["Metadata"]["TrainingJob"]["Name"] == train_job
    assert f"reused from execution {first.execution_id}" in Path(describe_job(second.job_name).log_path).read_text()
    assert len(list_jobs(type="Training")) == 1
    # A changed parameter changes the training step's arguments: it runs again, and so does what follows.
    third = pipeline.start(parameters={"Accuracy": 0.95})
    third.wait()
    latest = _steps(third)
    assert "CacheHitResult" in latest["Preprocess"] and "CacheHitResult" not in latest["Train"]
    assert [e["PipelineExecutionStatus"] for e in pipeline.list_executions()["PipelineExecutionSummaries"]] == \
        ["Succeeded"] * 3
    assert [p["PipelineName"] for p in list_pipelines()] == ["churn"]
    from jupyter_ext.experiments import list_experiments

    # Every job the steps ran is a run in the pipeline's experiment: the first execution's
    # three and the third's two; each execution that succeeded registered a version.
    assert [(e.name, e.runs) for e in list_experiments()] == [("churn", 3 + 2)]
    assert [p.version for p in list_model_packages("churn-models")] == [3, 2, 1]


def test_the_else_branch_fails_the_execution_with_the_fail_steps_message(tmp_path: Path, script) -> None:
    pipeline = _pipeline(tmp_path, script, "weak")
    pipeline.upsert()
    execution = pipeline.start(parameters={"Accuracy": 0.5})
    with pytest.raises(UnexpectedStatusError):
        execution.wait()
    description = execution.describe()
    assert description["PipelineExecutionStatus"] == "Failed"
    assert description["FailureReason"] == "Accuracy 0.5 is below 0.8"
    steps = _steps(execution)
    assert steps["TooWeak"]["StepStatus"] == "Failed" and "Report" not in steps and "Register" not in steps
    with pytest.raises(ValidationError, match="Unknown pipeline parameter Nope"):
        pipeline.start(parameters={"Nope": 1})
    with pytest.raises(ValidationError, match="Parameter Accuracy is of type Float; 'high' is not"):
        pipeline.start(parameters={"Accuracy": "high"})
    assert len(pipeline.list_executions()["PipelineExecutionSummaries"]) == 1


def test_a_failed_step_is_retried_alone_after_the_fix(tmp_path: Path, script) -> None:
    (tmp_path / "broken").write_text("yes")
    pipeline = _pipeline(tmp_path, script, "fragile")
    pipeline.upsert()
    execution = pipeline.start()
    with pytest.raises(UnexpectedStatusError):
        execution.wait()
    steps = _steps(execution)
    assert steps["Train"]["StepStatus"] == "Failed" and "broken" in steps["Train"]["FailureReason"]
    assert set(steps) == {"Preprocess", "Train"}
    prep_job = steps["Preprocess"]["Metadata"]["ProcessingJob"]["Name"]
    (tmp_path / "broken").unlink()
    execution.retry().wait()
    steps = _steps(execution)
    assert all(s["StepStatus"] == "Succeeded" for s in steps.values()) and "Evaluate" in steps
    assert steps["Preprocess"]["Metadata"]["ProcessingJob"]["Name"] == prep_job
    assert len(list_jobs(type="Processing")) == 1 + 1  # prep once, evaluate
    assert len(list_jobs(type="Pipeline")) == 2


def test_an_execution_whose_program_died_is_retried_from_the_step_it_was_running(tmp_path: Path, script) -> None:
    import os
    import signal

    from jupyter_ext.jobs import records
    from jupyter_ext.store import get_store

    hold = tmp_path / "hold"
    hold.write_text("x")
    pipeline = _pipeline(tmp_path, script, "orphaned", hold=str(hold))
    pipeline.upsert()
    execution = pipeline.start()
    wait_until(lambda: (_steps(execution).get("Train", {}).get("Metadata") or {}).get("TrainingJob")
               and describe_job(_steps(execution)["Train"]["Metadata"]["TrainingJob"]["Name"]).status == "InProgress",
               timeout=60, what="the training step running")
    first_train = _steps(execution)["Train"]["Metadata"]["TrainingJob"]["Name"]
    os.kill(records.get_row(get_store(), execution.job_name)["runner_pid"], signal.SIGKILL)
    wait_until(lambda: execution.describe()["PipelineExecutionStatus"] == "Failed", what="the execution Failed")
    assert _steps(execution)["Train"]["StepStatus"] in ("Failed", "Stopped")
    hold.unlink()
    execution.retry().wait()
    steps = _steps(execution)
    assert steps["Train"]["Metadata"]["TrainingJob"]["Name"] != first_train
    assert describe_job(first_train).status in ("Completed", "Stopped")
    assert all(s["StepStatus"] == "Succeeded" for s in steps.values())
    assert len(list_jobs(type="Pipeline")) == 2


def test_a_job_step_retry_policy_runs_a_failed_job_again(tmp_path: Path, script) -> None:
    flag = tmp_path / "fails-once"
    flag.write_text("x")
    code = script(f"import os, sys\nif os.path.exists({str(flag)!r}):\n    os.remove({str(flag)!r}); "
                  "sys.exit('first attempt fails')\nprint('ok')\n", "flaky.py")
    step = ProcessingStep("Flaky", ScriptProcessor(command=["python3"]), code=str(code),
                          retry_policies=[SageMakerJobStepRetryPolicy(
                              failure_reason_types=[SageMakerJobExceptionTypeEnum.INTERNAL_ERROR],
                              max_attempts=2, interval_seconds=0.1)])
    pipeline = Pipeline("flaky", steps=[step])
    pipeline.upsert()
    execution = pipeline.start()
    execution.wait()
    assert _steps(execution)["Flaky"]["AttemptCount"] == 2
    assert len(list_jobs(type="Processing")) == 2


def test_stopping_an_execution_stops_its_running_step(tmp_path: Path, script) -> None:
    pipeline = _pipeline(tmp_path, script, "slow", sleep=60)
    pipeline.upsert()
    execution = pipeline.start()
    wait_until(lambda: (_steps(execution).get("Train", {}).get("Metadata") or {}).get("TrainingJob")
               and describe_job(_steps(execution)["Train"]["Metadata"]["TrainingJob"]["Name"]).status == "InProgress",
               timeout=60, what="the training step running")
    execution.stop()
    with pytest.raises(UnexpectedStatusError):
        execution.wait()
    assert execution.describe()["PipelineExecutionStatus"] == "Stopped"
    train = _steps(execution)["Train"]
    assert train["StepStatus"] == "Stopped"
    assert describe_job(train["Metadata"]["TrainingJob"]["Name"]).status == "Stopped"
    assert "Evaluate" not in _steps(execution)


def test_the_definition_is_sagemakers_json(tmp_path: Path, script) -> None:
    pipeline = _pipeline(tmp_path, script, "exported")
    definition = json.loads(pipeline.definition())
    assert json.loads(json.dumps(definition)) == definition
    assert definition["Version"] == "2020-12-01"
    assert definition["Parameters"][0] == {"Name": "Accuracy", "Type": "Float", "DefaultValue": 0.9}
    assert definition["PipelineExperimentConfig"] == {"ExperimentName": {"Get": "Execution.PipelineName"},
                                                      "TrialName": {"Get": "Execution.PipelineExecutionId"}}
    steps = {s["Name"]: s for s in definition["Steps"]}
    assert [s["Type"] for s in definition["Steps"]] == ["Processing", "Training", "Processing", "Condition"]
    assert steps["Train"]["Arguments"]["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == {
        "Get": "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}
    assert steps["Train"]["Arguments"]["HyperParameters"]["accuracy"] == {
        "Std:Join": {"On": "", "Values": [{"Get": "Parameters.Accuracy"}]}}
    assert steps["Train"]["Arguments"]["HyperParameters"]["sleep"] == "0.0"
    assert steps["Train"]["CacheConfig"] == {"Enabled": True, "ExpireAfter": "P30D"}
    assert steps["Evaluate"]["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}]
    condition = steps["CheckAccuracy"]["Arguments"]
    assert condition["Conditions"] == [{"Type": "GreaterThanOrEqualTo", "LeftValue": {"Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"}, "Path": "metrics.accuracy.value"}},
        "RightValue": {"Get": "Parameters.Threshold"}}]
    assert condition["ElseSteps"][0]["Arguments"]["ErrorMessage"]["Std:Join"]["On"] == " "
    from jupyter_ext import NotebookProcessor

    with pytest.raises(ValidationError, match="runs a Processor or a ScriptProcessor; got NotebookProcessor"):
        ProcessingStep("Notebook", NotebookProcessor())
    with pytest.raises(ValidationError, match="uses step Elsewhere, which is not in the pipeline's steps"):
        Pipeline("bad", steps=[FailStep("F", error_message=Join(values=[Properties("Steps.Elsewhere.X")]))]).upsert()
    with pytest.raises(ValidationError, match="parameter Missing"):
        Pipeline("bad", steps=[FailStep("F", error_message=ParameterInteger("Missing"))]).upsert()


def nap(seconds: float, label: str) -> dict:
    """A PythonStep that takes a while."""
    import time

    started = time.time()
    time.sleep(seconds)
    return {"label": label, "started": started, "ended": time.time()}


SCORED = """
import argparse, os, pathlib
p = argparse.ArgumentParser(); p.add_argument("-x", type=float); a = p.parse_args()
pathlib.Path(os.environ["SM_MODEL_DIR"], "x.txt").write_text(str(a.x))
print(f"score: {-(a.x - 0.5) ** 2}")
"""


def test_independent_steps_run_in_parallel_and_a_tuning_steps_best_model_is_made(tmp_path: Path, script) -> None:
    from jupyter_ext import ContinuousParameter, HyperparameterTuner
    from jupyter_ext.pipelines import ConditionIn, ConditionNot, ConditionOr, ConditionEquals, ModelStep, TuningStep

    first, second = PythonStep("NapA", nap, args=[2.0, "a"]), PythonStep("NapB", nap, args=[2.0, "b"])
    tuner = HyperparameterTuner(
        Estimator(str(script(SCORED, "scored.py")), base_job_name="scored"), "score",
        {"x": ContinuousParameter(0, 1)}, metric_definitions=[{"Name": "score", "Regex": r"score: ([-0-9.e]+)"}],
        max_jobs=2, max_parallel_jobs=2, strategy="Random", random_seed=3)
    tune = TuningStep("Tune", tuner, depends_on=[first, second])
    model = ModelStep("MakeModel", model_data=tune.get_top_model_s3_uri(top_k=0))
    label = first.properties.Result["label"]
    check = ConditionStep("Check", conditions=[ConditionOr([ConditionEquals(label, "z"), ConditionIn(label, ["a"])]),
                                               ConditionNot(ConditionEquals(second.properties.Result["label"], "a"))],
                          if_steps=[tune], else_steps=[FailStep("Wrong", error_message="conditions are off")])
    pipeline = Pipeline("parallel", steps=[first, second, check, model])
    tuning = json.loads(pipeline.definition())["Steps"][2]["Arguments"]["IfSteps"][0]["Arguments"]
    assert tuning["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0]["Name"] == "x"
    pipeline.upsert()
    execution = pipeline.start()
    execution.wait()
    a, b = execution.result("NapA"), execution.result("NapB")
    assert a["started"] < b["ended"] and b["started"] < a["ended"]  # the two ran at the same time
    steps = _steps(execution)
    tuning_job = steps["Tune"]["Metadata"]["TuningJob"]["Name"]
    assert describe_job(tuning_job).job_type == "Tuning" and len(describe_job(tuning_job).children) == 2
    made = execution.result("MakeModel")  # a step's properties
    best = made["PrimaryContainer"]["ModelDataUrl"]
    assert best.endswith("model.tar.gz") and Path(best).is_file()
    assert steps["MakeModel"]["Metadata"]["Model"]["Arn"].endswith(made["ModelName"])



SDK_PIPELINE = """
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.parameters import ParameterInteger
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo, ConditionNot
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join
from sagemaker.workflow.execution_variables import ExecutionVariables
n = ParameterInteger("Count", default_value=3)
few = FailStep("TooFew", error_message=Join(on=" ", values=["only", n, "in", ExecutionVariables.PIPELINE_EXECUTION_ID]))
check = ConditionStep("Enough", conditions=[ConditionNot(ConditionGreaterThanOrEqualTo(n, 5))], if_steps=[few])
print(Pipeline("sdk-made", parameters=[n], steps=[check]).definition())
"""


def test_a_definition_the_real_sdk_made_runs_here_and_ours_is_the_same_json(tmp_path: Path, script) -> None:
    import os
    import subprocess

    from jupyter_ext.pipelines import ConditionNot, ExecutionVariables, start_pipeline_execution, upsert_pipeline

    python = os.environ.get("SAGEMAKER2_PYTHON")
    if not python:
        pytest.skip("SAGEMAKER2_PYTHON (the SageMaker SDK v2's venv) is not set")
    made = subprocess.run([python, "-c", SDK_PIPELINE], capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAGEMAKER_SUPPRESS_V2_WARNING": "1"})
    definition = made.stdout.strip().splitlines()[-1]
    upsert_pipeline("sdk-made", definition)
    few = start_pipeline_execution("sdk-made", {"Count": 2})
    with pytest.raises(UnexpectedStatusError):
        few.wait()
    assert few.describe()["FailureReason"] == f"only 2 in {few.execution_id}"
    enough = start_pipeline_execution("sdk-made", {"Count": 7})
    enough.wait()
    assert [s["StepName"] for s in enough.list_steps()] == ["Enough"]

    n = ParameterInteger("Count", default_value=3)
    message = Join(on=" ", values=["only", n, "in", ExecutionVariables.PIPELINE_EXECUTION_ID])
    ours = Pipeline("sdk-made", parameters=[n], steps=[ConditionStep(
        "Enough", conditions=[ConditionNot(ConditionGreaterThanOrEqualTo(n, 5))],
        if_steps=[FailStep("TooFew", error_message=message)])])
    assert json.loads(ours.definition()) == json.loads(definition)

    # A job step known only by its SageMaker Arguments runs through the AWS layer's step kinds, which
    # run framework images only: our own local image is refused, saying so.
    training = Pipeline("arguments-only", steps=[TrainingStep("Train", Estimator(str(script(TRAIN, "train.py"))))])
    upsert_pipeline("arguments-only", training.definition())
    execution = start_pipeline_execution("arguments-only")
    with pytest.raises(UnexpectedStatusError, match="TrainingImage 'jupyter-ext-local' cannot run here"):
        execution.wait()


SKLEARN_TRAIN = """
import os, joblib, numpy
from sklearn.linear_model import LogisticRegression
x = numpy.random.RandomState(0).rand(100, 3)
joblib.dump(LogisticRegression().fit(x, (x[:, 0] + x[:, 1] > 1).astype(int)), os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
"""


def test_a_trained_model_is_made_and_batch_transformed(tmp_path: Path, script) -> None:
    from jupyter_ext.pipelines import ModelStep, TransformInput, TransformStep

    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "rows.csv").write_text("0.9,0.9,0.1\n0.1,0.1,0.5\n")
    train = TrainingStep("Fit", Estimator(str(script(SKLEARN_TRAIN, "fit.py"))))
    model = ModelStep("Model", model_data=train.properties.ModelArtifacts.S3ModelArtifacts)
    transform = TransformStep("Score", model.transformer(output_path=str(tmp_path / "scored")),
                              inputs=TransformInput(data=str(tmp_path / "batch"), content_type="text/csv"),
                              cache_config=CacheConfig(enable_caching=True))
    pipeline = Pipeline("batch", steps=[train, model, transform])
    assert json.loads(pipeline.definition())["Steps"][2]["Arguments"]["ModelName"] == {"Get": "Steps.Model.ModelName"}
    pipeline.upsert()
    execution = pipeline.start()
    execution.wait()
    assert (tmp_path / "scored" / "rows.csv.out").read_text().split() == ["1", "0"]
    assert execution.result("Score")["TransformOutput"]["S3OutputPath"] == str(tmp_path / "scored")


def test_model_steps_as_sagemaker_writes_them_create_and_register(script) -> None:
    from jupyter_ext.pipelines import ModelStep
    from jupyter_ext.serving import Model

    train = TrainingStep("Fit", Estimator(str(script(SKLEARN_TRAIN, "fit.py"))))
    model = Model(model_data=train.properties.ModelArtifacts.S3ModelArtifacts)
    with pytest.raises(ValidationError, match="known only when the pipeline runs"):
        model.deploy()
    create = ModelStep("Create", step_args=model.create())
    register = ModelStep("Register", step_args=model.register(
        content_types=["text/csv"], response_types=["text/csv"], model_package_group_name="fits",
        approval_status="Approved", description="from a step"))
    assert (type(create).__name__, type(register).__name__) == ("ModelStep", "RegisterModel")
    steps = {s["Name"]: s for s in json.loads(Pipeline("steps-args", steps=[train, create, register]).definition())["Steps"]}
    assert steps["Register"]["Type"] == "RegisterModel"
    assert steps["Register"]["Arguments"]["ModelPackageGroupName"] == "fits"
    pipeline = Pipeline("step-args", steps=[train, create, register])
    pipeline.upsert()
    execution = pipeline.start()
    execution.wait()
    (version,) = list_model_packages("fits")
    assert (version.approval_status, version.describe().description) == ("Approved", "from a step")
    assert version.describe().model_data == execution.result("Create")["PrimaryContainer"]["ModelDataUrl"]
    with pytest.raises(ValidationError, match="step_args must be model.create"):
        ModelStep("Wrong", step_args={"not": "arguments"})
