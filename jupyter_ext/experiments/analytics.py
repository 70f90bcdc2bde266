"""ExperimentAnalytics: runs as a DataFrame with SageMaker's columns.

One row per run: TrialComponentName, DisplayName, SourceArn (the job, if a job made it),
one column per parameter, "<metric> - Min/Max/Avg/StdDev/Last/Count" per metric,
"<artifact> - MediaType"/"<artifact> - Value" per artifact, Trials, Experiments.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..jobs import records as job_records
from ..store import get_store
from . import records

if TYPE_CHECKING:
    import pandas

__all__ = ["ExperimentAnalytics", "metric_stats"]

STATS = ("Min", "Max", "Avg", "StdDev", "Last", "Count")


def metric_stats(runs: list[Any]) -> dict[str, dict[str, dict[str, float]]]:
    """{run: {metric: {Min, Max, Avg, StdDev, Last, Count}}} from run and job metrics."""
    store = get_store()
    names = [r["name"] for r in runs]
    jobs = {r["job_name"]: r["name"] for r in runs if r["job_name"]}
    stats: dict[str, dict[str, dict[str, float]]] = {name: {} for name in names}
    sources = [(records.run_metric_statistics(store, names), lambda key: key),
               (job_records.metric_statistics(store, list(jobs)), jobs.get)]
    for statistics, owner in sources:
        for key, metrics in statistics.items():
            for metric, (low, high, mean, mean_square, count, last) in metrics.items():
                variance = max(0.0, mean_square - mean ** 2) * count / (count - 1) if count > 1 else 0.0
                stats[owner(key)][metric] = dict(zip(STATS, (low, high, mean, math.sqrt(variance), last, count)))
    return stats


class ExperimentAnalytics:
    """Runs of an experiment (or matching `search_expression`) as a DataFrame.

    `search_expression` is {"Filters": [{"Name": "Parameters.C" | "Metrics.auc.Last" |
    "DisplayName" | "Status", "Operator": "Equals" | "NotEquals" | "GreaterThan" |
    "LessThan" | "Contains", "Value": ...}]}. `sort_by` names a column ("metrics.auc.Last"
    or a DataFrame column); `sort_order` is "Ascending" or "Descending".
    """

    def __init__(self, experiment_name: str | None = None, search_expression: dict[str, Any] | None = None,
                 sort_by: str | None = None, sort_order: str = "Ascending", metric_names: list[str] | None = None,
                 parameter_names: list[str] | None = None, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("ExperimentAnalytics", _sagemaker_only)
        if experiment_name is None and search_expression is None:
            raise ValidationError("Give experiment_name or search_expression.")
        if experiment_name is not None:
            records.experiment_row(get_store(), experiment_name)  # NotFoundError names the known ones
        if sort_order not in ("Ascending", "Descending"):
            raise ValidationError(f"sort_order {sort_order!r}; choose Ascending or Descending.")
        self.experiment_name, self.search_expression = experiment_name, search_expression
        self.sort_by, self.sort_order = sort_by, sort_order
        self.metric_names, self.parameter_names = metric_names, parameter_names

    def _runs(self) -> list[dict[str, Any]]:
        """The runs, each with its job's status, start, end and artifacts (None without a job)."""
        store = get_store()
        runs = [dict(row) for row in records.find_runs(store, self.experiment_name)]
        jobs = job_records.job_outcomes(store, [r["job_name"] for r in runs if r["job_name"]])
        for run in runs:
            job = jobs.get(run["job_name"], {})
            run.update(job_status=job.get("status"), job_start=job.get("started_at"), job_end=job.get("ended_at"),
                       model_data=job.get("model_data"), output_data=job.get("output_data"))
        return runs

    def _row(self, run: Any, params: dict[str, Any], stats: dict[str, dict[str, float]],
             artifacts: list[Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"TrialComponentName": run["name"], "DisplayName": run["display_name"]}
        if run["job_name"]:
            row["SourceArn"] = run["job_name"]
        row["Status"] = run["job_status"] or run["status"]
        row.update({k: v for k, v in params.items() if self.parameter_names is None or k in self.parameter_names})
        for metric, values in stats.items():
            if self.metric_names is None or metric in self.metric_names:
                row.update({f"{metric} - {stat}": value for stat, value in values.items()})
        outputs = [(a["name"], a["media_type"], a["value"]) for a in artifacts]
        outputs += [(k, None, run[k]) for k in ("model_data", "output_data") if run[k]]
        for name, media_type, value in outputs:
            row[f"{name} - MediaType"], row[f"{name} - Value"] = media_type, value
        row["Trials"] = [run["trial"]] if run["trial"] else []
        row["Experiments"] = [run["experiment"]] if run["experiment"] else []
        return row

    def dataframe(self) -> pandas.DataFrame:
        """The runs as a DataFrame (filtered and sorted as asked)."""
        import pandas

        runs = self._runs()
        store = get_store()
        names = [r["name"] for r in runs]
        params, artifacts = records.run_parameters(store, names), records.run_artifacts(store, names)
        stats = metric_stats(runs)
        rows = [self._row(r, params[r["name"]], stats[r["name"]], artifacts[r["name"]]) for r in runs]
        rows = [r for r in rows if _matches(r, (self.search_expression or {}).get("Filters", []))]
        frame = pandas.DataFrame(rows)
        if self.sort_by and len(frame):
            column = _column(self.sort_by)
            if column not in frame.columns:
                raise ValidationError(f"sort_by {self.sort_by!r}: no column {column!r}.")
            frame = frame.sort_values(column, ascending=self.sort_order == "Ascending", na_position="last")
        return frame.reset_index(drop=True)


def _column(key: str) -> str:
    """'metrics.auc.Last' → 'auc - Last'; 'Parameters.C' → 'C'; other names unchanged."""
    parts = key.split(".")
    if parts[0].lower() == "metrics" and len(parts) == 3:
        return f"{parts[1]} - {parts[2]}"
    if parts[0].lower() == "parameters" and len(parts) == 2:
        return parts[1]
    return key


_OPERATORS = {
    "Equals": lambda a, b: a == b, "NotEquals": lambda a, b: a != b,
    "GreaterThan": lambda a, b: a is not None and a > b, "LessThan": lambda a, b: a is not None and a < b,
    "GreaterThanOrEqualTo": lambda a, b: a is not None and a >= b,
    "LessThanOrEqualTo": lambda a, b: a is not None and a <= b, "Contains": lambda a, b: str(b) in str(a),
}


def _matches(row: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    for item in filters:
        operator = _OPERATORS.get(item.get("Operator", "Equals"))
        if operator is None:
            raise ValidationError(f"Operator {item.get('Operator')!r}; choose one of: {', '.join(_OPERATORS)}.")
        value, expected = row.get(_column(item["Name"])), item["Value"]
        if isinstance(value, (int, float)) and not isinstance(expected, (int, float)):
            try:
                expected = float(expected)
            except ValueError:
                pass
        if not operator(value, expected):
            return False
    return True
