"""The labeling panel's REST routes (labeling-jobs/{job}/...), through a real jupyter_server
over real labeling jobs in the store: a worker's next item, answer, skip, undo, an item's image,
the job's progress, and the errors a worker can meet."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from conftest import wait_until
from jupyter_ext.errors import ConflictError
from jupyter_ext.jobs import Job
from jupyter_ext.labeling import LabelingJob
from jupyter_ext.models import ACTIVE_STATUSES

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


def image_manifest(folder: Path, count: int = 3, size: tuple[int, int] = (64, 48), side: int = 16) -> Path:
    """`count` PNG images (a red square of `side` pixels at (4 + 4i, 4) on grey) and their input manifest."""
    from PIL import Image, ImageDraw

    lines = []
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = folder / "images" / f"img-{i}.png"
        image = Image.new("RGB", size, (200, 200, 200))
        ImageDraw.Draw(image).rectangle([4 + 4 * i, 4, 4 + side - 1 + 4 * i, 4 + side - 1], fill=(220, 30, 30))
        image.save(path)
        lines.append({"source-ref": str(path)})
    manifest = folder / "images.manifest"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return manifest


def end_jobs(*jobs: Job) -> None:
    """Stop the labeling jobs still running and wait until their programs have ended."""
    for job in jobs:
        with contextlib.suppress(ConflictError):
            job.stop()
        wait_until(lambda: job.describe().status not in ACTIVE_STATUSES, 60, f"{job.name} to end")


def text_manifest(folder: Path, texts: list[str]) -> Path:
    manifest = folder / "texts.manifest"
    folder.mkdir(parents=True, exist_ok=True)
    manifest.write_text("".join(json.dumps({"source": text}) + "\n" for text in texts))
    return manifest


async def _call(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None, **params: str) -> dict:
    response = await jp_fetch("jupyter-ext", "api", "labeling-jobs", *parts, method=method, params=params or None,
                              body=None if body is None else json.dumps(body))
    return json.loads(response.body)


async def _fails(jp_fetch, *parts: str, method: str = "GET", body: dict | None = None, **params: str) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as caught:
        await _call(jp_fetch, *parts, method=method, body=body, **params)
    return caught.value.code, json.loads(caught.value.response.body)["message"]


async def test_a_worker_labels_skips_and_undoes_and_the_progress_counts_it(jp_fetch, tmp_path: Path) -> None:
    job = LabelingJob(image_manifest(tmp_path), "ImageClassification", ["cat", "dog"], workers=["me", "ann"],
                      instructions="Is it a cat or a dog?", output_path=str(tmp_path / "out")).start("rest-images")
    try:
        progress = await _call(jp_fetch, "rest-images", "progress")
        assert progress["workers"] == {"me": 0, "ann": 0} and (progress["human"], progress["left"]) == (0, 3)
        first = await _call(jp_fetch, "rest-images", "task", worker="me")
        task = first["task"]
        assert (first["worker"], task["item"], task["task_type"], task["categories"]) == ("me", 0, "ImageClassification", ["cat", "dog"])
        assert (task["instructions"], task["worker_done"], task["worker_total"], task["previous"]) == (
            "Is it a cat or a dog?", 0, 2, None)  # the items are shared: me has 0 and 2, ann has 1
        image = await jp_fetch("jupyter-ext", "api", "labeling-jobs", "rest-images", "items", "0", "source")
        assert image.body == (tmp_path / "images" / "img-0.png").read_bytes()
        assert image.headers["Content-Type"] == "image/png" and image.headers["X-Content-Type-Options"] == "nosniff"

        answered = await _call(jp_fetch, "rest-images", "answers", method="POST",
                               body={"worker": "me", "item": 0, "answer": {"label": "dog"}})
        assert (answered["task"]["item"], answered["task"]["worker_done"], answered["task"]["labeled"]) == (2, 1, 1)
        undone = await _call(jp_fetch, "rest-images", "undo", method="POST", body={"worker": "me"})
        assert (undone["task"]["item"], undone["task"]["previous"], undone["task"]["labeled"]) == (0, {"label": "dog"}, 0)
        skipped = await _call(jp_fetch, "rest-images", "skip", method="POST", body={"worker": "me", "item": 0})
        assert skipped["task"]["item"] == 2  # item 0 went to the back of the queue
        for worker, item, label in (("me", 2, "dog"), ("me", 0, "cat"), ("ann", 1, "cat")):
            await _call(jp_fetch, "rest-images", "answers", method="POST",
                        body={"worker": worker, "item": item, "answer": {"label": label}})
        assert (await _call(jp_fetch, "rest-images", "task", worker="me"))["task"] is None  # nothing left for me
        progress = await _call(jp_fetch, "rest-images", "progress")
        assert (progress["human"], progress["machine"], progress["left"]) == (3, 0, 0)
        assert progress["per_label"] == {"cat": 2, "dog": 1} and progress["workers"] == {"me": 2, "ann": 1}
        assert sum(progress["confidence_histogram"]) == 3 and progress["confidence_histogram"][9] == 3
    finally:
        end_jobs(job)


async def test_boxes_and_spans_are_stored_as_answered(jp_fetch, tmp_path: Path) -> None:
    boxes = LabelingJob(image_manifest(tmp_path / "b", 1, (128, 96)), "BoundingBox", ["car", "tree"],
                        output_path=str(tmp_path / "out")).start("rest-boxes")
    spans = LabelingJob(text_manifest(tmp_path / "t", ["Alice met Bob in Paris"]), "NamedEntityRecognition",
                        ["PERSON", "PLACE"], output_path=str(tmp_path / "out")).start("rest-spans")
    try:
        box = {"label": "car", "left": 10, "top": 5, "width": 40, "height": 30}
        done = await _call(jp_fetch, "rest-boxes", "answers", method="POST", body={
            "worker": "me", "item": 0, "answer": {"boxes": [box], "image_size": {"width": 128, "height": 96}}})
        assert done["task"] is None
        undone = await _call(jp_fetch, "rest-boxes", "undo", method="POST", body={"worker": "me"})
        assert undone["task"]["previous"]["boxes"][0] == box
        entities = [{"label": "PERSON", "start": 0, "end": 5}, {"label": "PLACE", "start": 17, "end": 22}]
        await _call(jp_fetch, "rest-spans", "answers", method="POST",
                    body={"worker": "me", "item": 0, "answer": {"entities": entities}})
        progress = await _call(jp_fetch, "rest-spans", "progress")
        assert progress["per_label"] == {"PERSON": 1, "PLACE": 1} and progress["human"] == 1
    finally:
        end_jobs(boxes, spans)


async def test_bad_requests_say_what_is_wrong(jp_fetch, tmp_path: Path) -> None:
    manifest = image_manifest(tmp_path, 2)
    (tmp_path / "images" / "page.html").write_text("<script>alert(1)</script>")
    with manifest.open("a") as lines:
        lines.write(json.dumps({"source-ref": str(tmp_path / "images" / "page.html")}) + "\n")
    job = LabelingJob(manifest, "ImageClassification", ["cat", "dog"], workers=["me", "ann"],
                      output_path=str(tmp_path / "out")).start("rest-bad")
    try:
        answer = {"worker": "me", "item": 0, "answer": {"label": "cat"}}
        for parts, method, body, params, status, message in (
                (("rest-bad", "task"), "GET", None, {}, 400, "Name the worker"),
                (("rest-bad", "task"), "GET", None, {"worker": "zed"}, 400, "its workers are: me, ann"),
                (("no-such-job", "task"), "GET", None, {"worker": "me"}, 404, "no-such-job"),
                (("rest-bad", "answers"), "POST", {**answer, "answer": {"label": "cow"}}, {}, 400, "cow"),
                (("rest-bad", "answers"), "POST", {**answer, "answer": {}}, {}, 400, "Give the answer"),
                (("rest-bad", "answers"), "POST", {**answer, "item": 7}, {}, 400, "Item 7 is not in me's queue"),
                (("rest-bad", "answers"), "POST", {"worker": "me", "answer": {"label": "cat"}}, {}, 400, "Name the item"),
                (("rest-bad", "answers"), "POST", {**answer, "colour": "red"}, {}, 400, "Unknown parameter(s) colour"),
                (("rest-bad", "undo"), "POST", {"worker": "me"}, {}, 409, "no answer to take back"),
                (("rest-bad", "items", "9", "source"), "GET", None, {}, 404, "has no item 9")):
            code, text = await _fails(jp_fetch, *parts, method=method, body=body, **params)
            assert code == status and message in text, (parts, body, params, code, text)
        # A source that is not an image is never served as a page of the server's origin.
        page = await jp_fetch("jupyter-ext", "api", "labeling-jobs", "rest-bad", "items", "2", "source")
        assert page.headers["Content-Type"] == "application/octet-stream"
        assert "sandbox" in page.headers["Content-Security-Policy"]
    finally:
        end_jobs(job)
