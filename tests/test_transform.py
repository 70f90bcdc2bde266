"""Batch transform jobs: a model over files, as a Transform job in the store."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest

from jupyter_ext import describe_job
from jupyter_ext.errors import UnexpectedStatusError, ValidationError
from jupyter_ext.serving import Model, Transformer
from jupyter_ext.serving.data_processing import DataProcessing
from jupyter_ext.serving.run_transform import recordio_records, tfrecord_records
from serving_models import FEATURES, sklearn_model


def _csv(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(",".join(str(v) for v in row) + "\n" for row in rows))


def test_batch_transform_output_lines_match_inputs(tmp_path: Path) -> None:
    archive, local = sklearn_model(tmp_path / "sk")
    _csv(tmp_path / "batch" / "a.csv", FEATURES[:50])
    _csv(tmp_path / "batch" / "more" / "b.csv", FEATURES[50:57])
    transformer = Transformer(Model(str(archive)), strategy="MultiRecord", max_concurrent_transforms=2,
                              output_path=str(tmp_path / "out"))
    transformer.transform(str(tmp_path / "batch"), content_type="text/csv", logs=False)
    for name, rows in (("a.csv.out", FEATURES[:50]), ("more/b.csv.out", FEATURES[50:57])):
        lines = (tmp_path / "out" / name).read_text().splitlines()
        assert lines == [str(v) for v in local.predict(rows)]
    job = describe_job(transformer.latest_transform_job.name)
    assert (job.job_type, job.status, job.output_data) == ("Transform", "Completed", str(tmp_path / "out"))

    (tmp_path / "records.jsonl").write_text("".join(json.dumps(row) + "\n" for row in FEATURES[:5].tolist()))
    single = Transformer(Model(str(archive)), strategy="SingleRecord", output_path=str(tmp_path / "joined"))
    single.transform(str(tmp_path / "records.jsonl"), content_type="application/jsonlines", join_source="Input",
                     logs=False)
    joined = [json.loads(line) for line in (tmp_path / "joined" / "records.jsonl.out").read_text().splitlines()]
    assert joined == [{"SageMakerInput": row, "SageMakerOutput": int(label)}
                      for row, label in zip(FEATURES[:5].tolist(), local.predict(FEATURES[:5]))]


def test_a_bad_batch_fails_the_job_with_the_reason(tmp_path: Path) -> None:
    archive, _local = sklearn_model(tmp_path / "sk")
    _csv(tmp_path / "narrow.csv", FEATURES[:3, :2])
    with pytest.raises(UnexpectedStatusError, match="narrow.csv failed: PayloadError: The model expects 3 values"):
        Transformer(Model(str(archive))).transform(str(tmp_path / "narrow.csv"), content_type="text/csv", logs=False)
    with pytest.raises(ValidationError, match="strategy 'Bogus'; choose one of: MultiRecord, SingleRecord"):
        Transformer(Model(str(archive)), strategy="Bogus")
    with pytest.raises(ValidationError, match="max_concurrent_transforms × max_payload must be at most 100"):
        Transformer(Model(str(archive)), max_concurrent_transforms=3, max_payload=50)
    with pytest.raises(ValidationError, match="does not exist"):
        Transformer(Model(str(archive))).transform(str(tmp_path / "missing.csv"), content_type="text/csv")


def test_gzip_json_lines_with_sagemakers_filters_and_join(tmp_path: Path) -> None:
    archive, local = sklearn_model(tmp_path / "sk")
    rows = [{"id": f"r{i}", "features": row} for i, row in enumerate(FEATURES[:6].tolist())]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rows.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    transformer = Transformer(Model(str(archive)), output_path=str(tmp_path / "out"))
    transformer.transform(str(tmp_path / "in"), content_type="application/jsonlines", compression_type="Gzip",
                          input_filter="$.features", join_source="Input", output_filter="$['id','SageMakerOutput']",
                          logs=False)
    written = [json.loads(line) for line in (tmp_path / "out" / "rows.jsonl.gz.out").read_text().splitlines()]
    assert written == [{"id": r["id"], "SageMakerOutput": int(label)}
                       for r, label in zip(rows, local.predict(FEATURES[:6]))]
    with pytest.raises(ValidationError, match="input_filter 'features' must start with \\$"):
        transformer.transform(str(tmp_path / "in"), input_filter="features")
    with pytest.raises(ValidationError, match="split_type TFRecord records are binary"):
        transformer.transform(str(tmp_path / "in"), split_type="TFRecord", join_source="Input")


def test_csv_paths_select_fields_as_sagemaker_documents() -> None:
    processing = DataProcessing("$[1:]", "$[0,-1]", "Input")
    assert processing.model_input(b'7,"a,b",2.5', "text/csv") == b'"a,b",2.5'
    assert processing.written(b"7,1.5,2.5", b"0.9,0.1", "text/csv", "text/csv") == b"7,0.1"
    assert DataProcessing(output_filter="$[1]").written(b"x", b"0.9,0.1", "text/csv", "text/csv") == b"0.1"
    assert DataProcessing(join_source="Input").written(b"[1, 2]", b"3", "application/json", "application/json") \
        == b'{"SageMakerInput": [1, 2], "SageMakerOutput": 3}'
    with pytest.raises(ValueError, match="no 'missing'"):
        DataProcessing("$.missing").model_input(b'{"id": 1}', "application/json")


def test_recordio_and_tfrecord_files_split_into_their_records() -> None:
    def recordio(data: bytes) -> bytes:
        return struct.pack("<II", 0xCED7230A, len(data)) + data + b"\0" * (-len(data) % 4)

    def tfrecord(data: bytes) -> bytes:
        return struct.pack("<QI", len(data), 0) + data + struct.pack("<I", 0)

    records = [b"abc", b"", b"defgh"]
    assert list(recordio_records(b"".join(map(recordio, records)))) == [recordio(r) for r in records]
    assert list(tfrecord_records(b"".join(map(tfrecord, records)))) == [tfrecord(r) for r in records]
    with pytest.raises(ValueError, match="Not RecordIO at byte 0"):
        list(recordio_records(b"not recordio"))
