"""Labeling jobs: queues, answers, skip and undo, consolidation, validation, and the output
manifest Ground Truth writes (real jobs, real store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import wait_until
from jupyter_ext.errors import ConflictError, ValidationError
from jupyter_ext.labeling import (
    LabelingJob, item_source, labeling_progress, next_task, skip_item, submit_answer, undo_last,
)

TEXTS = ["I loved it", "Awful service", "Great food", "Never again", "Would come back"]


def _manifest(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _text_job(tmp_path: Path, **options) -> LabelingJob:
    manifest = _manifest(tmp_path / "reviews.manifest", [{"source": t} for t in TEXTS])
    return LabelingJob(manifest, "TextClassification", ["positive", "negative"], output_path=str(tmp_path / "out"),
                       **options)


def _image_manifest(tmp_path: Path, count: int = 3) -> Path:
    from PIL import Image

    lines = []
    for i in range(count):
        path = tmp_path / "images" / f"img-{i}.png"
        path.parent.mkdir(exist_ok=True)
        Image.new("RGB", (64, 48), (i * 40, 0, 0)).save(path)
        lines.append({"source-ref": f"images/img-{i}.png"})
    return _manifest(tmp_path / "images.manifest", lines)


def _read_manifest(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_one_worker_labels_every_item_and_the_job_writes_ground_truths_output_manifest(tmp_path: Path) -> None:
    job = _text_job(tmp_path, label_attribute_name="sentiment").start("reviews")
    first = next_task("reviews", "me")
    assert (first.item, first.text, first.categories, first.worker_done, first.worker_total) == (
        0, "I loved it", ["positive", "negative"], 0, 5)
    for item, label in enumerate(["positive", "negative", "positive", "negative", "positive"]):
        submit_answer("reviews", "me", item, {"label": label})
    assert next_task("reviews", "me") is None
    description = job.wait()
    assert description.status == "Completed"
    lines = _read_manifest(job.output_manifest)
    assert Path(job.output_manifest) == tmp_path / "out" / "reviews" / "manifests" / "output" / "output.manifest"
    assert lines[1]["source"] == "Awful service" and lines[1]["sentiment"] == 1
    metadata = lines[1]["sentiment-metadata"]
    assert {k: metadata[k] for k in ("class-name", "confidence", "type", "job-name", "human-annotated")} == {
        "class-name": "negative", "confidence": 1.0, "type": "groundtruth/text-classification",
        "job-name": "labeling-job/reviews", "human-annotated": "yes"}
    assert len(metadata["creation-date"]) == 26
    responses = list((tmp_path / "out" / "reviews" / "annotations" / "worker-response" / "iteration-1" / "1").glob("*.json"))
    assert json.loads(responses[0].read_text())["answers"][0]["workerId"] == "me"
    progress = labeling_progress("reviews")
    assert (progress.human, progress.machine, progress.left, progress.state) == (5, 0, 0, "complete")
    assert progress.per_label == {"positive": 3, "negative": 2} and progress.confidence_histogram[9] == 5
    assert (job.job_dir / "input" / "label-categories.json").is_file()


def test_skip_puts_the_item_last_and_undo_brings_the_answer_back_as_previous(tmp_path: Path) -> None:
    _text_job(tmp_path).start("skips")
    skip_item("skips", "me", 0)
    assert next_task("skips", "me").item == 1
    submit_answer("skips", "me", 1, {"label": "negative"})
    assert labeling_progress("skips").human == 1
    assert undo_last("skips", "me") == 1
    task = next_task("skips", "me")
    assert (task.item, task.previous, task.labeled) == (1, {"label": "negative"}, 0)
    submit_answer("skips", "me", 1, {"label": "positive"})
    for item in (2, 3, 4):
        submit_answer("skips", "me", item, {"label": "positive"})
    assert next_task("skips", "me").item == 0


def test_two_workers_answers_are_consolidated_by_majority_with_a_confidence(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "m.manifest", [{"source": t} for t in TEXTS[:2]])
    LabelingJob(manifest, "TextClassification", ["positive", "negative"], workers=["ann", "bob", "cy"],
                annotations_per_item=3).start("votes")
    for worker, label in (("ann", "positive"), ("bob", "positive")):
        submit_answer("votes", worker, 0, {"label": label})
    assert labeling_progress("votes").human == 0
    submit_answer("votes", "cy", 0, {"label": "negative"})
    progress = labeling_progress("votes")
    assert (progress.human, progress.per_label, progress.confidence_histogram[6]) == (1, {"positive": 1}, 1)
    assert progress.workers == {"ann": 1, "bob": 1, "cy": 1}


def test_boxes_of_several_workers_are_clustered_by_iou(tmp_path: Path) -> None:
    LabelingJob(_image_manifest(tmp_path, 1), "BoundingBox", ["cat", "dog"], workers=["ann", "bob"],
                annotations_per_item=2, output_path=str(tmp_path / "out")).start("boxes")
    size = {"width": 64, "height": 48}
    submit_answer("boxes", "ann", 0, {"boxes": [{"label": "cat", "left": 10, "top": 10, "width": 20, "height": 20},
                                                {"label": "dog", "left": 40, "top": 5, "width": 10, "height": 10}],
                                      "image_size": size})
    submit_answer("boxes", "bob", 0, {"boxes": [{"label": "cat", "left": 12, "top": 10, "width": 20, "height": 20}],
                                      "image_size": size})
    progress = labeling_progress("boxes")
    assert progress.per_label == {"cat": 1, "dog": 1} and progress.human == 1
    from jupyter_ext.labeling.job import LabelingJobHandle

    handle = LabelingJobHandle("boxes")
    handle.wait()
    line = _read_manifest(handle.output_manifest)[0]
    assert line["label"]["image_size"] == [{"width": 64, "height": 48, "depth": 3}]
    assert line["label"]["annotations"][0] == {"class_id": 0, "left": 11, "top": 10, "width": 20, "height": 20}
    assert line["label-metadata"]["type"] == "groundtruth/object-detection"
    assert line["label-metadata"]["class-map"] == {"0": "cat", "1": "dog"}
    assert [o["confidence"] for o in line["label-metadata"]["objects"]] == [1.0, 0.5]


def test_entity_spans_and_multi_labels_are_kept_as_ground_truth_writes_them(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "ner.manifest", [{"source": "Ada Lovelace met Babbage in London"}])
    job = LabelingJob(manifest, "NamedEntityRecognition", ["PERSON", "PLACE"], output_path=str(tmp_path / "o")).start("ner")
    with pytest.raises(ValidationError, match="outside the text"):
        submit_answer("ner", "me", 0, {"entities": [{"label": "PERSON", "start": 30, "end": 99}]})
    submit_answer("ner", "me", 0, {"entities": [{"label": "PLACE", "start": 28, "end": 34},
                                                {"label": "PERSON", "start": 0, "end": 12}]})
    job.wait()
    line = _read_manifest(job.output_manifest)[0]
    assert line["label"]["annotations"]["entities"] == [{"startOffset": 0, "endOffset": 12, "label": "PERSON"},
                                                        {"startOffset": 28, "endOffset": 34, "label": "PLACE"}]
    assert line["label-metadata"]["type"] == "groundtruth/text-span"

    multi = LabelingJob(_image_manifest(tmp_path, 1), "ImageMultiLabel", {"document-version": "2018-11-28",
                        "labels": [{"label": "cat"}, {"label": "dog"}, {"label": "bird"}]},
                        output_path=str(tmp_path / "o")).start("multi")
    submit_answer("multi", "me", 0, {"labels": ["bird", "cat"]})
    multi.wait()
    line = _read_manifest(multi.output_manifest)[0]
    assert line["label"] == [0, 2] and line["label-metadata"]["class-map"] == {"0": "cat", "2": "bird"}


def test_an_image_items_bytes_come_from_its_source_ref(tmp_path: Path) -> None:
    LabelingJob(_image_manifest(tmp_path, 2), "ImageClassification", ["red", "black"]).start("pixels")
    data, kind = item_source("pixels", 1)
    assert kind == "image/png" and data[:4] == b"\x89PNG"
    assert next_task("pixels", "me").source_ref == str(tmp_path / "images" / "img-0.png")


def test_bad_answers_and_bad_jobs_get_clear_errors(tmp_path: Path) -> None:
    _text_job(tmp_path, workers=["ann", "bob"]).start("strict")
    with pytest.raises(ValidationError, match="unknown category 'meh'"):
        submit_answer("strict", "ann", 0, {"label": "meh"})
    with pytest.raises(ValidationError, match="'zed' is not a worker"):
        submit_answer("strict", "zed", 0, {"label": "positive"})
    with pytest.raises(ValidationError, match="not in ann's queue"):
        submit_answer("strict", "ann", 1, {"label": "positive"})
    submit_answer("strict", "ann", 0, {"label": "positive"})
    with pytest.raises(ValidationError, match="labeled already"):
        submit_answer("strict", "ann", 0, {"label": "negative"})
    with pytest.raises(ValidationError, match="annotations_per_item must be from 1 to the number of workers"):
        _text_job(tmp_path, annotations_per_item=2)
    with pytest.raises(ValidationError, match="Unknown task_type"):
        LabelingJob(tmp_path / "reviews.manifest", "Sentiment", ["a"])
    (tmp_path / "bad.manifest").write_text('{"source": "ok"}\n{"text": "x"}\n')
    with pytest.raises(ValidationError, match="Line 2 of the input manifest .* has no 'source'"):
        LabelingJob(tmp_path / "bad.manifest", "TextClassification", ["a"])


def test_a_stopped_job_writes_what_is_labeled_and_takes_no_more_answers(tmp_path: Path) -> None:
    job = _text_job(tmp_path).start("halted")
    submit_answer("halted", "me", 0, {"label": "positive"})
    wait_until(lambda: job.log_path.is_file() and "items, TextClassification" in job.log_path.read_text(), what="the labeling program to run")
    job.stop()
    wait_until(lambda: job.status == "Stopped", what="the job to stop")
    lines = _read_manifest(job.output_manifest)
    assert "label" in lines[0] and "label" not in lines[1] and len(lines) == 5
    assert labeling_progress("halted").state == "stopped"
    with pytest.raises(ConflictError, match="stopped"):
        submit_answer("halted", "me", 1, {"label": "positive"})
