"""SageMaker's built-in XGBoost algorithm on the local AWS endpoint, as the SDK v2 example
notebooks use it (xgboost_customer_churn, direct marketing): an Estimator of the
`image_uris.retrieve("xgboost", ...)` image with string hyperparameters, train and
validation CSV channels, the algorithm's metrics without metric_definitions, deploy and
predict CSV rows, a HyperparameterTuner on `validation:auc`; jobs whose input the algorithm
refuses, failing with the reason; and a pickled Booster (the older images' model) served.

SDK v2 waits for a job by sleeping 5 s between DescribeTrainingJob calls; fit() waits so, as
a notebook's does; the endpoint and the tuning job are waited for with the SDK's own loops
at a shorter poll.
"""

from __future__ import annotations

import io
import json
import pickle
import tarfile
import textwrap
from pathlib import Path

import boto3
import numpy
import pytest
import xgboost

from conftest import wait_until
from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"

CLIENT = textwrap.dedent(f"""\
    import json, time
    import sagemaker
    from sagemaker.inputs import TrainingInput
    from sagemaker.serializers import CSVSerializer
    from sagemaker.tuner import HyperparameterTuner, IntegerParameter

    started = time.monotonic()
    session = sagemaker.Session()
    sm, runtime = session.sagemaker_client, session.sagemaker_runtime_client
    region, bucket = session.boto_region_name, session.default_bucket()
    container = sagemaker.image_uris.retrieve("xgboost", region, "1.7-1")
    s3_train = session.upload_data("train.csv", key_prefix="xgb-demo/train")
    s3_val = session.upload_data("validation.csv", key_prefix="xgb-demo/validation")
    s3_header = session.upload_data("header.csv", key_prefix="xgb-demo/header")
    s3_libsvm = session.upload_data("train.libsvm", key_prefix="xgb-demo/libsvm")

    def bad_job(name, hyperparameters, channels):
        sm.create_training_job(
            TrainingJobName=name, RoleArn="{ROLE}", HyperParameters=hyperparameters,
            AlgorithmSpecification={{"TrainingImage": container, "TrainingInputMode": "File"}},
            InputDataConfig=[{{"ChannelName": channel, "ContentType": kind, "DataSource": {{"S3DataSource": {{
                "S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}}}}}
                for channel, uri, kind in channels],
            OutputDataConfig={{"S3OutputPath": f"s3://{{bucket}}/xgb-bad"}},
            ResourceConfig={{"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5}},
            StoppingCondition={{"MaxRuntimeInSeconds": 600}})
        return name

    hps = {{"objective": "binary:logistic", "num_round": "10"}}
    bad = [bad_job("xgb-no-train", hps, [("validation", s3_val, "text/csv")]),
           bad_job("xgb-no-rounds", {{"objective": "binary:logistic"}}, [("train", s3_train, "text/csv")]),
           bad_job("xgb-header", hps, [("train", s3_header, "text/csv")]),
           bad_job("xgb-libsvm", {{**hps, "eval_metric": "error"}}, [("train", s3_libsvm, "text/libsvm")])]

    xgb = sagemaker.estimator.Estimator(container, "{ROLE}", instance_count=1, instance_type="ml.m5.xlarge",
                                        output_path=f"s3://{{bucket}}/xgb-demo/out", sagemaker_session=session)
    xgb.set_hyperparameters(objective="binary:logistic", num_round=20, max_depth=3, eta=0.3, subsample=0.9,
                            eval_metric="auc")
    inputs = {{"train": TrainingInput(s3_train, content_type="text/csv"),
              "validation": TrainingInput(s3_val, content_type="text/csv")}}
    xgb.fit(inputs, logs=False)
    name = xgb.latest_training_job.name
    described = sm.describe_training_job(TrainingJobName=name)
    print("FITTED", described["TrainingJobStatus"], round(time.monotonic() - started, 1))
    print("METRICS", json.dumps({{m["MetricName"]: m["Value"] for m in described["FinalMetricDataList"]}}))
    print("DEFINED", sorted(d["Name"] for d in described["AlgorithmSpecification"]["MetricDefinitions"]))
    print("ARTIFACT", xgb.model_data)
    session.logs_for_job(name, wait=False)

    predictor = xgb.deploy(1, "ml.m5.xlarge", serializer=CSVSerializer(), wait=False)
    print("ENDPOINT", session.wait_for_endpoint(predictor.endpoint_name, poll=1)["EndpointStatus"])
    rows = [[float(v) for v in line.split(",")[1:]] for line in open("validation.csv").read().splitlines()[:4]]
    print("PREDICTED", json.dumps(predictor.predict(rows).decode()))
    libsvm = "\\n".join(" ".join(f"{{i + 1}}:{{v}}" for i, v in enumerate(row)) for row in rows[:2])
    answer = runtime.invoke_endpoint(EndpointName=predictor.endpoint_name, Body=libsvm, ContentType="text/libsvm",
                                     Accept="application/json")
    print("LIBSVM", answer["ContentType"], answer["Body"].read().decode())
    try:
        predictor.predict([[1.0, 2.0]])
    except Exception as error:
        print("WRONGWIDTH", error.response["OriginalStatusCode"], json.dumps(error.response["OriginalMessage"]))
    predictor.delete_endpoint()
    print("DEPLOYED", round(time.monotonic() - started, 1))

    tunable = sagemaker.estimator.Estimator(container, "{ROLE}", instance_count=1, instance_type="ml.m5.xlarge",
                                            output_path=f"s3://{{bucket}}/xgb-demo/tuned", sagemaker_session=session)
    tunable.set_hyperparameters(objective="binary:logistic", num_round=10, eta=0.3)
    tuner = HyperparameterTuner(tunable, "validation:auc", {{"max_depth": IntegerParameter(2, 4)}}, strategy="Random",
                                max_jobs=2, max_parallel_jobs=2, base_tuning_job_name="xgb-tune")
    tuner.fit(inputs, wait=False)
    tuned = session.wait_for_tuning_job(tuner.latest_tuning_job.name, poll=0.5)
    best = tuned["BestTrainingJob"]
    print("TUNED", tuned["HyperParameterTuningJobStatus"], tuned["TrainingJobStatusCounters"]["Completed"],
          best["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"],
          best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"], round(time.monotonic() - started, 1))
    attached = HyperparameterTuner.attach(tuner.latest_tuning_job.name, sagemaker_session=session)
    print("ATTACHED", attached.objective_metric_name, attached.best_estimator().image_uri == container,
          sorted(d["Name"] for d in attached.metric_definitions or []))

    deadline = time.monotonic() + 60
    for job in bad:
        while sm.describe_training_job(TrainingJobName=job)["TrainingJobStatus"] in ("InProgress", "Stopping"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        answer = sm.describe_training_job(TrainingJobName=job)
        print("JOB", job, json.dumps([answer["TrainingJobStatus"], answer.get("FailureReason") or "",
                                      {{m["MetricName"]: m["Value"] for m in answer["FinalMetricDataList"]}}]))
    print("DONE", round(time.monotonic() - started, 1))
""")


