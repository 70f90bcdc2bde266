"""The workers' side of a labeling job: the next task of a worker, their answers, skip and
undo, an item's image, and the job's progress. The labeling panel (through REST) and the
file of answers both use these functions; everything is in the store.

An item reaching the job's `annotations_per_item` answers is consolidated in the same
transaction as the last answer, so its final label shows at once.
"""

from __future__ import annotations

import json
import mimetypes
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConflictError, NotFoundError, ValidationError
from ..models import LabelingTask
from ..store import artifact_store_for, get_store, local_path
from . import records
from .answers import check_answer
from .consolidation import consolidate

__all__ = ["LabelingTask", "LabelingProgress", "next_task", "submit_answer", "skip_item", "undo_last",
           "item_source", "labeling_progress"]


@dataclass
class LabelingProgress:
    """Counts of a labeling job: final labels by people and by machine, items left, the final
    labels' distribution and confidence histogram (10 bins over [0, 1]), answers per worker."""

    human: int
    machine: int
    left: int
    per_label: dict[str, int] = field(default_factory=dict)
    confidence_histogram: list[int] = field(default_factory=lambda: [0] * 10)
    workers: dict[str, int] = field(default_factory=dict)
    state: str = "human"


def _check_worker(job: sqlite3.Row, worker: str) -> None:
    workers = json.loads(job["workers"])
    if worker not in workers:
        raise ValidationError(f"{worker!r} is not a worker of labeling job {job['name']}; its workers are: "
                              f"{', '.join(workers)}.")


def _check_open(job: sqlite3.Row) -> None:
    if job["state"] in ("complete", "stopped"):
        raise ConflictError(f"Labeling job {job['name']} is {job['state']}; it takes no more answers.")


def _check_in_queue(db: sqlite3.Connection, job: sqlite3.Row, worker: str, item: int) -> sqlite3.Row:
    row = records.item_row(db, job["name"], item)
    if row is None or records.queue_position(db, job["name"], worker, item) is None:
        raise ValidationError(f"Item {item} is not in {worker}'s queue of labeling job {job['name']}; "
                              "ask for the next task with next_task().")
    return row


def next_task(job_name: str, worker: str) -> LabelingTask | None:
    """The next item `worker` should label, or None when their queue is empty."""
    store = get_store()
    job = records.job_row(store, job_name)
    _check_worker(job, worker)
    item, done, left = records.first_in_queue(store, job_name, worker)
    if item is None or job["state"] in ("complete", "stopped"):
        return None
    row = records.item_row(store, job_name, item)
    line = json.loads(row["line"])
    undone = records.answer_rows(store, job_name, item, worker, undone=True)
    labeled, total = records.item_counts(store, job_name)
    return LabelingTask(job_name=job_name, item=item, task_type=job["task_type"],
                        categories=json.loads(job["categories"]), instructions=job["instructions"],
                        text=line.get("source"), source_ref=line.get("source-ref"),
                        previous=json.loads(undone[-1]["answer"]) if undone else None,
                        worker_done=done, worker_total=done + left, labeled=labeled, total=total)


def submit_answer(job_name: str, worker: str, item: int, answer: dict[str, Any]) -> None:
    """Record `worker`'s answer to `item`, consolidating the item once it has enough answers.

    Raises ValidationError for an unknown category, a box outside the image, a span outside
    the text, a worker not in the job, an item not in the worker's queue or already final;
    ConflictError once the job is complete or stopped.
    """
    store = get_store()
    with store.transaction() as db:
        job = records.job_row(db, job_name)
        _check_worker(job, worker)
        _check_open(job)
        row = _check_in_queue(db, job, worker, item)
        if row["label"] is not None:
            raise ValidationError(f"Item {item} of labeling job {job_name} is labeled already "
                                  f"({'by people' if row['human'] else 'by machine'}); take the next task.")
        categories = json.loads(job["categories"])
        checked = check_answer(job["task_type"], answer, categories, json.loads(row["line"]).get("source"))
        records.save_answer(db, job_name, item, worker, checked)
        answers = records.active_answers(db, job_name, item)
        if len(answers) >= int(job["annotations_per_item"]):
            label, confidence = consolidate(job["task_type"], answers, categories)
            records.set_final(db, job_name, item, label, confidence, human=True)


def skip_item(job_name: str, worker: str, item: int) -> None:
    """Put `item` at the back of `worker`'s queue (it comes again after the others)."""
    store = get_store()
    with store.transaction() as db:
        job = records.job_row(db, job_name)
        _check_worker(job, worker)
        _check_in_queue(db, job, worker, item)
        records.move_in_queue(db, job_name, worker, item, to_front=False)


def undo_last(job_name: str, worker: str) -> int | None:
    """Take back `worker`'s newest answer (and the final label made from it); that item, which
    is their next task again with the answer as `previous`. None when there is nothing to undo."""
    store = get_store()
    with store.transaction() as db:
        job = records.job_row(db, job_name)
        _check_worker(job, worker)
        _check_open(job)
        row = records.undo_answer(db, job_name, worker)
        if row is None:
            return None
        item = int(row["item"])
        final = records.item_row(db, job_name, item)
        if final is not None and final["human"] == 1:
            records.clear_final(db, job_name, item)
        records.move_in_queue(db, job_name, worker, item, to_front=True)
    return item


def item_source(job_name: str, item: int) -> tuple[bytes, str]:
    """The image of an item (`source-ref`, on disk or s3:// through the store) and its content
    type; a `source` item's text as text/plain. NotFoundError when the item or file is missing."""
    store = get_store()
    records.job_row(store, job_name)
    row = records.item_row(store, job_name, item)
    if row is None:
        raise NotFoundError(f"Labeling job {job_name} has no item {item}.")
    line = json.loads(row["line"])
    if "source-ref" not in line:
        return str(line.get("source", "")).encode(), "text/plain; charset=utf-8"
    uri = str(line["source-ref"])
    kind = mimetypes.guess_type(uri.split("?")[0])[0] or "application/octet-stream"
    path = local_path(uri)
    if path is not None:
        if not path.is_file():
            raise NotFoundError(f"Item {item}'s image {uri} does not exist; fix the input manifest's source-ref.")
        return path.read_bytes(), kind
    with tempfile.TemporaryDirectory() as scratch:
        fetched = artifact_store_for(uri).fetch(uri, Path(scratch))
        if not fetched.is_file():
            raise NotFoundError(f"Item {item}'s image {uri} does not exist; fix the input manifest's source-ref.")
        return fetched.read_bytes(), kind


def _label_names(label: dict[str, Any]) -> list[str]:
    if "label" in label:
        return [label["label"]]
    if "labels" in label:
        return list(label["labels"])
    return [part["label"] for part in label.get("boxes", label.get("entities", []))]


def labeling_progress(job_name: str) -> LabelingProgress:
    """The job's counts, label distribution, confidence histogram and answers per worker."""
    store = get_store()
    job = records.job_row(store, job_name)
    progress = LabelingProgress(human=0, machine=0, left=0, state=job["state"],
                                workers=records.answers_per_worker(store, job_name))
    for row in records.item_rows(store, job_name):
        if row["label"] is None:
            progress.left += 1
            continue
        if row["human"]:
            progress.human += 1
        else:
            progress.machine += 1
        for name in _label_names(json.loads(row["label"])):
            progress.per_label[name] = progress.per_label.get(name, 0) + 1
        progress.confidence_histogram[min(int(float(row["confidence"] or 0) * 10), 9)] += 1
    return progress
