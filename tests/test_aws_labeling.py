"""Labeling jobs through the local AWS endpoint: boto3's Create/Describe/List/StopLabelingJob,
labels given from a file of answers, the output manifest read back from S3."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_fixtures import SAGEMAKER2_PYTHON, Endpoint, needs_sdk2
from conftest import wait_until
from jupyter_ext.labeling import answer_lines
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"
BUCKET = "labels-bucket"
LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass"


def _put_images(count: int) -> None:
    from PIL import Image

    folder = local_s3_root() / BUCKET / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        Image.new("RGB", (16, 16), (200 * (i % 2), 0, 0)).save(folder / f"{i}.png")
    s3 = boto3.client("s3")
    s3.put_object(Bucket=BUCKET, Key="input.manifest", Body="".join(
        json.dumps({"source-ref": f"s3://{BUCKET}/images/{i}.png"}) + "\n" for i in range(count)).encode())
    s3.put_object(Bucket=BUCKET, Key="categories.json", Body=json.dumps(
        {"document-version": "2018-11-28", "labels": [{"label": "black"}, {"label": "red"}]}).encode())


def _request(name: str, **extra) -> dict:
    return {"LabelingJobName": name, "LabelAttributeName": "colour", "RoleArn": ROLE,
            "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://{BUCKET}/input.manifest"}}},
            "OutputConfig": {"S3OutputPath": f"s3://{BUCKET}/output"},
            "LabelCategoryConfigS3Uri": f"s3://{BUCKET}/categories.json",
            "HumanTaskConfig": {"WorkteamArn": "arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/me",
                                "UiConfig": {"UiTemplateS3Uri": f"s3://{BUCKET}/template.liquid"},
                                "PreHumanTaskLambdaArn": LAMBDA, "TaskTitle": "Colours",
                                "TaskDescription": "Is the image red or black?", "NumberOfHumanWorkersPerDataObject": 1,
                                "TaskTimeLimitInSeconds": 300,
                                "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": LAMBDA}},
            **extra}


def test_boto3_creates_a_labeling_job_that_is_labeled_from_answers_and_writes_the_output_manifest(
        aws: Endpoint, tmp_path: Path) -> None:
    _put_images(4)
    client = boto3.client("sagemaker")
    arn = client.create_labeling_job(**_request("colours"))["LabelingJobArn"]
    assert arn.endswith(":labeling-job/colours")
    described = client.describe_labeling_job(LabelingJobName="colours")
    assert described["LabelingJobStatus"] in ("Initializing", "InProgress")
    assert described["LabelCounters"]["Unlabeled"] == 4 and described["LabelAttributeName"] == "colour"
    assert described["HumanTaskConfig"]["TaskTitle"] == "Colours"

    answer_lines("colours", [{"source-ref": f"s3://{BUCKET}/images/{i}.png", "answer": {"label": ["black", "red"][i % 2]}}
                             for i in range(4)])
    wait_until(lambda: client.describe_labeling_job(LabelingJobName="colours")["LabelingJobStatus"] == "Completed",
               timeout=60, what="the labeling job to complete")
    described = client.describe_labeling_job(LabelingJobName="colours")
    assert described["LabelCounters"] == {"TotalLabeled": 4, "HumanLabeled": 4, "MachineLabeled": 0,
                                          "FailedNonRetryableError": 0, "Unlabeled": 0}
    uri = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert uri == f"s3://{BUCKET}/output/colours/manifests/output/output.manifest"
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key=uri.split("/", 3)[3])["Body"].read().decode()
    lines = [json.loads(x) for x in body.splitlines()]
    assert [x["colour-metadata"]["class-name"] for x in lines] == ["black", "red", "black", "red"]
    assert lines[1]["colour"] == 1 and lines[1]["colour-metadata"]["job-name"] == "labeling-job/colours"

    summaries = client.list_labeling_jobs(StatusEquals="Completed")["LabelingJobSummaryList"]
    assert [s["LabelingJobName"] for s in summaries if s["LabelingJobName"] == "colours"] == ["colours"]
    _train_on(client, uri, tmp_path)


TRAIN = """
import json, os, pathlib
folder = pathlib.Path(os.environ["SM_CHANNEL_TRAIN"])
lines = [json.loads(x) for x in (folder / "output.manifest").read_text().splitlines()]
print("SEEN", json.dumps([sorted(x) for x in lines]), [x["colour"] for x in lines])
"""


def _train_on(client, manifest: str, tmp_path: Path) -> None:
    """CreateTrainingJob with the output manifest as an AugmentedManifestFile channel."""
    import tarfile

    (tmp_path / "train.py").write_text(TRAIN)
    with tarfile.open(tmp_path / "sourcedir.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "train.py", "train.py")
    boto3.client("s3").upload_file(str(tmp_path / "sourcedir.tar.gz"), BUCKET, "code/sourcedir.tar.gz")
    client.create_training_job(
        TrainingJobName="colours-trainer", RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
                                "pytorch-training:2.1-cpu-py310", "TrainingInputMode": "File"},
        HyperParameters={"sagemaker_program": '"train.py"',
                         "sagemaker_submit_directory": f'"s3://{BUCKET}/code/sourcedir.tar.gz"'},
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "AugmentedManifestFile", "S3Uri": manifest, "AttributeNames": ["source-ref", "colour"]}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/models"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 120})
    wait_until(lambda: client.describe_training_job(TrainingJobName="colours-trainer")["TrainingJobStatus"]
               in ("Completed", "Failed"), timeout=90, what="the training job to end")
    described = client.describe_training_job(TrainingJobName="colours-trainer")
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    assert described["InputDataConfig"][0]["DataSource"]["S3DataSource"]["AttributeNames"] == ["source-ref", "colour"]
    log = (Path(local_s3_root()).parent / "jobs" / "colours-trainer" / "job.log").read_text()
    assert 'SEEN [["colour", "source-ref"], ["colour", "source-ref"], ["colour", "source-ref"], ["colour", ' \
           '"source-ref"]] [0, 1, 0, 1]' in log


def test_boto3_stops_a_labeling_job_and_bad_requests_are_refused(aws: Endpoint) -> None:
    _put_images(2)
    client = boto3.client("sagemaker")
    client.create_labeling_job(**_request("halted-colours", LabelingJobAlgorithmsConfig={
        "LabelingJobAlgorithmSpecificationArn":
            "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/image-classification"}))
    assert "LabelingJobAlgorithmsConfig" in client.describe_labeling_job(LabelingJobName="halted-colours")
    with pytest.raises(ClientError, match="exists already"):
        client.create_labeling_job(**_request("halted-colours"))
    bad = _request("bad-task")
    bad["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = "arn:aws:lambda:us-east-1:1:function:PRE-VideoTracking"
    with pytest.raises(ClientError, match="PRE-ImageMultiClass"):
        client.create_labeling_job(**bad)
    wait_until(lambda: client.describe_labeling_job(LabelingJobName="halted-colours")["LabelingJobStatus"]
               == "InProgress", what="the job to run")
    wait_until(lambda: (Path(aws.home) / "jobs" / "halted-colours" / "job.log").is_file() and "items," in
               (Path(aws.home) / "jobs" / "halted-colours" / "job.log").read_text(), what="its program to start")
    client.stop_labeling_job(LabelingJobName="halted-colours")
    wait_until(lambda: client.describe_labeling_job(LabelingJobName="halted-colours")["LabelingJobStatus"]
               == "Stopped", timeout=60, what="the job to stop")
    with pytest.raises(ClientError, match="not found"):
        client.describe_labeling_job(LabelingJobName="no-such-labeling")


SDK_CLIENT = """
import json, sagemaker
from sagemaker.inputs import TrainingInput
from sagemaker.pytorch import PyTorch
session = sagemaker.Session()
client = session.sagemaker_client
print("STATUS", client.describe_labeling_job(LabelingJobName="sdk-colours")["LabelingJobStatus"])
print("LISTED", [j["LabelingJobName"] for j in client.list_labeling_jobs(NameContains="sdk-")["LabelingJobSummaryList"]])
manifest = client.describe_labeling_job(LabelingJobName="sdk-colours")["LabelingJobOutput"]["OutputDatasetS3Uri"]
estimator = PyTorch(entry_point="train.py", framework_version="2.1", py_version="py310", instance_count=1,
                    instance_type="ml.c5.xlarge", role="%s")
estimator.fit({"train": TrainingInput(manifest, s3_data_type="AugmentedManifestFile",
                                      attribute_names=["source-ref", "colour"])}, logs=False)
print("FITTED", client.describe_training_job(TrainingJobName=estimator.latest_training_job.name)["TrainingJobStatus"])
"""


@needs_sdk2
def test_sdk_v2_describes_a_labeling_job_and_trains_on_its_output_manifest(aws: Endpoint, tmp_path: Path) -> None:
    _put_images(2)
    boto3.client("sagemaker").create_labeling_job(**_request("sdk-colours"))
    answer_lines("sdk-colours", [{"item": i, "answer": {"label": "red"}} for i in range(2)])
    client = boto3.client("sagemaker")
    wait_until(lambda: client.describe_labeling_job(LabelingJobName="sdk-colours")["LabelingJobStatus"] == "Completed",
               timeout=60, what="the labeling job to complete")
    (tmp_path / "train.py").write_text(TRAIN)
    output = aws.run(SAGEMAKER2_PYTHON, SDK_CLIENT % ROLE, tmp_path, timeout=300).stdout
    assert "STATUS Completed" in output and "LISTED ['sdk-colours']" in output and "FITTED Completed" in output
