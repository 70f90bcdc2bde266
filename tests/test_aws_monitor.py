"""Model Monitor on the local AWS endpoint over real clients: SDK v2's DefaultModelMonitor
(suggest_baseline on SageMaker's analyzer image, a NOW schedule on an endpoint deployed
with data capture, its execution's violations and statistics, stop/start, delete),
ModelQualityMonitor's job definition path, and boto3's schedule, execution and job
definition operations (filters, paging, both schedule forms, errors).

SDK v2 sleeps 5 s before it first looks at a job it waits for, and 30 s between looks at
an endpoint: the script deploys with wait=False and waits with `wait_for_endpoint(poll=1)`,
and polls the executions itself with a short deadline.
"""

from __future__ import annotations

import io
import tarfile
import textwrap
from pathlib import Path

import boto3
import botocore.exceptions
import pytest

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.jobs import Job

ROLE = "arn:aws:iam::000000000000:role/local"
BUCKET = "sagemaker-us-east-1-000000000000"
IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"

# A model that needs no training: the label is whether x1 > x2.
SCRIPT = textwrap.dedent("""\
    import numpy as np

    def model_fn(model_dir):
        return None

    def predict_fn(data, model):
        data = np.asarray(data, dtype=float).reshape(-1, 2)
        return (data[:, 0] > data[:, 1]).astype(int)
""")

