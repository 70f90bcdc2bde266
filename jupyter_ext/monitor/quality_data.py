"""The data of model-quality jobs: predictions and labels from a baseline dataset, or the
endpoint's captured predictions merged with ground-truth records on `inferenceId` (when
the capture has one) else `eventId`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .captured import capture_files, payload_rows
from .dataset_chunks import dataset_files

__all__ = ["baseline_columns", "merged_captures", "read_ground_truth"]


def _labels(config: dict[str, Any], predicted: list[Any], scores: list[float] | None) -> list[Any]:
    """Predictions; for binary problems with probabilities, labels by the threshold."""
    threshold = config.get("probability_threshold_attribute")
    if config["problem_type"] == "BinaryClassification" and scores is not None and threshold is not None:
        return [int(float(s) >= float(threshold)) for s in scores]
    return predicted


def baseline_columns(config: dict[str, Any]) -> tuple[list[Any], list[Any], list[float] | None]:
    """(ground truth, predictions, probabilities or None) of a baseline dataset (a file, or a
    folder of files as SageMaker's analyzer reads one)."""
    import pandas

    path, json_lines = Path(config["dataset"]), "json" in config["dataset_format"]
    files = dataset_files(path, (".json", ".jsonl") if json_lines else (".csv", ".txt", ".gz"))
    frame = pandas.concat([pandas.read_json(f, lines=True) if json_lines else pandas.read_csv(f) for f in files],
                          ignore_index=True)
    if frame.empty:
        raise ValidationError(f"Dataset {path} has no rows to evaluate.")
    prediction = config.get("inference_attribute") or config.get("probability_attribute")
    wanted = [config.get("ground_truth_attribute"), prediction]
    missing = [c for c in wanted if c is None or c not in frame.columns]
    if missing:
        raise ValidationError(f"Dataset {path} lacks column(s) {missing}; its columns: {list(frame.columns)}. "
                              "Name them with ground_truth_attribute= and inference_attribute= / probability_attribute=.")
    probability = config.get("probability_attribute")
    scores = frame[probability].astype(float).tolist() if probability else None
    predicted = frame[config["inference_attribute"]].tolist() if config.get("inference_attribute") else list(scores or [])
    return frame[config["ground_truth_attribute"]].tolist(), _labels(config, predicted, scores), scores


def read_ground_truth(root: Path) -> dict[str, list[Any]]:
    """Ground-truth records under `root` (yyyy/mm/dd/hh/*.jsonl): event or inference id → labels."""
    labels: dict[str, list[Any]] = {}
    for path in sorted(root.rglob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            rows = payload_rows(record.get("groundTruthData"))
            labels[record["eventMetadata"]["eventId"]] = [row[0] for row in rows]
    return labels


def merged_captures(config: dict[str, Any]) -> tuple[list[Any], list[Any], list[float] | None]:
    """(ground truth, predictions, probabilities or None) of the captured window, merged."""
    root = Path(config["capture_root"])
    start = datetime.fromisoformat(config["start_time"]) if config.get("start_time") else None
    end = datetime.fromisoformat(config["end_time"]) if config.get("end_time") else None
    truth = read_ground_truth(Path(config["ground_truth"]))
    labels: list[Any] = []
    outputs: list[Any] = []
    for path in capture_files(root, config["endpoint"], start, end):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            metadata = record["eventMetadata"]
            key = metadata.get("inferenceId") or metadata["eventId"]
            if key not in truth:
                continue
            predicted = [row[0] for row in payload_rows(record["captureData"].get("endpointOutput"))]
            for label, value in zip(truth[key], predicted):
                labels.append(label)
                outputs.append(value)
    scores = [float(v) for v in outputs] if config.get("probability_attribute") is not None else None
    predicted = _labels(config, outputs, scores)
    return labels, predicted, scores
