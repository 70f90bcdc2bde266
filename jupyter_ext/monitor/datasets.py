"""Baseline datasets: their formats in SageMaker's words (`DatasetFormat.csv(header=True)` /
`.json(lines=True)` / `.sagemaker_capture_json()` give the dicts SageMaker's SDK gives),
checked, and the local paths a monitor reads and writes.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..store import artifact_store_for, home

__all__ = ["DatasetFormat", "check_dataset_format", "require_local_path", "dataset_and_format"]


class DatasetFormat:
    """The format of a baseline dataset (SageMaker's `DatasetFormat`)."""

    @staticmethod
    def csv(header: bool = True, output_columns_position: str = "START") -> dict[str, Any]:
        """CSV, with or without a header line; where the model's output columns sit in captured rows."""
        if output_columns_position not in ("START", "END"):
            raise ValidationError(f"output_columns_position {output_columns_position!r}; choose START or END.")
        return {"csv": {"header": bool(header), "output_columns_position": output_columns_position}}

    @staticmethod
    def json(lines: bool = True) -> dict[str, Any]:
        """JSON: one object per line (`lines=True`) or one list of objects."""
        return {"json": {"lines": bool(lines)}}

    @staticmethod
    def sagemaker_capture_json() -> dict[str, Any]:
        """An endpoint's captured JSONL records."""
        return {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}


def check_dataset_format(dataset_format: dict[str, Any] | None) -> dict[str, Any]:
    """The format, checked (default: CSV with a header)."""
    dataset_format = dataset_format or DatasetFormat.csv(header=True)
    if not isinstance(dataset_format, dict) or len(dataset_format) != 1 or \
            next(iter(dataset_format)) not in ("csv", "json", "sagemakerCaptureJson"):
        raise ValidationError(f"dataset_format {dataset_format!r}: use DatasetFormat.csv(header=True), "
                              "DatasetFormat.json(lines=True) or DatasetFormat.sagemaker_capture_json().")
    return dataset_format


def require_local_path(uri: str, what: str) -> str:
    """`uri` (a path, a file:// URI, or an s3:// URI in the local S3 folder) as a local path;
    ValidationError naming `what` for any other URI (real S3 included)."""
    path = artifact_store_for(str(uri)).path_on_disk(str(uri))
    if path is None:
        raise ValidationError(f"{what} {uri!r}: Model Monitor reads and writes local folders, file:// URIs and "
                              "s3:// URIs of the local S3 folder (not real S3: give a local path, or unset "
                              "JUPYTER_EXT_AWS).")
    return str(path)


def dataset_and_format(dataset: Any, dataset_format: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A dataset path and its checked format; a pandas DataFrame is written to CSV (with a header) first.

    Raises ValidationError for a missing file, a non-local URI or a wrong format.
    """
    if hasattr(dataset, "to_csv"):
        folder = home() / "monitor" / "datasets"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4()}.csv"
        dataset.to_csv(path, index=False)
        return str(path), {"csv": {"header": True, "output_columns_position": "START"}}
    path = require_local_path(str(dataset), "baseline_dataset")
    if not Path(path).exists():
        raise ValidationError(f"baseline_dataset {dataset} does not exist (looked for {path}).")
    return path, check_dataset_format(dataset_format)