CLIENT = textwrap.dedent("""\
    import json, random, time
    import sagemaker
    from sagemaker.model_monitor import (
        CronExpressionGenerator, DataCaptureConfig, DatasetFormat, DefaultModelMonitor, EndpointInput,
        ModelQualityMonitor)
    from sagemaker.serializers import CSVSerializer
    from sagemaker.deserializers import CSVDeserializer
    from sagemaker.sklearn import SKLearnModel

    started = time.monotonic()
    session = sagemaker.Session()
    sm, bucket = session.sagemaker_client, session.default_bucket()
    print("IMAGE", sagemaker.image_uris.retrieve("model-monitor", "us-east-1"))

    monitor = DefaultModelMonitor(role="ROLE", instance_count=1, instance_type="ml.m5.xlarge",
                                  max_runtime_in_seconds=600, sagemaker_session=session)
    monitor.suggest_baseline(baseline_dataset="train.csv", dataset_format=DatasetFormat.csv(header=True),
                             output_s3_uri=f"s3://{bucket}/monitor/baseline", post_analytics_processor_script="post.py",
                             wait=True, logs=False)
    job = monitor.latest_baselining_job.describe()
    print("BASELINE", job["ProcessingJobName"], job["ProcessingJobStatus"], job["AppSpecification"]["ImageUri"])
    statistics, constraints = monitor.baseline_statistics(), monitor.suggested_constraints()
    print("FEATURES", [f["name"] for f in statistics.body_dict["features"]],
          statistics.body_dict["dataset"]["item_count"], [f["inferred_type"] for f in constraints.body_dict["features"]])
    print("BASELINED", round(time.monotonic() - started, 1))

    model_data = session.upload_data("model.tar.gz", key_prefix="monitor/model")
    model = SKLearnModel(model_data=model_data, role="ROLE", entry_point="serve.py", source_dir="src",
                         framework_version="1.2-1", sagemaker_session=session)
    capture = DataCaptureConfig(enable_capture=True, sampling_percentage=100,
                                destination_s3_uri=f"s3://{bucket}/monitor/capture")
    predictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large", data_capture_config=capture,
                             serializer=CSVSerializer(), deserializer=CSVDeserializer(), wait=False)
    session.wait_for_endpoint(predictor.endpoint_name, poll=1)
    print("ENDPOINT", predictor.endpoint_name)
    shifted = random.Random(3)
    answers = [predictor.predict([[50 + shifted.random() * 20, shifted.random() * 10]]) for _ in range(30)]
    print("PREDICTED", len(answers), answers[0])
    print("DEPLOYED", round(time.monotonic() - started, 1))

    monitor.create_monitoring_schedule(
        endpoint_input=predictor.endpoint_name, output_s3_uri=f"s3://{bucket}/monitor/reports",
        statistics=statistics, constraints=constraints, schedule_cron_expression=CronExpressionGenerator.now(),
        data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H")
    schedule_name = monitor.monitoring_schedule_name
    print("SCHEDULE", schedule_name, monitor.job_definition_name)
    deadline, executions = time.monotonic() + 120, []
    while time.monotonic() < deadline:
        executions = monitor.list_executions()
        if executions and executions[-1].describe()["ProcessingJobStatus"] in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(0.5)
    execution = executions[-1]
    described = execution.describe()
    print("EXECUTION", described["ProcessingJobName"], described["ProcessingJobStatus"],
          described["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"])
    print("EXECUTED", round(time.monotonic() - started, 1))
    violations = monitor.latest_monitoring_constraint_violations().body_dict["violations"]
    print("VIOLATIONS", json.dumps(sorted({(v["feature_name"], v["constraint_check_type"]) for v in violations})))
    print("CURRENT", monitor.latest_monitoring_statistics().body_dict["dataset"]["item_count"])
    schedule = monitor.describe_schedule()
    print("DESCRIBED", schedule["MonitoringScheduleStatus"], schedule["EndpointName"],
          schedule["MonitoringScheduleConfig"]["MonitoringType"],
          schedule["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"])
    monitor.stop_monitoring_schedule()
    print("STOPPED", monitor.describe_schedule()["MonitoringScheduleStatus"])
    monitor.start_monitoring_schedule()
    print("STARTED", monitor.describe_schedule()["MonitoringScheduleStatus"])
    listed = session.list_monitoring_schedules(endpoint_name=predictor.endpoint_name)["MonitoringScheduleSummaries"]
    print("LISTED", [s["MonitoringScheduleName"] for s in listed])
    first_definition = monitor.job_definition_name
    monitor.update_monitoring_schedule(schedule_cron_expression=CronExpressionGenerator.hourly(),
                                       max_runtime_in_seconds=900)
    updated = monitor.describe_schedule()["MonitoringScheduleConfig"]
    print("UPDATED", updated["ScheduleConfig"]["ScheduleExpression"],
          updated["MonitoringJobDefinitionName"] == monitor.job_definition_name != first_definition,
          sm.describe_data_quality_job_definition(JobDefinitionName=monitor.job_definition_name)
          ["StoppingCondition"]["MaxRuntimeInSeconds"])

    quality = ModelQualityMonitor(role="ROLE", instance_count=1, instance_type="ml.m5.xlarge", sagemaker_session=session)
    quality.suggest_baseline(baseline_dataset="quality.csv", dataset_format=DatasetFormat.csv(header=True),
                             problem_type="BinaryClassification", inference_attribute="prediction",
                             probability_attribute="probability", ground_truth_attribute="label",
                             output_s3_uri=f"s3://{bucket}/monitor/quality-baseline", wait=True, logs=False)
    print("QUALITY", sorted(quality.suggested_constraints().body_dict["binary_classification_constraints"])[:3])
    quality.create_monitoring_schedule(
        endpoint_input=EndpointInput(predictor.endpoint_name, "/opt/ml/processing/input_data", inference_attribute="0",
                                     start_time_offset="-PT2H", end_time_offset="-PT1H"),
        ground_truth_input=f"s3://{bucket}/monitor/ground-truth", problem_type="BinaryClassification",
        output_s3_uri=f"s3://{bucket}/monitor/quality-reports", constraints=quality.suggested_constraints(),
        schedule_cron_expression=CronExpressionGenerator.hourly())
    definition = sm.describe_model_quality_job_definition(JobDefinitionName=quality.job_definition_name)
    print("QUALITYDEF", definition["ModelQualityAppSpecification"]["ProblemType"],
          definition["ModelQualityJobInput"]["EndpointInput"]["EndpointName"] == predictor.endpoint_name,
          quality.describe_schedule()["MonitoringType"])
    quality_definition = quality.job_definition_name
    quality.delete_monitoring_schedule()
    try:
        sm.describe_model_quality_job_definition(JobDefinitionName=quality_definition)
    except sm.exceptions.ResourceNotFound as error:
        print("QUALITYGONE", error.response["Error"]["Code"])
    monitor.delete_monitoring_schedule()
    print("DELETED", [s["MonitoringScheduleName"] for s in sm.list_monitoring_schedules()["MonitoringScheduleSummaries"]],
          len(session.list_monitoring_executions(schedule_name)["MonitoringExecutionSummaries"]))
    print("DONE", round(time.monotonic() - started, 1))
""").replace("ROLE", ROLE)


