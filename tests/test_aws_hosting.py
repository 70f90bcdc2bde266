"""Hosting on the local AWS endpoint over real clients: SDK v2's estimator.deploy (on two
instances) and Predictor, two-variant endpoints with data capture, updates of weights and
instance counts under traffic, boto3's invoke_endpoint, the model's own errors, and the
built-in XGBoost algorithm's artifacts.

SDK v2 waits for an endpoint by sleeping `poll` s before each DescribeEndpoint (30 s by
default), so the script deploys with wait=False and waits with `wait_for_endpoint(poll=1)`,
which is the SDK's own loop.
"""

from __future__ import annotations

import importlib.util
import io
import json
import tarfile
import textwrap
from pathlib import Path

import boto3
import pytest

from conftest import wait_until
from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.serving import list_endpoints
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"
BUCKET = "sagemaker-us-east-1-000000000000"

# As SageMaker's scikit-learn examples write it: training under __main__, serving functions beside it.
SCRIPT = textwrap.dedent("""\
    import os
    import joblib
    import numpy as np

    def model_fn(model_dir):
        return joblib.load(os.path.join(model_dir, "model.joblib"))

    def predict_fn(data, model):
        data = np.asarray(data, dtype=float).reshape(-1, 2)
        if (data == 999).any():
            raise ValueError("999 is not a measurement")
        return model.predict(data)

    if __name__ == "__main__":
        from sklearn.linear_model import LogisticRegression
        train = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",")
        model = LogisticRegression().fit(train[:, 1:], train[:, 0])
        joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
""")

