"""What the tensor viewer and `%debugger` show, as plain data: a run's trial by job name
or folder, a tensor's statistic over steps, its distribution over steps, rule results."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import NotFoundError, ValidationError
from .config import ModeKeys
from .exceptions import TensorUnavailableForStep
from .trial import Trial, create_trial

__all__ = ["open_run", "tensor_series", "distribution_series", "STATISTICS", "PERCENTILES"]

STATISTICS = ("l2", "l1", "mean", "std", "min", "max", "variance")
PERCENTILES = (5, 25, 50, 75, 95)


def open_run(run: str | Path | Trial, timeout: float = 0.0) -> Trial:
    """A Trial for a training job name or a tensors folder (NotFoundError if it saved nothing)."""
    if isinstance(run, Trial):
        return run
    path = Path(run).expanduser()
    if not path.is_dir():
        from ..jobs import describe_job

        path = Path(describe_job(str(run)).job_dir) / "output" / "tensors"
    try:
        return create_trial(path, name=str(run), timeout=timeout)
    except NotFoundError:
        raise NotFoundError(f"{run} has no saved tensors yet (looked in {path}); was the job started with "
                            "debugger_hook_config or rules, and does its script create a Hook?") from None


def _mode(mode: str | ModeKeys) -> ModeKeys:
    if isinstance(mode, ModeKeys):
        return mode
    try:
        return ModeKeys[mode.upper()]
    except KeyError:
        raise ValidationError(f"Unknown mode {mode!r}; choose one of: {', '.join(m.name for m in ModeKeys)}.") from None


def tensor_series(trial: Trial, tensor: str, statistic: str = "l2", mode: str | ModeKeys = "GLOBAL") -> list[tuple[int, float]]:
    """(step, statistic) for every step the tensor (or that reduction of it) was saved."""
    if statistic not in STATISTICS:
        raise ValidationError(f"Unknown statistic {statistic!r}; choose one of: {', '.join(STATISTICS)}.")
    chosen, series = _mode(mode), []
    handle = trial.tensor(tensor)
    for step in handle.steps(chosen):
        try:
            series.append((step, handle.reduction_value(step, statistic, chosen)))
        except TensorUnavailableForStep:
            continue
    return series


def distribution_series(trial: Trial, tensor: str, mode: str | ModeKeys = "GLOBAL") -> dict[str, list[tuple[int, float]]]:
    """{"p5": [(step, value)], ..., "p95": [...]}: the tensor's percentiles over steps."""
    chosen = _mode(mode)
    bands: dict[str, list[tuple[int, float]]] = {f"p{p}": [] for p in PERCENTILES}
    for step, value in trial.tensor(tensor).values(chosen).items():
        for p, v in zip(PERCENTILES, np.percentile(value.astype(np.float64), PERCENTILES)):
            bands[f"p{p}"].append((step, float(v)))
    return bands