def _rows(count: int, seed: int) -> list[str]:
    import random

    pick = random.Random(seed)
    rows = []
    for _ in range(count):
        x1, x2 = pick.random() * 10, pick.random() * 10
        rows.append(f"{int(x1 > x2)},{x1:.3f},{x2:.3f}")
    return rows


def _model_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        content = b"no weights: the script decides\n"
        info = tarfile.TarInfo("model.txt")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def monitor_run(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> ClientRun:
    """The SDK v2 script, started once for the module's tests."""
    folder = tmp_path_factory.mktemp("monitor-client")
    (folder / "src").mkdir()
    (folder / "src" / "serve.py").write_text(SCRIPT)
    (folder / "post.py").write_text("print('a post-analytics script')\n")
    (folder / "train.csv").write_text("label,x1,x2\n" + "\n".join(_rows(200, seed=1)) + "\n")
    quality = ["label,prediction,probability"] + [
        f"{i % 2},{(i % 2) if i % 5 else 1 - i % 2},{0.8 if i % 2 else 0.3}" for i in range(60)]
    (folder / "quality.csv").write_text("\n".join(quality) + "\n")
    (folder / "model.tar.gz").write_bytes(_model_archive())
    return aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)


@pytest.fixture(scope="module")
def monitor_output(monitor_run: ClientRun, aws_endpoint: Endpoint) -> str:
    """What the SDK v2 script printed (its endpoint is deleted after the module's tests)."""
    output = monitor_run.result(timeout=300).stdout
    yield output
    client = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=aws_endpoint.url,
                          aws_access_key_id=aws_endpoint.env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=aws_endpoint.env["AWS_SECRET_ACCESS_KEY"])
    if "ENDPOINT " in output:
        client.delete_endpoint(EndpointName=printed(output, "ENDPOINT"))


def _sagemaker() -> object:
    return boto3.client("sagemaker")


@needs_sdk2
def test_suggest_baseline_runs_our_analyzer_for_the_analyzer_image(aws: Endpoint, monitor_output: str) -> None:
    out = monitor_output
    assert f"IMAGE {IMAGE}" in out
    name = printed(out, "BASELINE")
    assert f"BASELINE {name} Completed {IMAGE}" in out
    assert "FEATURES ['label', 'x1', 'x2'] 200 ['Integral', 'Fractional', 'Fractional']" in out
    log = Path(Job(name).describe().log_path).read_text()
    assert "Notice: post_analytics_processor_script=/opt/ml/processing/input/post_analytics_processor_script_input/" \
           "post.py is not run" in log
    files = aws.home / "s3" / BUCKET / "monitor" / "baseline"
    assert (files / "statistics.json").is_file() and (files / "constraints.json").is_file()


@needs_sdk2
def test_a_now_schedule_runs_over_the_captured_rows_and_reports_drift(aws: Endpoint, monitor_output: str) -> None:
    out = monitor_output
    assert "PREDICTED 30 [['1']]" in out
    schedule, endpoint, run = printed(out, "SCHEDULE"), printed(out, "ENDPOINT"), printed(out, "EXECUTION")
    assert f"EXECUTION {run} Completed s3://{BUCKET}/monitor/reports/{endpoint}/{schedule}/{run}" in out
    assert 'VIOLATIONS [["x1", "baseline_drift_check"]]' in out
    assert "CURRENT 30" in out
    assert f"DESCRIBED Scheduled {endpoint} DataQuality CompletedWithViolations" in out
    assert "STOPPED Stopped" in out and "STARTED Scheduled" in out
    assert f"LISTED ['{schedule}']" in out
    assert "UPDATED cron(0 * ? * * *) True 900" in out
    assert "DELETED [] 1" in out  # the schedule is gone, its run stays listed
    described = _sagemaker().describe_processing_job(ProcessingJobName=run)
    assert described["AppSpecification"]["ImageUri"] == IMAGE
    assert described["Environment"]["publish_cloudwatch_metrics"] == "Enabled"
    assert described["ProcessingResources"]["ClusterConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert described["StoppingCondition"]["MaxRuntimeInSeconds"] == 600


@needs_sdk2
def test_model_quality_monitor_goes_through_its_job_definition(aws: Endpoint, monitor_output: str) -> None:
    out = monitor_output
    assert "QUALITY ['accuracy', 'au_prc', 'auc']" in out
    assert "QUALITYDEF BinaryClassification True ModelQuality" in out
    assert "QUALITYGONE ResourceNotFound" in out
    print("the SDK v2 script took", printed(out, "DONE"), "s")


def _definition_parts(endpoint: str, output: str) -> dict:
    baseline = f"s3://{BUCKET}/monitor/baseline"
    return {
        "baseline": {"ConstraintsResource": {"S3Uri": f"{baseline}/constraints.json"},
                     "StatisticsResource": {"S3Uri": f"{baseline}/statistics.json"}},
        "input": {"EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input/endpoint"}},
        "output": {"MonitoringOutputs": [{"S3Output": {"S3Uri": f"s3://{BUCKET}/monitor/{output}",
                                                       "LocalPath": "/opt/ml/processing/output"}}]},
        "resources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
    }


