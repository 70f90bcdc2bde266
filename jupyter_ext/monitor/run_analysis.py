"""The program of baselining and monitoring jobs: `python -m jupyter_ext.monitor.run_analysis
analysis.json` in the job folder.

- "baseline": the dataset → statistics.json and constraints.json in `output_path`.
- "monitoring": the endpoint's captures for [start_time, end_time) → statistics.json,
  constraint_violations.json (with a baseline) and the report (report.html, report.png)
  in `output_path`.
- "model_quality_baseline" / "model_quality_monitoring": see `quality.py`.
A failure writes `output/failure` (the job's failure reason) and exits 1.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .captured import capture_files, read_captured
from .constraints import drift_distances, find_violations, suggest_constraints
from .analysis_files import (
    CONSTRAINTS_FILE, STATISTICS_FILE, VIOLATIONS_FILE, read_json_file, validate_constraints, validate_statistics,
)
from .profile import profile_chunks, statistics_document
from .dataset_chunks import ReadReport, TypeConflict, read_dataset

__all__ = ["run_analysis", "main"]


def _write(folder: Path, name: str, document: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # statistics.json holds thousands of sketch items: written compactly (the C encoder).
    (folder / name).write_text(json.dumps(document, indent=None if name == STATISTICS_FILE else 1))


def _report_malformed(report: ReadReport) -> None:
    if report.malformed_lines:
        print(f"Skipped {report.malformed_lines} malformed line(s); the run went on. First ones:", flush=True)
        for example in report.examples:
            print(f"  {example}", flush=True)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _profile_dataset(path: Path, dataset_format: dict[str, Any], typed: bool = True,
                     strings: set[str] | None = None) -> tuple[list[Any], int, ReadReport]:
    """Profiles of a dataset. Read again as text if a column's type changes within a file,
    and again with those features counted value by value if a feature that began with
    numbers turned out to be a String (its category counts must include the numbers)."""
    report = ReadReport()
    try:
        profiles, rows = profile_chunks(read_dataset(path, dataset_format, report, typed=typed), strings)
    except TypeConflict as conflict:
        print(f"Column types change within the file ({conflict}); reading every value as text.", flush=True)
        return _profile_dataset(path, dataset_format, False, strings)
    partial = {p.name: p.first_text for p in profiles if p.inferred_type == "String" and not p.values_complete}
    if partial and strings is None:
        named = ", ".join(f"{name} (first text value {text!r})" for name, text in sorted(partial.items()))
        print(f"Features {named} mix numbers and text, so they are typed String (a header read as data? "
              "then use DatasetFormat.csv(header=True)); counting their values again.", flush=True)
        return _profile_dataset(path, dataset_format, typed, set(partial))
    return profiles, rows, report


def baseline(config: dict[str, Any]) -> dict[str, Any]:
    """Profile the dataset; write statistics.json and constraints.json."""
    started = time.monotonic()
    profiles, rows, report = _profile_dataset(Path(config["dataset"]), config["dataset_format"])
    _report_malformed(report)
    if not rows and report.malformed_lines:
        kind = "JSON Lines" if config["dataset_format"].get("json") is not None else "CSV"
        other = "DatasetFormat.csv(header=True)" if kind == "JSON Lines" else "DatasetFormat.json(lines=True)"
        raise ValidationError(f"Dataset {config['dataset']}: none of its {report.malformed_lines} lines reads as "
                              f"{kind} (first: {report.examples[0]}). Check dataset_format (e.g. {other}).")
    if not rows:
        raise ValidationError(f"Dataset {config['dataset']} has no rows to analyse (empty, or only a header). "
                              "Give a dataset with data.")
    statistics = statistics_document(profiles, rows, report.malformed_lines)
    output = Path(config["output_path"])
    _write(output, STATISTICS_FILE, statistics)
    constraints = suggest_constraints(statistics)
    if config.get("categorical_drift_method"):
        constraints["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] = \
            config["categorical_drift_method"]
    _write(output, CONSTRAINTS_FILE, constraints)
    seconds = time.monotonic() - started
    print(f"Baseline of {rows} rows x {len(profiles)} features in {seconds:.1f} s "
          f"({rows / max(seconds, 1e-9):,.0f} rows/s) written to {output}", flush=True)
    return statistics


def _baseline_files(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The baseline's statistics and constraints; ({}, None) for a schedule without a baseline."""
    if not config.get("baseline_constraints"):
        return {}, None
    statistics = read_json_file(config["baseline_statistics"], STATISTICS_FILE)
    validate_statistics(statistics, str(config["baseline_statistics"]))
    constraints = read_json_file(config["baseline_constraints"], CONSTRAINTS_FILE)
    validate_constraints(constraints, str(config["baseline_constraints"]))
    return statistics, constraints


