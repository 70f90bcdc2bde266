"""Labeling jobs (SageMaker Ground Truth's role): label the items of an input manifest in
JupyterLab (or from a file of answers), consolidate several workers' answers, let a model
label the confident rest (automated labeling), and write Ground Truth's augmented output
manifest for a training job to read.

    from jupyter_ext.labeling import LabelingJob
    job = LabelingJob("images.manifest", task_type="ImageClassification",
                      label_categories=["cat", "dog"]).start()
    job.answer_from_file("answers.jsonl")
"""

from __future__ import annotations

from .answer_file import answer_from_file, answer_lines
from .answers import TASK_TYPES, check_answer
from .job import OUTPUT_MANIFEST, LabelingJob, LabelingJobHandle
from .manifests import category_config, label_categories, read_input_manifest
from .work import (
    LabelingProgress, LabelingTask, item_source, labeling_progress, next_task, skip_item, submit_answer, undo_last,
)

__all__ = ["OUTPUT_MANIFEST", "TASK_TYPES", "LabelingJob", "LabelingJobHandle", "LabelingProgress", "LabelingTask",
           "answer_from_file", "answer_lines", "category_config", "check_answer", "item_source", "label_categories",
           "labeling_progress", "next_task", "read_input_manifest", "skip_item", "submit_answer", "undo_last"]