CLIENT = textwrap.dedent(f"""\
    import json, threading, time
    import botocore.exceptions
    import sagemaker
    from sagemaker.model_monitor import DataCaptureConfig
    from sagemaker.serializers import CSVSerializer, JSONSerializer
    from sagemaker.deserializers import JSONDeserializer
    from sagemaker.predictor import Predictor
    from sagemaker.session import production_variant
    from sagemaker.sklearn import SKLearn, SKLearnModel

    started = time.monotonic()
    session = sagemaker.Session()
    sm, runtime = session.sagemaker_client, session.sagemaker_runtime_client
    uri = session.upload_data("train.csv", key_prefix="hosting-data")
    estimator = SKLearn(entry_point="serve.py", source_dir="src", framework_version="1.2-1",
                        instance_type="ml.m5.large", role="{ROLE}")
    estimator.fit({{"train": uri}}, logs=False)
    print("FITTED", round(time.monotonic() - started, 1))

    first = estimator.deploy(initial_instance_count=2, instance_type="ml.m5.large", serializer=CSVSerializer(),
                             deserializer=JSONDeserializer(), wait=False)
    described = session.wait_for_endpoint(first.endpoint_name, poll=1)
    print("FIRST", first.endpoint_name, described["EndpointStatus"], described["EndpointConfigName"])
    print("INSTANCES", [(v["CurrentInstanceCount"], v["DesiredInstanceCount"]) for v in described["ProductionVariants"]])
    print("CSV", json.dumps(first.predict([[9, 1], [1, 9]])))
    first.serializer = JSONSerializer()
    print("JSON", json.dumps(first.predict([[8, 2]])))
    try:
        first.predict([[999, 1]])
    except botocore.exceptions.ClientError as error:  # the estimator's session has a client of its own
        print("MODELERROR", error.response["OriginalStatusCode"], error.response["Error"]["Code"],
              json.dumps(error.response["OriginalMessage"]))
    print("DEPLOYED", round(time.monotonic() - started, 1))

    model = SKLearnModel(model_data=estimator.model_data, role="{ROLE}", entry_point="serve.py", source_dir="src",
                         framework_version="1.2-1", sagemaker_session=session)
    model.create(instance_type="ml.m5.large", tags=[{{"Key": "team", "Value": "hosting"}}])
    capture = DataCaptureConfig(enable_capture=True, sampling_percentage=100,
                                destination_s3_uri=f"s3://{{session.default_bucket()}}/capture")
    second_name = "two-variants"
    session.endpoint_from_production_variants(
        second_name, [production_variant(model.name, "ml.m5.large", 1, "A", 1),
                      production_variant(model.name, "ml.m5.large", 1, "B", 1)],
        data_capture_config_dict=capture._to_request_dict(), wait=False)
    described = session.wait_for_endpoint(second_name, poll=1)
    print("SECOND", described["EndpointStatus"], [(v["VariantName"], v["CurrentWeight"])
                                                for v in described["ProductionVariants"]],
          described["DataCaptureConfig"]["DestinationS3Uri"], described["DataCaptureConfig"]["CaptureStatus"])
    answer = runtime.invoke_endpoint(EndpointName=second_name, Body=b"9,1", ContentType="text/csv",
                                     TargetVariant="B", InferenceId="inference-7", Accept="application/json")
    print("TARGET", answer["InvokedProductionVariant"], answer["ContentType"], answer["Body"].read().decode())
    print("BOTH", json.dumps(first.predict([[1, 9]])), runtime.invoke_endpoint(
        EndpointName=second_name, Body=b"1,9", ContentType="text/csv")["Body"].read().decode())
    first.delete_model()  # it reads the endpoint's config: before delete_endpoint, which deletes that
    first.delete_endpoint()

    counts = {{"ok": 0, "failed": 0, "variants": set()}}
    stop = threading.Event()

    def keep_invoking():
        while not stop.is_set():
            try:
                got = runtime.invoke_endpoint(EndpointName=second_name, Body=b"9,1", ContentType="text/csv")
                got["Body"].read()
                counts["ok"] += 1
                counts["variants"].add(got["InvokedProductionVariant"])
            except Exception as error:
                counts["failed"] += 1
                print("FAILED REQUEST", error)

    invoker = threading.Thread(target=keep_invoking)
    invoker.start()
    sm.update_endpoint_weights_and_capacities(EndpointName=second_name, DesiredWeightsAndCapacities=[
        {{"VariantName": "A", "DesiredWeight": 0.0}},
        {{"VariantName": "B", "DesiredWeight": 1.0, "DesiredInstanceCount": 2}}])
    described = session.wait_for_endpoint(second_name, poll=0.5)
    print("WEIGHTS", [(v["VariantName"], v["CurrentWeight"]) for v in described["ProductionVariants"]])
    print("SCALED", [(v["VariantName"], v["CurrentInstanceCount"], v["DesiredInstanceCount"])
                     for v in described["ProductionVariants"]])
    counts["variants"].clear()
    wait_until = time.monotonic() + 30
    while counts["ok"] < 5 and time.monotonic() < wait_until:  # some requests under the new weights
        time.sleep(0.05)
    before = counts["ok"]
    while counts["ok"] < before + 5 and time.monotonic() < wait_until:
        time.sleep(0.05)
    print("AFTER_WEIGHTS", sorted(counts["variants"]))
    predictor = Predictor(second_name, sagemaker_session=session)
    predictor.update_endpoint(wait=False)
    described = session.wait_for_endpoint(second_name, poll=0.5)
    print("UPDATED", described["EndpointStatus"], described["EndpointConfigName"] != second_name,
          [(v["VariantName"], v["CurrentWeight"]) for v in described["ProductionVariants"]])
    stop.set()
    invoker.join()
    print("TRAFFIC", counts["ok"], counts["failed"])

    print("MODELS", [m["ModelName"] for m in sm.list_models(NameContains=model.name)["Models"]])
    print("MODEL", sm.describe_model(ModelName=model.name)["PrimaryContainer"]["Environment"]["SAGEMAKER_PROGRAM"])
    print("TAGS", sm.list_tags(ResourceArn=sm.describe_model(ModelName=model.name)["ModelArn"])["Tags"])
    configs = [c["EndpointConfigName"] for c in sm.list_endpoint_configs(NameContains=second_name)["EndpointConfigs"]]
    print("CONFIGS", len(configs), sm.describe_endpoint_config(EndpointConfigName=second_name)["ProductionVariants"][0]
          ["InitialVariantWeight"])
    print("ENDPOINTS", [e["EndpointName"] for e in sm.list_endpoints(StatusEquals="InService")["Endpoints"]])
    predictor.delete_endpoint()
    sm.delete_endpoint_config(EndpointConfigName=second_name)
    sm.delete_model(ModelName=model.name)  # both variants serve it: Predictor.delete_model would delete it twice
    print("LEFT", len(sm.list_endpoint_configs(NameContains=second_name)["EndpointConfigs"]),
          [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]])
    try:
        sm.describe_model(ModelName=model.name)
    except sm.exceptions.ClientError as error:
        print("GONE", error.response["Error"]["Code"])
    print("DONE", round(time.monotonic() - started, 1))
""")


@pytest.fixture(scope="module")
def hosting_run(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> ClientRun:
    """The SDK v2 script, started once for the module's tests."""
    folder = tmp_path_factory.mktemp("hosting-client")
    (folder / "src").mkdir()
    (folder / "src" / "serve.py").write_text(SCRIPT)
    rows = [f"{int(a > b)},{a},{b}" for a, b in [(9, 1), (1, 9), (8, 3), (2, 7), (7, 1), (1, 6), (6, 2), (3, 8)]]
    (folder / "train.csv").write_text("\n".join(rows) + "\n")
    return aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)


@pytest.fixture(scope="module")
def hosting_output(hosting_run: ClientRun) -> str:
    """What the SDK v2 script printed."""
    return hosting_run.result(timeout=300).stdout


