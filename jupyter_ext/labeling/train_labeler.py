"""The automated labeling model: a training job's entry point (run by automation.py).

Channels: `train` (train.manifest: the items people labeled, `{"source-ref"|"source", "label"}`)
and `unlabeled` (unlabeled.manifest: `{"item", "source-ref"|"source"}`). The human labels are
split into a training part and a held-out validation part; the classifier (image pixels and
their Fourier magnitudes, or text TF-IDF of words, then logistic regression; CPU, one thread) learns on
the first, and the confidence threshold is the lowest at which its validation labels reach
`target_accuracy`. It writes model/predictions.jsonl (every unlabeled item's label and
confidence) and model/threshold.json, and logs the validation metrics.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import numpy

from jupyter_ext.jobs.metrics import log_metric

IMAGE_SIDE = 32


def _lines(channel: str, name: str) -> list[dict[str, Any]]:
    path = Path(os.environ[f"SM_CHANNEL_{channel.upper()}"]) / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _image_features(refs: list[str]) -> numpy.ndarray:
    """Grey pixels at 32 x 32 and the magnitudes of their 2-D Fourier transform (which do not
    change when a shape moves in the image)."""
    from PIL import Image

    rows = []
    for ref in refs:
        with Image.open(ref) as image:
            pixels = numpy.asarray(image.convert("L").resize((IMAGE_SIDE, IMAGE_SIDE)), dtype="float32") / 255.0
        spectrum = numpy.abs(numpy.fft.fft2(pixels - pixels.mean()))[:IMAGE_SIDE // 2, :IMAGE_SIDE // 2]
        rows.append(numpy.concatenate([pixels.ravel(), numpy.log1p(spectrum).ravel()]))
    return numpy.asarray(rows)


def _featurizer(text: bool, train: list[str]) -> Any:
    """A function from the items' sources to feature rows, fitted on the training sources."""
    from sklearn.preprocessing import StandardScaler

    if text:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(sublinear_tf=True).fit(train)
        return vectorizer.transform
    scaler = StandardScaler().fit(_image_features(train))
    return lambda refs: scaler.transform(_image_features(refs))


def choose_threshold(confidence: numpy.ndarray, correct: numpy.ndarray, target: float) -> float:
    """The lowest confidence at which the labels at or above it are right `target` of the
    time on the validation set (above 1 when no threshold is: the machine labels nothing)."""
    order = numpy.argsort(-confidence)
    running = numpy.cumsum(correct[order]) / numpy.arange(1, len(order) + 1)
    passing = numpy.nonzero(running >= target)[0]
    if len(passing) == 0:
        return 1.01
    return float(confidence[order][passing[-1]])


def fit(sources: list[str], labels: numpy.ndarray, text: bool, target: float,
        validation_fraction: float) -> tuple[Any, Any, dict[str, Any]]:
    """(model, featurizer, report): trained on part of the human labels, its threshold chosen
    on the held-out rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    stratify = labels if min(numpy.unique(labels, return_counts=True)[1]) >= 2 else None
    fit_sources, val_sources, fit_labels, val_labels = train_test_split(
        sources, labels, test_size=validation_fraction, random_state=0, stratify=stratify)
    features = _featurizer(text, fit_sources)
    # TF-IDF rows are short and sparse: weaker regularisation gives confident, still right, labels.
    model = LogisticRegression(max_iter=2000, C=10.0 if text else 1.0).fit(features(fit_sources), fit_labels)
    val_proba = model.predict_proba(features(val_sources))
    correct = (model.classes_[val_proba.argmax(axis=1)] == val_labels).astype(float)
    threshold = choose_threshold(val_proba.max(axis=1), correct, target)
    kept = val_proba.max(axis=1) >= threshold
    return model, features, {
        "threshold": threshold, "validation_items": len(val_labels), "validation_accuracy": float(correct.mean()),
        "validation_accuracy_above_threshold": float(correct[kept].mean()) if kept.any() else None,
        "validation_coverage": float(kept.mean()), "target_accuracy": target}


def main() -> None:
    """Train on the human labels, choose the threshold, label the unlabeled items."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", type=int, default=0)
    parser.add_argument("--target_accuracy", type=float, default=0.95)
    parser.add_argument("--validation_fraction", type=float, default=0.3)
    args, _ = parser.parse_known_args()
    key = "source" if args.text else "source-ref"
    labeled, unlabeled = _lines("train", "train.manifest"), _lines("unlabeled", "unlabeled.manifest")
    model, features, report = fit([x[key] for x in labeled], numpy.asarray([x["label"] for x in labeled]),
                                  bool(args.text), args.target_accuracy, args.validation_fraction)
    model_dir = Path(os.environ.get("SM_MODEL_DIR", "model"))
    model_dir.mkdir(parents=True, exist_ok=True)
    with (model_dir / "predictions.jsonl").open("w") as out:
        if unlabeled:
            proba = model.predict_proba(features([x[key] for x in unlabeled]))
            for line, row in zip(unlabeled, proba):
                out.write(json.dumps({"item": line["item"], "label": str(model.classes_[row.argmax()]),
                                      "confidence": float(row.max())}) + "\n")
    (model_dir / "threshold.json").write_text(json.dumps(report, indent=1))
    for name, value in report.items():
        if value is not None:
            log_metric(name, value)
    print(f"validation accuracy {report['validation_accuracy']:.3f} on {report['validation_items']} items; "
          f"threshold {report['threshold']:.3f} keeps {report['validation_coverage']:.0%} of them at accuracy "
          f"{report['validation_accuracy_above_threshold']}", flush=True)


if __name__ == "__main__":
    main()
