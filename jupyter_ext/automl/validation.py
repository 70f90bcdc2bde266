"""How a candidate is scored: on a holdout split, or by k-fold cross-validation on small
tables, where a holdout of a few dozen rows would make the ranking a lottery.

With cross-validation every row is predicted once by a model that did not see it
(out-of-fold), the objective is computed over all those predictions, and the candidate's
model is the average of its fold models (bagging, as AutoGluon does), which together have
seen every row, so it needs no refit, and it is the model the score describes. SageMaker cross-validates up to
50,000 rows; on two cores we keep it to `CROSS_VALIDATION_MAX_ROWS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .ensemble import WeightedEnsemble
from .pipelines import score

__all__ = ["CROSS_VALIDATION_MAX_ROWS", "FOLDS", "Validation", "folds_for", "load_split", "validation_rows",
           "validate", "metrics_of"]

CROSS_VALIDATION_MAX_ROWS = 1000
FOLDS = 5


@dataclass
class Validation:
    """What a candidate is scored on: its predictions (class probabilities for
    classification) on the validation rows, their labels, and its fitted model."""

    values: np.ndarray
    classes: list[Any]
    labels: Any
    model: Any


def folds_for(rows: int) -> int:
    """Cross-validation folds for a table of `rows` labelled rows (0: a holdout split)."""
    return FOLDS if rows <= CROSS_VALIDATION_MAX_ROWS else 0


def _labelled(folder: Path) -> tuple[dict[str, Any], Any, Any]:
    import pandas

    problem = json.loads((folder / "problem.json").read_text())
    frame = pandas.read_pickle(folder / "data.pkl")
    frame = frame[frame[problem["target"]].notna()]
    return problem, frame[list(problem["columns"])], frame[problem["target"]]


def _stratify(problem: dict[str, Any], labels: Any, parts: int) -> bool:
    return problem["problem_type"] != "Regression" and labels.value_counts().min() >= parts


def load_split(folder: Path) -> tuple[dict[str, Any], Any, Any, Any, Any]:
    """(problem, X_train, X_valid, y_train, y_valid): the holdout split of a folder AutoML prepared."""
    from sklearn.model_selection import train_test_split

    problem, features, labels = _labelled(folder)
    stratify = labels if _stratify(problem, labels, 2) else None
    parts = train_test_split(features, labels, test_size=problem["validation_fraction"],
                             random_state=problem["seed"], stratify=stratify)
    return problem, *parts


def validation_rows(folder: Path) -> tuple[Any, Any]:
    """(features, labels) of the rows candidates are scored on, in the order of their
    saved predictions: every labelled row with cross-validation, else the holdout."""
    problem, features, labels = _labelled(folder)
    if problem.get("cross_validation_folds"):
        return features, labels
    _, _, x_valid, _, y_valid = load_split(folder)
    return x_valid, y_valid


def _predict(model: Any, problem_type: str, features: Any) -> np.ndarray:
    method = model.predict if problem_type == "Regression" else model.predict_proba
    return np.asarray(method(features), dtype=float)


def validate(build: Callable[[], Any], folder: Path) -> Validation:
    """Score the pipeline `build()` makes as the folder's problem says (holdout or k folds)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    problem, features, labels = _labelled(folder)
    folds = problem.get("cross_validation_folds") or 0
    if not folds:
        _, x_train, x_valid, y_train, y_valid = load_split(folder)
        model = build().fit(x_train, y_train)
        return Validation(_predict(model, problem["problem_type"], x_valid), _classes(model), y_valid, model)
    splitter = (StratifiedKFold if _stratify(problem, labels, folds) else KFold)(
        n_splits=folds, shuffle=True, random_state=problem["seed"])
    values: np.ndarray | None = None
    models = []
    for train, test in splitter.split(features, labels):
        models.append(build().fit(features.iloc[train], labels.iloc[train]))
        predicted = _predict(models[-1], problem["problem_type"], features.iloc[test])
        if values is None:
            values = np.zeros((len(labels), *predicted.shape[1:]))
        values[test] = predicted
    model = WeightedEnsemble(models, [1] * len(models), problem["problem_type"])
    return Validation(values, _classes(models[0]), labels, model)


def _classes(model: Any) -> list[Any]:
    classes = getattr(model, "classes_", [])
    return [c.item() if hasattr(c, "item") else c for c in classes]


def metrics_of(problem: dict[str, Any], labels: Any, classes: list[Any], values: np.ndarray) -> dict[str, float]:
    """Every metric of predictions `values` (class probabilities for classification)."""
    if problem["problem_type"] == "Regression":
        return score("Regression", problem["objective"], labels, values)
    predicted = np.asarray(classes)[values.argmax(axis=1)]
    scores = values[:, -1] if problem["problem_type"] == "BinaryClassification" else None
    return score(problem["problem_type"], problem["objective"], labels, predicted, scores)
