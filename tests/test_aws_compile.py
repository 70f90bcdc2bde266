"""Compilation jobs through the local AWS endpoint: SageMaker SDK v2's unmodified
`estimator.compile_model(...)` and the compiled model's deploy, and boto3's
Create/Describe/List/StopCompilationJob."""

from __future__ import annotations

import tarfile
import textwrap
from pathlib import Path

import boto3
import numpy
import pytest
from botocore.exceptions import ClientError

from aws_fixtures import Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed
from jupyter_ext.jobs import list_jobs
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"

# Neo's PyTorch recipe: the training script saves a traced (TorchScript) model.
TRAIN = textwrap.dedent("""\
    import os
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.fc = torch.nn.Linear(8 * 16 * 16, 4)

        def forward(self, x):
            return self.fc(torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2).flatten(1))

    if __name__ == "__main__":
        torch.manual_seed(0)
        traced = torch.jit.trace(Net().eval(), torch.zeros(1, 3, 32, 32))
        torch.jit.save(traced, os.path.join(os.environ["SM_MODEL_DIR"], "model.pth"))
        print("saved TorchScript")
""")

CLIENT = textwrap.dedent(f"""\
    import boto3, numpy, sagemaker
    from sagemaker.pytorch import PyTorch
    session = sagemaker.Session()
    estimator = PyTorch(entry_point="train.py", framework_version="2.1", py_version="py310",
                        instance_type="ml.c5.xlarge", instance_count=1, role="{ROLE}")
    estimator.fit(logs=False)
    print("TRAINED", estimator.model_data)
    compiled = estimator.compile_model(target_instance_family="ml_c5", input_shape={{"input0": [1, 3, 32, 32]}},
                                       output_path=f"s3://{{session.default_bucket()}}/compiled",
                                       framework="pytorch", framework_version="2.1")
    print("COMPILED", compiled.model_data, compiled.image_uri)
    images = numpy.random.default_rng(3).standard_normal((3, 3, 32, 32)).astype("float32")
    numpy.save("images.npy", images)
    predictor = compiled.deploy(initial_instance_count=1, instance_type="ml.c5.xlarge")
    numpy.save("answers.npy", numpy.asarray(predictor.predict(images)))
    predictor.delete_endpoint()
    jobs = boto3.client("sagemaker").list_compilation_jobs(StatusEquals="COMPLETED")["CompilationJobSummaries"]
    print("LISTED", [(job["CompilationTargetDevice"], job["CompilationJobStatus"]) for job in jobs])
""")


@needs_sdk2
def test_sdk_v2_compile_model_and_deploy_answer_as_the_torch_model(aws: Endpoint, tmp_path: Path) -> None:
    import torch

    (tmp_path / "train.py").write_text(TRAIN)
    output = aws.run(SAGEMAKER2_PYTHON, CLIENT, tmp_path, timeout=400).stdout
    trained, compiled = printed(output, "TRAINED"), printed(output, "COMPILED")
    assert compiled.endswith("/model.tar.gz") and "/compiled/" in compiled
    assert "sagemaker-neo-pytorch" in output.split("COMPILED", 1)[1].splitlines()[0]
    assert "LISTED [('ml_c5', 'COMPLETED')]" in output
    job = list_jobs(type="Compilation")[0]
    assert job.status == "Completed"

    bucket, key = trained.removeprefix("s3://").split("/", 1)
    with tarfile.open(local_s3_root() / bucket / key) as tar:
        tar.extract("model.pth", tmp_path, filter="data")
    original = torch.jit.load(str(tmp_path / "model.pth"))
    images = numpy.load(tmp_path / "images.npy")
    with torch.no_grad():
        expected = original(torch.as_tensor(images)).numpy()
    answers = numpy.load(tmp_path / "answers.npy")
    assert answers.shape == expected.shape == (3, 4)
    assert numpy.abs(answers - expected).max() <= 1e-4 * numpy.abs(expected).max()


