"""SageMaker's built-in algorithms in training job requests: the `sagemaker-xgboost` image
without a script (`sagemaker_program`, a ContainerEntrypoint) runs the built-in XGBoost
algorithm (jupyter_ext.algorithms) with the xgboost package, its metrics known without
MetricDefinitions, as SageMaker knows its algorithms' metrics.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..algorithms import ENTRY_SCRIPT, metric_definitions
from .images import FrameworkImage, framework_image
from .protocol import AwsError

__all__ = ["runs_builtin_algorithm", "builtin_metric_definitions", "staged_algorithm", "ALGORITHM_ENTRY_POINT"]

ALGORITHM_ENTRY_POINT = "xgboost_algorithm.py"


def runs_builtin_algorithm(request: Mapping[str, Any], hyperparameters: Mapping[str, Any] | None = None) -> bool:
    """Whether the request (a training job's, or a tuning job's definition) runs the built-in
    XGBoost algorithm: the XGBoost image, and no script of the user's."""
    algorithm = request.get("AlgorithmSpecification") or {}
    if hyperparameters is None:
        hyperparameters = request.get("HyperParameters") or request.get("StaticHyperParameters") or {}
    if algorithm.get("ContainerEntrypoint") or hyperparameters.get("sagemaker_program"):
        return False
    try:
        return framework_image(algorithm.get("TrainingImage")).framework == "xgboost"
    except AwsError:
        return False


def _check(request: Mapping[str, Any], image: FrameworkImage) -> None:
    if image.installed is None:
        raise AwsError("ValidationException", f"{image.uri} runs SageMaker's built-in XGBoost algorithm, which runs "
                       "here with the xgboost package, and it is not installed: pip install xgboost-cpu "
                       "(or jupyter_ext[xgboost]).")
    count = int((request.get("ResourceConfig") or {}).get("InstanceCount") or 1)
    if count > 1:
        raise AwsError("ValidationException", f"InstanceCount {count}: the built-in XGBoost algorithm trains on one "
                       "instance here; give InstanceCount 1.")


def builtin_metric_definitions(request: Mapping[str, Any], hyperparameters: Mapping[str, Any]) -> list[dict[str, str]]:
    """The algorithm's metrics for this job's channels and eval metrics, then the request's own
    MetricDefinitions (for names the algorithm does not define)."""
    channels = [channel["ChannelName"] for channel in request.get("InputDataConfig") or []]
    known = metric_definitions(hyperparameters, channels)
    names = {d["Name"] for d in known}
    given = (request.get("AlgorithmSpecification") or {}).get("MetricDefinitions") or []
    return known + [d for d in given if d["Name"] not in names]


@contextmanager
def staged_algorithm(request: Mapping[str, Any]) -> Iterator[tuple[Path, str]]:
    """(source folder, entry point) of the built-in algorithm's program, as `staged_code` gives a script's."""
    _check(request, framework_image(request["AlgorithmSpecification"].get("TrainingImage")))
    with tempfile.TemporaryDirectory(prefix="jupyter-ext-algorithm-") as staging:
        folder = Path(staging) / "code"
        folder.mkdir()
        (folder / ALGORITHM_ENTRY_POINT).write_text(ENTRY_SCRIPT)
        yield folder, ALGORITHM_ENTRY_POINT
