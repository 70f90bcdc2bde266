"""Hyperparameter tuning on the local AWS endpoint with SageMaker SDK v2, unmodified:
HyperparameterTuner.fit over an SKLearn estimator, best_training_job, analytics,
attach, deploy and predict, a multi-algorithm tuner from create(), and a stop; then the
listing operations through boto3, and a tuning job made in Python read through them.

SDK v2 waits for a tuning job by sleeping 5 s before each DescribeHyperParameterTuningJob;
the first tuner waits so (as a notebook's fit() does), the others start with wait=False
and wait with the SDK's own loop at `poll=0.5`. Endpoints are waited for with
`wait_for_endpoint(poll=1)` (30 s apart by default).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import boto3
import pytest

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext import Estimator, HyperparameterTuner, IntegerParameter
from jupyter_ext.jobs import describe_job

ROLE = "arn:aws:iam::000000000000:role/local"

# A quick trial: the "accuracy" is a function of the hyperparameters (best near c=1, depth=3),
# the "model" those hyperparameters; model_fn/predict_fn serve it, as SageMaker's sklearn examples do.
SCRIPT = textwrap.dedent("""\
    import json, math, os, time

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.json")) as file:
            return json.load(file)

    def predict_fn(data, model):
        return [[model["depth"] * float(x) for x in row] for row in data]

    if __name__ == "__main__":
        hps = json.loads(os.environ["SM_HPS"])
        time.sleep(float(hps.get("sleep", 0)))
        with open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv")) as file:
            rows = len(file.read().splitlines())
        c, depth = float(hps.get("c", 1.0)), int(hps.get("depth", 3))
        accuracy = 1 / (1 + abs(math.log10(c)) + abs(depth - 3) / 4) * rows / 10
        with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as file:
            json.dump({"c": c, "depth": depth}, file)
        print(f"validation:accuracy={accuracy:.4f}")
