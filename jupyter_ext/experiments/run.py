"""Run: track parameters, metrics and artifacts from notebook code, SageMaker-style.

    with Run(experiment_name="churn", run_name="baseline") as run:
        run.log_parameter("C", 1.0)
        run.log_metric("auc", 0.91)

Metrics are buffered and written in batches (every 1,000 points, every second, and when
the run ends), so logging in a training loop stays cheap.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
import uuid
from datetime import datetime
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..store import get_store, home
from . import curves, records

__all__ = ["Run", "load_run", "current_run", "FLUSH_POINTS", "FLUSH_SECONDS"]

FLUSH_POINTS = 1000
FLUSH_SECONDS = 1.0
MAX_REASON = 1024
_current: Run | None = None  # the run inside `with`, in this process


def _source() -> str:
    """Where the logging code runs: the notebook (in JupyterLab) or the script."""
    notebook = os.environ.get("JPY_SESSION_NAME")
    if notebook:
        return notebook
    main = sys.modules.get("__main__")
    return getattr(main, "__file__", None) or "<interactive>"


class Run:
    """A run (trial component) of an experiment; use it as a context manager.

    Entering marks it InProgress; leaving marks it Completed, or Failed with the
    exception's text. Logging outside `with` raises RuntimeError, as in SageMaker.
    """

    def __init__(self, experiment_name: str, run_name: str | None = None, experiment_display_name: str | None = None,
                 run_display_name: str | None = None, tags: dict[str, str] | None = None,
                 trial_name: str | None = None, **_sagemaker_only: Any) -> None:
        ignore_sagemaker_arguments("Run", _sagemaker_only)
        self.experiment_name = records.check_name("experiment", experiment_name)
        self.run_name = records.check_name("run", (run_name or f"run-{uuid.uuid4().hex[:12]}").lower())
        self.name = records.run_name_for(self.experiment_name, self.run_name)
        self.display_name = run_display_name or self.run_name
        self.trial_name = trial_name or f"Default-Run-Group-{self.experiment_name}"
        self.tags = dict(tags or {})
        self._experiment_description = experiment_display_name or ""
        self._active = self._job_bound = False
        self._buffer: list[tuple[str, str, float, int | None, float]] = []
        self._flushed_at = time.monotonic()
        self._steps: dict[str, int] = {}

    def __enter__(self) -> Run:
        global _current
        if self._active or _current is not None:
            raise RuntimeError(f"Run {(_current or self).name} is already active: runs do not nest.")
        if not self._job_bound:
            store = get_store()
            records.ensure_experiment(store, self.experiment_name, self._experiment_description, self.tags)
            records.ensure_run(store, self.name, self.experiment_name, self.trial_name, self.display_name, _source())
        self._active, _current = True, self
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: TracebackType | None) -> None:
        global _current
        try:
            self.flush()
        finally:
            self._active, _current = False, None
            if not self._job_bound:  # a job's run ends with the job
                status = "Completed" if error is None else "Failed"
                reason = None if error is None else f"{kind.__name__}: {error}"[:MAX_REASON]
                records.end_run(get_store(), self.name, status, reason)

    @property
    def experiment_config(self) -> dict[str, str]:
        """What a job launched inside this run's `with` gets as its experiment_config: this
        run's experiment and run group. (The job stays a run of its own there; SageMaker
        names the notebook's run too, but here a job's RunName is the job's own run.)"""
        return {"ExperimentName": self.experiment_name, "TrialName": self.trial_name}

    def _check(self) -> None:
        if not self._active:
            raise RuntimeError("Log inside `with Run(...) as run:` (or, in a job, `with load_run() as run:`); "
                               "the run is not active.")

    def log_parameter(self, name: str, value: str | int | float) -> None:
        """Record one parameter (a string, int or float)."""
        self.log_parameters({name: value})

    def log_parameters(self, parameters: dict[str, str | int | float]) -> None:
        """Record several parameters."""
        self._check()
        records.set_parameters(get_store(), self.name, parameters)

    def log_metric(self, name: str, value: float, step: int | None = None,
                   timestamp: float | datetime | None = None) -> None:
        """Add a point to metric `name` (step defaults to the count of earlier points;
        timestamp: a datetime or seconds since the epoch, default now)."""
        self._check()
        records.check_metric_name("metric", name)
        if isinstance(timestamp, datetime):
            timestamp = timestamp.timestamp()
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValidationError(f"Metric {name!r}: {value!r} is not a number.")
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(f"Metric {name!r}: {value!r} is not a finite number.")
        if step is None:
            step = self._steps.get(name, 0)
        self._steps[name] = max(self._steps.get(name, 0), step + 1)
        self._buffer.append((self.name, name, number, step, time.time() if timestamp is None else float(timestamp)))
        if len(self._buffer) >= FLUSH_POINTS or time.monotonic() - self._flushed_at > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write buffered metric points to the store."""
        if self._buffer:
            records.add_run_metrics(get_store(), self._buffer)
            self._buffer = []
        self._flushed_at = time.monotonic()

    def log_artifact(self, name: str, value: str, media_type: str | None = None, is_output: bool = True) -> None:
        """Record an artifact: a path, a URI or a short value."""
        self._check()
        records.add_artifact(get_store(), self.name, name, str(value), media_type, is_output)

    def log_file(self, file_path: str, name: str | None = None, media_type: str | None = None,
                 is_output: bool = True) -> str:
        """Copy a file into the run's artifact folder and record it; returns where it went."""
        self._check()
        source = Path(file_path)
        if not source.is_file():
            raise ValidationError(f"log_file: {file_path} is not a file.")
        target = home() / "artifacts" / "experiments" / self.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        records.add_artifact(get_store(), self.name, name or source.name, str(target), media_type, is_output)
        return str(target)

    def _log_json(self, name: str, data: dict[str, Any], is_output: bool) -> None:
        target = home() / "artifacts" / "experiments" / self.name / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data))
        records.add_artifact(get_store(), self.name, name, str(target), "application/json", is_output)

    def log_confusion_matrix(self, y_true: Sequence[Any], y_pred: Sequence[Any], title: str | None = None,
                             is_output: bool = True) -> None:
        """Record a confusion matrix (a JSON artifact)."""
        self._check()
        self._log_json(title or "confusion-matrix", curves.confusion_matrix(y_true, y_pred), is_output)

    def log_roc_curve(self, y_true: Sequence[Any], y_score: Sequence[float], title: str | None = None,
                      is_output: bool = True) -> None:
        """Record an ROC curve and its area (a JSON artifact)."""
        self._check()
        self._log_json(title or "roc-curve", curves.roc_curve(y_true, y_score), is_output)

    def log_precision_recall(self, y_true: Sequence[Any], predicted_probabilities: Sequence[float],
                             positive_label: Any = 1, title: str | None = None, is_output: bool = True) -> None:
        """Record a precision-recall curve (a JSON artifact)."""
        self._check()
        self._log_json(title or "precision-recall",
                       curves.precision_recall_curve(y_true, predicted_probabilities, positive_label), is_output)


