"""The job monitor widget and its text form."""

from __future__ import annotations

from jupyter_ext import Estimator, Job
from jupyter_ext.widgets import JobMonitor
from jupyter_ext.widgets.job_monitor import sparkline


def test_monitor_shows_status_log_metrics_and_disables_stop(script) -> None:
    script("from jupyter_ext import log_metric\nfor i in range(3):\n    log_metric('loss', 1 / (i + 1))\nprint('trained')\n")
    est = Estimator("train.py")
    est.fit(job_name="watched")
    monitor = JobMonitor(est.latest_training_job)
    assert "watched" in monitor.header.value and "Completed" in monitor.header.value
    assert "trained" in monitor.log_view.value
    assert "loss" in monitor.metrics_view.value and "<svg" in monitor.metrics_view.value
    assert monitor.stop_button.disabled and monitor.stop_button.layout.display == "none"  # no red Stop left
    assert "(Completed)" not in monitor.header.value  # the status once, not "Completed (Completed)"
    assert repr(monitor).startswith("Job watched: Completed") and "loss=0.333333" in repr(monitor)
    assert monitor._repr_mimebundle_()["text/plain"] == repr(monitor)


def test_stop_button_stops_a_running_job(script) -> None:
    script("import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    est = Estimator("train.py")
    est.fit(job_name="button", wait=False)
    monitor = JobMonitor(est.latest_training_job)
    monitor.stop_button.click()
    assert est.latest_training_job.status in ("Stopping", "Stopped")
    monitor.interval = 0.05
    monitor.start()
    monitor._ended.wait(30)
    assert "Stopped" in monitor.header.value and monitor.stop_button.disabled


def test_sparkline_needs_two_points() -> None:
    assert sparkline([1.0]) == "" and sparkline([1.0, 2.0]).startswith("<svg")


def test_monitor_of_a_tuning_job_shows_progress_and_its_training_jobs(script) -> None:
    from jupyter_ext import CategoricalParameter, HyperparameterTuner

    path = script("import sys\nprint('score:', len(sys.argv[-1]))\n", "tw.py")
    est = Estimator(str(path), metric_definitions=[{"Name": "score", "Regex": "score: ([0-9]+)"}])
    tuner = HyperparameterTuner(est, "score", {"word": CategoricalParameter(["ab", "abc"])}, strategy="Grid")
    tuner.fit(logs=False)
    monitor = JobMonitor(tuner.latest_tuning_job)
    assert "2 of 2 jobs finished" in monitor.children_view.value
    assert "score=3" in monitor.children_view.value
    assert "best_objective" in monitor.metrics_view.value
    for trial in tuner.latest_tuning_job.describe().children:  # they save no model; no note saying so
        assert not any("is empty" in line.message for line in Job(trial).read_log().lines)


def test_leaderboard_widget_sorts_and_charts() -> None:
    from jupyter_ext.experiments import Run
    from jupyter_ext.widgets import Leaderboard

    for c, auc in ((0.1, 0.7), (1.0, 0.9), (10.0, 0.8)):
        with Run(experiment_name="w-exp", run_name=f"c{c}") as run:
            run.log_parameter("C", c)
            for step in range(3):
                run.log_metric("auc", auc - 0.1 * (2 - step), step=step)
    board = Leaderboard("w-exp", "auc")
    assert board.table.value.index("w-exp-c1.0") < board.table.value.index("w-exp-c10.0")
    board.ascending.value = True
    assert board.table.value.index("w-exp-c0.1") < board.table.value.index("w-exp-c1.0")
    assert board.steps_chart.value.count("<polyline") == 3
    board.parameter.value = "C"
    assert board.parameter_chart.value.count("<circle") == 3
    assert "w-exp-c1.0" in repr(board).splitlines()[1]


def test_monitor_of_an_automl_job_shows_its_leaderboard() -> None:
    from sklearn.datasets import load_iris

    from jupyter_ext import AutoML

    frame = load_iris(as_frame=True).frame
    automl = AutoML("target", max_candidates=2, algorithms=["linear"])
    automl.fit(frame, logs=False)
    monitor = JobMonitor(automl.latest_auto_ml_job)
    assert "2 of 2 candidates scored (Accuracy)" in monitor.children_view.value
    assert automl.leaderboard()["CandidateName"][0] in monitor.children_view.value


def test_a_running_monitor_says_disconnected_once_its_refreshes_stop(script) -> None:
    from jupyter_ext.widgets.job_monitor import DISCONNECTED

    script("import time\ntime.sleep(60)\n")
    est = Estimator("train.py")
    est.fit(job_name="left-alone", wait=False)
    try:
        monitor = JobMonitor(est.latest_training_job, interval=1.0)
        first = monitor.header.value
        # Hidden, shown by the browser 10 s after the last refresh (a kernel gone stops them).
        assert DISCONNECTED in first and "visibility:hidden" in first and "forwards" in first
        assert "10s forwards" in first
        monitor.refresh()
        assert monitor.header.value != first  # each refresh restarts the countdown
    finally:
        est.latest_training_job.stop()
    monitor.interval = 0.05
    monitor.start()
    monitor._ended.wait(30)
    assert "Stopped" in monitor.header.value and DISCONNECTED not in monitor.header.value
