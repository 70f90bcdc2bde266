"""The model registry over the local AWS endpoint with real clients: SDK v2's model.register
(two versions), update_model_package and list_model_packages, then
sagemaker.ModelPackage(...).deploy and a prediction; the endpoint names the version and its
training job (lineage). boto3's errors for a rejected version, a bad status and an unknown group."""

from __future__ import annotations

import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_fixtures import Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed
from test_aws_hosting import ROLE, SCRIPT

from jupyter_ext.registry import describe_model_package, lineage

GROUP = "sdk-registry-models"

CLIENT = textwrap.dedent(f"""\
    import json
    import sagemaker
    from sagemaker import ModelPackage
    from sagemaker.deserializers import JSONDeserializer
    from sagemaker.predictor import Predictor
    from sagemaker.serializers import CSVSerializer
    from sagemaker.sklearn import SKLearn

    session = sagemaker.Session()
    sm = session.sagemaker_client
    uri = session.upload_data("train.csv", key_prefix="registry-data")
    estimator = SKLearn(entry_point="serve.py", source_dir="src", framework_version="1.2-1",
                        instance_type="ml.m5.large", role="{ROLE}")
    estimator.fit({{"train": uri}}, logs=False)
    print("JOB", estimator.latest_training_job.name)
    model = estimator.create_model()
    types = dict(content_types=["text/csv"], response_types=["text/csv"], inference_instances=["ml.m5.large"],
                 transform_instances=["ml.m5.large"])
    first = model.register(model_package_group_name="{GROUP}", approval_status="Approved", **types)
    second = model.register(model_package_group_name="{GROUP}", **types)
    print("ARNS", first.model_package_arn, second.model_package_arn)
    sm.update_model_package(ModelPackageArn=second.model_package_arn, ModelApprovalStatus="Rejected",
                            ApprovalDescription="worse on holdout", CustomerMetadataProperties={{"owner": "ana"}})
    described = sm.describe_model_package(ModelPackageName=second.model_package_arn)
    print("SECOND", described["ModelApprovalStatus"], described["ApprovalDescription"],
          described["CustomerMetadataProperties"], described["ModelPackageVersion"])
    listed = sm.list_model_packages(ModelPackageGroupName="{GROUP}", ModelApprovalStatus="Approved")
    print("APPROVED", [p["ModelPackageVersion"] for p in listed["ModelPackageSummaryList"]])
    every = sm.list_model_packages(ModelPackageGroupName="{GROUP}", SortBy="CreationTime", SortOrder="Ascending")
    print("ALL", [p["ModelPackageVersion"] for p in every["ModelPackageSummaryList"]])
    print("GROUPS", [g["ModelPackageGroupName"] for g in sm.list_model_package_groups()["ModelPackageGroupSummaryList"]])

    package = ModelPackage(role="{ROLE}", model_package_arn=first.model_package_arn, sagemaker_session=session)
    package.deploy(1, "ml.m5.large", wait=False)
    session.wait_for_endpoint(package.endpoint_name, poll=1)
    predictor = Predictor(package.endpoint_name, sagemaker_session=session, serializer=CSVSerializer(),
                          deserializer=JSONDeserializer())
    print("ENDPOINT", package.endpoint_name)
    print("PREDICTED", json.dumps(predictor.predict([[9, 1], [1, 9]])))
""")


@needs_sdk2
def test_sdk_registers_approves_lists_and_deploys_a_version(aws: Endpoint, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "serve.py").write_text(SCRIPT)
    rows = [f"{int(a > b)},{a},{b}" for a, b in [(9, 1), (1, 9), (8, 3), (2, 7), (7, 1), (1, 6), (6, 2), (3, 8)]]
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    out = aws.run(SAGEMAKER2_PYTHON, CLIENT, tmp_path, timeout=300).stdout
    first_arn = printed(out, "ARNS")
    assert first_arn == f"arn:aws:sagemaker:us-east-1:000000000000:model-package/{GROUP}/1"
    assert f"model-package/{GROUP}/2" in out.split("ARNS ", 1)[1].splitlines()[0]
    assert "SECOND Rejected worse on holdout {'owner': 'ana'} 2" in out
    assert "APPROVED [1]" in out and "ALL [1, 2]" in out and GROUP in out.split("GROUPS ", 1)[1].splitlines()[0]
    assert "PREDICTED [1.0, 0.0]" in out
    endpoint = printed(out, "ENDPOINT")
    try:
        found = lineage(endpoint)
        assert (found.model_package_arn, found.training_job) == (first_arn, printed(out, "JOB"))
        assert describe_model_package(first_arn).inference_specification["SupportedContentTypes"] == ["text/csv"]
    finally:
        boto3.client("sagemaker").delete_endpoint(EndpointName=endpoint)

    sm = boto3.client("sagemaker")
    second_arn = out.split("ARNS ", 1)[1].split()[1]
    found = sm.search(Resource="ModelPackage", SearchExpression={"Filters": [
        {"Name": "ModelPackageGroupName", "Operator": "Equals", "Value": GROUP},
        {"Name": "ModelApprovalStatus", "Operator": "Equals", "Value": "Rejected"}]})["Results"]
    assert [r["ModelPackage"]["ModelPackageArn"] for r in found] == [second_arn]
    with pytest.raises(ClientError, match="is Rejected; approve it first"):
        sm.create_model(ModelName="rejected-version", PrimaryContainer={"ModelPackageName": second_arn},
                        ExecutionRoleArn=ROLE)
    with pytest.raises(ClientError, match="use one of: PendingManualApproval, Approved, Rejected"):
        sm.update_model_package(ModelPackageArn=first_arn, ModelApprovalStatus="Accepted")
    with pytest.raises(ClientError, match="group 'no-such-group' not found"):
        sm.list_model_packages(ModelPackageGroupName="no-such-group")
    with pytest.raises(ClientError, match="holds 2 version"):
        sm.delete_model_package_group(ModelPackageGroupName=GROUP)
