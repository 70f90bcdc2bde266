"""Model Monitor surfaces: the drift report widget and its text form, the static report,
the %monitor magics (which raise on failure) and the CLI's listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_ext.cli import main
from jupyter_ext.errors import JupyterExtError
from jupyter_ext.monitor import CronExpressionGenerator
from jupyter_ext.monitor.run_analysis import run_analysis
from jupyter_ext.monitor.schedule_expressions import latest_tick, previous_tick, schedule_ticks
from monitor_data import frame, write_captures


def _baseline_and_run(tmp_path: Path) -> tuple[Path, Path]:
    frame(1000, seed=1).to_csv(tmp_path / "train.csv", index=False)
    run_analysis({"kind": "baseline", "dataset": str(tmp_path / "train.csv"), "dataset_format": {"csv": {"header": True}},
                  "output_path": str(tmp_path / "baseline")})
    write_captures(tmp_path / "capture", "ep", frame(500, seed=2, shift=1.5).values.tolist())
    run_analysis({"kind": "monitoring", "endpoint": "ep", "capture_root": str(tmp_path / "capture"),
                  "baseline_statistics": str(tmp_path / "baseline"), "baseline_constraints": str(tmp_path / "baseline"),
                  "output_path": str(tmp_path / "run")})
    return tmp_path / "baseline", tmp_path / "run"


def test_drift_report_widget_and_static_report(tmp_path: Path) -> None:
    from jupyter_ext.widgets import DriftReport

    baseline, run = _baseline_and_run(tmp_path)
    report = DriftReport(run, baseline / "statistics.json", baseline / "constraints.json")
    assert report.distances["x1"]["distance"] > report.distances["x1"]["threshold"] == 0.1
    assert report.distances["x3"]["distance"] < 0.1
    assert "<svg" in report.summary.value and "baseline_drift_check" in report.listing.value
    report.feature.value = "cat"
    assert "<rect" in report.chart.value
    assert "x1: drift distance" in report.text() and "1 violation(s)" in report.text()
    page = (run / "report.html").read_text()
    assert "data:image/png;base64," in page and "Baseline drift distance" in page


def test_monitor_magics_and_cli(ip, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frame(300, seed=1).to_csv(tmp_path / "train.csv", index=False)
    job = ip.run_line_magic("monitor", f"baseline {tmp_path / 'train.csv'} --output {tmp_path / 'baseline'}")
    assert (tmp_path / "baseline" / "constraints.json").is_file() and job.job.status == "Completed"
    with pytest.raises(JupyterExtError, match="Endpoint 'nowhere' not found"):
        ip.run_line_magic("monitor", f"run nowhere --baseline {tmp_path / 'baseline'} --output {tmp_path / 'r'}")
    with pytest.raises(JupyterExtError, match="needs --baseline"):
        ip.run_line_magic("monitor", "run somewhere")  # a run's report is drawn against its baseline
    with pytest.raises(JupyterExtError, match="Endpoint 'somewhere' not found"):  # a schedule needs none
        ip.run_line_magic("monitor", f"schedule somewhere --output {tmp_path / 'r'}")
    capsys.readouterr()
    assert main(["monitor", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip()) == []
    assert main(["monitor", "describe", "nothing"]) == 1
    assert "Monitoring schedule 'nothing' not found" in capsys.readouterr().err


def test_schedule_expressions() -> None:
    from datetime import datetime, timezone

    at = datetime(2026, 11, 21, 10, 37, tzinfo=timezone.utc)
    assert latest_tick(CronExpressionGenerator.hourly(), at) == at.replace(minute=0)
    assert previous_tick(CronExpressionGenerator.hourly(), at.replace(minute=0)) == at.replace(hour=9, minute=0)
    assert latest_tick(CronExpressionGenerator.daily(3), at) == at.replace(hour=3, minute=0)
    assert latest_tick(CronExpressionGenerator.daily_every_x_hours(4), at) == at.replace(hour=8, minute=0)
    with pytest.raises(JupyterExtError, match="cron"):
        schedule_ticks("rate(5 minutes)")


def test_the_thread_ticker_stops_cleanly() -> None:
    from jupyter_ext.monitor import MonitoringTicker

    ticker = MonitoringTicker(interval=0.05).start()
    assert ticker.tick() == []  # nothing scheduled: nothing started
    ticker.stop()
    assert not ticker._thread.is_alive()


def test_schedule_names_drop_an_endpoints_generated_timestamp() -> None:
    from jupyter_ext.monitor.executions import short_name as _short

    assert _short("model-df8181f3-2026-11-29-23-36-10-822", 20) == "model-df8181f3"
    assert _short("a-very-long-endpoint-name", 20) == "a-very-long"
    assert _short("churn-v2", 20) == "churn-v2"
