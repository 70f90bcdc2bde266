"""SageMaker's built-in XGBoost algorithm, run with the xgboost package under the job contract.

The program reads the job's folder as the container reads /opt/ml: hyperparameters from
`input/config/hyperparameters.json` (strings; `num_round` required, the rest passed to
`xgboost.train`), channels `train` (required) and `validation` (optional) in the ContentType
`inputdataconfig.json` gives them (xgboost_data.py). Each round prints one line as the
container's log shows it, `[3]#011train-auc:0.99812#011validation-auc:0.97104`, and
`metric_definitions` gives the regexes that make `train:auc`, `validation:auc` (every
`eval_metric`, or the objective's default metric) the job's metrics, as SageMaker knows its
algorithm's metrics. The model is saved as `model/xgboost-model`. A problem with the input
fails the job with `ClientError: ...` in `output/failure`, SageMaker's FailureReason.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_ext.algorithms.xgboost_data import AlgorithmInputError, ChannelData, read_channel

__all__ = ["ENTRY_SCRIPT", "CHANNELS", "metric_definitions", "metric_names", "training_parameters", "main"]

ENTRY_SCRIPT = "from jupyter_ext.algorithms.xgboost_algorithm import main\n\nmain()\n"
CHANNELS = ("train", "validation")
MODEL_FILE = "xgboost-model"
# Ours, or SageMaker's own; never xgboost.train's parameters.
_NOT_PARAMETERS = {"num_round", "early_stopping_rounds", "csv_weights", "eval_metric", "_tuning_objective_metric",
                   "save_model_on_termination", "_kfold", "_num_cv_round"}
# xgboost's default evaluation metric of each objective (what it prints without eval_metric).
_DEFAULT_METRICS = {"binary:logistic": "logloss", "binary:logitraw": "logloss", "binary:hinge": "error",
                    "multi:softmax": "mlogloss", "multi:softprob": "mlogloss", "count:poisson": "poisson-nloglik",
                    "reg:gamma": "gamma-deviance", "reg:tweedie": "tweedie-nloglik@1.5", "reg:absoluteerror": "mae",
                    "reg:pseudohubererror": "mphe", "reg:squaredlogerror": "rmsle", "rank:pairwise": "ndcg@32",
                    "rank:ndcg": "ndcg@32", "rank:map": "map@32", "survival:cox": "cox-nloglik",
                    "survival:aft": "aft-nloglik"}
# Metrics SageMaker's container computes itself (xgboost has none of these names).
_CONTAINER_METRICS = ("accuracy", "f1", "mse", "r2")
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def _value(text: Any) -> Any:
    """A hyperparameter as the SDK sent it: a plain string, or JSON-encoded by a framework estimator."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _metric_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _eval_metrics(hyperparameters: Mapping[str, Any]) -> list[str]:
    """eval_metric, with a tuning job's objective metric added (as SageMaker's container adds it)."""
    asked = _metric_list(_value(hyperparameters.get("eval_metric")))
    objective = str(_value(hyperparameters.get("_tuning_objective_metric")) or "")
    tuned = _metric_list(objective.split(":", 1)[1]) if ":" in objective else []
    return sorted(set(asked) | set(tuned)) if asked and tuned else asked or tuned


def metric_names(hyperparameters: Mapping[str, Any]) -> list[str]:
    """The metrics each round prints: the eval metrics, or the objective's default one."""
    objective = str(_value(hyperparameters.get("objective")) or "reg:squarederror")
    return _eval_metrics(hyperparameters) or [_DEFAULT_METRICS.get(objective, "rmse")]


def metric_definitions(hyperparameters: Mapping[str, Any], channels: Iterable[str]) -> list[dict[str, str]]:
    """SageMaker-style metric definitions (`validation:auc`, ...) over the lines the algorithm
    prints, for the job's train/validation channels."""
    given = set(channels)
    return [{"Name": f"{channel}:{metric}", "Regex": rf".*\[[0-9]+\].*#011{channel}-{re.escape(metric)}:{_NUMBER}"}
            for channel in CHANNELS if channel in given for metric in metric_names(hyperparameters)]


@dataclass
class TrainingParameters:
    """What xgboost.train gets: its parameters, the rounds, early stopping, custom metrics."""

    params: dict[str, Any]
    num_round: int
    early_stopping_rounds: int | None = None
    csv_weights: bool = False
    container_metrics: list[str] = field(default_factory=list)


def _whole(hyperparameters: Mapping[str, Any], name: str, required: bool = False) -> int | None:
    value = _value(hyperparameters.get(name))
    if value is None:
        if required:
            raise AlgorithmInputError(f"Missing required hyperparameter: {name}. The XGBoost algorithm needs "
                                      f"{name} (the number of boosting rounds), e.g. set_hyperparameters({name}=100).")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise AlgorithmInputError(f"Hyperparameter {name} must be a whole number >= 0; got {value!r}.")
    return int(value)


def training_parameters(hyperparameters: Mapping[str, Any]) -> TrainingParameters:
    """The hyperparameters (strings) as xgboost.train's arguments; AlgorithmInputError if wrong."""
    num_round = _whole(hyperparameters, "num_round", required=True) or 0
    if num_round < 1:
        raise AlgorithmInputError("Hyperparameter num_round must be at least 1.")
    params = {k: _value(v) for k, v in hyperparameters.items()
              if k not in _NOT_PARAMETERS and not k.startswith("sagemaker_")}
    metrics = _eval_metrics(hyperparameters)
    if metrics:
        params.pop("eval_metric", None)
        native = [m for m in metrics if m not in _CONTAINER_METRICS]
        params.update({"eval_metric": native} if native else {"disable_default_eval_metric": 1})
    return TrainingParameters(params, num_round, _whole(hyperparameters, "early_stopping_rounds"),
                              _whole(hyperparameters, "csv_weights") == 1,
                              [m for m in metrics if m in _CONTAINER_METRICS])


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
