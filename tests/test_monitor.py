"""Model Monitor files and math: statistics/constraints against SageMaker's schema, numbers
against pandas, Deequ's drift distances, and monitoring runs that find (or do not find)
each kind of violation. Baselines run as real Processing jobs; the drift cases run the
job's own analysis over captures written in the serving package's format."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy
import pandas
import pytest

from jupyter_ext.errors import UnexpectedStatusError, ValidationError
from jupyter_ext.jobs import describe_job, list_jobs
from jupyter_ext.monitor import (
    Constraints, DatasetFormat, DefaultModelMonitor, Statistics, validate_constraints, validate_statistics,
)
from jupyter_ext.monitor.run_analysis import run_analysis
from jupyter_ext.monitor.drift import categorical_distance, chi_squared_p_value, numeric_distance
from jupyter_ext.monitor.sketch import RankMap
from monitor_data import frame, write_captures


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline of 5000 rows made in-process by the job's own analysis (shared by the drift cases)."""
    folder = tmp_path_factory.mktemp("baseline")
    frame(5000, seed=1).to_csv(folder / "train.csv", index=False)
    run_analysis({"kind": "baseline", "dataset": str(folder / "train.csv"),
                  "dataset_format": DatasetFormat.csv(header=True), "output_path": str(folder / "out")})
    return folder / "out"


