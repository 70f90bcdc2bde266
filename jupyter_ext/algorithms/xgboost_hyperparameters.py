"""The built-in XGBoost algorithm's hyperparameters and metrics, as SageMaker documents them
("XGBoost algorithm hyperparameters", "Tune an XGBoost model").

Hyperparameters are strings (or JSON, as a framework estimator encodes them); `num_round` is
required, `early_stopping_rounds` and `csv_weights` are the algorithm's, everything else goes
to `xgboost.train`. Each round evaluates the eval metrics (`eval_metric`, with a tuning job's
objective metric added, as SageMaker's container adds `_tuning_objective_metric`), or the
objective's default metric; `metric_definitions` makes them the job's metrics (`train:auc`,
`validation:auc`), as SageMaker knows its algorithm's metrics without MetricDefinitions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .xgboost_data import AlgorithmInputError

__all__ = ["CHANNELS", "CONTAINER_METRICS", "TrainingParameters", "metric_definitions", "metric_names",
           "training_parameters"]

CHANNELS = ("train", "validation")
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
CONTAINER_METRICS = ("accuracy", "f1", "mse", "r2")
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
        native = [m for m in metrics if m not in CONTAINER_METRICS]
        params.update({"eval_metric": native} if native else {"disable_default_eval_metric": 1})
    return TrainingParameters(params, num_round, _whole(hyperparameters, "early_stopping_rounds"),
                              _whole(hyperparameters, "csv_weights") == 1,
                              [m for m in metrics if m in CONTAINER_METRICS])
