"""Labeling jobs (SageMaker Ground Truth's role): `LabelingJob(...).start()` records the items
of an input manifest in the store, gives each worker their queue, and starts a "Labeling"
job whose program (run_labeling.py) runs automated labeling and writes the output manifest
once every item has a final label (or what there is when the job is stopped).

    job = LabelingJob("images.manifest", task_type="ImageClassification",
                      label_categories=["cat", "dog"], workers=["me"]).start()
    job.answer_from_file("answers.jsonl")
    job.wait(); job.output_manifest

The job folder keeps the input manifest (input/manifest/input.manifest) and the
label-category configuration (input/label-categories.json).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..jobs import Job, JobKind, JobSpec, Upload, submit
from ..jobs.contract import base_environment
from ..store import absolute_uri, default_output_path, get_store, join_uri
from . import records
from .answers import TEXT_TASKS, check_task_type
from . import manifests
from .manifests import LABEL_ATTRIBUTE, category_config, read_input_manifest
from .work import LabelingProgress, labeling_progress

__all__ = ["LabelingJob", "LabelingJobHandle", "OUTPUT_MANIFEST", "DEFAULT_WORKER"]

OUTPUT_MANIFEST = "manifests/output/output.manifest"
DEFAULT_WORKER = "me"


def _workers(workers: Sequence[str] | str | None, per_item: int) -> list[str]:
    names = [workers] if isinstance(workers, str) else list(workers or [DEFAULT_WORKER])
    if not names or len(set(names)) != len(names) or not all(isinstance(n, str) and n.strip() for n in names):
        raise ValidationError(f"workers must name each worker once, e.g. ['me', 'alice']; got {workers!r}.")
    if not isinstance(per_item, int) or not 1 <= per_item <= len(names):
        raise ValidationError(f"annotations_per_item must be from 1 to the number of workers ({len(names)}); "
                              f"got {per_item!r}. Add workers or ask for fewer answers per item.")
    return names


def _queues(items: int, workers: Sequence[str], per_item: int) -> dict[str, list[int]]:
    """Item i goes to `per_item` workers in turn from worker i mod n, so each item gets answers
    from that many different people and the work is shared evenly."""
    queues: dict[str, list[int]] = {w: [] for w in workers}
    for item in range(items):
        for j in range(per_item):
            queues[workers[(item + j) % len(workers)]].append(item)
    return queues


class LabelingJob(JobKind):
    """A labeling job: an input manifest, a task type and its categories, the workers.

    `task_type` is ImageClassification, ImageMultiLabel, BoundingBox, TextClassification or
    NamedEntityRecognition; `label_categories` a list, or Ground Truth's label-category
    configuration (a dict, its JSON, or a file). Each item gets `annotations_per_item` answers
    from different workers, consolidated into one label with a confidence. With
    `automated_labeling`, once `min_human_labels` items are labeled by people, a training job
    labels the rest where its confidence reaches `target_accuracy` on held-out human labels.
    The output manifest goes to `<output_path>/<job>/manifests/output/output.manifest`.
    Raises ValidationError on bad input.
    """

    base_job_name = "labeling"

    def __init__(self, input_manifest: str | Path, task_type: str, label_categories: Sequence[str] | str | dict[str, Any],
                 label_attribute_name: str = "label", instructions: str = "", workers: Sequence[str] | str | None = None,
                 annotations_per_item: int = 1, automated_labeling: bool = False, target_accuracy: float = 0.95,
                 min_human_labels: int = 20, output_path: str | None = None) -> None:
        self.task_type = check_task_type(task_type)
        if not isinstance(label_attribute_name, str) or not LABEL_ATTRIBUTE.fullmatch(label_attribute_name) \
                or label_attribute_name.endswith("-ref") or len(label_attribute_name) > 127:
            raise ValidationError(f"label_attribute_name {label_attribute_name!r}: use letters, digits and '-' "
                                  "(at most 127, not ending in '-ref'), e.g. 'label'.")
        self.categories = manifests.label_categories(label_categories)
        self.workers = _workers(workers, annotations_per_item)
        if automated_labeling and task_type not in ("ImageClassification", "TextClassification"):
            raise ValidationError(f"Automated labeling works for ImageClassification and TextClassification jobs, "
                                  f"not {task_type}; set automated_labeling=False.")
        if not 0.5 <= float(target_accuracy) < 1 or not isinstance(min_human_labels, int) or min_human_labels < 4:
            raise ValidationError("target_accuracy must be in [0.5, 1) and min_human_labels a whole number >= 4.")
        self.input_manifest = absolute_uri(str(input_manifest))
        self.lines = read_input_manifest(self.input_manifest, task_type in TEXT_TASKS)
        self.label_attribute_name, self.instructions = label_attribute_name, str(instructions or "")
        self.annotations_per_item, self.automated = annotations_per_item, bool(automated_labeling)
        self.settings = {"target_accuracy": float(target_accuracy), "min_human_labels": min_human_labels}
        self.output_path = absolute_uri(output_path) if output_path else default_output_path()

    def start(self, job_name: str | None = None) -> LabelingJobHandle:
        """Start the job and return its handle at once."""
        return LabelingJobHandle(submit(self, job_name).name)

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        destination = join_uri(self.output_path, name)
        details = {"task_type": self.task_type, "label_attribute_name": self.label_attribute_name,
                   "categories": self.categories, "workers": self.workers, "items": len(self.lines),
                   "annotations_per_item": self.annotations_per_item, "automated_labeling": self.automated,
                   **self.settings}
        return JobSpec(name=name, job_type="Labeling",
                       program=[sys.executable, "-m", "jupyter_ext.labeling.run_labeling", "labeling.json"],
                       environment=base_environment(name, job_dir, {}), stop_grace=60.0,
                       uploads=[Upload("output/labeling", destination, when="always", role="output_data")],
                       record={"inputs": {"manifest": self.input_manifest},
                               "outputs": {"output_manifest": join_uri(destination, OUTPUT_MANIFEST)},
                               "details": details})

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        (job_dir / "input" / "manifest").mkdir(parents=True, exist_ok=True)
        (job_dir / "input" / "manifest" / "input.manifest").write_text(
            "".join(json.dumps(line) + "\n" for line in self.lines))
        (job_dir / "input" / "label-categories.json").write_text(
            json.dumps(category_config(self.categories, self.instructions), indent=1))
        (job_dir / "output" / "labeling").mkdir(parents=True, exist_ok=True)
        (job_dir / "labeling.json").write_text(json.dumps({"job_name": spec.name, **spec.record["details"]}, indent=1))
        fields = {"name": spec.name, "task_type": self.task_type, "label_attribute_name": self.label_attribute_name,
                  "categories": self.categories, "instructions": self.instructions, "workers": self.workers,
                  "annotations_per_item": self.annotations_per_item, "automated": int(self.automated),
                  "input_manifest": self.input_manifest, "output_path": self.output_path, "settings": self.settings}
        records.insert_job(get_store(), fields, self.lines, _queues(len(self.lines), self.workers,
                                                                    self.annotations_per_item))


class LabelingJobHandle(Job):
    """A labeling job in the store: its progress, answers from a file, its output manifest."""

    def progress(self) -> LabelingProgress:
        """Counts by people, by machine and left; label distribution; confidence histogram."""
        return labeling_progress(self.name)

    @property
    def output_manifest(self) -> str:
        """Where the output manifest is written (it exists once the job ended)."""
        return str(self.spec().record["outputs"]["output_manifest"])

    def answer_from_file(self, path: str | Path) -> int:
        """Fill labels from a file of answers (JSON Lines of item or source, worker, answer);
        how many answers were taken. See `jupyter_ext.labeling.answer_file`."""
        from .answer_file import answer_from_file

        return answer_from_file(self.name, path)
