"""Runs side by side, for the compare page: an experiment's runs (or the runs outside any
experiment) with their parameters and each metric's last value, which way each metric is
better, and the charts a run logged (ROC curves, precision-recall curves, confusion
matrices) read back from the JSON artifacts `Run.log_roc_curve` and friends wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..jobs import records as job_records
from ..models import (
    ComparedMetric, ComparedRun, ConfusionMatrix, PrecisionRecallCurve, RocCurve, RunCharts, RunComparison, timestamp,
)
from ..store import get_store, local_path
from . import records
from .analytics import metric_stats

__all__ = ["compare_runs", "run_charts", "lower_is_better", "unassigned_run_count", "UNASSIGNED_LIMIT", "CHART_TYPES"]

# The newest unassigned runs a comparison lists (every job is a run, so there can be thousands).
UNASSIGNED_LIMIT = 300

# The "type" each chart artifact's JSON carries (see curves.py).
CHART_TYPES = ("ROCCurve", "PrecisionRecallCurve", "ConfusionMatrix")

_LOWER_IS_BETTER = re.compile(r"loss|error|err\b|mse|mae|mape|rmse|perplexity|wer\b|cer\b|latency|time", re.I)


def lower_is_better(metric: str) -> bool:
    """Whether a lower value of `metric` is better, from its name: a loss, an error (mse, mae,
    rmse, ...), a perplexity, a latency or a time; anything else (accuracy, auc, f1, ...) is
    better higher."""
    return bool(_LOWER_IS_BETTER.search(metric))


def unassigned_run_count() -> int:
    """How many runs are outside any experiment."""
    return records.unassigned_runs(get_store(), 0)[1]


def compare_runs(experiment: str | None = None) -> RunComparison:
    """The runs of `experiment` (NotFoundError if there is none), or without one the newest
    UNASSIGNED_LIMIT runs outside any experiment; newest first."""
    store = get_store()
    if experiment is None:
        rows, total = records.unassigned_runs(store, UNASSIGNED_LIMIT)
    else:
        records.experiment_row(store, experiment)
        rows = list(reversed(records.find_runs(store, experiment=experiment)))
        total = len(rows)
    names = [row["name"] for row in rows]
    stats = metric_stats(rows)
    parameters = records.run_parameters(store, names)
    artifacts = records.run_artifacts(store, names)
    jobs = job_records.job_outcomes(store, [row["job_name"] for row in rows if row["job_name"]])
    runs = []
    for row in rows:
        name, job = row["name"], jobs.get(row["job_name"] or "")
        runs.append(ComparedRun(
            name, row["display_name"], job["status"] if job else row["status"], row["job_name"],
            timestamp(row["created_at"]), parameters[name],
            {metric: values["Last"] for metric, values in stats[name].items()},
            [a["name"] for a in artifacts[name] if _is_chart(a)]))
    metric_names = sorted({metric for run in runs for metric in run.metrics})
    parameter_names = list(dict.fromkeys(p for run in runs for p in run.parameters))
    return RunComparison(experiment, [ComparedMetric(m, lower_is_better(m)) for m in metric_names],
                         parameter_names, runs, total)


def _is_chart(artifact: Any) -> bool:
    return artifact["media_type"] == "application/json" and bool(artifact["is_output"]) \
        and Path(artifact["value"]).stem == artifact["name"]


def run_charts(run: str) -> RunCharts:
    """The ROC curves, precision-recall curves and confusion matrices run `run` logged
    (NotFoundError for an unknown run); an artifact whose file is gone or is not one of
    CHART_TYPES is left out."""
    store = get_store()
    records.run_row(store, run)
    charts = RunCharts(run, [], [], [])
    for artifact in records.artifacts_of_run(store, run):
        if artifact["media_type"] != "application/json":
            continue
        data = _read_json(artifact["value"])
        kind, name = data.get("type"), artifact["name"]
        if kind == "ROCCurve":
            charts.roc_curves.append(RocCurve(name, _floats(data.get("falsePositiveRate")),
                                              _floats(data.get("truePositiveRate")), data.get("areaUnderCurve")))
        elif kind == "PrecisionRecallCurve":
            charts.precision_recall_curves.append(PrecisionRecallCurve(
                name, _floats(data.get("precision")), _floats(data.get("recall")), data.get("averagePrecisionScore")))
        elif kind == "ConfusionMatrix":
            charts.confusion_matrices.append(ConfusionMatrix(
                name, [str(label) for label in data.get("labels", [])],
                [[int(count) for count in row] for row in data.get("confusionMatrix", [])]))
    return charts


def _read_json(value: str) -> dict[str, Any]:
    path = local_path(value)
    if path is None:  # logged elsewhere (s3://...): not read here
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values] if isinstance(values, list) else []
