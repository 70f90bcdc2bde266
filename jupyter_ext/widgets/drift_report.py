"""The drift report of a monitoring run: per-feature drift distance against its threshold,
baseline vs current histograms of a chosen feature, and the violations. Its text form
(papermill, nbconvert) lists the same."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..monitor import MonitoringExecution, Statistics
from ..monitor.constraints import drift_distances
from ..monitor.analysis_files import Constraints
from ..monitor.report import compared_histograms

__all__ = ["DriftReport"]


def _bars(labels: list[str], series: dict[str, list[float]], colours: dict[str, str]) -> str:
    """Side-by-side bars as an inline SVG."""
    width, height, count = 560, 160, max(len(labels), 1)
    step = width / count
    shapes = []
    for offset, (name, values) in enumerate(series.items()):
        top = max((v for s in series.values() for v in s), default=1) or 1
        for i, value in enumerate(values):
            bar = height * value / top
            shapes.append(f"<rect x='{i * step + offset * step / 2:.1f}' y='{height - bar:.1f}' width='{step / 2 - 1:.1f}' "
                          f"height='{bar:.1f}' fill='{colours[name]}'><title>{html.escape(labels[i])}: {value:.3f}</title></rect>")
    legend = " ".join(f"<tspan fill='{colours[n]}'>■ {n}</tspan>" for n in series)
    return (f"<svg width='{width}' height='{height + 20}'>{''.join(shapes)}"
            f"<text x='0' y='{height + 15}' font-size='11'>{legend}</text></svg>")


class DriftReport(widgets.VBox):
    """`DriftReport(execution, baseline_statistics, constraints)`: a monitoring run's report.

    `execution` is a MonitoringExecution (or a run's output folder); the baseline files are
    Statistics/Constraints objects or paths.
    """

    def __init__(self, execution: MonitoringExecution | str | Path, baseline_statistics: Any,
                 constraints: Any, **kwargs: Any) -> None:
        folder = Path(execution.output_path if isinstance(execution, MonitoringExecution) else execution)
        self.current = Statistics.from_file_path(folder).body_dict
        self.baseline = (baseline_statistics if isinstance(baseline_statistics, Statistics)
                         else Statistics.from_file_path(baseline_statistics)).body_dict
        if not isinstance(constraints, Constraints):
            constraints = Constraints.from_file_path(constraints)
        rules = constraints.body_dict
        from ..monitor.analysis_files import read_json_file

        self.violations = read_json_file(folder, "constraint_violations.json").get("violations", [])
        self.distances = drift_distances(self.baseline, rules, self.current)
        known = {b["name"] for b in self.baseline["features"]}
        names = [f["name"] for f in self.current["features"] if f["name"] in known]
        self.feature = widgets.Dropdown(options=names, value=names[0] if names else None, description="Feature")
        self.summary, self.chart, self.listing = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.feature.observe(lambda _change: self._render_chart(), names="value")
        super().__init__([self.summary, self.feature, self.chart, self.listing], **kwargs)
        self._render()

    def _render(self) -> None:
        labels = list(self.distances)
        self.summary.value = "<b>Drift distance per feature</b> (grey: threshold)" + _bars(
            labels, {"distance": [self.distances[n]["distance"] for n in labels],
                     "threshold": [self.distances[n]["threshold"] for n in labels]},
            {"distance": "#e67e22", "threshold": "#7f8c8d"})
        items = "".join(f"<li><b>{html.escape(v['feature_name'])}</b> {html.escape(v['constraint_check_type'])}: "
                        f"{html.escape(v['description'])}</li>" for v in self.violations)
        self.listing.value = f"<b>{len(self.violations)} violation(s)</b><ul>{items}</ul>"
        self._render_chart()

    def _render_chart(self) -> None:
        name = self.feature.value
        if name is None:
            self.chart.value = "No feature in common with the baseline."
            return
        first = next(f for f in self.baseline["features"] if f["name"] == name)
        second = next(f for f in self.current["features"] if f["name"] == name)
        compared = compared_histograms(first, second)
        if compared is None:
            self.chart.value = f"{html.escape(name)}: the type changed; no histogram to compare."
            return
        labels, base, live = compared
        self.chart.value = _bars(labels, {"baseline": base, "current": live}, {"baseline": "#7f8c8d", "current": "#e67e22"})

    def text(self) -> str:
        """The report as plain text."""
        lines = [f"{n}: drift distance {d['distance']:.4f} (threshold {d['threshold']:g})" for n, d in self.distances.items()]
        lines.append(f"{len(self.violations)} violation(s)")
        lines += [f"  {v['feature_name']} {v['constraint_check_type']}: {v['description']}" for v in self.violations]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(self.text())