class _Joined:
    """The enclosing `with Run(...)`'s run, for `with load_run() as run:` inside it: entering
    gives that run, leaving leaves it running (the outer `with` ends it)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def __enter__(self) -> Run:
        return self.run

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.run, name)


def current_run() -> Run | None:
    """The run inside `with Run(...)` in this process, if any."""
    return _current


def load_run(run_name: str | None = None, experiment_name: str | None = None, **sagemaker_only: Any) -> Run:
    """A run to log to, as SageMaker's load_run: the run `run_name` of `experiment_name`
    when named (made if missing); else the run of the enclosing `with Run(...)`; else,
    inside a job launched with an experiment_config, the job's run.
    Use it as `with load_run(...) as run:`."""
    ignore_sagemaker_arguments("load_run", sagemaker_only)
    if run_name is not None or experiment_name is not None:
        if run_name is None or experiment_name is None:
            raise ValidationError("load_run needs both experiment_name= and run_name= (or neither, inside "
                                  "`with Run(...)` or a job).")
        return Run(experiment_name, run_name)
    if _current is not None:
        return _Joined(_current)  # type: ignore[return-value]
    job = os.environ.get("JUPYTER_EXT_JOB_NAME")
    if not job:
        raise RuntimeError("load_run() without names works inside `with Run(...)` or a job; "
                           "elsewhere give load_run(experiment_name=..., run_name=...).")
    row = records.job_run(get_store(), job)
    if row is None or row["experiment"] is None:
        raise RuntimeError(f"Job {job} has no experiment: pass experiment_config={{'ExperimentName': ...}}.")
    run = Run.__new__(Run)
    run.experiment_name, run.name, run.display_name = row["experiment"], row["name"], row["display_name"]
    run.run_name, run.trial_name, run.tags, run._experiment_description = run.name, None, {}, ""
    run._active, run._job_bound, run._buffer, run._flushed_at, run._steps = False, True, [], time.monotonic(), {}
    return run
