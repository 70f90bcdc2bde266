"""What the Data Exploration report says about a table: the profile written to
`data_profile.json`, prediction power, anomalous rows and feature importance.

Prediction power is SageMaker's: a model of one feature alone, trained on a (stratified)
80 % of a sample and scored on the rest, normalised to [0, 1] (0: no better than a
constant; 1: perfect). Anomalous rows come from an Isolation Forest; a negative score is
anomalous. Feature importance is permutation importance: how much the candidate's score
drops when one input column is shuffled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SAMPLE_ROWS", "profile", "prediction_power", "anomalous_rows", "feature_importance"]

SAMPLE_ROWS = 5000
_OUTLIER_SIGMAS = 3.0


def _sample(frame: Any, rows: int = SAMPLE_ROWS) -> Any:
    return frame.sample(rows, random_state=0) if len(frame) > rows else frame


def _one_feature(values: Any, kind: str) -> np.ndarray:
    """One column as numbers a small tree can split (categories as codes, dates as days)."""
    import pandas

    if kind == "datetime":
        days = pandas.to_datetime(values, errors="coerce")
        return (days - pandas.Timestamp("1970-01-01")).dt.days.fillna(-1).to_numpy(float).reshape(-1, 1)
    if kind in ("categorical", "text"):
        return pandas.Series(pandas.factorize(values.astype(str))[0]).to_numpy(float).reshape(-1, 1)
    return pandas.to_numeric(values, errors="coerce").fillna(-1e12).to_numpy(float).reshape(-1, 1)


def prediction_power(frame: Any, problem: dict[str, Any]) -> dict[str, float]:
    """Each feature column's prediction power in [0, 1], on a sample of `SAMPLE_ROWS` rows."""
    from sklearn.metrics import balanced_accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    frame = _sample(frame[frame[problem["target"]].notna()])
    labels = frame[problem["target"]]
    regression = problem["problem_type"] == "Regression"
    stratify = None if regression or labels.value_counts().min() < 2 else labels
    train, test = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=0, stratify=stratify)
    powers = {}
    for column, kind in problem["columns"].items():
        features = _one_feature(frame[column], kind)
        model = (DecisionTreeRegressor if regression else DecisionTreeClassifier)(max_depth=4, random_state=0)
        model.fit(features[train], labels.iloc[train])
        predicted = model.predict(features[test])
        if regression:
            power = r2_score(labels.iloc[test], predicted)
        else:
            chance = 1.0 / labels.nunique()
            power = (balanced_accuracy_score(labels.iloc[test], predicted) - chance) / (1.0 - chance)
        powers[column] = round(float(min(1.0, max(0.0, power))), 4)
    return dict(sorted(powers.items(), key=lambda item: -item[1]))


def anomalous_rows(frame: Any, problem: dict[str, Any], count: int = 10) -> Any:
    """The `count` most anomalous rows of a sample, with their Isolation Forest score first
    (negative: anomalous), lowest first."""
    from sklearn.ensemble import IsolationForest

    sample = _sample(frame)
    numbers = np.hstack([_one_feature(sample[c], k) for c, k in problem["columns"].items()] or
                        [np.zeros((len(sample), 1))])
    forest = IsolationForest(n_estimators=100, random_state=0).fit(numbers)
    scores = forest.decision_function(numbers)
    order = np.argsort(scores)[:count]
    rows = sample.iloc[order].copy()
    rows.insert(0, "anomaly score", scores[order].round(4))
    return rows


def _descriptive(frame: Any, columns: dict[str, str]) -> dict[str, dict[str, float]]:
    """For columns with numeric values: numeric %, outlier % (beyond 3 standard deviations),
    mean, median, min, max."""
    import pandas

    stats = {}
    for column in [c for c, k in columns.items() if k in ("numeric", "boolean")]:
        values = pandas.to_numeric(frame[column], errors="coerce")
        present = values.dropna()
        if present.empty:
            continue
        spread = present.std() or 1.0
        stats[column] = {
            "numeric_percent": round(float(values.notna().sum() / max(1, frame[column].notna().sum()) * 100), 2),
            "outlier_percent": round(float(((present - present.mean()).abs() > _OUTLIER_SIGMAS * spread).mean() * 100), 2),
            "mean": float(present.mean()), "median": float(present.median()),
            "min": float(present.min()), "max": float(present.max())}
    return stats


def _target(frame: Any, problem: dict[str, Any]) -> dict[str, Any]:
    target = frame[problem["target"]]
    facts: dict[str, Any] = {"missing_count": int(target.isna().sum()),
                             "missing_percent": round(float(target.isna().mean() * 100), 2),
                             "unique": int(target.nunique())}
    if problem["problem_type"] != "Regression":
        facts["class_counts"] = {str(k): int(v) for k, v in target.value_counts().items()}
        return facts
    present = target.dropna().astype(float)
    spread = present.std() or 1.0
    outliers = (present - present.mean()).abs() > _OUTLIER_SIGMAS * spread
    facts.update(mean=float(present.mean()), median=float(present.median()), min=float(present.min()),
                 max=float(present.max()), skew=float(present.skew()), kurtosis=float(present.kurt()),
                 outliers_percent=round(float(outliers.mean() * 100), 2))
    return facts


def profile(problem: dict[str, Any], frame: Any) -> dict[str, Any]:
    """Everything the Data Exploration report shows, as numbers (`data_profile.json`)."""
    features = list(problem["columns"])
    return {
        "rows": len(frame), "columns": len(frame.columns), "sample_rows": min(len(frame), SAMPLE_ROWS),
        "duplicate_rows": int(frame.duplicated().sum()),
        "target": problem["target"], "problem_type": problem["problem_type"], "reason": problem["reason"],
        "column_types": problem["columns"], "dropped_columns": problem["dropped"],
        "missing_feature_percent": round(float(frame[features].isna().to_numpy().mean() * 100), 2) if features else 0.0,
        "missing_percent": {c: round(float(frame[c].isna().mean() * 100), 2) for c in frame.columns},
        "cardinality": {c: int(frame[c].nunique()) for c in frame.columns},
        "target_analysis": _target(frame, problem),
        "prediction_power": prediction_power(frame, problem),
        "descriptive_statistics": _descriptive(frame, problem["columns"]),
    }


def feature_importance(model: Any, features: Any, labels: Any, seed: int = 0, repeats: int = 2) -> dict[str, float]:
    """Permutation importance of each input column for a fitted `model` (drop in its
    `score`: accuracy or R²), on up to 500 rows; most important first."""
    from sklearn.inspection import permutation_importance

    if len(features) > 500:
        keep = np.random.default_rng(seed).choice(len(features), 500, replace=False)
        features, labels = features.iloc[keep], labels.iloc[keep]
    result = permutation_importance(model, features, labels, n_repeats=repeats, random_state=seed, n_jobs=1)
    importances = {str(c): round(float(v), 6) for c, v in zip(features.columns, result.importances_mean)}
    return dict(sorted(importances.items(), key=lambda item: -item[1]))