def test_suggest_baseline_is_a_processing_job_with_schema_valid_files_matching_pandas(tmp_path: Path) -> None:
    data = frame(3000, seed=2)
    data.loc[::10, "x3"] = numpy.nan  # 10 % missing
    data.to_csv(tmp_path / "train.csv", index=False)
    monitor = DefaultModelMonitor()
    job = monitor.suggest_baseline(str(tmp_path / "train.csv"), DatasetFormat.csv(header=True),
                                   output_s3_uri=str(tmp_path / "baseline"))
    assert describe_job(job.job_name).job_type == "Processing"
    assert [j.name for j in list_jobs()] == [job.job_name]
    statistics = monitor.latest_baselining_job.baseline_statistics()
    constraints = monitor.latest_baselining_job.suggested_constraints()
    validate_statistics(statistics.body_dict)
    validate_constraints(constraints.body_dict)
    assert statistics.body_dict["dataset"] == {"item_count": 3000}
    for name, kind in (("x1", "Fractional"), ("x2", "Integral"), ("x3", "Fractional")):
        feature = statistics.feature(name)
        numbers, column = feature["numerical_statistics"], data[name]
        assert feature["inferred_type"] == kind
        assert numbers["common"] == {"num_present": int(column.count()), "num_missing": int(column.isna().sum())}
        for key, expected in (("mean", column.mean()), ("sum", column.sum()), ("std_dev", column.std(ddof=0)),
                              ("min", column.min()), ("max", column.max())):
            assert numbers[key] == pytest.approx(expected, rel=1e-9, abs=1e-9), (name, key)
        kll = numbers["distribution"]["kll"]
        assert len(kll["buckets"]) == 10 and kll["sketch"]["parameters"] == {"c": 0.64, "k": 2048.0}
        assert sum(b["count"] for b in kll["buckets"]) == column.count()  # the last bucket includes max
        counts = numpy.histogram(column.dropna(), bins=10, range=(column.min(), column.max()))[0]
        assert [b["count"] for b in kll["buckets"]] == pytest.approx(counts, abs=0.02 * column.count())
    strings = statistics.feature("cat")["string_statistics"]
    assert strings["distinct_count"] == 3
    assert {b["value"]: b["count"] for b in strings["distribution"]["categorical"]["buckets"]} == \
        data["cat"].value_counts().to_dict()
    by_name = {f["name"]: f for f in constraints.body_dict["features"]}
    assert by_name["x3"]["completeness"] == pytest.approx(0.9)
    assert by_name["x1"]["num_constraints"] == {"is_non_negative": False}
    assert by_name["x2"]["num_constraints"] == {"is_non_negative": True}
    assert sorted(by_name["cat"]["string_constraints"]["domains"]) == ["a", "b", "c"]
    assert constraints.body_dict["monitoring_config"]["distribution_constraints"]["comparison_method"] == "Robust"
    # Editable and saveable, as SageMaker's objects are.
    constraints.body_dict["monitoring_config"]["distribution_constraints"]["comparison_threshold"] = 0.3
    constraints.set_monitoring(False, "x1")
    saved = constraints.save(tmp_path / "edited")
    again = Constraints.from_file_path(saved).body_dict
    assert again["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.3
    assert Statistics.from_file_path(tmp_path / "baseline").feature("x1")["name"] == "x1"


def test_a_dataframe_and_json_lines_baseline(tmp_path: Path) -> None:
    data = frame(500, seed=3)
    data.to_json(tmp_path / "train.jsonl", orient="records", lines=True)
    monitor = DefaultModelMonitor()
    monitor.suggest_baseline(str(tmp_path / "train.jsonl"), DatasetFormat.json(lines=True),
                             output_s3_uri=str(tmp_path / "json"), logs=False)
    from_json = monitor.baseline_statistics().body_dict
    monitor.suggest_baseline(data, output_s3_uri=str(tmp_path / "df"), logs=False)
    from_frame = monitor.baseline_statistics().body_dict
    data.to_csv(tmp_path / "plain.csv", index=False, header=False)
    monitor.suggest_baseline(str(tmp_path / "plain.csv"), DatasetFormat.csv(header=False),
                             output_s3_uri=str(tmp_path / "plain"), logs=False)
    plain = {f["name"]: f["inferred_type"] for f in monitor.baseline_statistics().body_dict["features"]}
    assert plain == {"_c0": "Fractional", "_c1": "Integral", "_c2": "String", "_c3": "Fractional"}
    for statistics in (from_json, from_frame):
        types = {f["name"]: f["inferred_type"] for f in statistics["features"]}
        assert types == {"x1": "Fractional", "x2": "Integral", "cat": "String", "x3": "Fractional"}
        assert statistics["dataset"]["item_count"] == 500
        x1 = next(f for f in statistics["features"] if f["name"] == "x1")["numerical_statistics"]
        assert x1["mean"] == pytest.approx(data["x1"].mean())


def _run(tmp_path: Path, baseline: Path, rows: list[list[object]], constraints: Path | None = None) -> list[dict]:
    write_captures(tmp_path / "capture", "ep", rows)
    output = tmp_path / "run"
    run_analysis({"kind": "monitoring", "endpoint": "ep", "capture_root": str(tmp_path / "capture"),
                  "baseline_statistics": str(baseline / "statistics.json"),
                  "baseline_constraints": str(constraints or baseline / "constraints.json"),
                  "output_path": str(output), "start_time": None, "end_time": None})
    validate_statistics(json.loads((output / "statistics.json").read_text()))
    assert (output / "report.html").is_file() and (output / "report.png").stat().st_size > 1000
    return json.loads((output / "constraint_violations.json").read_text())["violations"]


def _rows(data: pandas.DataFrame) -> list[list[object]]:
    return data.astype(object).where(data.notna(), None).values.tolist()


def _checks(violations: list[dict]) -> set[tuple[str, str]]:
    return {(v["feature_name"], v["constraint_check_type"]) for v in violations}


def test_no_violation_on_data_drawn_like_the_baseline(tmp_path: Path, baseline: Path) -> None:
    assert _run(tmp_path, baseline, _rows(frame(2000, seed=7))) == []


def test_a_shifted_feature_drifts(tmp_path: Path, baseline: Path) -> None:
    violations = _run(tmp_path, baseline, _rows(frame(2000, seed=7, shift=1.0)))
    assert _checks(violations) == {("x1", "baseline_drift_check")}
    distance = float(violations[0]["description"].split("distance: ")[1].split(" exceeds")[0])
    assert 0.25 < distance < 0.45 and "exceeds threshold: 0.1" in violations[0]["description"]


def test_a_new_category_more_missing_values_and_a_type_change(tmp_path: Path, baseline: Path) -> None:
    data = frame(2000, seed=8)
    data["cat"] = numpy.where(numpy.arange(2000) % 3 == 0, "zebra", data["cat"])
    data.loc[::4, "x3"] = numpy.nan
    data["x2"] = data["x2"].map(lambda v: f"n{v}")
    checks = _checks(_run(tmp_path, baseline, _rows(data)))
    assert ("cat", "categorical_values_check") in checks and ("cat", "baseline_drift_check") in checks
    assert ("x3", "completeness_check") in checks
    assert ("x2", "data_type_check") in checks
    assert not {c for c in checks if c[0] == "x1"}


def test_a_dropped_and_an_extra_column(tmp_path: Path, baseline: Path) -> None:
    data = frame(1000, seed=9)
    dropped = _run(tmp_path / "dropped", baseline, _rows(data[["x1", "x2", "cat"]]))
    assert _checks(dropped) == {("x3", "missing_column_check")}
    extra = _run(tmp_path / "extra", baseline, _rows(data.assign(more=1.5)))
    assert _checks(extra) == {("_c4", "extra_column_check")}


def test_chi_squared_and_simple_methods_from_edited_constraints(tmp_path: Path, baseline: Path) -> None:
    constraints = Constraints.from_file_path(baseline / "constraints.json")
    config = constraints.body_dict["monitoring_config"]["distribution_constraints"]
    config.update(categorical_drift_method="ChiSquared", comparison_method="Simple", comparison_threshold=0.2,
                  categorical_comparison_threshold=0.05)
    path = Path(constraints.save(tmp_path / "edited" / "constraints.json"))
    data = frame(2000, seed=10)
    data["cat"] = numpy.random.RandomState(0).choice(["a", "b", "c"], 2000, p=[0.3, 0.3, 0.4])
    violations = _run(tmp_path, baseline, _rows(data), path)
    assert _checks(violations) == {("cat", "baseline_drift_check")}
    assert "p-value" in violations[0]["description"]


def test_deequ_distance_vectors() -> None:
    same = [[float(v) for v in range(1000)]]
    assert numeric_distance(same, same, "Simple") == numeric_distance(same, same, "Robust") == 0.0
    other = [[float(v) + 5000 for v in range(1000)]]
    assert numeric_distance(same, other, "Simple") == pytest.approx(1.0)
    assert numeric_distance(same, other, "Robust") == pytest.approx(1 - 1.8 * math.sqrt(2 / 1000), abs=1e-9)
    assert categorical_distance({"a": 50, "b": 50}, {"a": 100}, "Simple") == pytest.approx(0.5)
    assert math.isnan(chi_squared_p_value({"a": 100, "b": 1}, {"a": 3, "b": 1}))  # one category after regrouping
    ranks = RankMap([[1.0, 2.0], [3.0]])  # level-1 items weigh 2
    assert ranks.total == 4 and ranks.rank(numpy.array([2.5, 3.0])).tolist() == [2.0, 4.0]


def test_bad_input_gives_clear_errors_and_malformed_lines_are_counted(tmp_path: Path, baseline: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UnexpectedStatusError, match="empty: it has no lines"):
        DefaultModelMonitor().suggest_baseline(str(tmp_path / "empty.csv"), output_s3_uri=str(tmp_path / "e"), logs=False)
    (tmp_path / "header.csv").write_text("a,b\n")
    with pytest.raises(UnexpectedStatusError, match="no rows to analyse"):
        DefaultModelMonitor().suggest_baseline(str(tmp_path / "header.csv"), output_s3_uri=str(tmp_path / "h"), logs=False)
    lines = ["a,b,c"] + [f"{i},{i * 2},x" for i in range(100)]
    lines[10], lines[50] = "1,2", "1,2,3,4,5"
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    monitor = DefaultModelMonitor()
    job = monitor.suggest_baseline(str(tmp_path / "bad.csv"), output_s3_uri=str(tmp_path / "b"), logs=False)
    assert monitor.baseline_statistics().body_dict["dataset"] == {"item_count": 98, "malformed_line_count": 2}
    assert any("Skipped 2 malformed line(s)" in line.message for line in job.job.read_log().lines)
    (tmp_path / "typo.csv").write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(50)) + "n/a,3\n")
    job = monitor.suggest_baseline(str(tmp_path / "typo.csv"), output_s3_uri=str(tmp_path / "t"), logs=False)
    assert any("a (first text value 'n/a')" in line.message and "typed String" in line.message
               for line in job.job.read_log().lines)
    with pytest.raises(UnexpectedStatusError, match=r"none of its 101 lines reads as JSON Lines.*DatasetFormat.csv"):
        DefaultModelMonitor().suggest_baseline(str(tmp_path / "bad.csv"), DatasetFormat.json(lines=True),
                                               output_s3_uri=str(tmp_path / "j"), logs=False)
    (tmp_path / "wrong.json").write_text(json.dumps({"version": 0, "dataset": {"item_count": 1}, "features": [{"name": "a", "inferred_type": "Number"}]}))
    with pytest.raises(ValidationError, match="inferred_type 'Number'"):
        Statistics.from_file_path(tmp_path / "wrong.json")
    with pytest.raises(ValidationError, match="needs a 'features' list"):
        validate_constraints({"version": 0})
    with pytest.raises(ValidationError, match="statistics.json not found"):
        run_analysis({"kind": "monitoring", "baseline_statistics": str(tmp_path / "nowhere"),
                      "baseline_constraints": str(baseline), "endpoint": "ep", "capture_root": str(tmp_path),
                      "output_path": str(tmp_path / "o")})
    with pytest.raises(ValidationError, match="No captured data for endpoint ep"):
        run_analysis({"kind": "monitoring", "baseline_statistics": str(baseline), "baseline_constraints": str(baseline),
                      "endpoint": "ep", "capture_root": str(tmp_path / "nothing"), "output_path": str(tmp_path / "o")})


