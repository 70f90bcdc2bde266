"""Candidate pipelines: a preprocessing variant and an algorithm, each with the ranges the
tuner searches. The same code builds a candidate in its training job and in the
generated notebook, so a candidate can be reproduced exactly.

Preprocessing: `dpp0` imputes, scales and one-hot encodes (for linear models);
`dpp1` imputes and ordinal-encodes (for trees). Both split datetimes into parts.
Algorithms: linear/logistic, histogram gradient boosting, extra trees, random forest,
and a torch MLP.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PREPROCESSORS", "ALGORITHMS", "MINIMIZED", "build_pipeline", "score", "objective_value",
           "algorithm_ranges"]

PREPROCESSORS = {
    "dpp0": "median/most-frequent imputation, standard scaling, one-hot encoding, datetime parts",
    "dpp1": "median/most-frequent imputation, ordinal encoding, datetime parts",
}
ALGORITHMS = ("linear", "hgb", "extra-trees", "random-forest", "mlp")
MINIMIZED = ("MSE", "MAE", "RMSE")


def algorithm_ranges(algorithm: str) -> dict[str, Any]:
    """The tuner's ranges for `algorithm` (and the preprocessing choice)."""
    from ..tuning import CategoricalParameter, ContinuousParameter, IntegerParameter

    preprocessing = CategoricalParameter(["dpp0"] if algorithm in ("linear", "mlp") else ["dpp0", "dpp1"])
    ranges = {
        "linear": {"C": ContinuousParameter(1e-3, 1e2, "Logarithmic")},
        "hgb": {"learning_rate": ContinuousParameter(0.01, 0.5, "Logarithmic"),
                "max_leaf_nodes": IntegerParameter(8, 128, "Logarithmic"),
                "l2_regularization": ContinuousParameter(1e-6, 1.0, "Logarithmic")},
        "extra-trees": {"max_features": ContinuousParameter(0.2, 1.0), "min_samples_leaf": IntegerParameter(1, 10)},
        "random-forest": {"max_features": ContinuousParameter(0.2, 1.0), "min_samples_leaf": IntegerParameter(1, 10)},
        "mlp": {"hidden": IntegerParameter(16, 256, "Logarithmic"), "layers": IntegerParameter(1, 3),
                "learning_rate": ContinuousParameter(1e-4, 3e-2, "Logarithmic"),
                "weight_decay": ContinuousParameter(1e-6, 1e-2, "Logarithmic"), "epochs": IntegerParameter(50, 400)},
    }[algorithm]
    return {"preprocessing": preprocessing, **ranges}


def _datetime_parts(frame: Any) -> Any:
    import pandas

    parts = {}
    for column in frame.columns:
        values = pandas.to_datetime(frame[column], errors="coerce")
        for part in ("year", "month", "day", "dayofweek"):
            parts[f"{column}_{part}"] = getattr(values.dt, part)
    return pandas.DataFrame(parts, index=frame.index).astype(float)


def _as_text(frame: Any) -> Any:
    """Categories as strings, missing ones as "missing"."""
    return frame.astype(str).where(frame.notna(), "missing")


def _preprocessor(columns: dict[str, str], variant: str) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

    numeric = [c for c, k in columns.items() if k in ("numeric", "boolean")]
    categorical = [c for c, k in columns.items() if k in ("categorical", "text")]
    dates = [c for c, k in columns.items() if k == "datetime"]
    scale = [StandardScaler()] if variant == "dpp0" else []
    encode = (OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=30)
              if variant == "dpp0" else
              OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1))
    steps = []
    if numeric:
        steps.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), *scale), numeric))
    if categorical:
        steps.append(("categorical", make_pipeline(
            FunctionTransformer(_as_text, feature_names_out="one-to-one"),
            encode), categorical))
    if dates:
        steps.append(("datetime", make_pipeline(FunctionTransformer(_datetime_parts),
                                                SimpleImputer(strategy="median"), *scale), dates))
    return ColumnTransformer(steps, sparse_threshold=0)


