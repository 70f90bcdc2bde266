"""Records of the labeling panel's REST API: a worker's next item, an answer, skip and undo,
and a labeling job's progress (the sidebar's counts, label distribution and confidence
histogram). The answers' shapes are `jupyter_ext.labeling.work`'s (see `SubmitLabelingAnswerRequest`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .base import Record

__all__ = ["LABELING_TASK_TYPES", "LabelingTask", "LabelingTaskRequest", "NextLabelingTaskResponse",
           "SubmitLabelingAnswerRequest", "SkipLabelingItemRequest", "UndoLabelingAnswerRequest",
           "LabelingJobProgress"]

# Ground Truth's built-in task types a labeling job can have.
LABELING_TASK_TYPES = ("ImageClassification", "ImageMultiLabel", "BoundingBox", "TextClassification",
                       "NamedEntityRecognition")


@dataclass(slots=True)
class LabelingTask(Record):
    """One item for one worker: `item` is its line in the input manifest (from 0); `text` is
    set for text items, `source_ref` for images (their bytes at GET .../items/{item}/source);
    `previous` is this worker's own earlier answer to it (after an undo). `worker_done` of
    `worker_total` are this worker's; `labeled` of `total` items have a final label."""

    job_name: str
    item: int
    task_type: str
    categories: list[str]
    instructions: str
    text: str | None
    source_ref: str | None
    previous: dict[str, Any] | None
    worker_done: int
    worker_total: int
    labeled: int
    total: int


@dataclass(slots=True)
class LabelingTaskRequest(Record):
    """Query of GET labeling-jobs/{job}/task: whose queue (one of the job's workers)."""

    worker: str | None = None


@dataclass(slots=True)
class NextLabelingTaskResponse(Record):
    """A worker's next item, or `task` null when the worker's queue is empty; every
    labeling call answers it, so the panel shows what comes next at once."""

    worker: str
    task: LabelingTask | None


@dataclass(slots=True)
class SubmitLabelingAnswerRequest(Record):
    """Body of POST labeling-jobs/{job}/answers: worker's answer to item. `answer` is
    `{"label": "cat"}` (ImageClassification, TextClassification), `{"labels": [...]}`
    (ImageMultiLabel), `{"boxes": [{"label", "left", "top", "width", "height"}], "image_size":
    {"width", "height"}}` in the image's natural pixels (BoundingBox), or `{"entities":
    [{"label", "start", "end"}]}` in characters, end exclusive (NamedEntityRecognition)."""

    worker: str | None = None
    item: int | None = None
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SkipLabelingItemRequest(Record):
    """Body of POST labeling-jobs/{job}/skip: the item goes to the back of worker's queue."""

    worker: str | None = None
    item: int | None = None


@dataclass(slots=True)
class UndoLabelingAnswerRequest(Record):
    """Body of POST labeling-jobs/{job}/undo: take back worker's last answer (its item is next again)."""

    worker: str | None = None


@dataclass(slots=True)
class LabelingJobProgress(Record):
    """How a labeling job stands: items labeled by people (`human`), by the machine, and
    `left`; the final labels' distribution (`per_label`); their confidence in 10 bins over
    [0, 1]; answers per worker (every worker of the job); `state` is human, training,
    machine-labeling, complete or stopped."""

    job_name: str
    human: int
    machine: int
    left: int
    per_label: dict[str, int]
    confidence_histogram: list[int]
    workers: dict[str, int]
    state: str
