"""SageMaker Experiments on the local AWS endpoint: the SDK v2's Run, load_run (in a
training job too) and ExperimentAnalytics, boto3's experiment, trial, trial component and
Search operations, and what jupyter_ext.experiments sees of them (and they of it).

The SDK's script starts first (`sdk_run`) and runs beside the boto3 tests: importing the
SDK and waiting for its training job take most of the module's time.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.experiments import ExperimentAnalytics, Run, list_experiments
from jupyter_ext.experiments.queries import describe_run, leaderboard

ROLE = "arn:aws:iam::000000000000:role/local"

# The job's Python is the project's, without the SDK: the script borrows the SDK's
# environment (SDK_SITE) to call load_run() as a script in SageMaker's containers does.
JOB_SCRIPT = textwrap.dedent("""\
    import os, sys
    sys.path.insert(0, os.environ["SDK_SITE"])
    from sagemaker.experiments.run import load_run
    with load_run() as run:
        run.log_metric("job_accuracy", 0.75, step=0)
        run.log_metric("job_accuracy", 0.9, step=1)
    print("train loss: 0.25")
""")

SDK_CLIENT = textwrap.dedent(f"""\
    import json, sys
    import sagemaker
    from sagemaker.analytics import ExperimentAnalytics
    from sagemaker.experiments.run import Run, load_run, list_runs
    from sagemaker.sklearn import SKLearn
    session = sagemaker.Session()
    site = [p for p in sys.path if p.endswith("site-packages")][0]
    with Run(experiment_name="sdk-exp", run_name="first", sagemaker_session=session) as run:
        run.log_parameter("lr", 0.1)
        run.log_parameters({{"optimizer": "adam", "layers": 3}})
        for step in range(3):
            run.log_metric("loss", 1.0 / (step + 1), step=step)
        run.log_artifact("data", "s3://somewhere/data.csv", media_type="text/csv", is_output=False)
        run.log_file("notes.txt", name="notes")
        estimator = SKLearn(entry_point="train.py", source_dir="src", framework_version="1.2-1",
                            instance_type="ml.m5.large", role="{ROLE}", environment={{"SDK_SITE": site}},
                            hyperparameters={{"epochs": 2}},
                            metric_definitions=[{{"Name": "train_loss", "Regex": "train loss: ([0-9.]+)"}}])
        estimator.fit(logs=False)
        print("JOB", estimator.latest_training_job.name)
    with load_run(experiment_name="sdk-exp", run_name="first", sagemaker_session=session) as run:
        run.log_metric("extra", 5.0)
    print("RUNS", json.dumps(sorted(r.run_name for r in list_runs("sdk-exp", sagemaker_session=session))))
    frame = ExperimentAnalytics(experiment_name="sdk-exp", sagemaker_session=session).dataframe()
    print("FRAME", frame.to_json(orient="records"))
    from sagemaker.experiments.experiment import Experiment
    with Run(experiment_name="sdk-tmp", run_name="r", sagemaker_session=session) as run:
        run.log_metric("m", 1.0)
    Experiment.load("sdk-tmp", sagemaker_session=session)._delete_all(action="--force")  # AWS's examples clean up so
    print("DELETED")
""")


@pytest.fixture(scope="module")
def sdk_run(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> ClientRun:
    """The SDK's client script, started when the module starts."""
    if not Path(SAGEMAKER2_PYTHON).is_file():
        pytest.skip("set SAGEMAKER2_PYTHON to a Python with sagemaker<3")
    cwd = tmp_path_factory.mktemp("sdk-experiments")
    (cwd / "src").mkdir()
    (cwd / "src" / "train.py").write_text(JOB_SCRIPT)
    (cwd / "notes.txt").write_text("what I tried")
    return aws_endpoint.start(SAGEMAKER2_PYTHON, SDK_CLIENT, cwd)


@pytest.fixture(scope="module", autouse=True)
def _start_sdk_first(request: pytest.FixtureRequest) -> None:
    if Path(SAGEMAKER2_PYTHON).is_file():
        request.getfixturevalue("sdk_run")


def _error(call: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]


