"""Ground Truth's files: the input manifest (JSON Lines of `source-ref` or `source` items), the
label-category configuration, and the augmented output manifest with its `-metadata`.

    {"source-ref": "s3://bucket/cat.jpg", "label": 0, "label-metadata": {"class-name": "cat",
     "confidence": 0.93, "type": "groundtruth/image-classification", "job-name": "labeling-job/pets",
     "human-annotated": "yes", "creation-date": "2026-12-03T08:00:00.000000"}}
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import artifact_store_for, local_path, looked_for

__all__ = ["read_input_manifest", "label_categories", "category_config", "output_line", "LABEL_ATTRIBUTE",
           "GROUND_TRUTH_TYPES"]

LABEL_ATTRIBUTE = re.compile(r"^[A-Za-z0-9](-*[A-Za-z0-9])*$")
GROUND_TRUTH_TYPES = {"ImageClassification": "groundtruth/image-classification",
                      "ImageMultiLabel": "groundtruth/image-classification-multilabel",
                      "BoundingBox": "groundtruth/object-detection",
                      "TextClassification": "groundtruth/text-classification",
                      "NamedEntityRecognition": "groundtruth/text-span"}


def _read_text(uri: str, what: str) -> str:
    path = local_path(uri)
    if path is not None:
        if not path.is_file():
            raise ValidationError(f"The {what} {uri} does not exist{looked_for(uri)}; give a path or s3:// URI of one.")
        return path.read_text()
    store = artifact_store_for(uri)
    if not store.exists(uri):
        raise ValidationError(f"The {what} {uri} does not exist; give a path or s3:// URI of one.")
    with tempfile.TemporaryDirectory() as scratch:
        return store.fetch(uri, Path(scratch)).read_text()


def read_input_manifest(uri: str, text_task: bool) -> list[dict[str, Any]]:
    """The items of a Ground Truth input manifest (JSON Lines): each a `source-ref` (an image,
    for image tasks) or a `source` (text, for text tasks). ValidationError naming the bad line."""
    lines = []
    wanted = "source" if text_task else "source-ref"
    for number, text in enumerate(_read_text(str(uri), "input manifest").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except json.JSONDecodeError:
            raise ValidationError(f"Line {number} of the input manifest {uri} is not JSON; each line is one "
                                  f'JSON object, e.g. {{"{wanted}": ...}}.') from None
        if not isinstance(line, dict) or wanted not in line:
            raise ValidationError(f"Line {number} of the input manifest {uri} has no {wanted!r}; "
                                  f"{'text' if text_task else 'image'} tasks take "
                                  f'{{"{wanted}": {"the text" if text_task else "an image path or s3:// URI"}}}.')
        if not text_task:
            line["source-ref"] = _absolute_ref(str(line["source-ref"]), str(uri))
        lines.append(line)
    if not lines:
        raise ValidationError(f"The input manifest {uri} holds no items.")
    return lines


def _absolute_ref(ref: str, manifest: str) -> str:
    """A relative image path starts from the manifest's folder."""
    if "://" in ref or Path(ref).is_absolute():
        return ref
    folder = local_path(manifest)
    return str((folder.parent / ref).resolve()) if folder is not None else ref


def label_categories(given: Sequence[str] | str | dict[str, Any]) -> list[str]:
    """The categories from a list, or from Ground Truth's label-category configuration (its
    JSON, a dict, or a path or URI of the file): `{"document-version": "2018-11-28",
    "labels": [{"label": "cat"}, ...]}`."""
    if isinstance(given, (str, Path)):
        text = str(given)
        given = json.loads(text) if text.lstrip().startswith("{") else json.loads(_read_text(text, "label-category configuration"))
    if isinstance(given, dict):
        labels = given.get("labels")
        if not isinstance(labels, list) or not all(isinstance(x, dict) and "label" in x for x in labels):
            raise ValidationError('A label-category configuration is {"document-version": "2018-11-28", '
                                  '"labels": [{"label": "cat"}, ...]}.')
        given = [x["label"] for x in labels]
    names = [str(x) for x in given] if isinstance(given, (list, tuple)) else []
    if not names or len(set(names)) != len(names) or not all(n.strip() for n in names):
        raise ValidationError(f"label_categories must name at least one category, each once; got {given!r}.")
    return names


def category_config(categories: Sequence[str], instructions: str) -> dict[str, Any]:
    """Ground Truth's label-category configuration of the job."""
    return {"document-version": "2018-11-28", "labels": [{"label": c} for c in categories],
            "instructions": {"shortInstruction": instructions}}


def _creation_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def _label_value(task_type: str, label: dict[str, Any], categories: Sequence[str],
                 confidence: float) -> tuple[Any, dict[str, Any]]:
    """Ground Truth's value of the label attribute and the task's own metadata keys."""
    index = {c: i for i, c in enumerate(categories)}
    if task_type in ("ImageClassification", "TextClassification"):
        return index[label["label"]], {"class-name": label["label"], "confidence": round(confidence, 4)}
    if task_type == "ImageMultiLabel":
        chosen = label["labels"]
        shares = label.get("confidences") or {}
        return ([index[c] for c in chosen],
                {"class-map": {str(index[c]): c for c in chosen},
                 "confidence-map": {str(index[c]): round(shares.get(c, confidence), 4) for c in chosen}})
    if task_type == "BoundingBox":
        size = label["image_size"]
        boxes = label["boxes"]
        value = {"image_size": [{"width": int(size["width"]), "height": int(size["height"]), "depth": 3}],
                 "annotations": [{"class_id": index[b["label"]], **{k: int(round(b[k])) for k in
                                  ("left", "top", "width", "height")}} for b in boxes]}
        return value, {"objects": [{"confidence": round(b.get("confidence", confidence), 4)} for b in boxes],
                       "class-map": {str(index[b["label"]]): b["label"] for b in boxes}}
    entities = label["entities"]
    value = {"annotations": {"entities": [{"startOffset": e["start"], "endOffset": e["end"], "label": e["label"]}
                                          for e in entities],
                             "labels": [{"label": c} for c in categories]}}
    return value, {"entities": [{"confidence": round(e.get("confidence", confidence), 4)} for e in entities]}


def output_line(line: dict[str, Any], attribute: str, task_type: str, categories: Sequence[str], job_name: str,
                label: dict[str, Any] | None, confidence: float, human: bool, labeled_at: float) -> dict[str, Any]:
    """The input line augmented with the label and its `-metadata` (the line as it was when
    the item has no final label)."""
    if label is None:
        return dict(line)
    value, metadata = _label_value(task_type, label, categories, confidence)
    metadata.update({"type": GROUND_TRUTH_TYPES[task_type], "job-name": f"labeling-job/{job_name}",
                     "human-annotated": "yes" if human else "no", "creation-date": _creation_date(labeled_at)})
    return {**line, attribute: value, f"{attribute}-metadata": metadata}
