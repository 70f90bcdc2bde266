"""Model Monitor over a real endpoint: a scikit-learn model deployed with data capture,
invoked with CSV; a data-quality run over its captures, a schedule run by
`jupyter-ext monitor run` (the cron path), and a model-quality run with ground truth
merged on inference ids."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy
import pandas
import pytest

from conftest import wait_until
from jupyter_ext.monitor import (
    CronExpressionGenerator, DatasetFormat, DefaultModelMonitor, ModelQualityMonitor, endpoint_monitoring,
    list_schedules,
)
from jupyter_ext.cli import main
from jupyter_ext.errors import ValidationError
from jupyter_ext.serving import CSVSerializer, DataCaptureConfig, Model, delete_endpoint, list_endpoints
from serving_models import FEATURES, sklearn_model


@pytest.fixture
def endpoint(tmp_path: Path):
    archive, model = sklearn_model(tmp_path / "sk")
    capture = DataCaptureConfig(True, sampling_percentage=100, destination_s3_uri=str(tmp_path / "capture"))
    predictor = Model(str(archive)).deploy("churn", serializer=CSVSerializer(), data_capture_config=capture)
    yield predictor, model
    for described in list_endpoints():
        delete_endpoint(described.name)


def _captured(root: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in root.rglob("*.jsonl"))


def _baseline(tmp_path: Path, model) -> DefaultModelMonitor:
    data = pandas.DataFrame(FEATURES, columns=["f0", "f1", "f2"])
    data.insert(0, "label", model.predict(FEATURES))
    data.to_csv(tmp_path / "train.csv", index=False)
    monitor = DefaultModelMonitor()
    monitor.suggest_baseline(str(tmp_path / "train.csv"), DatasetFormat.csv(header=True),
                             output_s3_uri=str(tmp_path / "baseline"), logs=False)
    return monitor


def test_monitoring_run_over_a_real_endpoints_captures_and_a_cron_run(endpoint, tmp_path: Path) -> None:
    predictor, model = endpoint
    monitor = _baseline(tmp_path, model)
    shifted = numpy.random.RandomState(5).rand(150, 3)
    shifted[:, 0] += 0.8
    for start in range(0, 150, 30):
        predictor.predict(shifted[start:start + 30])
    wait_until(lambda: _captured(tmp_path / "capture") == 5, what="5 captured requests")
    name = monitor.create_monitoring_schedule(predictor, output_s3_uri=str(tmp_path / "reports"),
                                              schedule_cron_expression=CronExpressionGenerator.hourly())
    assert monitor.describe_schedule()["MonitoringScheduleStatus"] == "Scheduled"
    execution = monitor.run_monitoring_now(wait=False, logs=False)
    summary = execution.wait()  # SageMaker's notebooks start a run, then wait on it
    assert summary.monitoring_execution_status == "CompletedWithViolations"
    assert (summary["MonitoringExecutionStatus"], summary["ProcessingJobStatus"]) == ("CompletedWithViolations",
                                                                                     "Completed")
    checks = {(v.feature_name, v.constraint_check_type) for v in summary.violations}
    assert ("f0", "baseline_drift_check") in checks and not {c for c in checks if c[0] in ("f1", "f2")}
    assert execution.statistics().body_dict["dataset"]["item_count"] == 150
    assert Path(summary.report_path).read_text().count("<img") == 1
    assert execution.job.describe().final_metrics["feature_baseline_drift_f0"] > 0.1  # CloudWatch-style metrics
    # The cron path: at the next hour's tick the schedule runs once over this hour's captures.
    at = (datetime.now(timezone.utc) + timedelta(hours=1)).replace(minute=1).isoformat()
    done = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "monitor", "run", "--at", at, "--wait"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Started monitoring run" in done.stdout and ": Completed" in done.stdout
    again = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "monitor", "run", "--at", at],
                           capture_output=True, text=True, timeout=60)
    assert "No monitoring schedule is due." in again.stdout
    status = endpoint_monitoring("churn")
    assert [s.monitoring_schedule_name for s in status.schedules] == [name]
    assert status.schedules[0].last_execution.monitoring_execution_status == "CompletedWithViolations"
    assert len(status.executions) == 2
    monitor.stop_monitoring_schedule()
    assert list_schedules("churn")[0].status == "Stopped"
    monitor.delete_monitoring_schedule()
    assert endpoint_monitoring("churn").schedules == [] and len(endpoint_monitoring("churn").executions) == 2


def test_model_quality_merges_ground_truth_by_inference_id(endpoint, tmp_path: Path) -> None:
    predictor, model = endpoint
    data = pandas.DataFrame({"prediction": model.predict(FEATURES), "label": (FEATURES[:, 0] > 0.5).astype(int)})
    data.to_csv(tmp_path / "quality.csv", index=False)
    monitor = ModelQualityMonitor()
    monitor.suggest_baseline(str(tmp_path / "quality.csv"), DatasetFormat.csv(header=True),
                             problem_type="BinaryClassification", inference_attribute="prediction",
                             ground_truth_attribute="label", output_s3_uri=str(tmp_path / "mq"), logs=False)
    baseline = monitor.baseline_statistics().body_dict["binary_classification_metrics"]
    assert baseline["accuracy"]["value"] == pytest.approx(float((data["prediction"] == data["label"]).mean()))
    assert set(monitor.suggested_constraints().body_dict["binary_classification_constraints"]) >= {"accuracy", "recall"}
    truth_folder = tmp_path / "ground-truth" / time.strftime("%Y/%m/%d/%H", time.gmtime())
    truth_folder.mkdir(parents=True)
    lines = []
    for index, row in enumerate(FEATURES[:40]):
        predictor.predict(row[None, :], inference_id=f"id-{index}")
        wrong = 1 - int(model.predict(row[None, :])[0])  # every label disagrees: quality collapses
        lines.append(json.dumps({"groundTruthData": {"data": str(wrong), "encoding": "CSV"},
                                 "eventMetadata": {"eventId": f"id-{index}"}, "eventVersion": "0"}))
    (truth_folder / "labels.jsonl").write_text("\n".join(lines) + "\n")
    wait_until(lambda: _captured(tmp_path / "capture") == 40, what="40 captured requests")
    monitor.create_monitoring_schedule(predictor, ground_truth_input=str(tmp_path / "ground-truth"),
                                       output_s3_uri=str(tmp_path / "mq-reports"))
    summary = monitor.run_monitoring_now(logs=False).describe()
    assert summary.monitoring_execution_status == "CompletedWithViolations"
    assert ("accuracy", "LessThanThreshold") in {(v.feature_name, v.constraint_check_type) for v in summary.violations}
    assert endpoint_monitoring("churn").schedules[0].monitoring_type == "ModelQuality"


def test_a_baseline_of_the_features_alone_matches_captured_rows(endpoint, tmp_path: Path) -> None:
    predictor, _ = endpoint
    pandas.DataFrame(FEATURES, columns=["f0", "f1", "f2"]).to_csv(tmp_path / "features.csv", index=False)
    monitor = DefaultModelMonitor()
    monitor.suggest_baseline(str(tmp_path / "features.csv"), DatasetFormat.csv(header=True),
                             output_s3_uri=str(tmp_path / "baseline"), logs=False)
    for start in range(0, len(FEATURES), 50):
        predictor.predict(FEATURES[start:start + 50])  # the very rows of the baseline
    wait_until(lambda: _captured(tmp_path / "capture") == len(FEATURES) // 50, what="the captured requests")
    execution = monitor.run_monitoring_now(predictor, output_s3_uri=str(tmp_path / "reports"), logs=False)
    summary = execution.describe()
    assert summary.monitoring_execution_status == "Completed", summary.violations
    assert [f["name"] for f in execution.statistics().body_dict["features"]] == ["f0", "f1", "f2"]
    # A due run over an hour without captures fails, and `monitor run --wait` says so.
    name = monitor.create_monitoring_schedule(predictor, output_s3_uri=str(tmp_path / "reports"))
    later = datetime.now(timezone.utc) + timedelta(hours=3)
    done = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "monitor", "run", "--at", later.isoformat(),
                           "--wait"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and ": Failed (" in done.stdout and "No captured data" in done.stdout, done
    # Its endpoint deleted, the schedule stops instead of failing every hour.
    delete_endpoint(predictor.endpoint_name)
    main(["monitor", "run", "--at", (later + timedelta(hours=1)).isoformat()])
    assert list_schedules()[0].monitoring_schedule_name == name and list_schedules()[0].status == "Stopped"


def test_monitors_without_a_baseline_report_statistics_and_check_nothing(endpoint, tmp_path: Path) -> None:
    predictor, model = endpoint
    for index, row in enumerate(FEATURES[:20]):
        predictor.predict(row[None, :], inference_id=f"id-{index}")
    wait_until(lambda: _captured(tmp_path / "capture") == 20, what="20 captured requests")
    monitor = DefaultModelMonitor()  # no suggest_baseline(), no statistics= or constraints=
    monitor.create_monitoring_schedule(predictor, output_s3_uri=str(tmp_path / "reports"))
    execution = monitor.run_monitoring_now(logs=False)
    summary = execution.describe()
    assert summary.monitoring_execution_status == "Completed" and not summary.violations
    features = {f["name"]: f["inferred_type"] for f in execution.statistics().body_dict["features"]}
    assert features == {"_c0": "Integral", "_c1": "Fractional", "_c2": "Fractional", "_c3": "Fractional"}
    assert execution.constraint_violations() is None
    with pytest.raises(ValidationError, match="Half a baseline: baseline_statistics missing"):
        DefaultModelMonitor().create_monitoring_schedule(predictor, constraints=str(tmp_path / "constraints.json"))

    truth_folder = tmp_path / "ground-truth" / time.strftime("%Y/%m/%d/%H", time.gmtime())
    truth_folder.mkdir(parents=True)
    (truth_folder / "labels.jsonl").write_text("".join(
        json.dumps({"groundTruthData": {"data": str(int(model.predict(row[None, :])[0])), "encoding": "CSV"},
                    "eventMetadata": {"eventId": f"id-{index}"}, "eventVersion": "0"}) + "\n"
        for index, row in enumerate(FEATURES[:20])))
    quality = ModelQualityMonitor()
    quality.create_monitoring_schedule(predictor, ground_truth_input=str(tmp_path / "ground-truth"),
                                       problem_type="BinaryClassification", output_s3_uri=str(tmp_path / "mq"))
    checked = quality.run_monitoring_now(logs=False)
    assert checked.describe().monitoring_execution_status == "Completed"
    assert checked.statistics().body_dict["binary_classification_metrics"]["accuracy"]["value"] == 1.0
