"""A candidate's training program: `python -m jupyter_ext.automl.candidate --algorithm hgb
--preprocessing dpp1 [--learning_rate ...]`, run as a training job.

It reads the table and `problem.json` from the train channel, splits off the validation
rows (the same split for every candidate), fits the pipeline, prints every metric as
`validation:<Metric>: <value>` and saves `model.joblib` and `candidate.json`, and its
validation predictions (for ENSEMBLING) in the output data folder.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from .ensemble import save_predictions
from .pipelines import build_pipeline, score

__all__ = ["load_split", "main"]


def load_split(folder: Path) -> tuple[dict[str, Any], Any, Any, Any, Any]:
    """(problem, X_train, X_valid, y_train, y_valid) from a folder AutoML prepared."""
    import pandas
    from sklearn.model_selection import train_test_split

    problem = json.loads((folder / "problem.json").read_text())
    frame = pandas.read_pickle(folder / "data.pkl")
    frame = frame[frame[problem["target"]].notna()]
    features, labels = frame[list(problem["columns"])], frame[problem["target"]]
    stratify = labels if problem["problem_type"] != "Regression" and labels.value_counts().min() >= 2 else None
    parts = train_test_split(features, labels, test_size=problem["validation_fraction"],
                             random_state=problem["seed"], stratify=stratify)
    return problem, *parts


def _hyperparameters(unknown: list[str]) -> dict[str, Any]:
    values = {}
    for key, value in zip(unknown[::2], unknown[1::2]):
        try:
            values[key.lstrip("-")] = json.loads(value)
        except ValueError:
            values[key.lstrip("-")] = value
    return values


def main(argv: list[str] | None = None) -> None:
    """Fit and score one candidate."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--algorithm", required=True)
    parser.add_argument("--preprocessing", required=True)
    args, unknown = parser.parse_known_args(argv)
    hps = _hyperparameters(unknown)
    problem, x_train, x_valid, y_train, y_valid = load_split(Path(os.environ["SM_CHANNEL_TRAIN"]))
    pipeline = build_pipeline(problem["problem_type"], problem["columns"], args.preprocessing, args.algorithm,
                              hps, problem["seed"])
    pipeline.fit(x_train, y_train)
    predictions = pipeline.predict(x_valid)
    scores = None
    if problem["problem_type"] == "BinaryClassification" and hasattr(pipeline, "predict_proba"):
        scores = pipeline.predict_proba(x_valid)[:, -1]
    for name, value in score(problem["problem_type"], problem["objective"], y_valid, predictions, scores).items():
        print(f"validation:{name}: {value:.6f}", flush=True)
    import joblib

    model_dir = Path(os.environ["SM_MODEL_DIR"])
    joblib.dump(pipeline, model_dir / "model.joblib")
    (model_dir / "candidate.json").write_text(json.dumps(
        {"algorithm": args.algorithm, "preprocessing": args.preprocessing, "hyperparameters": hps,
         "problem": problem}, indent=1))
    save_predictions(Path(os.environ["SM_OUTPUT_DATA_DIR"]), pipeline, problem["problem_type"], x_valid)


if __name__ == "__main__":
    main()