@needs_sdk2
def test_estimator_deploy_predicts_with_csv_and_json_then_deletes(aws: Endpoint, hosting_output: str) -> None:
    out = hosting_output
    name = printed(out, "FIRST")
    assert f"FIRST {name} InService {name}" in out
    assert "INSTANCES [(2, 2)]" in out  # initial_instance_count=2: two instance processes serve
    assert "CSV [1.0, 0.0]" in out and "JSON [1.0]" in out
    assert name not in [e.name for e in list_endpoints()]


@needs_sdk2
def test_a_script_that_raises_is_a_model_error(aws: Endpoint, hosting_output: str) -> None:
    line = hosting_output.split("MODELERROR ", 1)[1].splitlines()[0]
    assert line.startswith("500 ModelError ") and "999 is not a measurement" in line


@needs_sdk2
def test_two_variants_target_variant_and_two_endpoints_at_once(aws: Endpoint, hosting_output: str) -> None:
    out = hosting_output
    assert "SECOND InService [('A', 1.0), ('B', 1.0)] s3://" in out and "/capture Started" in out
    assert "TARGET B application/json [1.0]" in out
    assert "BOTH [0.0] [0.0]" in out


@needs_sdk2
def test_updates_under_traffic_drop_no_request(aws: Endpoint, hosting_output: str) -> None:
    out = hosting_output
    assert "WEIGHTS [('A', 0.0), ('B', 1.0)]" in out
    assert "SCALED [('A', 1, 1), ('B', 2, 2)]" in out  # DesiredInstanceCount, under the same traffic
    assert "AFTER_WEIGHTS ['B']" in out
    assert "UPDATED InService True [('A', 1.0), ('B', 1.0)]" in out  # the new config's initial weights
    ok, failed = int(printed(out, "TRAFFIC")), int(out.split("TRAFFIC ", 1)[1].split()[1])
    assert ok > 10 and failed == 0, out


@needs_sdk2
def test_data_capture_lands_in_local_s3_as_jsonl(aws: Endpoint, hosting_output: str) -> None:
    root = local_s3_root() / BUCKET / "capture" / "two-variants"
    files = {variant: sorted((root / variant).rglob("*.jsonl")) for variant in ("A", "B")}
    assert files["B"], f"no capture files under {root}"
    records = [json.loads(line) for path in files["A"] + files["B"] for line in path.read_text().splitlines()]
    assert all(set(r) == {"captureData", "eventMetadata", "eventVersion"} for r in records)
    targeted = [r for r in records if r["eventMetadata"].get("inferenceId") == "inference-7"]
    assert len(targeted) == 1 and targeted[0]["captureData"]["endpointInput"] == {
        "observedContentType": "text/csv", "mode": "INPUT", "data": "9,1", "encoding": "CSV"}
    relative = files["B"][0].relative_to(root / "B").parts  # yyyy/mm/dd/hh/<file>.jsonl
    assert len(relative) == 5 and len(relative[0]) == 4


@needs_sdk2
def test_describe_list_and_delete_of_models_configs_endpoints(aws: Endpoint, hosting_output: str) -> None:
    out = hosting_output
    assert "MODEL serve.py" in out and "TAGS [{'Key': 'team', 'Value': 'hosting'}]" in out
    assert "CONFIGS 2 1.0" in out  # the endpoint's own, and the one update_endpoint made
    assert "'two-variants'" in out.split("ENDPOINTS ", 1)[1].splitlines()[0]
    assert "LEFT 0 []" in out and "GONE ValidationException" in out


def _xgboost_artifact(tmp_path: Path) -> str:
    folder = local_s3_root() / BUCKET / "xgboost"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "model.tar.gz", "w:gz") as archive:
        data = b"neither a model xgboost wrote nor a pickle"
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return f"s3://{BUCKET}/xgboost/model.tar.gz"