def test_boto3_compilation_job_failures_and_stop(aws: Endpoint, tmp_path: Path) -> None:
    client = boto3.client("sagemaker")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "weights.bin").write_bytes(b"not a model")
    bucket = local_s3_root() / "sagemaker-us-east-1-000000000000"
    with tarfile.open(bucket / "broken.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "model" / "weights.bin", "weights.bin")
    request = {"RoleArn": ROLE, "StoppingCondition": {"MaxRuntimeInSeconds": 300},
               "InputConfig": {"S3Uri": "s3://sagemaker-us-east-1-000000000000/broken.tar.gz",
                               "DataInputConfig": '{"input0": [1, 4]}', "Framework": "MXNET"},
               "OutputConfig": {"S3OutputLocation": "s3://sagemaker-us-east-1-000000000000/out",
                                "TargetDevice": "ml_m5"}}
    with pytest.raises(ClientError, match="InputConfig.Framework 'MXNET' is not compiled here: give one of PYTORCH"):
        client.create_compilation_job(CompilationJobName="mxnet-model", **request)
    request["InputConfig"]["Framework"] = "PYTORCH"
    client.create_compilation_job(CompilationJobName="no-torch-model", **request)
    with pytest.raises(ClientError, match="compilation job names must be unique|exists already|taken"):
        client.create_compilation_job(CompilationJobName="no-torch-model", **request)
    from conftest import wait_until

    wait_until(lambda: client.describe_compilation_job(CompilationJobName="no-torch-model")["CompilationJobStatus"]
               in ("FAILED", "COMPLETED"), 120, "the compilation job to end")
    described = client.describe_compilation_job(CompilationJobName="no-torch-model")
    assert described["CompilationJobStatus"] == "FAILED"
    assert "No torch model in the artifact (it holds weights.bin)" in described["FailureReason"]
    assert described["InputConfig"]["Framework"] == "PYTORCH" and described["OutputConfig"]["TargetDevice"] == "ml_m5"
    with pytest.raises(ClientError, match="has ended|not running|Completed|Failed"):
        client.stop_compilation_job(CompilationJobName="no-torch-model")
    with pytest.raises(ClientError, match="no compilation job named 'missing'"):
        client.describe_compilation_job(CompilationJobName="missing")


def test_a_compilation_made_in_python_answers_boto3_and_stop_stops_one(aws: Endpoint, tmp_path: Path) -> None:
    import joblib
    from sklearn.linear_model import LogisticRegression

    from conftest import wait_until
    from jupyter_ext.compile import compile_model

    rng = numpy.random.default_rng(0)
    features = rng.normal(size=(100, 3))
    (tmp_path / "sk").mkdir()
    joblib.dump(LogisticRegression().fit(features, features[:, 0] > 0), tmp_path / "sk" / "model.joblib")
    compiled = compile_model(str(tmp_path / "sk"), "ml_m5", job_name="python-compiled", logs=False)
    client = boto3.client("sagemaker")
    described = client.describe_compilation_job(CompilationJobName="python-compiled")
    assert described["CompilationJobStatus"] == "COMPLETED"
    assert described["ModelArtifacts"]["S3ModelArtifacts"] == compiled.model_data
    assert described["InputConfig"]["Framework"] == "SKLEARN" and described["OutputConfig"]["TargetDevice"] == "ml_m5"
    assert "sagemaker-neo-sklearn" in described["InferenceImage"]

    with tarfile.open(bucket := tmp_path / "sk.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "sk" / "model.joblib", "model.joblib")
    key = local_s3_root() / "sagemaker-us-east-1-000000000000" / "sk.tar.gz"
    key.write_bytes(bucket.read_bytes())
    client.create_compilation_job(
        CompilationJobName="stopped-compile", RoleArn=ROLE, StoppingCondition={"MaxRuntimeInSeconds": 300},
        InputConfig={"S3Uri": "s3://sagemaker-us-east-1-000000000000/sk.tar.gz", "DataInputConfig": "{}",
                     "Framework": "SKLEARN"},
        OutputConfig={"S3OutputLocation": "s3://sagemaker-us-east-1-000000000000/out", "TargetDevice": "ml_c5"})
    client.stop_compilation_job(CompilationJobName="stopped-compile")
    wait_until(lambda: client.describe_compilation_job(CompilationJobName="stopped-compile")["CompilationJobStatus"]
               == "STOPPED", 60, "the compilation job to stop")
    listed = client.list_compilation_jobs(StatusEquals="STOPPED")["CompilationJobSummaries"]
    assert [(job["CompilationJobName"], job["CompilationTargetDevice"]) for job in listed] == [
        ("stopped-compile", "ml_c5")]
