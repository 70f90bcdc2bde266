"""Confusion matrix, ROC curve and precision-recall curve, computed without scikit-learn,
as the JSON artifacts SageMaker Experiments stores for them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["confusion_matrix", "roc_curve", "precision_recall_curve"]


def confusion_matrix(y_true: Sequence[Any], y_pred: Sequence[Any]) -> dict[str, Any]:
    """{"type": "ConfusionMatrix", "labels": [...], "confusionMatrix": rows of counts (true x predicted)}."""
    labels = sorted({*map(_plain, y_true), *map(_plain, y_pred)}, key=str)
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for truth, guess in zip(y_true, y_pred, strict=True):
        matrix[index[_plain(truth)]][index[_plain(guess)]] += 1
    return {"type": "ConfusionMatrix", "version": 0, "labels": labels, "confusionMatrix": matrix}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _thresholded(y_true: Sequence[Any], scores: Sequence[float], positive: Any) -> list[tuple[float, int, int]]:
    """(threshold, true positives, false positives) at each distinct score, high to low."""
    pairs = sorted(zip((float(s) for s in scores), (_plain(t) == positive for t in y_true), strict=True),
                   key=lambda p: -p[0])
    points, tp, fp = [], 0, 0
    for i, (score, is_positive) in enumerate(pairs):
        tp, fp = tp + is_positive, fp + (not is_positive)
        if i + 1 == len(pairs) or pairs[i + 1][0] != score:
            points.append((score, tp, fp))
    return points


def roc_curve(y_true: Sequence[Any], y_score: Sequence[float], positive: Any = 1) -> dict[str, Any]:
    """{"type": "ROCCurve", "falsePositiveRate", "truePositiveRate", "areaUnderCurve"}."""
    points = _thresholded(y_true, y_score, positive)
    positives = points[-1][1] if points else 0
    negatives = points[-1][2] if points else 0
    fpr = [0.0] + [fp / negatives if negatives else 0.0 for _, _, fp in points]
    tpr = [0.0] + [tp / positives if positives else 0.0 for _, tp, _ in points]
    auc = sum((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 for i in range(1, len(fpr)))
    return {"type": "ROCCurve", "version": 0, "falsePositiveRate": fpr, "truePositiveRate": tpr,
            "areaUnderCurve": auc}


def precision_recall_curve(y_true: Sequence[Any], probabilities: Sequence[float], positive: Any = 1) -> dict[str, Any]:
    """{"type": "PrecisionRecallCurve", "precision", "recall", "averagePrecisionScore"}."""
    points = _thresholded(y_true, probabilities, positive)
    positives = points[-1][1] if points else 0
    precision = [tp / (tp + fp) for _, tp, fp in points]
    recall = [tp / positives if positives else 0.0 for _, tp, _ in points]
    average = sum((recall[i] - (recall[i - 1] if i else 0.0)) * precision[i] for i in range(len(points)))
    return {"type": "PrecisionRecallCurve", "version": 0, "precision": precision, "recall": recall,
            "averagePrecisionScore": average}