def _finished_runs(sm: object, schedule: str) -> list[dict]:
    runs = sm.list_monitoring_executions(MonitoringScheduleName=schedule)["MonitoringExecutionSummaries"]
    return [r for r in runs if r["MonitoringExecutionStatus"] not in ("Pending", "InProgress")]


@needs_sdk2
def test_boto3_schedules_by_definition_and_inline_with_filters_and_errors(aws: Endpoint, monitor_output: str) -> None:
    from conftest import wait_until

    sm, endpoint = _sagemaker(), printed(monitor_output, "ENDPOINT")
    parts = _definition_parts(endpoint, "boto-reports")
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq-boto", DataQualityBaselineConfig=parts["baseline"],
        DataQualityAppSpecification={"ImageUri": IMAGE, "RecordPreprocessorSourceUri": f"s3://{BUCKET}/pre.py"},
        DataQualityJobInput=parts["input"], DataQualityJobOutputConfig=parts["output"], JobResources=parts["resources"],
        RoleArn=ROLE)
    definitions = sm.list_data_quality_job_definitions(EndpointName=endpoint)["JobDefinitionSummaries"]
    assert "dq-boto" in [d["MonitoringJobDefinitionName"] for d in definitions]
    assert sm.describe_data_quality_job_definition(JobDefinitionName="dq-boto")["JobDefinitionArn"].endswith(
        ":data-quality-job-definition/dq-boto")
    sm.create_monitoring_schedule(MonitoringScheduleName="boto-named", MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}, "MonitoringJobDefinitionName": "dq-boto",
        "MonitoringType": "DataQuality"})
    sm.create_monitoring_schedule(MonitoringScheduleName="boto-inline", MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H", "DataAnalysisEndTime": "-PT0H"},
        "MonitoringJobDefinition": {
            "BaselineConfig": parts["baseline"], "MonitoringInputs": [parts["input"]],
            "MonitoringOutputConfig": parts["output"], "MonitoringResources": parts["resources"],
            "MonitoringAppSpecification": {"ImageUri": IMAGE}, "Environment": {"team_setting": "1"}, "RoleArn": ROLE}})
    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_monitoring_schedule(MonitoringScheduleName="boto-named", MonitoringScheduleConfig={
            "MonitoringJobDefinitionName": "dq-boto", "MonitoringType": "DataQuality"})

    named = sm.list_monitoring_schedules(EndpointName=endpoint, NameContains="boto", SortBy="Name",
                                         SortOrder="Ascending")["MonitoringScheduleSummaries"]
    assert [s["MonitoringScheduleName"] for s in named] == ["boto-inline", "boto-named"]
    first = sm.list_monitoring_schedules(NameContains="boto", SortBy="Name", SortOrder="Ascending", MaxResults=1)
    second = sm.list_monitoring_schedules(NameContains="boto", SortBy="Name", SortOrder="Ascending", MaxResults=1,
                                          NextToken=first["NextToken"])
    assert [first["MonitoringScheduleSummaries"][0]["MonitoringScheduleName"],
            second["MonitoringScheduleSummaries"][0]["MonitoringScheduleName"]] == ["boto-inline", "boto-named"]
    assert "NextToken" not in second
    by_definition = sm.list_monitoring_schedules(MonitoringJobDefinitionName="dq-boto")["MonitoringScheduleSummaries"]
    assert [s["MonitoringScheduleName"] for s in by_definition] == ["boto-named"]

    sm.stop_monitoring_schedule(MonitoringScheduleName="boto-named")
    stopped = sm.list_monitoring_schedules(StatusEquals="Stopped")["MonitoringScheduleSummaries"]
    assert [s["MonitoringScheduleName"] for s in stopped] == ["boto-named"]
    sm.start_monitoring_schedule(MonitoringScheduleName="boto-named")
    assert sm.describe_monitoring_schedule(MonitoringScheduleName="boto-named")["MonitoringScheduleStatus"] == "Scheduled"
    sm.update_monitoring_schedule(MonitoringScheduleName="boto-named", MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "cron(0 6 ? * * *)"}, "MonitoringJobDefinitionName": "dq-boto",
        "MonitoringType": "DataQuality"})
    described = sm.describe_monitoring_schedule(MonitoringScheduleName="boto-named")
    assert described["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 6 ? * * *)"
    assert described["EndpointName"] == endpoint and "LastMonitoringExecutionSummary" not in described

    runs = wait_until(lambda: _finished_runs(sm, "boto-inline"), 90, "the inline NOW schedule's run")
    assert runs[0]["MonitoringExecutionStatus"] == "CompletedWithViolations" and runs[0]["EndpointName"] == endpoint
    run = runs[0]["ProcessingJobArn"].split("/")[-1]
    log = Path(Job(run).describe().log_path).read_text()
    assert "Notice: environment variable team_setting is not read" in log
    everything = sm.list_monitoring_executions(EndpointName=endpoint, StatusEquals="CompletedWithViolations",
                                               SortBy="ScheduledTime", SortOrder="Ascending")
    schedules = [r["MonitoringScheduleName"] for r in everything["MonitoringExecutionSummaries"]]
    assert schedules[-1] == "boto-inline" and schedules[0] == printed(monitor_output, "SCHEDULE")

    with pytest.raises(sm.exceptions.ResourceInUse, match="boto-named"):
        sm.delete_data_quality_job_definition(JobDefinitionName="dq-boto")
    sm.delete_monitoring_schedule(MonitoringScheduleName="boto-named")
    sm.delete_data_quality_job_definition(JobDefinitionName="dq-boto")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_data_quality_job_definition(JobDefinitionName="dq-boto")
    with pytest.raises(sm.exceptions.ResourceNotFound, match="monitoring-schedule/boto-named' does not exist"):
        sm.describe_monitoring_schedule(MonitoringScheduleName="boto-named")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.stop_monitoring_schedule(MonitoringScheduleName="nowhere")
    assert sm.list_monitoring_executions(MonitoringScheduleName="boto-inline")["MonitoringExecutionSummaries"]
    sm.delete_monitoring_schedule(MonitoringScheduleName="boto-inline")


@needs_sdk2
def test_a_schedule_without_a_baseline_reports_statistics_only(aws: Endpoint, monitor_output: str) -> None:
    from conftest import wait_until

    sm, endpoint = _sagemaker(), printed(monitor_output, "ENDPOINT")
    parts = _definition_parts(endpoint, "unchecked")
    sm.create_monitoring_schedule(MonitoringScheduleName="boto-unchecked", MonitoringScheduleConfig={
        "ScheduleConfig": {"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H", "DataAnalysisEndTime": "-PT0H"},
        "MonitoringJobDefinition": {  # no BaselineConfig, as SageMaker allows
            "MonitoringInputs": [parts["input"]], "MonitoringOutputConfig": parts["output"],
            "MonitoringResources": parts["resources"], "MonitoringAppSpecification": {"ImageUri": IMAGE},
            "RoleArn": ROLE}})
    runs = wait_until(lambda: _finished_runs(sm, "boto-unchecked"), 90, "the unchecked schedule's run")
    assert runs[0]["MonitoringExecutionStatus"] == "Completed", runs[0]
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="monitor/unchecked/")
    files = {item["Key"].rsplit("/", 1)[-1] for item in listed.get("Contents", [])}
    assert "statistics.json" in files and "constraint_violations.json" not in files, files
    half = {**parts["baseline"]}
    del half["StatisticsResource"]
    with pytest.raises(botocore.exceptions.ClientError, match="StatisticsResource and ConstraintsResource"):
        sm.create_monitoring_schedule(MonitoringScheduleName="boto-half", MonitoringScheduleConfig={
            "MonitoringJobDefinition": {"BaselineConfig": half, "MonitoringInputs": [parts["input"]],
                                        "MonitoringOutputConfig": parts["output"],
                                        "MonitoringResources": parts["resources"],
                                        "MonitoringAppSpecification": {"ImageUri": IMAGE}, "RoleArn": ROLE}})
    sm.delete_monitoring_schedule(MonitoringScheduleName="boto-unchecked")


