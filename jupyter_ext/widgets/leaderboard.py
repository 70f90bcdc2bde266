"""The leaderboard widget: an experiment's runs ranked by a metric, sortable, with a chart
of the metric over steps for chosen runs and of the metric against a parameter."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..experiments import Experiment
from ..experiments.queries import metric_series

__all__ = ["Leaderboard", "line_chart", "scatter_chart"]

_W, _H, _PAD = 320, 140, 8


def _scale(values: list[float], size: float) -> Any:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return lambda v: _PAD + (v - low) / span * (size - 2 * _PAD)


def line_chart(series: dict[str, list[tuple[int, float]]]) -> str:
    """SVG: one line per run (steps on x, values on y)."""
    points = [p for line in series.values() for p in line]
    if not points:
        return "<i>no points</i>"
    x, y = _scale([p[0] for p in points], _W), _scale([p[1] for p in points], _H)
    colours = ("#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
    lines = [f'<polyline fill="none" stroke="{colours[i % len(colours)]}" stroke-width="1.5" points="'
             + " ".join(f"{x(s):.1f},{_H - y(v):.1f}" for s, v in line) + f'"><title>{html.escape(name)}</title></polyline>'
             for i, (name, line) in enumerate(series.items())]
    return f'<svg width="{_W}" height="{_H}" style="border:1px solid #ccc">{"".join(lines)}</svg>'


def scatter_chart(pairs: list[tuple[float, float, str]]) -> str:
    """SVG: one dot per run (parameter on x, metric on y)."""
    if not pairs:
        return "<i>no numeric parameter values</i>"
    x, y = _scale([p[0] for p in pairs], _W), _scale([p[1] for p in pairs], _H)
    dots = [f'<circle cx="{x(a):.1f}" cy="{_H - y(b):.1f}" r="3" fill="#1565c0"><title>{html.escape(n)}</title></circle>'
            for a, b, n in pairs]
    return f'<svg width="{_W}" height="{_H}" style="border:1px solid #ccc">{"".join(dots)}</svg>'


class Leaderboard(widgets.VBox):
    """`Leaderboard(experiment_name, metric)`; its text form is the ranked table."""

    def __init__(self, experiment_name: str, metric: str, ascending: bool = False, **kwargs: Any) -> None:
        self.experiment, self.metric = Experiment(experiment_name), metric
        self.frame = self.experiment.leaderboard(metric, ascending=ascending)
        self.sort_by = widgets.Dropdown(options=list(self.frame.columns), value=f"{metric} - Last", description="Sort by")
        self.ascending = widgets.Checkbox(value=ascending, description="Ascending")
        self.table = widgets.HTML()
        parameters = [c for c in self.frame.columns[4:]]
        self.runs = widgets.SelectMultiple(options=list(self.frame["TrialComponentName"]),
                                           value=tuple(self.frame["TrialComponentName"][:3]), description="Runs")
        self.parameter = widgets.Dropdown(options=parameters or ["-"], description="Parameter")
        self.steps_chart, self.parameter_chart = widgets.HTML(), widgets.HTML()
        for control in (self.sort_by, self.ascending, self.runs, self.parameter):
            control.observe(lambda _change: self.render(), names="value")
        super().__init__([widgets.HBox([self.sort_by, self.ascending]), self.table,
                          widgets.HBox([widgets.VBox([self.runs, self.steps_chart]),
                                        widgets.VBox([self.parameter, self.parameter_chart])])], **kwargs)
        self.render()

    def render(self) -> None:
        """Draw the table and charts for the current choices."""
        frame = self.frame.sort_values(self.sort_by.value, ascending=self.ascending.value, na_position="last")
        self.table.value = frame.to_html(index=False, float_format=lambda v: f"{v:.4g}")
        self.steps_chart.value = line_chart(self._series(list(self.runs.value)))
        column = f"{self.metric} - Last"
        pairs = [(float(row[self.parameter.value]), float(row[column]), row["TrialComponentName"])
                 for _, row in frame.iterrows() if self.parameter.value in frame.columns
                 and isinstance(row[self.parameter.value], (int, float)) and row[column] == row[column]]
        self.parameter_chart.value = scatter_chart(pairs)

    def _series(self, runs: list[str]) -> dict[str, list[tuple[int, float]]]:
        return {run: metric_series(run, self.metric) for run in runs}

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = repr(self)
        return bundle


