"""Batch transform on the local AWS endpoint over real clients: SDK v2's
estimator.transformer(...).transform(...) with SageMaker's data processing (InputFilter,
JoinSource, OutputFilter), its output in local S3 as SageMaker writes it, and boto3's
Describe/List/Stop of transform jobs, with a failing model's FailureReason.

SDK v2's transformer.wait() sleeps 10 s before it first describes the job (then tails
the log every 10 s, describing every 30 s), so the script's jobs are short enough to end
within that first sleep.
"""

from __future__ import annotations

import io
import tarfile
import textwrap
from pathlib import Path

import boto3
import pytest

from conftest import wait_until
from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"
BUCKET = "sagemaker-us-east-1-000000000000"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"

SCRIPT = textwrap.dedent("""\
    import io, os
    import joblib
    import numpy as np

    def model_fn(model_dir):
        return joblib.load(os.path.join(model_dir, "model.joblib"))

    def input_fn(body, content_type):
        assert content_type == "text/csv", content_type
        text = body.decode() if isinstance(body, bytes) else body
        return np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)

    def predict_fn(data, model):
        return model.predict(data.reshape(-1, 2))

    if __name__ == "__main__":
        from sklearn.linear_model import LogisticRegression
        train = np.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",")
        joblib.dump(LogisticRegression().fit(train[:, 1:], train[:, 0]), os.path.join(os.environ["SM_MODEL_DIR"],
                                                                                     "model.joblib"))
""")

CLIENT = textwrap.dedent(f"""\
    import time
    import sagemaker
    from sagemaker.sklearn import SKLearn
    from sagemaker.transformer import Transformer

    started = time.monotonic()
    session = sagemaker.Session()
    train = session.upload_data("train.csv", key_prefix="transform-train")
    batch = session.upload_data("batch.csv", key_prefix="transform-batch")
    estimator = SKLearn(entry_point="serve.py", source_dir="src", framework_version="1.2-1",
                        instance_type="ml.m5.large", role="{ROLE}")
    estimator.fit({{"train": train}}, logs=False)
    print("FITTED", round(time.monotonic() - started, 1))
    output = f"s3://{{session.default_bucket()}}/transform-out"
    transformer = estimator.transformer(instance_count=1, instance_type="ml.m5.large", output_path=output,
                                        strategy="MultiRecord", assemble_with="Line", accept="text/csv")
    transformer.transform(data=batch, content_type="text/csv", split_type="Line", input_filter="$[1:]",
                          join_source="Input", output_filter="$[0,-1]", wait=False)
    transformer.wait()
    name = transformer.latest_transform_job.job_name
    print("JOB", name)
    print("MODEL", transformer.model_name)
    attached = Transformer.attach(name)
    print("ATTACHED", attached.model_name == transformer.model_name, attached.strategy, attached.assemble_with,
          attached.accept, attached.output_path == output)
    print("DONE", round(time.monotonic() - started, 1))
""")

ROWS = [(101, 9, 1), (102, 1, 9), (103, 8, 3), (104, 2, 7), (105, 7, 1)]


@pytest.fixture(scope="module")
def transform_run(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> ClientRun | None:
    """The SDK v2 script, started once for the module's tests (None without SDK v2)."""
    if not Path(SAGEMAKER2_PYTHON).is_file():
        return None
    folder = tmp_path_factory.mktemp("transform-client")
    (folder / "src").mkdir()
    (folder / "src" / "serve.py").write_text(SCRIPT)
    train = [(9, 1), (1, 9), (8, 3), (2, 7), (7, 1), (1, 6), (6, 2), (3, 8)]
    (folder / "train.csv").write_text("".join(f"{int(a > b)},{a},{b}\n" for a, b in train))
    (folder / "batch.csv").write_text("".join(f"{i},{a},{b}\n" for i, a, b in ROWS))
    return aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)


@pytest.fixture(scope="module")
def transform_output(transform_run: ClientRun | None) -> str:
    """What the SDK v2 script printed."""
    assert transform_run is not None
    return transform_run.result(timeout=300).stdout