def test_a_baseline_in_sagemakers_own_layout_is_read_and_compared(tmp_path: Path) -> None:
    # Shaped like the files SageMaker's analyzer writes (Deequ's sketch: level h items weigh 2^h).
    random = numpy.random.RandomState(4)
    minutes = numpy.sort(random.normal(180, 50, 1500)).round(1).tolist()
    statistics = {"version": 0, "dataset": {"item_count": 2000}, "features": [
        {"name": "Day Mins", "inferred_type": "Fractional", "numerical_statistics": {
            "common": {"num_present": 2000, "num_missing": 0}, "mean": 180.0, "sum": 360000.0, "std_dev": 50.0,
            "min": min(minutes), "max": max(minutes), "distribution": {"kll": {"buckets": [], "sketch": {
                "parameters": {"c": 0.64, "k": 2048.0}, "data": [minutes[:1000], minutes[1000:1250]]}}}}},
        {"name": "State", "inferred_type": "String", "string_statistics": {
            "common": {"num_present": 2000, "num_missing": 0}, "distinct_count": 2.0,
            "distribution": {"categorical": {"buckets": [{"value": "KS", "count": 1000}, {"value": "OH", "count": 1000}]}}}}]}
    constraints = {"version": 0, "features": [
        {"name": "Day Mins", "inferred_type": "Fractional", "completeness": 1.0, "num_constraints": {"is_non_negative": True}},
        {"name": "State", "inferred_type": "String", "completeness": 1.0, "string_constraints": {"domains": ["KS", "OH"]},
         "monitoringConfigOverrides": {}}],
        "monitoring_config": {"evaluate_constraints": "Enabled", "emit_metrics": "Enabled", "datatype_check_threshold": 1.0,
                              "domain_content_threshold": 1.0, "distribution_constraints": {
                                  "perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust"}}}
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "statistics.json").write_text(json.dumps(statistics))
    (tmp_path / "sm" / "constraints.json").write_text(json.dumps(constraints))
    assert RankMap(statistics["features"][0]["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"]).total == 1500
    rows = [[round(v + 60, 1), "KS" if i % 2 else "OH"] for i, v in enumerate(random.normal(180, 50, 800))]
    violations = _run(tmp_path, tmp_path / "sm", rows)
    assert _checks(violations) == {("Day Mins", "baseline_drift_check")}