def test_an_xgboost_model_that_cannot_be_read_fails_the_endpoint_saying_why(aws: Endpoint, tmp_path: Path) -> None:
    """Without the xgboost package, the reason names pip install; with it, what the file is not
    (a model save_model wrote, a pickled Booster), as for XGBoost's old binary format."""
    sm = boto3.client("sagemaker")
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    sm.create_model(ModelName="xgb", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": image, "ModelDataUrl": _xgboost_artifact(tmp_path)})
    sm.create_endpoint_config(EndpointConfigName="xgb", ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": "xgb", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    sm.create_endpoint(EndpointName="xgb", EndpointConfigName="xgb")
    assert sm.describe_endpoint(EndpointName="xgb")["EndpointStatus"] in ("Creating", "Failed")
    wait_until(lambda: sm.describe_endpoint(EndpointName="xgb")["EndpointStatus"] == "Failed", 60, "xgb to fail")
    expected = "cannot be read by xgboost" if importlib.util.find_spec("xgboost") else "pip install xgboost-cpu"
    assert expected in sm.describe_endpoint(EndpointName="xgb")["FailureReason"]
    runtime = boto3.client("sagemaker-runtime")
    with pytest.raises(runtime.exceptions.ValidationError, match="Failed"):
        runtime.invoke_endpoint(EndpointName="xgb", Body=b"1,2", ContentType="text/csv")
    sm.delete_endpoint(EndpointName="xgb")
    with pytest.raises(runtime.exceptions.ValidationError, match="xgb of account .* not found"):
        runtime.invoke_endpoint(EndpointName="xgb", Body=b"1,2", ContentType="text/csv")
    sm.delete_endpoint_config(EndpointConfigName="xgb")
    sm.delete_model(ModelName="xgb")


def test_a_model_needs_a_framework_image_and_model_data(aws: Endpoint) -> None:
    sm = boto3.client("sagemaker")
    with pytest.raises(sm.exceptions.ClientError, match="cannot run here"):
        sm.create_model(ModelName="custom", ExecutionRoleArn=ROLE,
                        PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/mine:1", "ModelDataUrl": "s3://b/m"})
    with pytest.raises(sm.exceptions.ClientError, match="no ModelDataUrl"):
        sm.create_model(ModelName="custom", ExecutionRoleArn=ROLE, PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"})
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    missing = f"s3://{BUCKET}/nowhere/model.tar.gz"
    with pytest.raises(sm.exceptions.ClientError, match=f"Could not find model data at {missing}"):
        sm.create_model(ModelName="custom", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image,
                                                                                     "ModelDataUrl": missing})
    with pytest.raises(sm.exceptions.ClientError, match="Could not find model"):
        sm.describe_model(ModelName="custom")
    with pytest.raises(sm.exceptions.ClientError, match='Could not find model "custom"'):  # not at CreateEndpoint
        sm.create_endpoint_config(EndpointConfigName="custom", ProductionVariants=[
            {"VariantName": "A", "ModelName": "custom", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
    with pytest.raises(sm.exceptions.ClientError, match="Could not find endpoint configuration"):
        sm.describe_endpoint_config(EndpointConfigName="custom")


def _sklearn_artifact(prefix: str) -> str:
    import joblib
    from sklearn.linear_model import LogisticRegression

    folder = local_s3_root() / BUCKET / prefix
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(LogisticRegression().fit([[9, 1], [1, 9], [8, 2], [2, 8]], [1, 0, 1, 0]), folder / "model.joblib")
    with tarfile.open(folder / "model.tar.gz", "w:gz") as archive:
        archive.add(folder / "model.joblib", "model.joblib")
    return f"s3://{BUCKET}/{prefix}/model.tar.gz"


def test_an_endpoint_made_in_python_answers_boto3_and_updates_keeping_its_weights(aws: Endpoint) -> None:
    from jupyter_ext.serving import Model

    uri = _sklearn_artifact("python-made")
    predictor = Model(uri, name="python-model").deploy("python-made")
    sm, runtime = boto3.client("sagemaker"), boto3.client("sagemaker-runtime")
    try:
        described = sm.describe_endpoint(EndpointName="python-made")
        assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", "python-made")
        config = sm.describe_endpoint_config(EndpointConfigName="python-made")
        assert [(v["VariantName"], v["ModelName"]) for v in config["ProductionVariants"]] == [
            ("AllTraffic", "python-model")]
        answer = runtime.invoke_endpoint(EndpointName="python-made", Body=b"[[9, 1]]", ContentType="application/json")
        assert (answer["InvokedProductionVariant"], answer["Body"].read()) == ("AllTraffic", b"[1]")

        image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        sm.create_model(ModelName="retained", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image, "ModelDataUrl": uri})
        sm.create_endpoint_config(EndpointConfigName="retained", ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "retained", "InitialVariantWeight": 5.0}])
        sm.update_endpoint(EndpointName="python-made", EndpointConfigName="retained", RetainAllVariantProperties=True)
        wait_until(lambda: sm.describe_endpoint(EndpointName="python-made")["EndpointStatus"] == "InService", 60,
                   "the update")
        described = sm.describe_endpoint(EndpointName="python-made")
        assert described["EndpointConfigName"] == "retained"
        assert [v["CurrentWeight"] for v in described["ProductionVariants"]] == [1.0]  # kept, not the config's 5
        assert predictor.predict([[1, 9]]) == [0]
    finally:
        sm.delete_endpoint(EndpointName="python-made")
    sm.delete_endpoint_config(EndpointConfigName="retained")
    sm.delete_model(ModelName="retained")
    assert "python-made" not in [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]]