def test_experiments_trials_and_components_through_boto3(aws: Endpoint) -> None:
    sm = boto3.client("sagemaker")
    sm.create_experiment(ExperimentName="b3-exp", DisplayName="Boto3 experiment", Description="by hand",
                         Tags=[{"Key": "owner", "Value": "me"}])
    assert "already exists" in _error(lambda: sm.create_experiment(ExperimentName="b3-exp"))["Message"]
    sm.update_experiment(ExperimentName="b3-exp", Description="changed")
    described = sm.describe_experiment(ExperimentName="b3-exp")
    assert (described["DisplayName"], described["Description"]) == ("Boto3 experiment", "changed")
    assert described["ExperimentArn"].endswith(":experiment/b3-exp")
    sm.create_trial(TrialName="b3-trial", ExperimentName="b3-exp")
    assert _error(lambda: sm.create_trial(TrialName="t", ExperimentName="none"))["Code"] == "ValidationException"
    start = time.time()
    sm.create_trial_component(
        TrialComponentName="b3-tc", DisplayName="by boto3", Status={"PrimaryStatus": "InProgress"},
        StartTime=start, Parameters={"lr": {"NumberValue": 0.5}, "opt": {"StringValue": "sgd"}},
        InputArtifacts={"data": {"Value": "s3://b/d.csv", "MediaType": "text/csv"}},
        Tags=[{"Key": "sagemaker:trial-component-source", "Value": "run"}])
    sm.associate_trial_component(TrialComponentName="b3-tc", TrialName="b3-trial")
    boto3.client("sagemaker-metrics").batch_put_metrics(TrialComponentName="b3-tc", MetricData=[
        {"MetricName": "acc", "Value": v, "Step": i, "Timestamp": start + i} for i, v in enumerate((0.5, 0.7, 0.6))])
    sm.update_trial_component(TrialComponentName="b3-tc", Status={"PrimaryStatus": "Failed", "Message": "diverged"},
                              EndTime=start + 5, ParametersToRemove=["opt"],
                              OutputArtifacts={"model": {"Value": "s3://b/m.tar.gz"}})
    tc = sm.describe_trial_component(TrialComponentName="b3-tc")
    assert tc["Status"] == {"PrimaryStatus": "Failed", "Message": "diverged"}
    assert tc["Parameters"] == {"lr": {"NumberValue": 0.5}} and tc["OutputArtifacts"]["model"]["Value"] == "s3://b/m.tar.gz"
    acc = tc["Metrics"][0]
    assert (acc["MetricName"], acc["Min"], acc["Max"], acc["Last"], acc["Count"]) == ("acc", 0.5, 0.7, 0.6, 3)
    got = boto3.client("sagemaker-metrics").batch_get_metrics(MetricQueries=[
        {"MetricName": "acc", "ResourceArn": tc["TrialComponentArn"], "MetricStat": "Avg", "Period": "IterationNumber",
         "XAxisType": "IterationNumber"}])["MetricQueryResults"][0]
    assert got["XAxisValues"] == [0, 1, 2] and got["MetricValues"] == [0.5, 0.7, 0.6]
    listed = sm.list_trial_components(TrialName="b3-trial")["TrialComponentSummaries"]
    assert [s["TrialComponentName"] for s in listed] == ["b3-tc"]
    assert [t["TrialName"] for t in sm.list_trials(TrialComponentName="b3-tc")["TrialSummaries"]] == ["b3-trial"]
    # jupyter_ext's own view of what boto3 made
    row = ExperimentAnalytics(experiment_name="b3-exp").dataframe().iloc[0]
    assert row["TrialComponentName"] == "b3-tc" and row["lr"] == 0.5 and row["acc - Max"] == 0.7
    assert row["Status"] == "Failed" and row["Trials"] == ["b3-trial"]
    assert "still has 1 trial" in _error(lambda: sm.delete_experiment(ExperimentName="b3-exp"))["Message"]
    assert _error(lambda: sm.delete_trial(TrialName="b3-trial"))["Code"] == "ResourceInUse"
    sm.disassociate_trial_component(TrialComponentName="b3-tc", TrialName="b3-trial")
    sm.delete_trial_component(TrialComponentName="b3-tc")
    sm.delete_trial(TrialName="b3-trial")
    sm.delete_experiment(ExperimentName="b3-exp")
    assert _error(lambda: sm.describe_trial_component(TrialComponentName="b3-tc"))["Code"] == "ValidationException"


