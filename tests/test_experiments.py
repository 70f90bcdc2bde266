"""Experiments: Run logging, automatic tracking of real jobs, analytics, leaderboard, lineage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_ext import Estimator, ScriptProcessor
from jupyter_ext.errors import ConflictError, NotFoundError, ValidationError
from jupyter_ext.experiments import Experiment, ExperimentAnalytics, Run, lineage, list_experiments


def _runs(experiment: str, values: dict[str, float]) -> None:
    for c, auc in values.items():
        with Run(experiment_name=experiment, run_name=f"c-{c}") as run:
            run.log_parameters({"C": float(c), "solver": "lbfgs"})
            for step, value in enumerate((auc - 0.2, auc - 0.1, auc)):
                run.log_metric("auc", value, step=step)


def test_run_logs_parameters_metrics_and_artifacts(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with Run(experiment_name="churn", run_name="Baseline", tags={"team": "ds"}) as run:
        run.log_parameter("C", 1.0)
        for value in (0.5, 0.7, 0.9):
            run.log_metric("auc", value)
        run.log_artifact("data", "s3://bucket/train.csv", media_type="text/csv", is_output=False)
        stored = run.log_file(str(tmp_path / "notes.txt"))
        run.log_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
        run.log_roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        run.log_precision_recall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert run.name == "churn-baseline" and Path(stored).read_text() == "hello"
    frame = ExperimentAnalytics(experiment_name="churn").dataframe()
    row = frame.iloc[0]
    assert row["TrialComponentName"] == "churn-baseline" and row["C"] == 1.0
    assert (row["auc - Min"], row["auc - Max"], row["auc - Last"], row["auc - Count"]) == (0.5, 0.9, 0.9, 3)
    assert row["auc - Avg"] == pytest.approx(0.7) and row["auc - StdDev"] == pytest.approx(0.2)
    assert row["data - Value"] == "s3://bucket/train.csv" and row["data - MediaType"] == "text/csv"
    assert row["Trials"] == ["Default-Run-Group-churn"] and row["Experiments"] == ["churn"]
    assert row["Status"] == "Completed"
    matrix = json.loads(Path(row["confusion-matrix - Value"]).read_text())
    assert matrix["confusionMatrix"] == [[2, 0], [1, 1]]
    assert json.loads(Path(row["roc-curve - Value"]).read_text())["areaUnderCurve"] == pytest.approx(0.75)
    assert Experiment("churn").tags == {"team": "ds"}


def test_failed_run_and_logging_rules() -> None:
    with pytest.raises(ZeroDivisionError), Run(experiment_name="e1", run_name="broken") as run:
        run.log_metric("loss", 1.0)
        1 / 0
    frame = ExperimentAnalytics(experiment_name="e1").dataframe()
    assert frame.iloc[0]["Status"] == "Failed" and frame.iloc[0]["loss - Last"] == 1.0
    run = Run(experiment_name="e1", run_name="outside")
    with pytest.raises(RuntimeError, match="inside `with Run"):
        run.log_metric("loss", 1.0)
    with run, pytest.raises(RuntimeError, match="do not nest"):
        run.__enter__()


def test_bad_input_is_refused_clearly() -> None:
    with Run(experiment_name="e2", run_name="r") as run:
        with pytest.raises(ValidationError, match="'loss': 'low' is not a number"):
            run.log_metric("loss", "low")
        with pytest.raises(ValidationError, match="not a finite number"):
            run.log_metric("loss", float("nan"))
        with pytest.raises(ValidationError, match="a parameter is a string, int or float"):
            run.log_parameter("layers", [1, 2])
    with pytest.raises(ValidationError, match="is 121 characters; the limit is 120"):
        Run(experiment_name="x" * 121)
    with pytest.raises(NotFoundError, match="No experiment named 'nope'; known: e2"):
        ExperimentAnalytics(experiment_name="nope")


def test_jobs_are_tracked_and_join_experiments(script, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text("1")
    script("import os\nprint('auc: 0.8')\nopen(os.environ['SM_MODEL_DIR'] + '/m', 'w').write('m')\n")
    est = Estimator("train.py", hyperparameters={"depth": 3}, metric_definitions=[{"Name": "auc", "Regex": "auc: (\\S+)"}])
    est.fit({"train": str(tmp_path / "data")}, job_name="tracked-job",
            experiment_config={"ExperimentName": "churn", "RunName": "from-job"})
    frame = ExperimentAnalytics(experiment_name="churn").dataframe()
    row = frame.iloc[0]
    assert row["SourceArn"] == "tracked-job" and row["depth"] == 3 and row["auc - Last"] == 0.8
    assert row["Status"] == "Completed" and row["model_data - Value"] == est.model_data
    assert row["train - Value"] == str(tmp_path / "data")
    found = lineage(est.model_data)
    assert found["job"] == "tracked-job" and found["inputs"] == {"train": str(tmp_path / "data")}
    assert found["experiment"] == "churn" and found["source"].endswith("train.py")
    script("print('done')\n", "prep.py")
    ScriptProcessor().run("prep.py", job_name="untracked-prep")  # a run, in no experiment
    everything = ExperimentAnalytics(search_expression={"Filters": [{"Name": "SourceArn", "Operator": "Equals",
                                                                     "Value": "untracked-prep"}]}).dataframe()
    assert list(everything["TrialComponentName"]) == ["untracked-prep"]
    with pytest.raises(ValidationError, match="needs 'ExperimentName'"):
        est.fit(experiment_config={"RunName": "x"})


def test_leaderboard_search_and_sort() -> None:
    _runs("board", {"0.1": 0.7, "1": 0.9, "10": 0.8})
    board = Experiment("board").leaderboard("auc")
    assert list(board["TrialComponentName"]) == ["board-c-1", "board-c-10", "board-c-0.1"]
    assert list(board["Rank"]) == [1, 2, 3] and list(board["auc - Last"]) == [0.9, 0.8, 0.7]
    worst_first = Experiment("board").leaderboard("auc", ascending=True)
    assert worst_first.iloc[0]["TrialComponentName"] == "board-c-0.1"
    with pytest.raises(ValidationError, match="logged: auc"):
        Experiment("board").leaderboard("loss")
    frame = ExperimentAnalytics(experiment_name="board", sort_by="metrics.auc.Max", sort_order="Descending",
                                search_expression={"Filters": [{"Name": "Parameters.C", "Operator": "GreaterThan",
                                                                "Value": 0.5}]}).dataframe()
    assert list(frame["TrialComponentName"]) == ["board-c-1", "board-c-10"]


def test_rename_tags_and_delete(tmp_path: Path) -> None:
    _runs("old", {"1": 0.5})
    experiment = Experiment("old")
    experiment.add_tags(owner="me")
    experiment.rename("new")
    assert Experiment("new").runs() == ["old-c-1"] and Experiment("new").tags == {"owner": "me"}
    _runs("other", {"2": 0.6})
    with pytest.raises(ConflictError):
        Experiment("new").rename("other")
    deleted = Experiment("new").delete()
    assert deleted == {"runs": 1, "run_parameters": 2, "run_metrics": 3, "run_artifacts": 0}
    assert [e.name for e in list_experiments()] == ["other"]


def test_run_names_nesting_and_a_jobs_own_run(script) -> None:
    with Run(experiment_name="a-b", run_name="c"):
        pass
    with pytest.raises(ConflictError, match="taken by a run of experiment 'a-b'"):
        with Run(experiment_name="a", run_name="b-c"):
            pass
    with Run(experiment_name="n", run_name="outer"):
        with pytest.raises(RuntimeError, match="do not nest"):
            with Run(experiment_name="n", run_name="inner"):
                pass
    script("from jupyter_ext.experiments import load_run\nwith load_run() as run:\n"
           "    run.log_metric('inside', 2.5)\n    run.log_parameter('from_job', 1)\n")
    Estimator("train.py").fit(job_name="self-logging", experiment_config={"ExperimentName": "jobs-log"})
    row = ExperimentAnalytics(experiment_name="jobs-log").dataframe().iloc[0]
    assert row["inside - Last"] == 2.5 and row["from_job"] == 1 and row["Status"] == "Completed"
