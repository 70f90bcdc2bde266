"""The widgets' views: how `jupyter_ext.display.show` renders each kind of result.

Registered in `jupyter_ext.display.views` as "widget.<kind>" (and "text.tensors": the
tensor viewer has its own text form).
"""

from __future__ import annotations

from typing import Any

from IPython.display import display

from ..display import ShowDriftReport, ShowLeaderboard, ShowTensors
from .drift_report import DriftReport
from .leaderboard import Leaderboard
from .tensor_viewer import TensorViewer

__all__ = ["drift_report", "leaderboard", "tensors"]


def leaderboard(result: ShowLeaderboard) -> Leaderboard:
    """A sortable leaderboard with charts."""
    return Leaderboard(result.experiment, result.metric, ascending=result.ascending)


def drift_report(result: ShowDriftReport) -> None:
    """Display the drift report widget (the magic's value stays None, as with the text form)."""
    display(DriftReport(result.execution, result.statistics, result.constraints))


def tensors(result: ShowTensors) -> Any:
    """The tensor viewer over the chosen runs."""
    return TensorViewer(list(result.runs), tensor=result.tensor, statistic=result.statistic, mode=result.mode)
