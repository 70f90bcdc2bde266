"""REST routes of the labeling panel: a worker's next item, answer, skip, undo, an item's image
and a job's progress. Each is a few lines over `jupyter_ext.labeling.work`; answer, skip and
undo answer the worker's next item, so the panel needs no second call."""

from __future__ import annotations

from ..errors import ConflictError, ValidationError
from ..jobs import describe_job
from ..labeling.work import (
    item_source, labeling_progress, next_task, skip_item, submit_answer, undo_last,
)
from ..models import (
    LabelingJobProgress, LabelingTaskRequest, NextLabelingTaskResponse, SkipLabelingItemRequest,
    SubmitLabelingAnswerRequest, UndoLabelingAnswerRequest,
)
from .base import ApiHandler, api

__all__ = ["ROUTES"]

_JOB = r"(?P<job>[a-zA-Z0-9-]{1,63})"
_ITEM = r"(?P<item>[0-9]{1,9})"


def _worker(worker: str | None) -> str:
    if not worker:
        raise ValidationError("Name the worker: worker=<name>, one of the labeling job's workers.")
    return worker


def _item(item: int | None) -> int:
    if item is None or item < 0:
        raise ValidationError("Name the item: item=<its line in the input manifest, from 0>.")
    return item


def _next(job: str, worker: str) -> NextLabelingTaskResponse:
    return NextLabelingTaskResponse(worker, next_task(job, worker))


class TaskHandler(ApiHandler):
    """GET /labeling-jobs/{job}/task?worker= → NextLabelingTaskResponse (task null: the queue is empty)."""

    @api
    def get(self, job: str) -> NextLabelingTaskResponse:
        return _next(job, _worker(self.query(LabelingTaskRequest).worker))


class AnswerHandler(ApiHandler):
    """POST /labeling-jobs/{job}/answers, SubmitLabelingAnswerRequest body → the worker's next item."""

    @api
    def post(self, job: str) -> NextLabelingTaskResponse:
        request = self.body(SubmitLabelingAnswerRequest)
        worker = _worker(request.worker)
        if not isinstance(request.answer, dict) or not request.answer:
            raise ValidationError('Give the answer as a JSON object, e.g. {"label": "cat"}.')
        submit_answer(job, worker, _item(request.item), request.answer)
        return _next(job, worker)


class SkipHandler(ApiHandler):
    """POST /labeling-jobs/{job}/skip, SkipLabelingItemRequest body → the worker's next item
    (the skipped one goes to the back of the queue)."""

    @api
    def post(self, job: str) -> NextLabelingTaskResponse:
        request = self.body(SkipLabelingItemRequest)
        worker = _worker(request.worker)
        skip_item(job, worker, _item(request.item))
        return _next(job, worker)


class UndoHandler(ApiHandler):
    """POST /labeling-jobs/{job}/undo, UndoLabelingAnswerRequest body → the worker's next item:
    the one whose answer was taken back, with that answer as `previous`."""

    @api
    def post(self, job: str) -> NextLabelingTaskResponse:
        worker = _worker(self.body(UndoLabelingAnswerRequest).worker)
        if undo_last(job, worker) is None:
            raise ConflictError(f"{worker} has no answer to take back in {job}: answer an item first.")
        return _next(job, worker)


class SourceHandler(ApiHandler):
    """GET /labeling-jobs/{job}/items/{item}/source → the item's image bytes, with their content
    type (only image types; anything else is served as bytes to download, never rendered)."""

    @api
    def get(self, job: str, item: str) -> None:
        data, content_type = item_source(job, int(item))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "default-src 'none'; sandbox")
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data, set_content_type=content_type if content_type.startswith("image/") else "application/octet-stream")


class ProgressHandler(ApiHandler):
    """GET /labeling-jobs/{job}/progress → LabelingJobProgress."""

    @api
    def get(self, job: str) -> LabelingJobProgress:
        progress = labeling_progress(job)
        # Every worker of the job, those without an answer yet too (the panel's chooser lists them).
        workers = {w: progress.workers.get(w, 0) for w in describe_job(job).details.get("workers", [])}
        return LabelingJobProgress(job, progress.human, progress.machine, progress.left, dict(progress.per_label),
                                   list(progress.confidence_histogram), {**workers, **progress.workers}, progress.state)


ROUTES = [
    (f"labeling-jobs/{_JOB}/task", TaskHandler),
    (f"labeling-jobs/{_JOB}/answers", AnswerHandler),
    (f"labeling-jobs/{_JOB}/skip", SkipHandler),
    (f"labeling-jobs/{_JOB}/undo", UndoHandler),
    (f"labeling-jobs/{_JOB}/items/{_ITEM}/source", SourceHandler),
    (f"labeling-jobs/{_JOB}/progress", ProgressHandler),
]
