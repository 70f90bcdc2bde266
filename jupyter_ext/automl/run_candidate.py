"""A candidate's training program: `python -m jupyter_ext.automl.run_candidate --algorithm hgb
--preprocessing dpp1 [--learning_rate ...]`, run as a training job.

It reads the table and `problem.json` from the train channel, scores the pipeline as
`validation.py` says (the same holdout split, or the same folds, for every candidate),
prints every metric as `validation:<Metric>: <value>` and saves `model.joblib` and
`candidate.json`, and its validation predictions (for ENSEMBLING) in the output data folder.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from .ensemble import save_predictions
from .pipelines import build_pipeline
from .validation import metrics_of, validate

__all__ = ["main"]


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
    folder = Path(os.environ["SM_CHANNEL_TRAIN"])
    problem = json.loads((folder / "problem.json").read_text())
    result = validate(lambda: build_pipeline(problem["problem_type"], problem["columns"], args.preprocessing,
                                             args.algorithm, hps, problem["seed"]), folder)
    for name, value in metrics_of(problem, result.labels, result.classes, result.values).items():
        print(f"validation:{name}: {value:.6f}", flush=True)
    import joblib

    model_dir = Path(os.environ["SM_MODEL_DIR"])
    joblib.dump(result.model, model_dir / "model.joblib")
    (model_dir / "candidate.json").write_text(json.dumps(
        {"algorithm": args.algorithm, "preprocessing": args.preprocessing, "hyperparameters": hps,
         "problem": problem}, indent=1))
    save_predictions(Path(os.environ["SM_OUTPUT_DATA_DIR"]), result.values, result.classes)


if __name__ == "__main__":
    main()
