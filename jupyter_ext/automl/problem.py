"""Reading the table, checking the target, inferring the problem type and column kinds.

Rules (SageMaker does not publish its own): a non-numeric target, or a numeric one with
at most 20 distinct whole-number values, is classification (two values: binary, more:
multiclass); any other numeric target is regression. Every inference comes with the reason.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..store import artifact_store_for, local_path

if TYPE_CHECKING:
    import pandas

__all__ = ["PROBLEM_TYPES", "OBJECTIVES", "DEFAULT_OBJECTIVE", "Problem", "read_table", "analyse"]

PROBLEM_TYPES = ("BinaryClassification", "MulticlassClassification", "Regression")
OBJECTIVES = {
    "Regression": ("MSE", "MAE", "R2", "RMSE"),
    "BinaryClassification": ("F1", "Accuracy", "AUC", "BalancedAccuracy", "Precision", "Recall"),
    "MulticlassClassification": ("Accuracy", "BalancedAccuracy", "F1macro", "PrecisionMacro", "RecallMacro"),
}
DEFAULT_OBJECTIVE = {"Regression": "MSE", "BinaryClassification": "F1", "MulticlassClassification": "Accuracy"}
MAX_CLASSES_FOR_NUMBERS = 20


@dataclass
class Problem:
    """What AutoML decided about a table, and why."""

    target: str
    problem_type: str
    reason: str
    objective: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> numeric|categorical|boolean|datetime|text
    dropped: dict[str, str] = field(default_factory=dict)  # column -> why it is left out
    rows: int = 0


def read_table(data: Any) -> pandas.DataFrame:
    """A DataFrame from a DataFrame, or a CSV or Parquet path or URI (`s3://...`, a file or a
    folder of them); ValidationError otherwise."""
    import pandas

    if isinstance(data, pandas.DataFrame):
        return data.copy()
    if "://" in str(data) and local_path(str(data)) is None:
        store = artifact_store_for(str(data))
        if not store.exists(str(data)):
            raise ValidationError(f"AutoML input {data} does not exist.")
        with tempfile.TemporaryDirectory() as scratch:
            return read_table(store.fetch(str(data), Path(scratch)))
    path = Path(str(data)).expanduser()
    if not path.exists():
        raise ValidationError(f"AutoML input {data} does not exist (looked for {path.resolve()}).")
    if path.is_dir():
        files = sorted([*path.glob("*.csv"), *path.glob("*.parquet")])
        if not files:
            raise ValidationError(f"AutoML input folder {path} has no .csv or .parquet file.")
        return pandas.concat([read_table(f) for f in files], ignore_index=True)
    if path.suffix == ".parquet":
        return pandas.read_parquet(path)
    try:
        return pandas.read_csv(path)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError(f"AutoML input {path} is not a readable CSV: {error}") from None


def _column_kind(series: pandas.Series) -> str:
    import pandas

    if pandas.api.types.is_bool_dtype(series):
        return "boolean"
    if pandas.api.types.is_numeric_dtype(series):
        return "numeric"
    if pandas.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    values = series.dropna().astype(str)
    if len(values) and values.str.match(r"^\d{4}-\d{2}-\d{2}").mean() > 0.9:
        return "datetime"
    if len(values) and values.str.split().str.len().mean() > 3:
        return "text"
    return "categorical"


def _is_id_like(series: pandas.Series) -> bool:
    """Every value distinct strings, or whole numbers counting rows: an identifier, not a feature."""
    import pandas

    values = series.dropna()
    if len(values) < 20 or values.nunique() != len(values):
        return False
    if pandas.api.types.is_bool_dtype(values):
        return False
    if pandas.api.types.is_numeric_dtype(values):
        # Whole numbers counting rows (1, 2, 3, ...), not any all-distinct measurement.
        whole = bool((values == values.round()).all())
        return whole and (values.is_monotonic_increasing or values.max() - values.min() + 1 == len(values))
    return True


def _infer(target: pandas.Series) -> tuple[str, str]:
    import pandas

    distinct = target.nunique()
    if not pandas.api.types.is_numeric_dtype(target) or pandas.api.types.is_bool_dtype(target):
        kind = "BinaryClassification" if distinct == 2 else "MulticlassClassification"
        return kind, f"the target is not numeric and has {distinct} distinct values"
    whole = bool((target == target.round()).all())
    if whole and distinct <= MAX_CLASSES_FOR_NUMBERS:
        kind = "BinaryClassification" if distinct == 2 else "MulticlassClassification"
        return kind, f"the target has {distinct} distinct whole-number values (at most {MAX_CLASSES_FOR_NUMBERS})"
    return "Regression", f"the target is numeric with {distinct} distinct values"


def analyse(frame: pandas.DataFrame, target: str, problem_type: str | None, objective: str | None) -> Problem:
    """Check the target and features; infer what was not given. ValidationError explains a refusal."""
    if target not in frame.columns:
        close = difflib.get_close_matches(str(target), [str(c) for c in frame.columns], 1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValidationError(f"Target column {target!r} is not in the data; its columns are: "
                              f"{', '.join(map(str, frame.columns[:30]))}.{hint}")
    labels = frame[target].dropna()
    if labels.empty:
        raise ValidationError(f"Target column {target!r} is empty: every value is missing.")
    if labels.nunique() < 2:
        value = labels.iloc[0]
        value = value.item() if hasattr(value, "item") else value  # 1, not np.int64(1)
        raise ValidationError(f"Target column {target!r} has a single value ({value!r}); "
                              "there is nothing to learn.")
    if problem_type is None:
        problem_type, reason = _infer(labels)
    elif problem_type not in PROBLEM_TYPES:
        raise ValidationError(f"problem_type {problem_type!r}; choose one of: {', '.join(PROBLEM_TYPES)}.")
    else:
        reason = "given"
    if problem_type != "Regression" and _is_id_like(labels):
        raise ValidationError(f"Target column {target!r} looks like an identifier (every value distinct); "
                              "choose the column to predict.")
    if problem_type == "BinaryClassification" and labels.nunique() != 2:
        raise ValidationError(f"BinaryClassification needs 2 classes; {target!r} has {labels.nunique()}.")
    objective = objective or DEFAULT_OBJECTIVE[problem_type]
    if objective not in OBJECTIVES[problem_type]:
        raise ValidationError(f"Objective {objective!r} does not fit {problem_type}; choose one of: "
                              f"{', '.join(OBJECTIVES[problem_type])}.")
    problem = Problem(target, problem_type, reason, objective, rows=len(frame))
    for column in frame.columns:
        if column == target:
            continue
        series = frame[column]
        if series.isna().all():
            problem.dropped[column] = "every value is missing"
            continue
        kind = _column_kind(series)
        if kind in ("categorical", "numeric") and series.dtype.kind != "f" and _is_id_like(series):
            problem.dropped[column] = "an identifier (every value distinct)"
        elif series.nunique(dropna=True) < 2:
            problem.dropped[column] = "a single value"
        else:
            problem.columns[column] = kind
    if not problem.columns:
        raise ValidationError("No usable feature column is left: " + "; ".join(f"{c}: {w}" for c, w in problem.dropped.items()))
    return problem
