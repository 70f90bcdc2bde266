"""`show(result)`: the one way a magic puts a result in front of the user.

A magic hands its result to `show`. Results that have a richer form are `Shown`
records naming their kind (`ShowLeaderboard.kind == "leaderboard"`); the `views` registry maps
"<display>.<kind>" ("widget.leaderboard") to a view, a callable `view(result)` whose
return value is the cell's value. Without a view for the display chosen (always so
under papermill, where the display is "text") the result's own `text()` is used, so
the text fallback needs no widget library. Anything else is shown as it is.

The built-in views live in `jupyter_ext.widgets.views`, named here as strings so
nothing is imported until a view is used; others come from the `jupyter_ext.views`
entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .jobs.display import display_choice
from .plugins import Registry

__all__ = ["ShowDriftReport", "ShowLeaderboard", "ShowTensors", "Shown", "View", "show", "views"]

View = Callable[[Any], Any]

_WIDGETS = "jupyter_ext.widgets.views"

views: Registry[View] = Registry("view", "jupyter_ext.views", {
    "widget.leaderboard": f"{_WIDGETS}:leaderboard",
    "widget.drift-report": f"{_WIDGETS}:drift_report",
    "widget.tensors": f"{_WIDGETS}:tensors",
    # The tensor viewer's text form is its own (points and rule results), so it is
    # the text view too.
    "text.tensors": f"{_WIDGETS}:tensors",
})


def show(result: Any) -> Any:
    """Show `result` the best way the front end can; returns the cell's value."""
    if not isinstance(result, Shown):
        return result
    name = f"{display_choice()}.{result.kind}"
    if name in views:
        return views.get(name)(result)
    return result.text()


class Shown:
    """A result with a richer form than its value: `kind` names its views, `text()` is
    the text fallback (its return value is the cell's value)."""

    kind: ClassVar[str]

    def text(self) -> Any:
        """The text fallback."""
        raise NotImplementedError


@dataclass(frozen=True)
class ShowLeaderboard(Shown):
    """An experiment's runs ranked by `metric`; as text, the ranked DataFrame."""

    kind: ClassVar[str] = "leaderboard"
    experiment: str
    metric: str
    ascending: bool = False
    stat: str = "Last"

    def text(self) -> Any:
        """The leaderboard as a pandas DataFrame."""
        from .experiments import Experiment

        return Experiment(self.experiment).leaderboard(self.metric, ascending=self.ascending, stat=self.stat)


@dataclass(frozen=True)
class ShowDriftReport(Shown):
    """A monitoring run's drift report against a baseline folder; as text, its static report."""

    kind: ClassVar[str] = "drift-report"
    execution: Any  # a jupyter_ext.monitor.MonitoringExecution
    baseline: str

    @property
    def statistics(self) -> Path:
        """The baseline's statistics.json."""
        return Path(self.baseline) / "statistics.json"

    @property
    def constraints(self) -> Path:
        """The baseline's constraints.json."""
        return Path(self.baseline) / "constraints.json"

    def text(self) -> None:
        """Display the run's static HTML report (nbconvert and papermill keep it)."""
        from IPython.display import HTML, display

        display(HTML(self.execution._repr_html_()))


@dataclass(frozen=True)
class ShowTensors(Shown):
    """Saved tensors of one or more debugged runs, over steps."""

    kind: ClassVar[str] = "tensors"
    runs: tuple[str, ...]
    tensor: str | None = None
    statistic: str = "l2"
    mode: str = "GLOBAL"

    def text(self) -> str:
        """Used only if no view is registered: where to look instead."""
        return f"Install jupyter_ext's widgets (ipywidgets) to view tensors of {', '.join(self.runs)}."
