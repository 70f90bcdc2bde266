"""The labeling verbs: `jupyter-ext labeling ...` and `%label ...`.

    start MANIFEST --task-type T --categories a,b [--worker W ...] [--answers FILE] [--wait]
                                           start a labeling job (optionally fill labels from a file of answers)
    list [--json]                          labeling jobs, newest first, with their counts
    describe NAME [--json]                 a labeling job: status, counts, label distribution, output manifest
    stop NAME                              stop it (the output manifest keeps what is labeled)
    answer NAME FILE                       fill labels from a file of answers (JSON Lines)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..jobs import Job
from ..labeling import LabelingJob, LabelingJobHandle, answer_from_file, labeling_progress
from ..labeling.answers import TASK_TYPES
from ..labeling.describe import list_labeling_jobs
from . import Verb, VerbTable, arg
from .text import text_table

__all__ = ["LABELING", "categories_argument"]


def categories_argument(text: str) -> Any:
    """`cat,dog`, a label-category configuration's JSON, or the path of one."""
    if text.lstrip().startswith("{") or text.endswith(".json") or "://" in text or Path(text).is_file():
        return text
    return [part.strip() for part in text.split(",") if part.strip()]


def _progress_line(name: str) -> str:
    p = labeling_progress(name)
    return f"{p.human} by people, {p.machine} by machine, {p.left} left ({p.state})"


def _start(args: argparse.Namespace) -> str:
    job = LabelingJob(args.manifest, args.task_type, categories_argument(args.categories), args.attribute,
                      args.instructions or "", args.worker or None, args.per_item, args.automated,
                      args.target_accuracy, args.min_human_labels, args.output_path).start(args.name)
    lines = [f"Started labeling job {job.name}: {len(job.spec().record['details']['workers'])} worker(s), "
             f"{job.spec().record['details']['items']} items"]
    if args.answers:
        lines.append(f"Took {answer_from_file(job.name, args.answers)} answers from {args.answers}")
    if args.wait:
        job.wait()
        lines.append(f"Completed: {_progress_line(job.name)}; output manifest {job.output_manifest}")
    else:
        lines.append(_progress_line(job.name))
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> Any:
    jobs = list_labeling_jobs()
    if args.json:
        return jobs
    if not jobs:
        return "No labeling jobs; start one with `jupyter-ext labeling start MANIFEST ...`."
    rows = [("JOB", "STATUS", "TASK", "HUMAN", "MACHINE", "LEFT")]
    for j in jobs:
        counters = j["LabelCounters"]
        rows.append((j["LabelingJobName"], j["LabelingJobStatus"], j["TaskType"], str(counters["HumanLabeled"]),
                     str(counters["MachineLabeled"]), str(counters["Unlabeled"])))
    return text_table(rows)


def _describe(args: argparse.Namespace) -> Any:
    from ..labeling.describe import describe_labeling_job

    description = describe_labeling_job(args.name)
    if args.json:
        return description
    progress = labeling_progress(args.name)
    lines = [f"Labeling job {args.name}: {description['LabelingJobStatus']}, {description['TaskType']}, "
             f"{_progress_line(args.name)}",
             "Labels: " + (", ".join(f"{k} {v}" for k, v in sorted(progress.per_label.items())) or "none yet"),
             "Answers: " + (", ".join(f"{k} {v}" for k, v in progress.workers.items()) or "none yet"),
             f"Output manifest: {description['LabelingJobOutput']['OutputDatasetS3Uri']}"]
    if description.get("FailureReason"):
        lines.append(f"Failure: {description['FailureReason']}")
    return "\n".join(lines)


def _stop(args: argparse.Namespace) -> str:
    LabelingJobHandle(args.name).stop()
    return f"Stopping labeling job {args.name} (its output manifest keeps what is labeled)"


def _answer(args: argparse.Namespace) -> str:
    Job(args.name)  # NotFoundError early
    taken = answer_from_file(args.name, args.file)
    return f"Took {taken} answers from {args.file}; {_progress_line(args.name)}"


LABELING = VerbTable("labeling", "labeling jobs (Ground Truth): start, list, describe, stop, answer from a file", (
    Verb("start", "start a labeling job over an input manifest", _start, (
        arg("manifest", help="the input manifest (JSON Lines of source-ref or source): a path or s3:// URI"),
        arg("--task-type", required=True, choices=TASK_TYPES, help="what workers do"),
        arg("--categories", required=True, help="cat,dog or a label-category configuration (JSON or its file)"),
        arg("--attribute", default="label", help="the label attribute name (default label)"),
        arg("--instructions", help="instructions shown beside each item"),
        arg("--worker", action="append", default=[], help="a worker's name (repeatable; default me)"),
        arg("--per-item", type=int, default=1, help="answers per item, consolidated (default 1)"),
        arg("--automated", action="store_true", help="automated labeling (classification tasks)"),
        arg("--target-accuracy", type=float, default=0.95, help="automated labels' target accuracy (default 0.95)"),
        arg("--min-human-labels", type=int, default=20, help="human labels before automated labeling (default 20)"),
        arg("--output-path", help="where <job>/manifests/output/output.manifest goes (default: the artifacts folder)"),
        arg("--name", help="the labeling job's name"),
        arg("--answers", help="a file of answers to fill labels from at once (JSON Lines)"),
        arg("--wait", action="store_true", help="until every item is labeled (or the job stops)"),
    )),
    Verb("list", "labeling jobs, newest first, with their counts", _list, (
        arg("--json", action="store_true", help="LabelingJobSummaryList as JSON"),
    )),
    Verb("describe", "a labeling job: status, counts, labels, output manifest", _describe, (
        arg("name", help="labeling job name"),
        arg("--json", action="store_true", help="DescribeLabelingJob as JSON"),
    )),
    Verb("stop", "stop a labeling job (the output manifest keeps what is labeled)", _stop, (
        arg("name", help="labeling job name"),
    )),
    Verb("answer", "fill labels from a file of answers (JSON Lines of item or source, worker, answer)", _answer, (
        arg("name", help="labeling job name"),
        arg("file", help="the file of answers"),
    )),
), default_verb="list", magic_name="label")