""")

CLIENT = textwrap.dedent(f"""\
    import time
    import sagemaker
    from sagemaker.deserializers import JSONDeserializer
    from sagemaker.serializers import JSONSerializer
    from sagemaker.sklearn import SKLearn
    from sagemaker.tuner import CategoricalParameter, ContinuousParameter, HyperparameterTuner, IntegerParameter

    started = time.monotonic()
    session = sagemaker.Session()
    sm = session.sagemaker_client
    uri = session.upload_data("train.csv", key_prefix="tuning-data")
    metrics = [{{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+)"}}]

    def estimator(**hyperparameters):
        return SKLearn(entry_point="tune.py", source_dir="src", framework_version="1.2-1", role="{ROLE}",
                       instance_type="ml.m5.large", hyperparameters=hyperparameters or None)

    tuner = HyperparameterTuner(
        estimator=estimator(), objective_metric_name="validation:accuracy",
        hyperparameter_ranges={{"c": ContinuousParameter(0.01, 10, scaling_type="Logarithmic"),
                               "depth": IntegerParameter(1, 4)}},
        metric_definitions=metrics, strategy="Bayesian", max_jobs=4, max_parallel_jobs=2,
        early_stopping_type="Auto", base_tuning_job_name="tune-sk")
    tuner.fit({{"train": uri}})
    name = tuner.latest_tuning_job.name
    print("TUNED", name, round(time.monotonic() - started, 1))
    best = tuner.best_training_job()
    print("BEST", best)
    frame = tuner.analytics().dataframe()
    print("FRAME", len(frame), sorted(frame.columns), frame["FinalObjectiveValue"].notna().sum())
    print("FRAMEBEST", frame.sort_values("FinalObjectiveValue").iloc[-1]["TrainingJobName"])

    attached = HyperparameterTuner.attach(name)
    print("ATTACHED", attached.best_training_job(), attached.max_jobs, attached.strategy,
          sorted(attached.hyperparameter_ranges()["ContinuousParameterRanges"][0]))
    predictor = attached.deploy(initial_instance_count=1, instance_type="ml.m5.large", serializer=JSONSerializer(),
                                deserializer=JSONDeserializer(), wait=False)
    print("ENDPOINT", session.wait_for_endpoint(predictor.endpoint_name, poll=1)["EndpointStatus"],
          predictor.endpoint_name)
    print("PREDICT", predictor.predict([[1, 2]]))
    predictor.delete_endpoint()
    print("DEPLOYED", round(time.monotonic() - started, 1))

    multi = HyperparameterTuner.create(
        estimator_dict={{"wide": estimator(depth=3), "deep": estimator(c=1.0)}},
        objective_metric_name_dict={{"wide": "validation:accuracy", "deep": "validation:accuracy"}},
        hyperparameter_ranges_dict={{"wide": {{"c": ContinuousParameter(0.1, 10)}},
                                    "deep": {{"depth": CategoricalParameter([2, 3])}}}},
        metric_definitions_dict={{"wide": metrics, "deep": metrics}}, strategy="Random", max_jobs=2,
        max_parallel_jobs=2, base_tuning_job_name="tune-multi")
    multi.fit({{"wide": {{"train": uri}}, "deep": {{"train": uri}}}}, include_cls_metadata={{}}, wait=False)
    described = session.wait_for_tuning_job(multi.latest_tuning_job.name, poll=0.5)
    print("MULTI", multi.latest_tuning_job.name, described["HyperParameterTuningJobStatus"],
          described["BestTrainingJob"]["TrainingJobDefinitionName"] in ("wide", "deep"),
          sorted(multi.analytics().dataframe()["TrainingJobDefinitionName"]))
    print("MULTIATTACH", sorted(HyperparameterTuner.attach(multi.latest_tuning_job.name).estimator_dict))

    slow = HyperparameterTuner(estimator(sleep=60), "validation:accuracy", {{"depth": IntegerParameter(1, 4)}},
                               metric_definitions=metrics, strategy="Random", max_jobs=3, max_parallel_jobs=1,
                               base_tuning_job_name="tune-stop")
    slow.fit({{"train": uri}}, wait=False)
    slow_name = slow.latest_tuning_job.name
    deadline = time.monotonic() + 60
    while not sm.list_training_jobs_for_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=slow_name, StatusEquals="InProgress")["TrainingJobSummaries"]:
        assert time.monotonic() < deadline, "no training job started"
        time.sleep(0.2)
    slow.stop_tuning_job()
    described = session.wait_for_tuning_job(slow_name, poll=0.5)
    print("STOPPED", slow_name, described["HyperParameterTuningJobStatus"], described["TrainingJobStatusCounters"])
    print("DONE", round(time.monotonic() - started, 1))
""")


@pytest.fixture(scope="module")
def tuning_output(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the SDK v2 script printed."""
    folder = tmp_path_factory.mktemp("tuning-client")
    (folder / "src").mkdir()
    (folder / "src" / "tune.py").write_text(SCRIPT)
    (folder / "train.csv").write_text("".join(f"{i},{i % 2}\n" for i in range(10)))
    run: ClientRun = aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)
    return run.result(timeout=300).stdout


@needs_sdk2
def test_fit_waits_and_the_best_training_job_is_the_best_in_analytics(aws: Endpoint, tuning_output: str) -> None:
    out = tuning_output
    name, best = printed(out, "TUNED"), printed(out, "BEST")
    assert best.startswith(f"{name}-") and printed(out, "FRAMEBEST") == best
    frame = out.split("FRAME ", 1)[1].splitlines()[0]
    assert frame.startswith("4 ['FinalObjectiveValue', 'TrainingElapsedTimeSeconds', 'TrainingEndTime', "
                            "'TrainingJobName', 'TrainingJobStatus', 'TrainingStartTime', 'c', 'depth'] ")
    assert describe_job(name).job_type == "Tuning" and len(describe_job(name).children) == 4


@needs_sdk2
def test_attach_then_deploy_serves_the_best_model(aws: Endpoint, tuning_output: str) -> None:
    out = tuning_output
    best = printed(out, "BEST")
    assert f"ATTACHED {best} 4 Bayesian ['MaxValue', 'MinValue', 'Name', 'ScalingType']" in out
    assert f"ENDPOINT InService {best}" in out
    depth = describe_job(best).hyperparameters["depth"]
    assert f"PREDICT [[{float(depth)}, {2.0 * depth}]]" in out


@needs_sdk2
def test_a_multi_algorithm_tuner_runs_each_definition(aws: Endpoint, tuning_output: str) -> None:
    out = tuning_output
    assert f"MULTI {printed(out, 'MULTI')} Completed True ['deep', 'wide']" in out
    assert "MULTIATTACH ['deep', 'wide']" in out


