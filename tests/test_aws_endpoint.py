"""The local AWS endpoint over real clients: boto3 and SageMaker's SDK v2 in their own environment."""

from __future__ import annotations

import tarfile
import textwrap
from pathlib import Path

from aws_fixtures import Endpoint, SAGEMAKER2_PYTHON, aws, aws_endpoint, needs_sdk2  # noqa: F401

from jupyter_ext.jobs import Job
from jupyter_ext.store import local_s3_root

TRAIN = textwrap.dedent("""\
    import argparse, os
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--optimizer", default="sgd")
    args = parser.parse_args()
    print("data:", sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])), "optimizer:", args.optimizer)
    for epoch in range(args.epochs):
        print(f"epoch {epoch} loss: {1 / (epoch + 1):.3f}")
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as out:
        out.write("trained")
""")


@needs_sdk2
def test_sklearn_estimator_fits_with_logs_and_model_in_s3(aws: Endpoint, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(TRAIN)
    (tmp_path / "train.csv").write_text("x,y\n1,2\n")
    done = aws.run(SAGEMAKER2_PYTHON, textwrap.dedent("""\
        import sagemaker
        from sagemaker.sklearn import SKLearn
        session = sagemaker.Session()
        uri = session.upload_data("train.csv", key_prefix="sklearn-data")
        estimator = SKLearn(entry_point="train.py", source_dir="src", framework_version="1.2-1",
                            instance_type="ml.m5.large", role="arn:aws:iam::000000000000:role/local",
                            hyperparameters={"epochs": 3, "optimizer": "adam"},
                            metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}])
        estimator.fit({"train": uri}, logs="All")
        print("JOB", estimator.latest_training_job.name)
        print("MODEL", estimator.model_data)
    """), tmp_path)
    assert "epoch 2 loss: 0.333" in done.stdout and "optimizer: adam" in done.stdout
    name = done.stdout.split("JOB ")[1].split()[0]
    model = done.stdout.split("MODEL ")[1].split()[0]
    assert model.startswith("s3://sagemaker-us-east-1-000000000000/") and model.endswith("/output/model.tar.gz")
    bucket, key = model[len("s3://"):].split("/", 1)
    with tarfile.open(local_s3_root() / bucket / key) as archive:
        assert "model.txt" in archive.getnames()
    assert Job(name).describe().status == "Completed"