def _write_data(folder: Path) -> None:
    """Breast cancer (569 rows, 30 features) as the examples write it: label first, no header."""
    from sklearn.datasets import load_breast_cancer

    features, labels = load_breast_cancer(return_X_y=True)
    table = numpy.column_stack([labels, features])
    numpy.savetxt(folder / "train.csv", table[:400], delimiter=",", fmt="%g")
    numpy.savetxt(folder / "validation.csv", table[400:], delimiter=",", fmt="%g")
    header = "label," + ",".join(f"f{i}" for i in range(features.shape[1]))
    numpy.savetxt(folder / "header.csv", table[:50], delimiter=",", fmt="%g", header=header, comments="")
    (folder / "train.libsvm").write_text("".join(
        f"{int(row[0])} " + " ".join(f"{i + 1}:{v:g}" for i, v in enumerate(row[1:])) + "\n" for row in table[:200]))


@pytest.fixture(scope="module")
def xgboost_output(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the SDK v2 script printed."""
    folder = tmp_path_factory.mktemp("xgboost-client")
    _write_data(folder)
    run: ClientRun = aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)
    return run.result(timeout=240).stdout


def _job_line(output: str, job: str) -> list:
    """[status, failure reason, final metrics] of a job the script created with boto3."""
    return json.loads(output.split(f"JOB {job} ", 1)[1].splitlines()[0])


@needs_sdk2
def test_fit_records_the_algorithms_metrics_without_metric_definitions(aws: Endpoint, xgboost_output: str) -> None:
    out = xgboost_output
    assert "FITTED Completed" in out, out
    metrics = json.loads(out.split("METRICS ", 1)[1].splitlines()[0])
    assert set(metrics) == {"train:auc", "validation:auc"}
    assert 0.9 < metrics["validation:auc"] <= 1.0 and metrics["train:auc"] >= metrics["validation:auc"] - 0.05
    assert "DEFINED ['train:auc', 'validation:auc']" in out
    assert printed(out, "ARTIFACT").endswith("/output/model.tar.gz")
    # The job's log, as the SDK shows it, has the container's per-round lines.
    assert "[0]#011train-auc:" in out and "[19]#011train-auc:" in out and "#011validation-auc:" in out


@needs_sdk2
def test_the_model_serves_csv_and_libsvm_as_the_container_answers(aws: Endpoint, xgboost_output: str) -> None:
    out = xgboost_output
    assert "ENDPOINT InService" in out
    body = json.loads(out.split("PREDICTED ", 1)[1].splitlines()[0])
    scores = body.split(",")  # the container joins an endpoint's scores with commas (a batch's: a line each)
    assert "\n" not in body, body
    assert len(scores) == 4 and all(0.0 <= float(s) <= 1.0 for s in scores)
    kind, body = out.split("LIBSVM ", 1)[1].splitlines()[0].split(" ", 1)
    answer = json.loads(body)
    assert kind == "application/json" and [p["score"] for p in answer["predictions"]] == pytest.approx(
        [float(s) for s in scores[:2]], rel=1e-5)
    wrong = out.split("WRONGWIDTH ", 1)[1].splitlines()[0]
    assert wrong.startswith("400 ") and "takes 30 features" in wrong


@needs_sdk2
def test_a_tuner_on_validation_auc_needs_no_metric_definitions(aws: Endpoint, xgboost_output: str) -> None:
    line = xgboost_output.split("TUNED ", 1)[1].splitlines()[0].split()
    assert line[:3] == ["Completed", "2", "validation:auc"], line
    assert 0.9 < float(line[3]) <= 1.0
    # the SDK's attach() and best_estimator() read the description (MetricDefinitions among it)
    attached = xgboost_output.split("ATTACHED ", 1)[1].splitlines()[0]
    assert attached.startswith("validation:auc True [") and "'validation:auc'" in attached, attached


@needs_sdk2
def test_input_the_algorithm_refuses_fails_the_job_saying_why(aws: Endpoint, xgboost_output: str) -> None:
    out = xgboost_output
    status, reason, _ = _job_line(out, "xgb-no-train")
    assert status == "Failed" and reason.startswith("ClientError: Missing required channel: train")
    status, reason, _ = _job_line(out, "xgb-no-rounds")
    assert status == "Failed" and "Missing required hyperparameter: num_round" in reason
    status, reason, _ = _job_line(out, "xgb-header")
    assert status == "Failed" and "starts with a header line ('label,f0," in reason and "header=False" in reason


@needs_sdk2
def test_libsvm_training_data_trains_and_reports_its_eval_metric(aws: Endpoint, xgboost_output: str) -> None:
    status, reason, metrics = _job_line(xgboost_output, "xgb-libsvm")
    assert status == "Completed", reason
    assert set(metrics) == {"train:error"} and metrics["train:error"] < 0.1


def test_a_pickled_booster_of_older_images_serves_and_answers_json_lines(aws: Endpoint) -> None:
    """SageMaker's 0.90 XGBoost images pickled the Booster as `xgboost-model`."""
    features = numpy.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]] * 5)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 2}, xgboost.DMatrix(
        features, label=features[:, 1] > 0.5), num_boost_round=5)
    data = pickle.dumps(booster)
    folder = local_s3_root() / "sagemaker-us-east-1-000000000000" / "xgb-pickled"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "model.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    sm, runtime = boto3.client("sagemaker"), boto3.client("sagemaker-runtime")
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:0.90-2-cpu-py3"
    sm.create_model(ModelName="xgb-pickled", ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": image, "ModelDataUrl": "s3://sagemaker-us-east-1-000000000000/xgb-pickled/model.tar.gz"})
    sm.create_endpoint_config(EndpointConfigName="xgb-pickled", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": "xgb-pickled", "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName="xgb-pickled", EndpointConfigName="xgb-pickled")
    try:
        wait_until(lambda: sm.describe_endpoint(EndpointName="xgb-pickled")["EndpointStatus"] != "Creating", 60,
                   "the endpoint")
        assert sm.describe_endpoint(EndpointName="xgb-pickled")["EndpointStatus"] == "InService"
        answer = runtime.invoke_endpoint(EndpointName="xgb-pickled", Body=b"0,1\n1,0", ContentType="text/csv",
                                         Accept="application/jsonlines")
        scores = [json.loads(line)["score"] for line in answer["Body"].read().decode().splitlines()]
        assert answer["ContentType"] == "application/jsonlines" and scores[0] > 0.5 > scores[1]
        plain = runtime.invoke_endpoint(EndpointName="xgb-pickled", Body=b"0,1", ContentType="text/csv")
        assert plain["ContentType"] == "text/csv" and float(plain["Body"].read()) == pytest.approx(scores[0])
    finally:
        sm.delete_endpoint(EndpointName="xgb-pickled")
        sm.delete_endpoint_config(EndpointConfigName="xgb-pickled")
        sm.delete_model(ModelName="xgb-pickled")