@needs_sdk2
def test_images_and_inputs_that_cannot_run_are_refused_by_name(aws: Endpoint, monitor_output: str) -> None:
    sm, endpoint = _sagemaker(), printed(monitor_output, "ENDPOINT")
    parts = _definition_parts(endpoint, "refused")
    common = {"DataQualityJobInput": parts["input"], "DataQualityJobOutputConfig": parts["output"],
              "JobResources": parts["resources"], "RoleArn": ROLE}
    with pytest.raises(sm.exceptions.ClientError, match="my-monitor:1.*cannot run here.*model-monitor-analyzer"):
        sm.create_data_quality_job_definition(JobDefinitionName="byoc", DataQualityAppSpecification={
            "ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/my-monitor:1"}, **common)
    batch = {"BatchTransformInput": {"DataCapturedDestinationS3Uri": f"s3://{BUCKET}/batch", "LocalPath": "/opt/x",
                                     "DatasetFormat": {"Csv": {"Header": True}}}}
    with pytest.raises(sm.exceptions.ClientError, match="BatchTransformInput is not served yet"):
        sm.create_data_quality_job_definition(JobDefinitionName="batch", DataQualityAppSpecification={"ImageUri": IMAGE},
                                              **{**common, "DataQualityJobInput": batch})
    sm.create_data_quality_job_definition(JobDefinitionName="unbaselined", DataQualityAppSpecification={"ImageUri": IMAGE},
                                          **common)
    sm.create_monitoring_schedule(MonitoringScheduleName="unbaselined", MonitoringScheduleConfig={
        "MonitoringJobDefinitionName": "unbaselined", "MonitoringType": "DataQuality"})  # no baseline: accepted
    with pytest.raises(sm.exceptions.ClientError, match="ModelBias is not served yet"):
        sm.create_monitoring_schedule(MonitoringScheduleName="bias", MonitoringScheduleConfig={
            "MonitoringJobDefinitionName": "unbaselined", "MonitoringType": "ModelBias"})
    sm.delete_monitoring_schedule(MonitoringScheduleName="unbaselined")
    sm.delete_data_quality_job_definition(JobDefinitionName="unbaselined")


