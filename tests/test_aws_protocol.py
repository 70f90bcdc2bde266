"""The endpoint's CloudWatch side in both protocols botocore may choose (JSON 1.0 and Smithy
RPC v2 CBOR), requests made and answers read by botocore's own serializers and parsers."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from aws_fixtures import Endpoint

from jupyter_ext import Estimator


def _trained(tmp_path: Path) -> str:
    (tmp_path / "train.py").write_text("for step in range(3):\n    print(f'loss: {1 / (step + 1)}')\n")
    estimator = Estimator("train.py", metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}])
    estimator.fit(logs=False)
    return estimator.latest_training_job.name


def _call(aws: Endpoint, protocol: str, operation: str, params: dict) -> tuple[int, dict]:
    """One CloudWatch call serialized, signed and parsed by botocore in `protocol`."""
    model = botocore.session.get_session().get_service_model("cloudwatch")
    op = model.operation_model(operation)
    serialized = create_serializer(protocol).serialize_to_request(params, op)
    url = aws.url + serialized["url_path"]
    request = AWSRequest(method="POST", url=url, data=serialized["body"], headers=serialized["headers"])
    SigV4Auth(Credentials(aws.env["AWS_ACCESS_KEY_ID"], aws.env["AWS_SECRET_ACCESS_KEY"]), "monitoring",
              "us-east-1").add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=prepared.body, headers=dict(prepared.headers),
                                                           method="POST"), timeout=30) as response:
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    parsed = create_parser(protocol).parse({"status_code": status, "headers": headers, "body": body},
                                           op.output_shape)
    return status, parsed


def test_metric_statistics_in_json_and_cbor(aws: Endpoint, tmp_path: Path) -> None:
    name = _trained(tmp_path)
    now = datetime.now(timezone.utc)
    params = {"Namespace": "/aws/sagemaker/TrainingJobs", "MetricName": "loss", "Period": 60,
              "Dimensions": [{"Name": "TrainingJobName", "Value": name}], "Statistics": ["Average", "Maximum"],
              "StartTime": now - timedelta(minutes=10), "EndTime": now + timedelta(minutes=1)}
    for protocol in ("json", "smithy-rpc-v2-cbor"):
        status, answer = _call(aws, protocol, "GetMetricStatistics", params)
        assert status == 200, answer
        assert [p["Maximum"] for p in answer["Datapoints"]] == [1.0], protocol
        assert abs(answer["Datapoints"][0]["Average"] - (1 + 1 / 2 + 1 / 3) / 3) < 1e-9
        status, answer = _call(aws, protocol, "ListMetrics", {"Namespace": "/aws/sagemaker/TrainingJobs"})
        assert {"Name": "TrainingJobName", "Value": name} in [d for m in answer["Metrics"] for d in m["Dimensions"]]


def test_a_bad_request_gets_the_error_in_its_own_protocol(aws: Endpoint) -> None:
    for protocol in ("json", "smithy-rpc-v2-cbor"):
        status, answer = _call(aws, protocol, "DescribeAlarms", {})
        assert status == 400
        assert answer["Error"]["Code"] == "UnknownOperationException"
        assert "DescribeAlarms" in answer["Error"]["Message"]


def test_boto3_reads_metrics_as_its_botocore_chooses(aws: Endpoint, tmp_path: Path, monkeypatch) -> None:
    name = _trained(tmp_path)
    client = boto3.client("cloudwatch", endpoint_url=aws.url, region_name="us-east-1",
                          aws_access_key_id=aws.env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=aws.env["AWS_SECRET_ACCESS_KEY"])
    now = datetime.now(timezone.utc)
    answer = client.get_metric_statistics(
        Namespace="/aws/sagemaker/TrainingJobs", MetricName="loss", Period=60, Statistics=["Minimum"],
        Dimensions=[{"Name": "TrainingJobName", "Value": name}], StartTime=now - timedelta(minutes=10), EndTime=now)
    assert [round(p["Minimum"], 3) for p in answer["Datapoints"]] == [0.333]


def test_rest_calls_are_routed_by_the_service_model(aws: Endpoint) -> None:
    import botocore.exceptions
    import pytest

    runtime = boto3.client("sagemaker-runtime", endpoint_url=aws.url, region_name="us-east-1",
                           aws_access_key_id=aws.env["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=aws.env["AWS_SECRET_ACCESS_KEY"])
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        runtime.invoke_endpoint(EndpointName="nowhere", Body=b"1,2", ContentType="text/csv")
    assert refused.value.response["Error"]["Code"] == "ValidationError"  # routed to InvokeEndpoint, as AWS answers it
    assert "Endpoint nowhere of account" in refused.value.response["Error"]["Message"]


def test_the_readme_lists_every_operation_served() -> None:
    from jupyter_ext.aws.operations import operations_markdown

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    listed = readme.split("<!-- aws-operations -->\n", 1)[1].split("\n<!-- /aws-operations -->", 1)[0]
    assert listed == operations_markdown(), "update the README's list: jupyter-ext aws operations"


def test_sts_and_iam_answer_for_the_local_account(aws: Endpoint) -> None:
    keys = {"endpoint_url": aws.url, "region_name": "us-east-1", "aws_access_key_id": aws.env["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": aws.env["AWS_SECRET_ACCESS_KEY"]}
    assert boto3.client("sts", **keys).get_caller_identity()["Account"] == "000000000000"
    iam = boto3.client("iam", **keys)
    assert iam.get_role(RoleName="trainer")["Role"]["Arn"] == "arn:aws:iam::000000000000:role/trainer"
    results = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:role/trainer",
                                            ActionNames=["s3:GetObject", "sagemaker:CreateTrainingJob"])
    assert [r["EvalDecision"] for r in results["EvaluationResults"]] == ["allowed", "allowed"]
    import botocore.exceptions
    import pytest

    with pytest.raises(botocore.exceptions.ClientError) as refused:
        iam.list_users()
    assert refused.value.response["Error"]["Code"] == "UnknownOperationException"
