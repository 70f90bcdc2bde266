"""Model quality: predictions merged with ground truth, metrics as SageMaker reports them
(`{"value": v, "standard_deviation": s}`, s from five 80 % subsamples when there are at
least 200 samples, else "NaN"), constraints with thresholds, and violations."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy

from ..errors import ValidationError
from .analysis_files import CONSTRAINTS_FILE, STATISTICS_FILE, VIOLATIONS_FILE, read_json_file

__all__ = ["PROBLEM_TYPES", "compute_metrics", "suggest_quality_constraints", "quality_violations", "run"]

PROBLEM_TYPES = ("Regression", "BinaryClassification", "MulticlassClassification")
_BLOCKS = {"Regression": "regression", "BinaryClassification": "binary_classification",
           "MulticlassClassification": "multiclass_classification"}
_HIGHER_IS_WORSE = {"mae", "mse", "rmse", "false_positive_rate", "false_negative_rate"}


def _scalar(metric: Callable[[numpy.ndarray, numpy.ndarray], float], truth: numpy.ndarray,
            predicted: numpy.ndarray) -> dict[str, Any]:
    value = float(metric(truth, predicted))
    if len(truth) < 200:
        return {"value": value, "standard_deviation": "NaN"}
    random = numpy.random.RandomState(0)
    samples = [random.choice(len(truth), int(0.8 * len(truth)), replace=False) for _ in range(5)]
    return {"value": value, "standard_deviation": float(numpy.std([metric(truth[s], predicted[s]) for s in samples]))}


def _regression(truth: numpy.ndarray, predicted: numpy.ndarray) -> dict[str, Any]:
    from sklearn import metrics

    return {"mae": _scalar(metrics.mean_absolute_error, truth, predicted),
            "mse": _scalar(metrics.mean_squared_error, truth, predicted),
            "rmse": _scalar(lambda t, p: numpy.sqrt(metrics.mean_squared_error(t, p)), truth, predicted),
            "r2": _scalar(metrics.r2_score, truth, predicted)}


def _confusion(truth: numpy.ndarray, predicted: numpy.ndarray) -> dict[str, dict[str, int]]:
    labels = sorted(set(truth.tolist()) | set(predicted.tolist()), key=str)
    return {str(a): {str(p): int(((truth == a) & (predicted == p)).sum()) for p in labels} for a in labels}


def _rate(actual: int, guess: int) -> Callable[[numpy.ndarray, numpy.ndarray], float]:
    """Share of the `actual` class predicted as `guess` (TPR, TNR, FPR, FNR)."""
    return lambda t, p: float(((t == actual) & (p == guess)).sum() / max((t == actual).sum(), 1))


def _f_beta(beta: float, average: str = "binary") -> Callable[[numpy.ndarray, numpy.ndarray], float]:
    from sklearn.metrics import fbeta_score

    return lambda t, p: fbeta_score(t, p, beta=beta, average=average, zero_division=0)


def _best_constant(metric: Callable[[numpy.ndarray, numpy.ndarray], float], truth: numpy.ndarray,
                   classes: list[Any]) -> dict[str, Any]:
    """The metric of the best model that always predicts one class."""
    best = max(float(metric(truth, numpy.full(len(truth), c, dtype=truth.dtype))) for c in classes)
    return {"value": best, "standard_deviation": "NaN"}


def _curves(truth: numpy.ndarray, scores: numpy.ndarray) -> dict[str, Any]:
    from sklearn import metrics

    fpr, tpr, _ = metrics.roc_curve(truth, scores)
    precision, recall, _ = metrics.precision_recall_curve(truth, scores)
    return {"receiver_operating_characteristic_curve": {"false_positive_rates": fpr.tolist(),
                                                        "true_positive_rates": tpr.tolist()},
            "precision_recall_curve": {"precisions": precision.tolist(), "recalls": recall.tolist()},
            "auc": _scalar(metrics.roc_auc_score, truth, scores),
            "au_prc": _scalar(metrics.average_precision_score, truth, scores)}


def _binary(truth: numpy.ndarray, predicted: numpy.ndarray, scores: numpy.ndarray | None) -> dict[str, Any]:
    from sklearn import metrics

    scored = {"recall": lambda t, p: metrics.recall_score(t, p, zero_division=0),
              "precision": lambda t, p: metrics.precision_score(t, p, zero_division=0),
              "accuracy": metrics.accuracy_score, "f0_5": _f_beta(0.5), "f1": _f_beta(1.0), "f2": _f_beta(2.0)}
    block: dict[str, Any] = {"confusion_matrix": _confusion(truth, predicted)}
    for name, metric in scored.items():
        block[name] = _scalar(metric, truth, predicted)
        block[f"{name}_best_constant_classifier"] = _best_constant(metric, truth, [0, 1])
    for name, (actual, guess) in {"true_positive_rate": (1, 1), "true_negative_rate": (0, 0),
                                  "false_positive_rate": (0, 1), "false_negative_rate": (1, 0)}.items():
        block[name] = _scalar(_rate(actual, guess), truth, predicted)
    if scores is not None and len(set(truth.tolist())) == 2:
        block.update(_curves(truth, scores))
    return block


def _multiclass(truth: numpy.ndarray, predicted: numpy.ndarray) -> dict[str, Any]:
    from sklearn import metrics

    scored = {"accuracy": metrics.accuracy_score,
              "weighted_recall": lambda t, p: metrics.recall_score(t, p, average="weighted", zero_division=0),
              "weighted_precision": lambda t, p: metrics.precision_score(t, p, average="weighted", zero_division=0),
              "weighted_f0_5": _f_beta(0.5, "weighted"), "weighted_f1": _f_beta(1.0, "weighted"),
              "weighted_f2": _f_beta(2.0, "weighted")}
    block: dict[str, Any] = {"confusion_matrix": _confusion(truth, predicted)}
    classes = sorted(set(truth.tolist()), key=str)
    for name, metric in scored.items():
        block[name] = _scalar(metric, truth, predicted)
        block[f"{name}_best_constant_classifier"] = _best_constant(metric, truth, classes)
    return block


def compute_metrics(problem_type: str, truth: list[Any], predicted: list[Any],
                    scores: list[float] | None = None) -> dict[str, Any]:
    """statistics.json of a model-quality run: `<problem>_metrics` plus the dataset size."""
    if problem_type not in PROBLEM_TYPES:
        raise ValidationError(f"problem_type {problem_type!r}; choose one of: {', '.join(PROBLEM_TYPES)}.")
    if not truth:
        raise ValidationError("No predictions with ground truth to evaluate: check that the ground truth's "
                              "eventId/inferenceId match the captured records.")
    if problem_type == "Regression":
        block = _regression(numpy.asarray(truth, float), numpy.asarray(predicted, float))
    elif problem_type == "BinaryClassification":
        block = _binary(numpy.asarray(truth, float).astype(int), numpy.asarray(predicted, float).astype(int),
                        None if scores is None else numpy.asarray(scores, float))
    else:
        block = _multiclass(numpy.asarray([str(t) for t in truth]), numpy.asarray([str(p) for p in predicted]))
    return {"version": 0.0, "dataset": {"item_count": len(truth)}, f"{_BLOCKS[problem_type]}_metrics": block}


def suggest_quality_constraints(statistics: dict[str, Any], problem_type: str) -> dict[str, Any]:
    """A threshold per scalar metric at its baseline value, violated when the metric gets worse."""
    block = statistics[f"{_BLOCKS[problem_type]}_metrics"]
    worse = {True: "GreaterThanThreshold", False: "LessThanThreshold"}
    constraints = {name: {"threshold": value["value"], "comparison_operator": worse[name in _HIGHER_IS_WORSE]}
                   for name, value in block.items()
                   if isinstance(value, dict) and "value" in value and "best_constant" not in name}
    return {"version": 0.0, f"{_BLOCKS[problem_type]}_constraints": constraints}


def quality_violations(statistics: dict[str, Any], constraints: dict[str, Any]) -> list[dict[str, Any]]:
    """A violation for each metric on the violating side of its threshold."""
    found = []
    for key, block in constraints.items():
        if not key.endswith("_constraints"):
            continue
        metrics = statistics.get(key.replace("_constraints", "_metrics"), {})
        for name, rule in block.items():
            value = metrics.get(name, {}).get("value")
            if value is None:
                continue
            threshold, operator = float(rule["threshold"]), rule["comparison_operator"]
            if (operator == "GreaterThanThreshold" and value > threshold) or \
                    (operator == "LessThanThreshold" and value < threshold):
                found.append({"feature_name": name, "metric_name": name, "constraint_check_type": operator,
                              "description": f"Metric {name} with {value:.4g} was {operator} '{threshold:.4g}'",
                              "observed": value, "threshold": threshold})
    return found


def run(config: dict[str, Any]) -> Any:
    """The model-quality job kinds: "model_quality_baseline" and "model_quality_monitoring"."""
    from .quality_data import baseline_columns, merged_captures
    from .report import write_quality_report

    output = Path(config["output_path"])
    output.mkdir(parents=True, exist_ok=True)
    if config["kind"] == "model_quality_baseline":
        truth, predicted, scores = baseline_columns(config)
        statistics = compute_metrics(config["problem_type"], truth, predicted, scores)
        (output / STATISTICS_FILE).write_text(json.dumps(statistics, indent=1))
        constraints = suggest_quality_constraints(statistics, config["problem_type"])
        (output / CONSTRAINTS_FILE).write_text(json.dumps(constraints, indent=1))
        print(f"Model-quality baseline over {len(truth)} rows written to {output}", flush=True)
        return statistics
    truth, predicted, scores = merged_captures(config)
    statistics = compute_metrics(config["problem_type"], truth, predicted, scores)
    (output / STATISTICS_FILE).write_text(json.dumps(statistics, indent=1))
    violations = []
    if config.get("baseline_constraints"):  # without a baseline (SageMaker allows it) only the metrics
        violations = quality_violations(statistics, read_json_file(config["baseline_constraints"], CONSTRAINTS_FILE))
        (output / VIOLATIONS_FILE).write_text(json.dumps({"violations": violations}, indent=1))
    write_quality_report(output, statistics, violations, f"Endpoint {config['endpoint']}: model quality over "
                         f"{len(truth)} labelled predictions")
    print(f"Model-quality run over {len(truth)} merged rows: {len(violations)} violation(s)", flush=True)
    return violations