def _model(name: str, inference: str) -> None:
    """A model (CreateModel) whose model.tar.gz holds a model and code/inference.py."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    buffer, model = io.BytesIO(), io.BytesIO()
    joblib.dump(LogisticRegression().fit([[9, 1], [1, 9], [8, 2], [2, 8]], [1, 0, 1, 0]), model)
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, data in (("model.joblib", model.getvalue()), ("code/inference.py", inference.encode())):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    folder = local_s3_root() / BUCKET / "transform-models" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.tar.gz").write_bytes(buffer.getvalue())
    boto3.client("sagemaker").create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/transform-models/{name}/model.tar.gz",
        "Environment": {"SAGEMAKER_PROGRAM": "inference.py"}})


def _job(name: str, model: str, data: str) -> dict[str, object]:
    return {"TransformJobName": name, "ModelName": model, "TransformResources": {"InstanceType": "ml.m5.large",
                                                                               "InstanceCount": 1},
            "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data}},
                               "ContentType": "text/csv", "SplitType": "Line"},
            "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/transform-out/{name}", "AssembleWith": "Line"},
            "BatchStrategy": "SingleRecord"}


def _status(sm: object, name: str) -> str:
    return sm.describe_transform_job(TransformJobName=name)["TransformJobStatus"]  # type: ignore[attr-defined]


def test_a_failing_model_fails_the_job_and_stop_stops_one(aws: Endpoint, transform_run: ClientRun | None) -> None:
    # transform_run: the SDK script starts first and runs meanwhile
    sm = boto3.client("sagemaker")
    (local_s3_root() / BUCKET / "transform-in").mkdir(parents=True, exist_ok=True)
    (local_s3_root() / BUCKET / "transform-in" / "rows.csv").write_text("9,1\n1,9\n")
    data = f"s3://{BUCKET}/transform-in/rows.csv"
    _model("transform-broken", "def predict_fn(data, model):\n    raise ValueError('no scores today')\n")
    _model("transform-slow", "import time\ndef predict_fn(data, model):\n    time.sleep(120)\n")
    sm.create_transform_job(**_job("broken-batch", "transform-broken", data))
    sm.create_transform_job(**_job("slow-batch", "transform-slow", data))
    wait_until(lambda: _status(sm, "broken-batch") == "Failed", 60, "the broken model's job to fail")
    reason = sm.describe_transform_job(TransformJobName="broken-batch")["FailureReason"]
    assert "rows.csv" in reason and "no scores today" in reason, reason

    assert _status(sm, "slow-batch") == "InProgress"
    sm.stop_transform_job(TransformJobName="slow-batch")
    assert _status(sm, "slow-batch") in ("Stopping", "Stopped")
    wait_until(lambda: _status(sm, "slow-batch") == "Stopped", 60, "the slow job to stop")

    listed = sm.list_transform_jobs(NameContains="-batch", SortBy="Name", SortOrder="Ascending", MaxResults=1)
    assert [job["TransformJobName"] for job in listed["TransformJobSummaries"]] == ["broken-batch"]
    assert listed["TransformJobSummaries"][0]["FailureReason"] == reason
    following = sm.list_transform_jobs(NameContains="-batch", SortBy="Name", SortOrder="Ascending",
                                       NextToken=listed["NextToken"])
    assert [job["TransformJobName"] for job in following["TransformJobSummaries"]] == ["slow-batch"]
    assert [job["TransformJobName"] for job in sm.list_transform_jobs(
        StatusEquals="Stopped", NameContains="-batch")["TransformJobSummaries"]] == ["slow-batch"]


def test_what_cannot_run_here_is_refused_naming_the_fix(aws: Endpoint, tmp_path: Path) -> None:
    sm = boto3.client("sagemaker")
    data = f"s3://{BUCKET}/transform-in/rows.csv"
    with pytest.raises(sm.exceptions.ClientError, match="Could not find model"):
        sm.create_transform_job(**_job("no-model", "missing-model", data))
    two = {**_job("two-instances", "missing-model", data), "TransformResources": {
        "InstanceType": "ml.m5.large", "InstanceCount": 2}}
    with pytest.raises(sm.exceptions.ClientError, match="InstanceCount must be 1"):
        sm.create_transform_job(**two)
    with pytest.raises(sm.exceptions.ClientError, match="no transform job named 'never-made'"):
        sm.describe_transform_job(TransformJobName="never-made")


@needs_sdk2
def test_sdk_transformer_writes_the_joined_filtered_rows(aws: Endpoint, transform_output: str) -> None:
    out = transform_output
    assert "ATTACHED True MultiRecord Line text/csv True" in out, out
    assert "batch.csv: 5 records" in out  # the job's log, read from /aws/sagemaker/TransformJobs
    written = local_s3_root() / BUCKET / "transform-out" / "batch.csv.out"
    # input_filter $[1:] gives the model the two features; the output joined to the whole
    # input row (id, a, b, prediction), of which output_filter $[0,-1] keeps the id and the prediction
    assert written.read_text().splitlines() == [f"{i},{float(a > b)}" for i, a, b in ROWS]


@needs_sdk2
def test_describe_and_list_echo_the_sdk_request(aws: Endpoint, transform_output: str) -> None:
    sm = boto3.client("sagemaker")
    name = printed(transform_output, "JOB")
    described = sm.describe_transform_job(TransformJobName=name)
    assert described["TransformJobStatus"] == "Completed" and "FailureReason" not in described
    assert described["ModelName"] == printed(transform_output, "MODEL")
    assert described["DataProcessing"] == {"InputFilter": "$[1:]", "OutputFilter": "$[0,-1]", "JoinSource": "Input"}
    assert described["TransformInput"]["SplitType"] == "Line" and described["BatchStrategy"] == "MultiRecord"
    assert described["TransformOutput"]["S3OutputPath"] == f"s3://{BUCKET}/transform-out"
    assert described["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 1}
    assert described["CreationTime"] <= described["TransformStartTime"] <= described["TransformEndTime"]
    assert described["TransformJobArn"].endswith(f":transform-job/{name.lower()}")
    listed = sm.list_transform_jobs(NameContains=name, StatusEquals="Completed")["TransformJobSummaries"]
    assert [(job["TransformJobName"], job["TransformJobStatus"]) for job in listed] == [(name, "Completed")]


def test_a_transform_job_made_in_python_answers_describe(aws: Endpoint, tmp_path: Path) -> None:
    from jupyter_ext.serving import Model, Transformer
    from serving_models import FEATURES, sklearn_model

    archive, _local = sklearn_model(tmp_path / "sk")
    (tmp_path / "rows.csv").write_text("".join(",".join(map(str, row)) + "\n" for row in FEATURES[:4]))
    transformer = Transformer(Model(str(archive), name="python-transform-model"), output_path=str(tmp_path / "out"))
    transformer.transform(str(tmp_path / "rows.csv"), content_type="text/csv", join_source="Input", logs=False)
    name = transformer.latest_transform_job.name
    described = boto3.client("sagemaker").describe_transform_job(TransformJobName=name)
    assert (described["TransformJobStatus"], described["ModelName"]) == ("Completed", "python-transform-model")
    assert described["DataProcessing"] == {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "Input"}
    assert described["TransformInput"]["SplitType"] == "Line"
    assert described["TransformOutput"]["S3OutputPath"] == str(tmp_path / "out")