def test_model_quality_metrics_as_sagemaker_reports_them() -> None:
    from sklearn.metrics import f1_score, mean_absolute_error, r2_score

    from jupyter_ext.monitor.quality import compute_metrics, quality_violations, suggest_quality_constraints

    random = numpy.random.RandomState(0)
    truth = random.normal(0, 1, 300)
    predicted = truth + random.normal(0, 0.3, 300)
    regression = compute_metrics("Regression", truth.tolist(), predicted.tolist())["regression_metrics"]
    assert regression["mae"]["value"] == pytest.approx(mean_absolute_error(truth, predicted))
    assert regression["r2"]["value"] == pytest.approx(r2_score(truth, predicted))
    assert 0 < regression["mae"]["standard_deviation"] < 0.05  # 300 samples: five 80 % subsamples
    constraints = suggest_quality_constraints({"regression_metrics": regression}, "Regression")["regression_constraints"]
    assert constraints["mae"]["comparison_operator"] == "GreaterThanThreshold"
    assert constraints["r2"]["comparison_operator"] == "LessThanThreshold"
    worse = compute_metrics("Regression", truth.tolist(), (truth + 1).tolist())
    flagged = {v["metric_name"] for v in quality_violations(worse, {"regression_constraints": constraints})}
    assert {"mae", "mse", "rmse", "r2"} == flagged
    labels = ["a", "b", "c"] * 20
    guesses = ["a", "b", "b"] * 20
    multiclass = compute_metrics("MulticlassClassification", labels, guesses)["multiclass_classification_metrics"]
    assert multiclass["weighted_f1"] == {"value": pytest.approx(f1_score(labels, guesses, average="weighted")),
                                         "standard_deviation": "NaN"}
    assert multiclass["confusion_matrix"]["c"] == {"a": 0, "b": 20, "c": 0}
    assert multiclass["accuracy_best_constant_classifier"]["value"] == pytest.approx(1 / 3)


def test_a_type_that_changes_late_in_a_file_is_read_again_as_text(tmp_path: Path, monkeypatch) -> None:
    from jupyter_ext.monitor import dataset_chunks as reading

    monkeypatch.setattr(reading, "BLOCK_BYTES", 4096)  # many blocks: types come from the first one
    lines = ["a,b"] + [f"{i},{i / 2}" for i in range(3000)]
    lines[2500] = "oops,1.5"
    lines[100] = "1,2,3"  # malformed, counted once even though the file is read twice
    (tmp_path / "late.csv").write_text("\n".join(lines) + "\n")
    statistics = run_analysis({"kind": "baseline", "dataset": str(tmp_path / "late.csv"),
                               "dataset_format": DatasetFormat.csv(header=True), "output_path": str(tmp_path / "out")})
    features = {f["name"]: f for f in statistics["features"]}
    assert features["a"]["inferred_type"] == "String" and features["b"]["inferred_type"] == "Fractional"
    buckets = features["a"]["string_statistics"]["distribution"]["categorical"]["buckets"]
    assert sum(b["count"] for b in buckets) == 2999 and features["a"]["string_statistics"]["distinct_count"] == 2999
    assert statistics["dataset"] == {"item_count": 2999, "malformed_line_count": 1}
