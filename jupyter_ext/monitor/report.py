"""The drift report of a monitoring run as static files: report.png (matplotlib, Agg) and
report.html (the picture inlined, the per-feature table and the violations), written next
to the run's outputs so a papermill run or a browser shows it without a kernel."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

from .sketch import BUCKETS, RankMap

__all__ = ["write_report", "compared_histograms", "REPORT_HTML", "REPORT_PNG", "MAX_CHARTS"]

REPORT_HTML, REPORT_PNG = "report.html", "report.png"
MAX_CHARTS = 12


def compared_histograms(baseline: dict[str, Any],
                        current: dict[str, Any]) -> tuple[list[str], list[float], list[float]] | None:
    """(labels, baseline shares, current shares) on shared buckets: for numbers, ten equal
    buckets over both ranges (from the sketches); for strings, the values of either. None
    when one is numeric and the other not (a type change)."""
    if ("numerical_statistics" in baseline) != ("numerical_statistics" in current):
        return None
    if "numerical_statistics" in baseline:
        first, second = baseline["numerical_statistics"], current["numerical_statistics"]
        low, high = min(first["min"], second["min"]), max(first["max"], second["max"])
        shares = []
        for numbers in (first, second):
            ranks = RankMap(numbers["distribution"]["kll"]["sketch"]["data"])
            counts = [b["count"] for b in ranks.buckets(low, high)]
            shares.append([c / (sum(counts) or 1) for c in counts])
        labels = [f"{low + (high - low) * i / BUCKETS:.3g}" for i in range(BUCKETS)]
        return labels, shares[0], shares[1]
    counts = [{b["value"]: b["count"] for b in f["string_statistics"]["distribution"]["categorical"]["buckets"]}
              for f in (baseline, current)]
    values = sorted(set(counts[0]) | set(counts[1]), key=lambda v: -(counts[0].get(v, 0) + counts[1].get(v, 0)))[:15]
    totals = [sum(c.values()) or 1 for c in counts]
    return ([str(v)[:12] for v in values], [counts[0].get(v, 0) / totals[0] for v in values],
            [counts[1].get(v, 0) / totals[1] for v in values])


def _picture(baseline: dict[str, Any], current: dict[str, Any], distances: dict[str, dict[str, float]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    names = [n for n in current if n in baseline][:MAX_CHARTS]
    rows = 1 + (len(names) + 2) // 3
    figure = Figure(figsize=(12, 3.2 * rows))
    axis = figure.add_subplot(rows, 1, 1)
    measured = [n for n in names if n in distances]
    values = [distances[n]["distance"] for n in measured]
    colours = ["#c0392b" if distances[n]["distance"] > distances[n]["threshold"] else "#2e86c1" for n in measured]
    axis.bar(measured, values, color=colours)
    for index, name in enumerate(measured):
        axis.hlines(distances[name]["threshold"], index - 0.4, index + 0.4, colors="black", linestyles="dashed")
    axis.set_title("Drift distance per feature (dashed: threshold)")
    for index, name in enumerate(names):
        axis = figure.add_subplot(rows, 3, 4 + index)
        compared = compared_histograms(baseline[name], current[name])
        if compared is not None:
            labels, first, second = compared
            positions = range(len(labels))
            axis.bar([p - 0.2 for p in positions], first, width=0.4, label="baseline", color="#7f8c8d")
            axis.bar([p + 0.2 for p in positions], second, width=0.4, label="current", color="#e67e22")
            axis.set_xticks(list(positions), labels, rotation=45)
        axis.set_title(name if compared is not None else f"{name} (type changed)", fontsize=9)
        axis.tick_params(labelsize=7)
        if index == 0:
            axis.legend(fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def report_html(title: str, png: bytes, violations: list[dict[str, Any]],
                distances: dict[str, dict[str, float]], malformed: int = 0) -> str:
    """The report page: title, picture, per-feature distances, violations."""
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{d['distance']:.4f}</td><td>{d['threshold']:g}</td>"
        f"<td>{'drift' if d['distance'] > d['threshold'] else 'ok'}</td></tr>" for n, d in distances.items())
    listed = "".join(f"<li><b>{html.escape(v['feature_name'])}</b> {html.escape(v['constraint_check_type'])}: "
                     f"{html.escape(v['description'])}</li>" for v in violations) or "<li>No violations.</li>"
    note = f"<p>{malformed} malformed line(s) skipped.</p>" if malformed else ""
    image = base64.b64encode(png).decode("ascii")
    return (f"<div class='jupyter-ext-drift-report'><h3>{html.escape(title)}</h3>{note}"
            f"<img src='data:image/png;base64,{image}' style='max-width:100%'/>"
            f"<table><tr><th>feature</th><th>distance</th><th>threshold</th><th></th></tr>{rows}</table>"
            f"<h4>{len(violations)} violation(s)</h4><ul>{listed}</ul></div>")


def write_report(folder: Path, baseline: dict[str, Any], current: dict[str, Any], violations: list[dict[str, Any]],
                 distances: dict[str, dict[str, float]], title: str, malformed: int = 0) -> Path:
    """Write report.png and report.html into `folder`; returns the HTML's path."""
    first = {f["name"]: f for f in baseline.get("features", [])}
    second = {f["name"]: f for f in current.get("features", [])}
    png = _picture(first, second, distances)
    (folder / REPORT_PNG).write_bytes(png)
    page = folder / REPORT_HTML
    page.write_text("<!doctype html><meta charset='utf-8'><title>Model Monitor report</title>"
                    + report_html(title, png, violations, distances, malformed))
    return page


def write_quality_report(folder: Path, statistics: dict[str, Any], violations: list[dict[str, Any]], title: str) -> Path:
    """report.png (each scalar metric) and report.html of a model-quality run."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    block = next(v for k, v in statistics.items() if k.endswith("_metrics"))
    scalars = {k: v["value"] for k, v in block.items() if isinstance(v, dict) and "value" in v
               and "best_constant" not in k}
    figure = Figure(figsize=(10, 3))
    axis = figure.add_subplot(1, 1, 1)
    axis.bar(list(scalars), list(scalars.values()), color="#2e86c1")
    axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    axis.set_title("Model quality metrics")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    (folder / REPORT_PNG).write_bytes(buffer.getvalue())
    page = folder / REPORT_HTML
    page.write_text("<!doctype html><meta charset='utf-8'><title>Model Monitor report</title>"
                    + report_html(title, buffer.getvalue(), violations, {}))
    return page
