"""Writing a labeling job's output as Ground Truth lays it out under `<output_path>/<job>/`:

    manifests/output/output.manifest                    every input line, with its label if it has one
    annotations/worker-response/iteration-1/<item>/     each item's workers' answers
    annotations/consolidated-annotation/consolidation-response/iteration-1/annotations.json
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..store import MetadataStore
from . import records
from .manifests import output_line

__all__ = ["write_output", "output_lines"]


def output_lines(store: MetadataStore, name: str, only_final: bool = False) -> list[dict[str, Any]]:
    """The output manifest's lines (all items, or only those with a final label)."""
    job = records.job_row(store, name)
    categories = json.loads(job["categories"])
    lines = []
    for row in records.item_rows(store, name, True if only_final else None):
        label = json.loads(row["label"]) if row["label"] is not None else None
        lines.append(output_line(json.loads(row["line"]), job["label_attribute_name"], job["task_type"], categories,
                                 name, label, float(row["confidence"] or 0.0), bool(row["human"]),
                                 float(row["labeled_at"] or 0.0)))
    return lines


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d_%H:%M:%S")


def _worker_responses(store: MetadataStore, name: str, folder: Path) -> None:
    by_item: dict[int, list[Any]] = {}
    for row in records.answer_rows(store, name):
        by_item.setdefault(int(row["item"]), []).append(row)
    for item, rows in by_item.items():
        target = folder / "annotations" / "worker-response" / "iteration-1" / str(item)
        target.mkdir(parents=True, exist_ok=True)
        answers = [{"answerContent": json.loads(r["answer"]), "workerId": r["worker"],
                    "submissionTime": datetime.fromtimestamp(r["answered_at"], timezone.utc).isoformat()} for r in rows]
        (target / f"{_stamp(rows[-1]['answered_at'])}.json").write_text(json.dumps({"answers": answers}, indent=1))


def write_output(store: MetadataStore, name: str, folder: Path) -> Path:
    """Write the job's output manifest and annotations into `folder`; the manifest's path."""
    manifest = folder / "manifests" / "output" / "output.manifest"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    lines = output_lines(store, name)
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    _worker_responses(store, name, folder)
    job = records.job_row(store, name)
    consolidated = folder / "annotations" / "consolidated-annotation" / "consolidation-response" / "iteration-1"
    consolidated.mkdir(parents=True, exist_ok=True)
    attribute = job["label_attribute_name"]
    (consolidated / "annotations.json").write_text(json.dumps(
        [{"datasetObjectId": str(i), "consolidatedAnnotation": {"content": {attribute: line[attribute],
                                                                            f"{attribute}-metadata": line[f"{attribute}-metadata"]}}}
         for i, line in enumerate(lines) if attribute in line], indent=1))
    return manifest