@needs_sdk2
def test_the_standalone_service_runs_schedules_made_in_python(aws: Endpoint, monitor_output: str) -> None:
    from conftest import wait_until
    from jupyter_ext.monitor import DefaultModelMonitor, delete_schedule, list_executions

    endpoint = printed(monitor_output, "ENDPOINT")
    baseline = aws.home / "s3" / BUCKET / "monitor" / "baseline"
    name = DefaultModelMonitor().create_monitoring_schedule(
        endpoint, output_s3_uri=f"s3://{BUCKET}/monitor/python-reports", statistics=str(baseline / "statistics.json"),
        constraints=str(baseline / "constraints.json"), monitor_schedule_name="made-in-python",
        schedule_cron_expression="NOW")
    try:
        runs = wait_until(lambda: [r for r in list_executions(schedule=name)
                                   if r.monitoring_execution_status != "InProgress"], 60,
                          "`jupyter-ext aws serve`'s ticker to run the schedule")
        assert runs[0].monitoring_execution_status == "CompletedWithViolations"
        described = _sagemaker().describe_monitoring_schedule(MonitoringScheduleName=name)
        assert described["LastMonitoringExecutionSummary"]["MonitoringExecutionStatus"] == "CompletedWithViolations"
        assert described["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "NOW"
    finally:
        delete_schedule(name)
