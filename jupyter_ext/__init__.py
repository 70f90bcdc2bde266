"""jupyter_ext: a local-first ML studio inside JupyterLab that speaks SageMaker.

    from jupyter_ext import Estimator
    Estimator(entry_point="train.py", hyperparameters={"lr": 0.01}).fit({"train": "data/"})

`%load_ext jupyter_ext` adds the magics (%%train, %process, %jobs, %logs, %stop, %describe, %monitor_job, %lifecycle, %livy, %monitor, %model, %pipeline, ...).
Names are imported on first use, so job runners start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Estimator": "training",
    "TrainingInput": "training",
    "Processor": "processing",
    "ScriptProcessor": "processing",
    "NotebookProcessor": "processing",
    "PySparkProcessor": "spark",
    "ProcessingInput": "processing",
    "ProcessingOutput": "processing",
    "Job": "jobs",
    "list_jobs": "jobs",
    "describe_job": "jobs",
    "stop_job": "jobs",
    "log_metric": "jobs",
    "HyperparameterTuner": "tuning",
    "ContinuousParameter": "tuning",
    "IntegerParameter": "tuning",
    "CategoricalParameter": "tuning",
    "WarmStartConfig": "tuning",
    "WarmStartTypes": "tuning",
    "TuningJobCompletionCriteriaConfig": "tuning",
    "AutoML": "automl",
    "LabelingJob": "labeling",
    "JupyterExtError": "errors",
    "ValidationError": "errors",
    "NotFoundError": "errors",
    "ConflictError": "errors",
    "UnexpectedStatusError": "errors",
    "WaitInterrupted": "errors",
}

__all__ = [*_EXPORTS, "load_ipython_extension", "__version__"]

if TYPE_CHECKING:
    from .errors import (
        ConflictError, JupyterExtError, NotFoundError, UnexpectedStatusError, ValidationError, WaitInterrupted,
    )
    from .jobs import Job, describe_job, list_jobs, log_metric, stop_job
    from .labeling import LabelingJob
    from .processing import NotebookProcessor, ProcessingInput, ProcessingOutput, Processor, ScriptProcessor
    from .spark import PySparkProcessor
    from .training import Estimator, TrainingInput
    from .tuning import (
        CategoricalParameter, ContinuousParameter, HyperparameterTuner, IntegerParameter,
        TuningJobCompletionCriteriaConfig, WarmStartConfig, WarmStartTypes,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_ext' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext jupyter_ext`: register the magics, and show our errors short in cells."""
    from .magics.debugger import DebuggerMagics
    from .magics.jobs import JobMagics
    from .magics.labeling import LabelingMagics
    from .magics.lifecycle import LifecycleMagics
    from .magics.monitor import MonitorMagics
    from .magics.pipelines import PipelineMagics
    from .magics.registry import RegistryMagics
    from .magics.serving import ServingMagics
    from .magics.short_errors import register_short_errors
    from .magics.spark import LivyMagics

    for magics in (JobMagics, LifecycleMagics, DebuggerMagics, ServingMagics, RegistryMagics, LivyMagics,
                   MonitorMagics, PipelineMagics, LabelingMagics):
        ipython.register_magics(magics)
    register_short_errors(ipython)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_ext.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter_ext"}]
