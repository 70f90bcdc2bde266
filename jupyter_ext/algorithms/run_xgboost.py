"""SageMaker's built-in XGBoost algorithm: the training job's program, with the xgboost package.

It reads the job's folder as the container reads /opt/ml: `input/config/hyperparameters.json`
(xgboost_hyperparameters.py), the channels `train` (required) and `validation` (optional) in
the ContentType `inputdataconfig.json` gives them (xgboost_data.py). Each round prints one
line as the container's log shows it, `[3]#011train-auc:0.99812#011validation-auc:0.97104`
(#011 is a tab there), which the job's metric definitions read. The model is saved as
`model/xgboost-model` (UBJSON, as xgboost's save_model writes it). Input the algorithm cannot
take fails the job with `ClientError: ...` in `output/failure`, SageMaker's FailureReason.
The entry script (ENTRY_SCRIPT) runs `main()`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .xgboost_data import AlgorithmInputError, ChannelData, read_channel
from .xgboost_hyperparameters import CHANNELS, training_parameters

__all__ = ["ENTRY_SCRIPT", "MODEL_FILE", "AlgorithmEnvironment", "train", "main"]

ENTRY_SCRIPT = "from jupyter_ext.algorithms.run_xgboost import main\n\nmain()\n"
MODEL_FILE = "xgboost-model"


def _classes(predictions: Any, objective: str) -> Any:
    if predictions.ndim == 2:
        return predictions.argmax(axis=1)
    if objective.startswith("binary:") or objective == "reg:logistic":
        return (predictions > (0.0 if objective == "binary:logitraw" else 0.5)).astype(int)
    return predictions


def _custom_metric(names: list[str], objective: str) -> Any:
    """xgboost.train's custom_metric for the container's own metrics (scikit-learn's scores)."""
    from sklearn import metrics

    def evaluate(predictions: Any, data: Any) -> list[tuple[str, float]]:
        labels, classes = data.get_label(), _classes(predictions, objective)
        scores = {"accuracy": lambda: metrics.accuracy_score(labels, classes),
                  "f1": lambda: metrics.f1_score(labels, classes, average="binary" if classes.max() <= 1 else "macro"),
                  "mse": lambda: metrics.mean_squared_error(labels, predictions),
                  "r2": lambda: metrics.r2_score(labels, predictions)}
        return [(name, float(scores[name]())) for name in names]

    return evaluate if names else None


def _evaluation_log() -> Any:
    """A callback printing each round's evaluations as SageMaker's log shows them (#011 is a tab there)."""
    import xgboost

    class EvaluationLog(xgboost.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            parts = [f"{data}-{metric}:{float(values[-1]):.5f}" for data, metrics in evals_log.items()
                     for metric, values in metrics.items()]
            print(f"[{epoch}]#011" + "#011".join(parts), flush=True)
            return False

    return EvaluationLog()


@dataclass
class AlgorithmEnvironment:
    """Where the job's folder keeps what the algorithm reads and writes (the container's /opt/ml)."""

    base: Path

    @classmethod
    def from_environment(cls) -> AlgorithmEnvironment:
        """The job's folder, from SAGEMAKER_BASE_DIR (/opt/ml when unset)."""
        return cls(Path(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")))

    def config(self, name: str) -> dict[str, Any]:
        path = self.base / "input" / "config" / name
        return json.loads(path.read_text()) if path.is_file() else {}

    def channel(self, name: str) -> Path:
        return Path(os.environ.get(f"SM_CHANNEL_{name.upper()}") or self.base / "input" / "data" / name)

    @property
    def model_dir(self) -> Path:
        return Path(os.environ.get("SM_MODEL_DIR") or self.base / "model")


def _data(environment: AlgorithmEnvironment, csv_weights: bool) -> dict[str, ChannelData]:
    channels = environment.config("inputdataconfig.json")
    if "train" not in channels:
        given = ", ".join(sorted(channels)) or "none"
        raise AlgorithmInputError(f"Missing required channel: train (the job has {given}). The XGBoost algorithm "
                                  "trains on the train channel and evaluates on the optional validation channel.")
    kinds = {(channels[name].get("ContentType") or "") for name in CHANNELS if name in channels}
    if len(kinds) > 1:
        raise AlgorithmInputError(f"The train and validation channels have different ContentTypes ({sorted(kinds)}); "
                                  "give both the same.")
    return {name: read_channel(environment.channel(name), name, channels[name].get("ContentType"),
                               csv_weights and name == "train")
            for name in CHANNELS if name in channels}


def train(environment: AlgorithmEnvironment) -> None:
    """Train on the job's channels and save model/xgboost-model."""
    hyperparameters = environment.config("hyperparameters.json")
    parameters = training_parameters(hyperparameters)
    data = _data(environment, parameters.csv_weights)
    import xgboost

    matrices = {name: xgboost.DMatrix(d.features, label=d.labels, weight=d.weights) for name, d in data.items()}
    for name, channel in data.items():
        print(f"{name.capitalize()} matrix has {channel.rows} rows", flush=True)
    objective = str(parameters.params.get("objective", "reg:squarederror"))
    try:
        booster = xgboost.train(parameters.params, matrices["train"], num_boost_round=parameters.num_round,
                                evals=list((m, n) for n, m in matrices.items()), verbose_eval=False,
                                early_stopping_rounds=parameters.early_stopping_rounds,
                                custom_metric=_custom_metric(parameters.container_metrics, objective),
                                callbacks=[_evaluation_log()])
    except xgboost.core.XGBoostError as error:
        message = str(error).strip().splitlines()
        raise AlgorithmInputError(
            f"XGBoost refused the data or hyperparameters: {message[0] if message else error}") from None
    environment.model_dir.mkdir(parents=True, exist_ok=True)
    (environment.model_dir / MODEL_FILE).write_bytes(booster.save_raw("ubj"))
    print(f"Stored the trained model at {environment.model_dir / MODEL_FILE}", flush=True)


def main() -> None:
    """The training job's program: train, or fail with `ClientError: ...` as the job's reason."""
    environment = AlgorithmEnvironment.from_environment()
    try:
        train(environment)
    except AlgorithmInputError as error:
        reason = f"ClientError: {error}"
        print(reason, file=sys.stderr, flush=True)
        failure = environment.base / "output" / "failure"
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(reason)
        sys.exit(1)
