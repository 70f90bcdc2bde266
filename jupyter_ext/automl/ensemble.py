"""ENSEMBLING: a greedy weighted ensemble of the best candidates (Caruana et al., 2004).

Every candidate saves its predictions on the validation split. Starting from the best
candidate, the selection repeatedly adds (with replacement) the candidate whose addition
scores best on the objective; the weights are how often each was picked. The ensemble is
a candidate like the others: ranked on the leaderboard, packed as `model.tar.gz`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.metaestimators import available_if

from .pipelines import MINIMIZED, objective_value

__all__ = ["WeightedEnsemble", "PREDICTIONS_FILE", "save_predictions", "load_predictions", "select_members"]

PREDICTIONS_FILE = "validation_predictions.npz"
ROUNDS = 25
POOL = 10


class WeightedEnsemble(BaseEstimator):
    """A weighted average of pipelines: of class probabilities for classification, of
    predictions for regression. A scikit-learn estimator: `fit` fits every member."""

    def __init__(self, members: list[Any], weights: list[float], problem_type: str) -> None:
        self.members, self.weights, self.problem_type = members, weights, problem_type

    def fit(self, features: Any, labels: Any) -> WeightedEnsemble:
        """Fit every member on the same rows."""
        for member in self.members:
            member.fit(features, labels)
        return self

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, in the column order of `predict_proba` (classification only)."""
        return self.members[0].classes_

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The columns the members were fitted on, so servers can name a payload's values."""
        return self.members[0].feature_names_in_

    def _average(self, features: Any) -> np.ndarray:
        method = "predict" if self.problem_type == "Regression" else "predict_proba"
        total = sum(w * np.asarray(getattr(m, method)(features), dtype=float)
                    for m, w in zip(self.members, self.weights))
        return total / sum(self.weights)

    @available_if(lambda self: self.problem_type != "Regression")
    def predict_proba(self, features: Any) -> np.ndarray:
        """Class probabilities, columns in `classes_` order (classification only)."""
        return self._average(features)

    def predict(self, features: Any) -> np.ndarray:
        """Labels (classification) or values (regression)."""
        average = self._average(features)
        return average if self.problem_type == "Regression" else self.classes_[average.argmax(axis=1)]

    def score(self, features: Any, labels: Any) -> float:
        """Accuracy (classification) or R² (regression), as scikit-learn's estimators do."""
        from sklearn.metrics import accuracy_score, r2_score

        predictions = self.predict(features)
        return float(r2_score(labels, predictions) if self.problem_type == "Regression"
                     else accuracy_score(labels, predictions))


def save_predictions(folder: Path, values: np.ndarray, classes: list[Any]) -> None:
    """A candidate's validation predictions (class probabilities for classifiers) and its classes."""
    np.savez(folder / PREDICTIONS_FILE, values=np.asarray(values, dtype=float))
    (folder / "classes.json").write_text(json.dumps(classes))


def load_predictions(folder: Path) -> tuple[np.ndarray, list[Any]] | None:
    """(values, classes) a candidate saved in `folder`, or None when it saved none."""
    path = folder / PREDICTIONS_FILE
    if not path.exists():
        return None
    with np.load(path) as data:
        values = data["values"]
    return values, json.loads((folder / "classes.json").read_text())


def _evaluate(problem: dict[str, Any], labels: Any, classes: list[Any], average: np.ndarray) -> tuple[float, float]:
    """(objective as a loss, a smooth loss to break its ties: log loss or MSE)."""
    sign = 1.0 if problem["objective"] in MINIMIZED else -1.0
    if problem["problem_type"] == "Regression":
        value = objective_value("Regression", problem["objective"], labels, average)
        return sign * value, float(np.mean((np.asarray(labels, dtype=float) - average) ** 2))
    predicted = np.asarray(classes)[average.argmax(axis=1)]
    scores = average[:, -1] if problem["problem_type"] == "BinaryClassification" else None
    value = objective_value(problem["problem_type"], problem["objective"], labels, predicted, scores)
    truth = np.searchsorted(np.asarray(classes), np.asarray(labels))
    log_loss = -np.log(np.clip(average[np.arange(len(truth)), truth], 1e-15, 1.0)).mean()
    return sign * value, float(log_loss)


def select_members(problem: dict[str, Any], labels: Any, predictions: dict[str, tuple[np.ndarray, list[Any]]],
                   ranked: list[str]) -> dict[str, int]:
    """Greedy selection with replacement over the best `POOL` of `ranked` candidates that
    have predictions: starting from the best, each of `ROUNDS` rounds adds the candidate
    that gives the lowest loss (the objective, ties broken by log loss or MSE). Returns
    the weights ({candidate: times picked}) of the round with the lowest loss."""
    pool = [name for name in ranked if name in predictions][:POOL]
    classes = predictions[pool[0]][1]
    pool = [name for name in pool if predictions[name][1] == classes and
            predictions[name][0].shape == predictions[pool[0]][0].shape]
    chosen: Counter[str] = Counter({pool[0]: 1})
    total = predictions[pool[0]][0].copy()
    best_loss, best_weights = _evaluate(problem, labels, classes, total), dict(chosen)
    for count in range(2, ROUNDS + 1):
        losses = {name: _evaluate(problem, labels, classes, (total + predictions[name][0]) / count) for name in pool}
        name = min(pool, key=lambda n: losses[n])
        chosen[name] += 1
        total += predictions[name][0]
        if losses[name] < best_loss:
            best_loss, best_weights = losses[name], dict(chosen)
    return best_weights
