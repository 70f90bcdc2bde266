"""Batch transform jobs: a model over files, as a Transform job in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_ext import describe_job
from jupyter_ext.errors import UnexpectedStatusError, ValidationError
from jupyter_ext.serving import Model, Transformer
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
