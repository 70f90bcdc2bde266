"""The tensor viewer: a chosen tensor's norm (or another statistic) or distribution over
steps, several runs overlaid, with each run's rule results and the step that triggered."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..debugger.analysis import STATISTICS, distribution_series, open_run, tensor_series
from ..debugger.config import ModeKeys
from ..debugger.rule_jobs import rule_evaluations
from ..debugger.trial import Trial
from ..errors import JupyterExtError, ValidationError
from ..models import RuleEvaluationStatus
from .leaderboard import line_chart

__all__ = ["TensorViewer"]


class TensorViewer(widgets.VBox):
    """`TensorViewer(["job-a", "job-b"], tensor="gradient/Net_fc1.weight", statistic="l2")`.

    Runs are training job names or tensor folders. `statistic` is one of l2, l1, mean,
    std, min, max, variance, or "distribution" (percentiles of the first run). Its text
    form lists the points and the rule results (papermill, nbconvert).
    """

    def __init__(self, runs: str | Path | Trial | list[str | Path | Trial], tensor: str | None = None,
                 statistic: str = "l2", mode: str = "GLOBAL", **kwargs: Any) -> None:
        chosen = runs if isinstance(runs, list) else [runs]
        if not chosen:
            raise ValidationError("TensorViewer needs at least one run (a training job name or a tensors folder).")
        self.trials = [open_run(run) for run in chosen]
        self.rules = {t.name: self._rules(run) for t, run in zip(self.trials, chosen)}
        names = sorted(set().union(*(t.tensor_names() for t in self.trials)))
        if tensor is not None and tensor not in names:
            raise ValidationError(f"No run saved tensor {tensor!r}; saved tensors: {', '.join(names[:20])}.")
        if statistic not in (*STATISTICS, "distribution"):
            raise ValidationError(f"Unknown statistic {statistic!r}; choose one of: {', '.join(STATISTICS)}, distribution.")
        self.tensor = widgets.Dropdown(options=names, value=tensor or names[0], description="Tensor")
        self.statistic = widgets.Dropdown(options=[*STATISTICS, "distribution"], value=statistic, description="Show")
        self.mode = widgets.Dropdown(options=[m.name for m in ModeKeys], value=mode.upper(), description="Mode")
        self.chart, self.results = widgets.HTML(), widgets.HTML()
        for control in (self.tensor, self.statistic, self.mode):
            control.observe(lambda _change: self.render(), names="value")
        super().__init__([widgets.HBox([self.tensor, self.statistic, self.mode]), self.chart, self.results], **kwargs)
        self.render()

    @staticmethod
    def _rules(run: Any) -> list[RuleEvaluationStatus]:
        if isinstance(run, (Trial, Path)) or Path(str(run)).is_dir():
            return []
        try:
            return rule_evaluations(str(run))
        except JupyterExtError:
            return []

    def series(self) -> dict[str, list[tuple[int, float]]]:
        """The lines drawn now: one per run, or one per percentile for "distribution"."""
        tensor, mode = self.tensor.value, self.mode.value
        if self.statistic.value == "distribution":
            first = next((t for t in self.trials if t.has_tensor(tensor)), self.trials[0])
            return distribution_series(first, tensor, mode) if first.has_tensor(tensor) else {}
        return {t.name: tensor_series(t, tensor, self.statistic.value, mode) for t in self.trials if t.has_tensor(tensor)}

    def render(self) -> None:
        """Draw the chart and the rule results for the current choices."""
        self.chart.value = f"<b>{html.escape(self.tensor.value)}</b> ({self.statistic.value})<br>" + line_chart(self.series())
        rows = "".join(f"<tr><td>{html.escape(run)}</td><td>{html.escape(r.rule_configuration_name)}</td>"
                       f"<td>{r.rule_evaluation_status}</td><td>{'' if r.triggered_step is None else r.triggered_step}</td></tr>"
                       for run, rules in self.rules.items() for r in rules)
        self.results.value = ("<table><tr><th>Run</th><th>Rule</th><th>Status</th><th>Triggered at step</th></tr>"
                              f"{rows}</table>") if rows else ""

    def __repr__(self) -> str:
        lines = [f"{self.tensor.value} ({self.statistic.value}, mode {self.mode.value})"]
        for name, points in self.series().items():
            lines.append(f"  {name}: " + ", ".join(f"{step}={value:.4g}" for step, value in points))
        for run, rules in self.rules.items():
            for r in rules:
                at = "" if r.triggered_step is None else f" at step {r.triggered_step}"
                lines.append(f"  rule {r.rule_configuration_name} on {run}: {r.rule_evaluation_status}{at}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = repr(self)
        return bundle
