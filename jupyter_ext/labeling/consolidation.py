"""Consolidation: one final label from several workers' answers to an item, with a confidence,
as Ground Truth's annotation consolidation does.

- classes: majority vote; confidence is the winner's share of the votes (ties go to the
  answer given first);
- several labels: each label chosen by at least half the workers, with its share;
- boxes: boxes of different workers whose IoU is at least 0.5 are one object; an object
  drawn by at least half the workers is kept, as the mean box with the label most drawn;
- entities: a span (start, end, label) chosen by at least half the workers is kept.
An answer from one worker is final with confidence 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["consolidate", "iou", "IOU_THRESHOLD"]

IOU_THRESHOLD = 0.5


def iou(a: dict[str, float], b: dict[str, float]) -> float:
    """Intersection over union of two boxes {left, top, width, height}."""
    width = min(a["left"] + a["width"], b["left"] + b["width"]) - max(a["left"], b["left"])
    height = min(a["top"] + a["height"], b["top"] + b["height"]) - max(a["top"], b["top"])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / (a["width"] * a["height"] + b["width"] * b["height"] - inter)


def _vote(labels: Sequence[str]) -> tuple[str, float]:
    counts = Counter(labels)
    best = max(counts.values())
    winner = next(label for label in labels if counts[label] == best)
    return winner, best / len(labels)


def _classes(answers: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    label, share = _vote([a["label"] for a in answers])
    return {"label": label}, share


def _multi_label(answers: Sequence[dict[str, Any]], categories: Sequence[str]) -> tuple[dict[str, Any], float]:
    counts = Counter(label for a in answers for label in a["labels"])
    kept = [c for c in categories if counts[c] * 2 >= len(answers)]
    shares = {c: counts[c] / len(answers) for c in kept}
    agreement = [counts[c] / len(answers) if c in kept else 1 - counts[c] / len(answers) for c in categories]
    return {"labels": kept, "confidences": shares}, min(agreement) if agreement else 1.0


def _clusters(answers: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Boxes grouped into objects: each box joins the best-matching group with no box of its worker yet."""
    groups: list[tuple[set[int], list[dict[str, Any]]]] = []
    for worker, answer in enumerate(answers):
        for box in answer["boxes"]:
            scores = [(max(iou(box, other) for other in members), index)
                      for index, (workers, members) in enumerate(groups) if worker not in workers]
            score, index = max(scores, default=(0.0, -1))
            if score >= IOU_THRESHOLD:
                groups[index][0].add(worker)
                groups[index][1].append(box)
            else:
                groups.append(({worker}, [box]))
    return [members for _, members in groups]


def _boxes(answers: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    kept, confidences = [], []
    for members in _clusters(answers):
        if len(members) * 2 < len(answers):
            continue
        label, _ = _vote([b["label"] for b in members])
        mean = {k: round(sum(b[k] for b in members) / len(members), 1) for k in ("left", "top", "width", "height")}
        share = len(members) / len(answers)
        kept.append({"label": label, **mean, "confidence": share})
        confidences.append(share)
    size = answers[0]["image_size"]
    return {"boxes": kept, "image_size": size}, min(confidences) if confidences else 1.0


def _entities(answers: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    counts = Counter((e["start"], e["end"], e["label"]) for a in answers for e in a["entities"])
    kept = [{"label": label, "start": start, "end": end, "confidence": n / len(answers)}
            for (start, end, label), n in sorted(counts.items()) if n * 2 >= len(answers)]
    return {"entities": kept}, min((e["confidence"] for e in kept), default=1.0)


def consolidate(task_type: str, answers: Sequence[dict[str, Any]],
                categories: Sequence[str]) -> tuple[dict[str, Any], float]:
    """The final label of an item from its answers (checked ones, at least one), and its confidence."""
    if task_type in ("ImageClassification", "TextClassification"):
        return _classes(answers)
    if task_type == "ImageMultiLabel":
        return _multi_label(answers, categories)
    if task_type == "BoundingBox":
        return _boxes(answers)
    return _entities(answers)