def test_search_filters_nested_filters_sorting_and_paging(aws: Endpoint) -> None:
    for c, auc in ((1, 0.7), (2, 0.9), (3, 0.8)):
        with Run(experiment_name="search-exp", run_name=f"c{c}") as run:
            run.log_parameter("C", c)
            run.log_parameter("kernel", "rbf" if c < 3 else "linear")
            run.log_metric("auc", auc)
    sm = boto3.client("sagemaker")
    in_experiment = {"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "search-exp"}

    def names(expression: dict, **extra: object) -> list[str]:
        found = sm.search(Resource="ExperimentTrialComponent", SearchExpression=expression, **extra)["Results"]
        return [r["TrialComponent"]["TrialComponentName"] for r in found]

    by_auc = {"SortBy": "Metrics.auc.Last", "SortOrder": "Descending"}
    assert names({"Filters": [in_experiment]}, **by_auc) == ["search-exp-c2", "search-exp-c3", "search-exp-c1"]
    assert names({"Filters": [in_experiment, {"Name": "Parameters.C", "Operator": "GreaterThanOrEqualTo",
                                              "Value": "2"}]}, SortBy="Parameters.C", SortOrder="Ascending") == [
        "search-exp-c2", "search-exp-c3"]
    assert names({"Filters": [in_experiment, {"Name": "Metrics.auc.Max", "Operator": "LessThan", "Value": "0.85"},
                              {"Name": "Parameters.kernel", "Operator": "NotEquals", "Value": "linear"}]}) == [
        "search-exp-c1"]
    assert names({"NestedFilters": [{"NestedPropertyName": "Parents", "Filters": [
        {"Name": "Parents.TrialName", "Operator": "Contains", "Value": "run-group-search"}]}],
        "SubExpressions": [{"Operator": "Or", "Filters": [
            {"Name": "TrialComponentName", "Operator": "Equals", "Value": "search-exp-c1"},
            {"Name": "Parameters.kernel", "Operator": "Equals", "Value": "linear"}]}]}, **by_auc) == [
        "search-exp-c3", "search-exp-c1"]
    first = sm.search(Resource="ExperimentTrialComponent", SearchExpression={"Filters": [in_experiment]},
                      MaxResults=2, **by_auc)
    rest = sm.search(Resource="ExperimentTrialComponent", SearchExpression={"Filters": [in_experiment]},
                     MaxResults=2, NextToken=first["NextToken"], **by_auc)
    assert len(first["Results"]) == 2 and [r["TrialComponent"]["TrialComponentName"] for r in rest["Results"]] == [
        "search-exp-c1"] and "NextToken" not in rest
    experiments = sm.search(Resource="Experiment", SearchExpression={"Filters": [
        {"Name": "ExperimentName", "Operator": "Equals", "Value": "search-exp"}]})["Results"]
    assert [r["Experiment"]["ExperimentName"] for r in experiments] == ["search-exp"]
    trials = sm.search(Resource="ExperimentTrial", SearchExpression={"Filters": [
        {"Name": "ExperimentName", "Operator": "Equals", "Value": "search-exp"}]})["Results"]
    assert [len(r["Trial"]["TrialComponentSummaries"]) for r in trials] == [3]
    # a Run of our own answers Describe* as SageMaker's would
    tc = sm.describe_trial_component(TrialComponentName="search-exp-c2")
    assert tc["Parameters"]["C"] == {"NumberValue": 2} and tc["Status"]["PrimaryStatus"] == "Completed"
    assert sm.describe_trial(TrialName="Default-Run-Group-search-exp")["ExperimentName"] == "search-exp"
    assert sm.describe_experiment(ExperimentName="search-exp")["ExperimentName"] == "search-exp"
    assert _error(lambda: sm.search(Resource="Endpoint"))["Code"] == "ValidationException"


@needs_sdk2
def test_sdk_run_load_run_in_a_job_and_experiment_analytics(aws: Endpoint, sdk_run: ClientRun) -> None:
    output = sdk_run.result(timeout=300).stdout
    job = printed(output, "JOB")
    assert json.loads(output.split("RUNS ", 1)[1].splitlines()[0]) == ["first"]
    rows = {row["TrialComponentName"]: row for row in json.loads(output.split("FRAME ", 1)[1].splitlines()[0])}
    first, job_run = rows["sdk-exp-first"], rows[f"sdk-exp-{job.lower()}"]
    assert (first["lr"], first["optimizer"], first["layers"]) == (0.1, "adam", 3)
    assert (first["loss - Min"], first["loss - Last"], first["loss - Count"]) == pytest.approx((1 / 3, 1 / 3, 3))
    assert first["job_accuracy - Last"] == 0.9 and first["extra - Last"] == 5.0  # load_run in the job, and after
    assert first["data - Value"] == "s3://somewhere/data.csv" and first["notes - Value"].startswith("s3://")
    assert first["Trials"] == ["Default-Run-Group-sdk-exp"] and first["Experiments"] == ["sdk-exp"]
    assert job_run["SourceArn"].endswith(f":training-job/{job.lower()}") and job_run["train_loss - Last"] == 0.25
    # jupyter_ext sees what the SDK logged
    ours = ExperimentAnalytics(experiment_name="sdk-exp").dataframe().set_index("TrialComponentName")
    assert ours.loc["sdk-exp-first", "lr"] == 0.1 and ours.loc["sdk-exp-first", "job_accuracy - Max"] == 0.9
    assert ours.loc[f"sdk-exp-{job.lower()}", "SourceArn"] == job
    assert describe_run("sdk-exp-first").status == "Completed"
    assert "DELETED" in output and "sdk-tmp" not in {e.name for e in list_experiments()}
    assert {e.name: e.runs for e in list_experiments()}["sdk-exp"] == 2  # what the sidebar lists and ranks
    assert [row.run for row in leaderboard("sdk-exp", "job_accuracy").rows] == ["sdk-exp-first", f"sdk-exp-{job.lower()}"]
    sm = boto3.client("sagemaker")
    sources = sm.list_trial_components(SourceArn=sm.describe_training_job(TrainingJobName=job)["TrainingJobArn"])
    assert [s["TrialComponentName"] for s in sources["TrialComponentSummaries"]] == [f"sdk-exp-{job.lower()}"]
    found = sm.search(Resource="TrainingJob", SearchExpression={"Filters": [
        {"Name": "ExperimentConfig.RunName", "Operator": "Equals", "Value": "sdk-exp-first"}]})["Results"]
    assert [r["TrainingJob"]["TrainingJobName"] for r in found] == [job]
