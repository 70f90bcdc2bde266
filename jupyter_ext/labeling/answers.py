"""Answers to labeling tasks: the task types, the shape of an answer to each, and the check
of an answer against the job's categories, the image's size and the item's text.

- ImageClassification / TextClassification: `{"label": "cat"}`
- ImageMultiLabel: `{"labels": ["cat", "dog"]}`
- BoundingBox: `{"boxes": [{"label": "cat", "left": 10, "top": 5, "width": 40, "height": 30}],
  "image_size": {"width": 128, "height": 96}}`
- NamedEntityRecognition: `{"entities": [{"label": "PERSON", "start": 0, "end": 5}]}`
  (character offsets, end exclusive)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ValidationError

__all__ = ["TASK_TYPES", "TEXT_TASKS", "check_task_type", "check_answer"]

TASK_TYPES = ("ImageClassification", "ImageMultiLabel", "BoundingBox", "TextClassification", "NamedEntityRecognition")
TEXT_TASKS = ("TextClassification", "NamedEntityRecognition")


def check_task_type(task_type: str) -> str:
    """`task_type` if known; ValidationError listing the known ones otherwise."""
    if task_type not in TASK_TYPES:
        raise ValidationError(f"Unknown task_type {task_type!r}; choose one of: {', '.join(TASK_TYPES)}.")
    return task_type


def _category(value: Any, categories: Sequence[str], where: str) -> str:
    if value not in categories:
        raise ValidationError(f"{where}: unknown category {value!r}; the job's categories are: "
                              f"{', '.join(categories)}.")
    return str(value)


def _number(box: dict[str, Any], key: str, where: str) -> float:
    value = box.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{where}: '{key}' must be a number of pixels; got {value!r}.")
    return float(value)


def _boxes(answer: dict[str, Any], categories: Sequence[str]) -> dict[str, Any]:
    size = answer.get("image_size")
    if not isinstance(size, dict):
        raise ValidationError("A BoundingBox answer needs image_size: {'width': W, 'height': H} in pixels.")
    width, height = _number(size, "width", "image_size"), _number(size, "height", "image_size")
    boxes = answer.get("boxes")
    if not isinstance(boxes, list):
        raise ValidationError("A BoundingBox answer needs boxes: a list of {label, left, top, width, height} "
                              "(an empty list when the image holds none).")
    checked = []
    for index, box in enumerate(boxes):
        where = f"box {index}"
        if not isinstance(box, dict):
            raise ValidationError(f"{where} must be {{label, left, top, width, height}}; got {box!r}.")
        label = _category(box.get("label"), categories, where)
        left, top, w, h = (_number(box, k, where) for k in ("left", "top", "width", "height"))
        if w <= 0 or h <= 0 or left < 0 or top < 0 or left + w > width or top + h > height:
            raise ValidationError(f"{where} ({left:g}, {top:g}, {w:g} x {h:g}) is outside the image "
                                  f"({width:g} x {height:g}); draw it inside the image.")
        checked.append({"label": label, "left": left, "top": top, "width": w, "height": h})
    return {"boxes": checked, "image_size": {"width": width, "height": height}}


def _entities(answer: dict[str, Any], categories: Sequence[str], text: str) -> dict[str, Any]:
    entities = answer.get("entities")
    if not isinstance(entities, list):
        raise ValidationError("A NamedEntityRecognition answer needs entities: a list of {label, start, end} "
                              "(character offsets, end exclusive; an empty list when there are none).")
    checked = []
    for index, entity in enumerate(entities):
        where = f"entity {index}"
        if not isinstance(entity, dict):
            raise ValidationError(f"{where} must be {{label, start, end}}; got {entity!r}.")
        label = _category(entity.get("label"), categories, where)
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            raise ValidationError(f"{where}: span {start!r}..{end!r} is outside the text ({len(text)} characters); "
                                  "give 0 <= start < end <= its length.")
        checked.append({"label": label, "start": start, "end": end})
    return {"entities": sorted(checked, key=lambda e: (e["start"], e["end"], e["label"]))}


def check_answer(task_type: str, answer: Any, categories: Sequence[str], text: str | None) -> dict[str, Any]:
    """The answer in its canonical shape; ValidationError naming what is wrong and the shape to give."""
    if not isinstance(answer, dict):
        raise ValidationError(f"An answer is a dict, e.g. {{'label': {categories[0]!r}}}; got {answer!r}.")
    if task_type in ("ImageClassification", "TextClassification"):
        if "label" not in answer:
            raise ValidationError(f"A {task_type} answer is {{'label': one of {list(categories)}}}.")
        return {"label": _category(answer["label"], categories, "label")}
    if task_type == "ImageMultiLabel":
        labels = answer.get("labels")
        if not isinstance(labels, list):
            raise ValidationError(f"An ImageMultiLabel answer is {{'labels': [some of {list(categories)}]}}.")
        chosen = {_category(label, categories, "labels") for label in labels}
        return {"labels": [c for c in categories if c in chosen]}
    if task_type == "BoundingBox":
        return _boxes(answer, categories)
    return _entities(answer, categories, text or "")
