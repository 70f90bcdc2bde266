"""The output manifest of a labeling job read back by a training job through an
AugmentedManifestFile channel (SageMaker's S3DataType) with AttributeNames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_ext.errors import ValidationError
from jupyter_ext.labeling import LabelingJob, answer_lines
from jupyter_ext.training import Estimator, TrainingInput

TRAIN = """
import json, os, pathlib
folder = pathlib.Path(os.environ["SM_CHANNEL_TRAIN"])
files = sorted(p.name for p in folder.iterdir())
lines = [json.loads(x) for x in (folder / files[0]).read_text().splitlines()]
counts = {}
for line in lines:
    counts[line["sentiment"]] = counts.get(line["sentiment"], 0) + 1
pathlib.Path(os.environ["SM_MODEL_DIR"], "seen.json").write_text(json.dumps(
    {"files": files, "keys": sorted({k for x in lines for k in x}), "counts": counts, "first": lines[0]}))
"""


def test_a_training_job_reads_the_output_manifest_through_an_augmented_manifest_channel(tmp_path: Path, script) -> None:
    texts = ["good", "bad", "fine", "awful"]
    (tmp_path / "in.manifest").write_text("".join(json.dumps({"source": t, "id": i}) + "\n" for i, t in enumerate(texts)))
    job = LabelingJob(tmp_path / "in.manifest", "TextClassification", ["positive", "negative"],
                      label_attribute_name="sentiment", output_path=str(tmp_path / "labels")).start("reviews")
    answer_lines("reviews", [{"item": i, "answer": {"label": ["positive", "negative"][i % 2]}} for i in range(4)])
    job.wait()

    estimator = Estimator(str(script(TRAIN)), output_path=str(tmp_path / "models"))
    channel = TrainingInput(job.output_manifest, s3_data_type="AugmentedManifestFile",
                            attribute_names=["source", "sentiment"])
    estimator.fit({"train": channel}, logs=False)
    from jupyter_ext.serving.archives import unpack

    seen = json.loads((unpack(str(estimator.model_data), tmp_path / "m") / "seen.json").read_text())
    assert seen == {"files": ["output.manifest"], "keys": ["sentiment", "source"], "counts": {"0": 2, "1": 2},
                    "first": {"source": "good", "sentiment": 0}}

    with pytest.raises(ValidationError, match="needs attribute_names"):
        estimator.fit({"train": TrainingInput(job.output_manifest, s3_data_type="AugmentedManifestFile")})
    with pytest.raises(Exception, match="has no attribute 'colour'"):
        estimator.fit({"train": TrainingInput(job.output_manifest, s3_data_type="AugmentedManifestFile",
                                              attribute_names=["source", "colour"])}, logs=False)