@needs_sdk2
def test_stop_ends_the_tuning_job_and_its_training_job(aws: Endpoint, tuning_output: str) -> None:
    out = tuning_output
    name = printed(out, "STOPPED")
    assert f"STOPPED {name} Stopped " in out
    statuses = [describe_job(child).status for child in describe_job(name).children]
    assert statuses == ["Stopped"], statuses


@needs_sdk2
def test_trials_are_training_jobs_listed_sorted_and_paged(aws: Endpoint, tuning_output: str) -> None:
    sm = boto3.client("sagemaker")
    name, best = printed(tuning_output, "TUNED"), printed(tuning_output, "BEST")
    trial = sm.describe_training_job(TrainingJobName=best)
    assert trial["TuningJobArn"].endswith(f":hyper-parameter-tuning-job/{name.lower()}")
    assert trial["HyperParameters"]["sagemaker_program"] == '"tune.py"' and "depth" in trial["HyperParameters"]
    ranked = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending", MaxResults=2)
    first = ranked["TrainingJobSummaries"][0]
    assert first["TrainingJobName"] == best and first["ObjectiveStatus"] == "Succeeded"
    assert first["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == "validation:accuracy"
    assert set(first["TunedHyperParameters"]) == {"c", "depth"}
    rest = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending",
        NextToken=ranked["NextToken"])["TrainingJobSummaries"]
    assert len(ranked["TrainingJobSummaries"]) + len(rest) == 4
    assert not sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="Failed")["TrainingJobSummaries"]


@needs_sdk2
def test_describe_and_list_tuning_jobs(aws: Endpoint, tuning_output: str) -> None:
    sm = boto3.client("sagemaker")
    name, best = printed(tuning_output, "TUNED"), printed(tuning_output, "BEST")
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    config = described["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Bayesian" and config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 4
    assert config["ParameterRanges"]["ContinuousParameterRanges"][0]["ScalingType"] == "Logarithmic"
    counters = described["TrainingJobStatusCounters"]
    assert counters["Completed"] + counters["Stopped"] == 4 and counters["NonRetryableError"] == 0
    assert described["ObjectiveStatusCounters"]["Succeeded"] == 4
    assert described["BestTrainingJob"]["TrainingJobName"] == best
    assert described["HyperParameterTuningEndTime"] >= described["CreationTime"]
    summaries = sm.list_hyper_parameter_tuning_jobs(NameContains="tune-", SortBy="Name", SortOrder="Ascending")[
        "HyperParameterTuningJobSummaries"]
    assert len(summaries) == 3 and summaries[1]["HyperParameterTuningJobName"] == name
    assert {s["HyperParameterTuningJobStatus"] for s in summaries} == {"Completed", "Stopped"}


def test_a_tuning_job_made_in_python_answers_describe_and_list(aws: Endpoint, tmp_path: Path) -> None:
    script = tmp_path / "objective.py"
    script.write_text("import sys\nprint(f'score: {-abs(int(sys.argv[2]) - 2)}')\n")  # `-n VALUE`
    estimator = Estimator(str(script), metric_definitions=[{"Name": "score", "Regex": r"score: (\S+)"}])
    tuner = HyperparameterTuner(estimator, "score", {"n": IntegerParameter(0, 3)}, strategy="Grid", max_parallel_jobs=2,
                                base_tuning_job_name="python-tuned")
    tuner.fit(logs=False)
    name = tuner.latest_tuning_job.name
    sm = boto3.client("sagemaker")
    described = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    config = described["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Grid" and config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 4
    assert config["ParameterRanges"]["IntegerParameterRanges"][0] == {
        "Name": "n", "MinValue": "0", "MaxValue": "3", "ScalingType": "Auto"}
    assert described["BestTrainingJob"]["TunedHyperParameters"] == {"n": "2"}
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    summaries = sm.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="Name", MaxResults=10)["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in summaries] == [f"{name}-00{i}" for i in range(1, 5)]
    assert sm.describe_training_job(TrainingJobName=summaries[0]["TrainingJobName"])["TuningJobArn"] == \
        described["HyperParameterTuningJobArn"]