def monitoring(config: dict[str, Any]) -> list[dict[str, Any]]:
    """Profile the captured window against the baseline; write statistics, violations and the
    report. Without a baseline (as SageMaker allows) columns are named _c0, _c1, ..., their
    types inferred, and only the statistics and the report are written."""
    statistics, constraints = _baseline_files(config)
    features = constraints["features"] if constraints else []
    names = [f["name"] for f in features]
    strings = {f["name"] for f in features if f["inferred_type"] == "String"} if constraints else None
    start, end, report = _time(config.get("start_time")), _time(config.get("end_time")), ReadReport()
    files = capture_files(Path(config["capture_root"]), config["endpoint"], start, end)
    chunks = read_captured(files, names, start, end, report, config.get("output_columns_position", "START") == "START")
    profiles, rows = profile_chunks(chunks, strings)
    _report_malformed(report)
    if not rows:
        raise ValidationError(f"No captured data for endpoint {config['endpoint']} between {start or 'the start'} "
                              f"and {end or 'now'} (looked in {config['capture_root']}). Invoke the endpoint with "
                              "data capture on, or widen the window.")
    current = statistics_document(profiles, rows, report.malformed_lines)
    output = Path(config["output_path"])
    _write(output, STATISTICS_FILE, current)
    violations, distances = [], {}
    if constraints:
        counts = {p.name: {"present": p.present, "integral": p.integral, "fractional": p.fractional} for p in profiles}
        violations = find_violations(statistics, constraints, current, counts)
        _write(output, VIOLATIONS_FILE, {"violations": violations})
        distances = drift_distances(statistics, constraints, current)
    from .report import write_report

    write_report(output, statistics, current, violations, distances,
                 title=f"Endpoint {config['endpoint']}: {rows} captured rows", malformed=report.malformed_lines)
    if (constraints or {}).get("monitoring_config", {}).get("emit_metrics", "Enabled") == "Enabled" and \
            config.get("publish_cloudwatch_metrics", "Enabled") == "Enabled":
        _emit_metrics(profiles, distances)
    checked = f"{len(violations)} violation(s)" if constraints else "no baseline, so no constraints checked"
    print(f"Monitoring run over {rows} captured rows: {checked}; outputs in {output}", flush=True)
    return violations


def _emit_metrics(profiles: list[Any], distances: dict[str, dict[str, float]]) -> None:
    """SageMaker's per-feature CloudWatch metrics, recorded as the job's metrics."""
    if not os.environ.get("JUPYTER_EXT_METRICS_FILE"):
        return  # not inside a job
    from ..jobs import log_metric

    for profile in profiles:
        total = profile.present + profile.missing
        log_metric(f"feature_non_null_{profile.name}", profile.present / total if total else 0.0)
        if profile.count:
            log_metric(f"feature_data_{profile.name}_Average", profile.mean)
        if profile.name in distances:
            log_metric(f"feature_baseline_drift_{profile.name}", distances[profile.name]["distance"])


def run_analysis(config: dict[str, Any]) -> Any:
    """Run the analysis `config` describes (see the module docstring)."""
    kind = config["kind"]
    if kind == "baseline":
        return baseline(config)
    if kind == "monitoring":
        return monitoring(config)
    from . import quality

    return quality.run(config)


def main(argv: list[str]) -> int:
    """Entry point of the job: read the config file named in argv, run it."""
    config = json.loads(Path(argv[0]).read_text())
    try:
        run_analysis(config)
    except ValidationError as error:
        failure = Path("output/failure")
        failure.parent.mkdir(parents=True, exist_ok=True)
        failure.write_text(str(error))
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