def _model(problem_type: str, algorithm: str, hps: dict[str, Any], seed: int) -> Any:
    from sklearn import ensemble, linear_model

    classify = problem_type != "Regression"
    if algorithm == "linear":
        return (linear_model.LogisticRegression(C=hps["C"], max_iter=2000) if classify
                else linear_model.Ridge(alpha=1.0 / hps["C"]))
    if algorithm == "mlp":
        from .mlp import TorchMLPClassifier, TorchMLPRegressor

        kind = TorchMLPClassifier if classify else TorchMLPRegressor
        return kind(hidden=int(hps["hidden"]), layers=int(hps["layers"]), learning_rate=hps["learning_rate"],
                    weight_decay=hps["weight_decay"], epochs=int(hps["epochs"]), seed=seed)
    if algorithm == "hgb":
        kind = ensemble.HistGradientBoostingClassifier if classify else ensemble.HistGradientBoostingRegressor
        return kind(learning_rate=hps["learning_rate"], max_leaf_nodes=int(hps["max_leaf_nodes"]),
                    l2_regularization=hps["l2_regularization"], max_iter=200, early_stopping=True, random_state=seed)
    trees = {"extra-trees": (ensemble.ExtraTreesClassifier, ensemble.ExtraTreesRegressor),
             "random-forest": (ensemble.RandomForestClassifier, ensemble.RandomForestRegressor)}[algorithm]
    return trees[0 if classify else 1](n_estimators=200, max_features=hps["max_features"],
                                       min_samples_leaf=int(hps["min_samples_leaf"]), random_state=seed, n_jobs=1)


def build_pipeline(problem_type: str, columns: dict[str, str], preprocessing: str, algorithm: str,
                   hps: dict[str, Any], seed: int = 0) -> Any:
    """The scikit-learn pipeline of one candidate."""
    from sklearn.pipeline import Pipeline

    return Pipeline([("preprocess", _preprocessor(columns, preprocessing)),
                     ("model", _model(problem_type, algorithm, hps, seed))])


def score(problem_type: str, objective: str, y_true: Any, y_pred: Any, y_score: Any = None) -> dict[str, float]:
    """Every metric SageMaker reports for the problem type (the objective among them)."""
    from sklearn import metrics

    if problem_type == "Regression":
        mse = metrics.mean_squared_error(y_true, y_pred)
        return {"MSE": mse, "RMSE": mse ** 0.5, "MAE": metrics.mean_absolute_error(y_true, y_pred),
                "R2": metrics.r2_score(y_true, y_pred)}
    result = {"Accuracy": metrics.accuracy_score(y_true, y_pred),
              "BalancedAccuracy": metrics.balanced_accuracy_score(y_true, y_pred)}
    if problem_type == "BinaryClassification":
        positive = sorted(set(y_true), key=str)[-1]
        result.update(F1=metrics.f1_score(y_true, y_pred, pos_label=positive),
                      Precision=metrics.precision_score(y_true, y_pred, pos_label=positive, zero_division=0),
                      Recall=metrics.recall_score(y_true, y_pred, pos_label=positive))
        if y_score is not None:
            result["AUC"] = metrics.roc_auc_score(y_true == positive, y_score)
    else:
        result.update(F1macro=metrics.f1_score(y_true, y_pred, average="macro"),
                      PrecisionMacro=metrics.precision_score(y_true, y_pred, average="macro", zero_division=0),
                      RecallMacro=metrics.recall_score(y_true, y_pred, average="macro"))
    return result


def objective_value(problem_type: str, objective: str, y_true: Any, y_pred: Any, y_score: Any = None) -> float:
    """The objective alone (what `score` gives for it), without the other metrics' cost."""
    from sklearn import metrics

    positive = sorted(set(y_true), key=str)[-1] if problem_type == "BinaryClassification" else None
    compute = {
        "MSE": lambda: metrics.mean_squared_error(y_true, y_pred),
        "RMSE": lambda: metrics.mean_squared_error(y_true, y_pred) ** 0.5,
        "MAE": lambda: metrics.mean_absolute_error(y_true, y_pred),
        "R2": lambda: metrics.r2_score(y_true, y_pred),
        "Accuracy": lambda: metrics.accuracy_score(y_true, y_pred),
        "BalancedAccuracy": lambda: metrics.balanced_accuracy_score(y_true, y_pred),
        "F1": lambda: metrics.f1_score(y_true, y_pred, pos_label=positive),
        "Precision": lambda: metrics.precision_score(y_true, y_pred, pos_label=positive, zero_division=0),
        "Recall": lambda: metrics.recall_score(y_true, y_pred, pos_label=positive),
        "AUC": lambda: metrics.roc_auc_score(y_true == positive, y_score),
        "F1macro": lambda: metrics.f1_score(y_true, y_pred, average="macro"),
        "PrecisionMacro": lambda: metrics.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "RecallMacro": lambda: metrics.recall_score(y_true, y_pred, average="macro"),
    }[objective]
    return float(compute())
