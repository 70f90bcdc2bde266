"""Tuning jobs with real training jobs: strategies, early stopping, warm start, stop,
resume after the tuning runner dies, and bad input."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from conftest import wait_until
from jupyter_ext import (
    CategoricalParameter, ContinuousParameter, Estimator, HyperparameterTuner, IntegerParameter,
    TuningJobCompletionCriteriaConfig, WarmStartConfig, WarmStartTypes, describe_job, list_jobs,
)
from jupyter_ext.errors import ValidationError
from jupyter_ext.jobs import records
from jupyter_ext.store import get_store

# A cheap objective with its optimum at x = 3 (and kind "b" one better); one value per epoch.
OBJECTIVE = """
import argparse, time
p = argparse.ArgumentParser()
p.add_argument("-x", type=float)
p.add_argument("--kind", default="a")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--sleep", type=float, default=0)
a = p.parse_args()
for epoch in range(a.epochs):
    time.sleep(a.sleep)
    score = -(a.x - 3) ** 2 + (1 if a.kind == "b" else 0) - (a.epochs - 1 - epoch) * 0.1
    print(f"epoch {epoch} score: {score}", flush=True)
"""
SCORE = [{"Name": "score", "Regex": r"score: ([-0-9.e]+)"}]


def _estimator(script, **static) -> Estimator:
    return Estimator(str(script(OBJECTIVE, "objective.py")), hyperparameters={"epochs": 3, **static},
                     metric_definitions=SCORE)


@pytest.mark.parametrize("strategy", ["Random", "Bayesian", "Hyperband"])
def test_strategies_find_the_optimum_region(script, strategy: str) -> None:
    tuner = HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 10)},
                                strategy=strategy, max_jobs=12, max_parallel_jobs=2, random_seed=7)
    tuner.fit(logs=False)
    frame = tuner.analytics().dataframe()
    assert list(frame.columns)[:1] == ["x"] and {"TrainingJobName", "TrainingJobStatus", "FinalObjectiveValue",
                                                  "TrainingStartTime", "TrainingEndTime",
                                                  "TrainingElapsedTimeSeconds"} <= set(frame.columns)
    best = frame.loc[frame["FinalObjectiveValue"].idxmax()]
    assert abs(best["x"] - 3) < 1.5, frame
    assert tuner.best_training_job() == best["TrainingJobName"]
    assert describe_job(tuner.best_training_job()).parent == tuner.latest_tuning_job.name
    children = describe_job(tuner.latest_tuning_job.name).children
    assert len(children) == 12 and len(frame) == 12


def test_grid_covers_every_point(script) -> None:
    tuner = HyperparameterTuner(_estimator(script), "score",
                                {"x": IntegerParameter(1, 4), "kind": CategoricalParameter(["a", "b"])},
                                strategy="Grid", max_parallel_jobs=2)
    assert tuner.max_jobs == 8
    tuner.fit(logs=False)
    frame = tuner.analytics().dataframe()
    assert sorted(zip(frame["x"], frame["kind"])) == [(x, k) for x in (1.0, 2.0, 3.0, 4.0) for k in "ab"]
    assert describe_job(tuner.best_training_job()).hyperparameters["x"] == 3
    assert tuner.best_estimator().hyperparameters()["kind"] == "b"


def test_early_stopping_stops_bad_jobs_and_keeps_their_best_value(script) -> None:
    est = _estimator(script, epochs=8, sleep=0.3)
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Random",
                                max_jobs=10, max_parallel_jobs=2, early_stopping_type="Auto", random_seed=3)
    tuner.fit(logs=False)
    frame = tuner.analytics().dataframe()
    stopped = frame[frame["TrainingJobStatus"] == "Stopped"]
    assert len(stopped) >= 1, frame
    assert stopped["FinalObjectiveValue"].notna().all()
    for name in stopped["TrainingJobName"]:
        assert len(describe_job(name).transitions) and describe_job(name).final_metrics["score"] < frame[
            "FinalObjectiveValue"].max()


def test_warm_start_seeds_the_search_with_parent_results(script) -> None:
    parent = HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 10)},
                                 strategy="Random", max_jobs=6, random_seed=1)
    parent.fit(logs=False)
    child = HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 10)},
                                strategy="Bayesian", max_jobs=3, random_seed=2,
                                warm_start_config=WarmStartConfig(WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM,
                                                                  {parent.latest_tuning_job.name}))
    child.fit(logs=False)
    log = [line.message for line in child.latest_tuning_job.read_log().lines]
    assert any(m.startswith("Warm start: 6 trials") for m in log), log
    assert len(child.analytics().dataframe()) == 3  # parents' trials seed, they are not re-run


def test_completion_criteria_end_the_search_early(script) -> None:
    tuner = HyperparameterTuner(_estimator(script), "score", {"x": IntegerParameter(0, 6)}, strategy="Grid",
                                completion_criteria=TuningJobCompletionCriteriaConfig(
                                    target_objective_metric_value=-0.5))
    tuner.fit(logs=False)
    assert len(tuner.analytics().dataframe()) < 7
    assert any("target objective value" in line.message for line in tuner.latest_tuning_job.read_log().lines)


def test_stopping_a_tuning_job_stops_its_children(script) -> None:
    est = _estimator(script, epochs=100, sleep=0.5)
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, max_jobs=4, max_parallel_jobs=2)
    tuner.fit(wait=False)
    job = tuner.latest_tuning_job
    wait_until(lambda: len([c for c in describe_job(job.name).children
                            if describe_job(c).status == "InProgress"]) == 2, what="two running trials")
    tuner.stop()
    wait_until(lambda: describe_job(job.name).status == "Stopped", timeout=60, what="the tuning job to stop")
    assert {describe_job(c).status for c in describe_job(job.name).children} == {"Stopped"}


def test_resume_after_the_tuning_runner_is_killed_keeps_finished_trials(script) -> None:
    est = _estimator(script, sleep=0.2)
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Random",
                                max_jobs=6, random_seed=5)
    tuner.fit(wait=False)
    job = tuner.latest_tuning_job
    wait_until(lambda: sum(describe_job(c).status == "Completed" for c in describe_job(job.name).children) >= 2,
               what="two finished trials")
    os.kill(records.get_row(get_store(), job.name)["runner_pid"], signal.SIGKILL)
    wait_until(lambda: describe_job(job.name).status == "Failed", what="the tuning job to be marked Failed")
    before = {c for c in describe_job(job.name).children if describe_job(c).status == "Completed"}
    resumed = HyperparameterTuner.attach(job.name)
    resumed.resume(logs=False)
    frame = resumed.analytics().dataframe()
    assert before <= set(frame["TrainingJobName"]) and len(frame) == 6
    assert [j.status for j in list_jobs(type="Training")].count("Completed") == 6


def test_several_training_job_definitions(script) -> None:
    first, second = _estimator(script), _estimator(script, epochs=2)
    tuner = HyperparameterTuner.create(
        estimator_dict={"three": first, "two": second}, objective_metric_name_dict={"three": "score", "two": "score"},
        hyperparameter_ranges_dict={"three": {"x": ContinuousParameter(0, 10)},
                                    "two": {"x": ContinuousParameter(0, 10)}},
        max_jobs=4, strategy="Random", random_seed=4)
    tuner.fit(logs=False)
    frame = tuner.analytics().dataframe()
    assert sorted(frame["TrainingJobDefinitionName"]) == ["three", "three", "two", "two"]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: ContinuousParameter(5, 5), "min \\(5\\) must be less than max \\(5\\)"),
    (lambda: IntegerParameter(10, 2), "min \\(10\\) must be less than max \\(2\\)"),
    (lambda: ContinuousParameter(0, 1, "Logarithmic"), "Logarithmic scaling needs min > 0"),
    (lambda: CategoricalParameter([]), "needs at least one value"),
])
def test_bad_ranges_are_refused_when_made(make, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make()


def test_too_many_ranges(script) -> None:
    with pytest.raises(ValidationError, match="at most 30"):
        HyperparameterTuner(_estimator(script), "score", {f"p{i}": IntegerParameter(0, 1) for i in range(31)})


def test_bad_objective_strategy_and_grid(script) -> None:
    with pytest.raises(ValidationError, match="Objective metric 'loss' is not among the metric definitions"):
        HyperparameterTuner(_estimator(script), "loss", {"x": ContinuousParameter(0, 1)})
    with pytest.raises(ValidationError, match="Grid search needs Categorical or Integer ranges; 'x' is continuous"):
        HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 1)}, strategy="Grid")
    with pytest.raises(ValidationError, match="Unknown strategy 'Genetic'; choose one of: Random"):
        HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 1)}, strategy="Genetic")
    with pytest.raises(ValidationError, match="Hyperband stops jobs itself"):
        HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 1)}, strategy="Hyperband",
                            early_stopping_type="Auto")
    assert list_jobs() == []


def test_relative_data_paths_reach_every_training_job(script, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.csv").write_text("1\n")
    path = script("import argparse, os\np = argparse.ArgumentParser()\np.add_argument('-x', type=float)\n"
                  "a = p.parse_args()\nprint('score:', len(os.listdir(os.environ['SM_CHANNEL_TRAIN'])) - a.x)\n",
                  "reads_data.py")
    est = Estimator(str(path), metric_definitions=SCORE)
    tuner = HyperparameterTuner(est, "score", {"x": IntegerParameter(0, 1)}, strategy="Grid")
    tuner.fit({"train": "data"}, logs=False)
    assert sorted(tuner.analytics().dataframe()["FinalObjectiveValue"]) == [0.0, 1.0]


def test_more_bad_tuner_input(script) -> None:
    with pytest.raises(ValidationError, match="max_jobs must be a whole number >= 1"):
        HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 1)}, max_jobs=0)
    with pytest.raises(ValidationError, match="not valid: use 1 to 59"):
        HyperparameterTuner(_estimator(script), "score", {"x": ContinuousParameter(0, 1)}).fit(job_name="t" * 60)
