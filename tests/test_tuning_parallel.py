"""Parallel trials: suggestions that know which trials are still running (the Bayesian
strategy's Gaussian process, and its TPE), one trial at a time as the plain Optuna sampler
each is built on, and pending trials kept when a resumed tuning job adopts them."""

from __future__ import annotations

import math
import os
import signal

import optuna
import pytest

from conftest import wait_until
from jupyter_ext import (
    CategoricalParameter, ContinuousParameter, Estimator, HyperparameterTuner, IntegerParameter, describe_job,
)
from jupyter_ext.jobs import records
from jupyter_ext.store import get_store
from jupyter_ext.tuning.search import Search

optuna.logging.set_verbosity(optuna.logging.WARNING)

RANGES = {"x1": ContinuousParameter(-5, 10), "x2": ContinuousParameter(0, 15),
          "x3": ContinuousParameter(1e-3, 10, "Logarithmic")}


def _objective(point: dict) -> float:
    """Branin in x1, x2 plus a bowl in log10(x3) (as benchmarks/tuning.py)."""
    x1, x2, x3 = point["x1"], point["x2"], point["x3"]
    bowl = (x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6) ** 2
    return bowl + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10 + 2 * (math.log10(x3) + 0.7) ** 2


def _unit(point: dict) -> list[float]:
    return [(point["x1"] + 5) / 15, point["x2"] / 15, (math.log10(point["x3"]) + 3) / 4]


def _closest_pair(points: list[dict]) -> float:
    units = [_unit(p) for p in points]
    return min(math.dist(a, b) for i, a in enumerate(units) for b in units[i + 1:])


def _search(seed: int, config: dict | None = None, finished: int = 12) -> Search:
    search = Search("Bayesian", RANGES, seed, config, maximize=False)
    for _ in range(finished):
        trial, point = search.ask()
        search.tell(trial, _objective(point))
    return search


@pytest.mark.parametrize("sampler", ["gp", "tpe"])
def test_eight_trials_asked_while_others_run_spread_out(sampler: str) -> None:
    """Eight trials asked together (max_parallel_jobs=8), after twelve results: no two nearly
    the same (the search that ignores pending trials piles them up)."""
    aware, unaware = [], []
    for seed in range(5):
        for config, closest in (({"sampler": sampler}, aware), ({"sampler": sampler, "pending_aware": False}, unaware)):
            search = _search(seed, config)
            closest.append(_closest_pair([search.ask()[1] for _ in range(8)]))
            assert search.pending() == 8
    assert min(aware) > 0.1, aware  # a tenth of the unit cube's side at least
    assert min(unaware) < 0.05, unaware  # what the check guards against


@pytest.mark.parametrize(("sampler", "finished", "running", "early", "crowd"), [("gp", 2, 1, 1, 8), ("tpe", 6, 4, 2, 8)])
def test_random_start_up_counts_pending_trials(sampler: str, finished: int, running: int, early: int,
                                                crowd: int) -> None:
    """The GP's start-up is 3 trials, TPE's 10: with 2 results and 1 trial running (6 and 4
    for TPE) the next trial is modelled, not random; with 1 result and 8 running (2 and 8)
    it is still random (too little is known)."""
    config = {"sampler": sampler}
    search = _search(0, config, finished=finished)
    for _ in range(running):
        search.ask()
    trial, _ = search.ask()
    assert not search.study.sampler.starting_up(search.study, search.study.trials[trial.number])
    few = _search(0, config, finished=early)
    for _ in range(crowd):
        few.ask()
    trial, _ = few.ask()
    assert few.study.sampler.starting_up(few.study, few.study.trials[trial.number])


@pytest.mark.parametrize("sampler", ["gp", "tpe"])
def test_one_trial_at_a_time_is_plain_optuna(sampler: str) -> None:
    """Same seed, same suggestions and values, past the start-up, as the plain Optuna sampler:
    GPSampler(seed=seed, n_startup_trials=3) for the Bayesian strategy, TPESampler(seed=seed)
    for strategy_config={"sampler": "tpe"}."""
    ranges = {"lr": ContinuousParameter(1e-4, 1e-1, "Logarithmic"), "layers": IntegerParameter(1, 8),
              "act": CategoricalParameter(["relu", "tanh"]), "x": ContinuousParameter(-5, 10)}

    def score(lr: float, layers: int, act: str, x: float) -> float:
        return (math.log10(lr) + 2) ** 2 + (layers - 3) ** 2 / 4 + (act == "tanh") + (x - 1) ** 2 / 10

    for seed in (0, 1):
        search = Search("Bayesian", ranges, seed, {} if sampler == "gp" else {"sampler": "tpe"}, maximize=False)
        ours = []
        for _ in range(20):
            trial, values = search.ask()
            ours.append(values)
            search.tell(trial, score(**values))
        plain = (optuna.samplers.GPSampler(seed=seed, n_startup_trials=3) if sampler == "gp"
                 else optuna.samplers.TPESampler(seed=seed))
        study = optuna.create_study(sampler=plain)
        study.optimize(lambda t: score(t.suggest_float("lr", 1e-4, 1e-1, log=True), t.suggest_int("layers", 1, 8),
                                       t.suggest_categorical("act", ["relu", "tanh"]), t.suggest_float("x", -5, 10)),
                       n_trials=20)
        assert ours == [t.params for t in study.trials]


def test_a_trial_stopped_early_counts_for_the_gp_with_its_best_value() -> None:
    """Early stopping: half the trials stopped after reporting their value (and a worse one
    first); the Gaussian process suggests next what it would had they finished with it."""
    finished, stopped = (Search("Bayesian", RANGES, 3, {}, maximize=False, early_stopping=early)
                         for early in (False, True))
    for number in range(10):
        (done, point), (cut, same) = finished.ask(), stopped.ask()
        assert point == same
        value = _objective(point)
        finished.tell(done, value)
        if number % 2:
            cut.report(value + 5, 0)
            cut.report(value, 1)
            stopped.tell(cut, None, pruned=True)
        else:
            stopped.tell(cut, value)
    assert sum(t.state.name == "PRUNED" for t in stopped.study.trials) == 5
    assert [finished.ask()[1] for _ in range(3)] == [stopped.ask()[1] for _ in range(3)]


def _rebuilt(seed: int, register_running: bool) -> tuple[Search, list, list[dict], float]:
    """A search rebuilt as a resumed job rebuilds it: 12 results, and 6 trials that still run
    (pending, unless `register_running` is False, as before adoption kept them); the closest
    distance from two new suggestions to the running ones."""
    first = _search(seed, finished=12)
    learnt = [(t.params, t.value) for t in first.study.trials]
    running = [first.ask()[1] for _ in range(6)]
    rebuilt = Search("Bayesian", RANGES, seed + 100, {}, maximize=False)
    for params, value in learnt:
        assert rebuilt.add_finished(params, value)
    adopted = [rebuilt.add_pending(point) for point in running] if register_running else []
    fresh = [rebuilt.ask()[1] for _ in range(2)]
    return rebuilt, adopted, running, min(math.dist(_unit(a), _unit(b)) for a in fresh for b in running)


def test_a_rebuilt_search_keeps_adopted_trials_pending() -> None:
    """A resumed job's search: running trials pending, new suggestions away from them (not
    so when they are left out), and an adopted trial's result told with its per-epoch values."""
    kept = [_rebuilt(seed, True)[3] for seed in range(5)]
    left_out = [_rebuilt(seed, False)[3] for seed in range(5)]
    assert min(kept) > 0.15 and min(left_out) < 0.1, (kept, left_out)
    rebuilt, adopted, running, _ = _rebuilt(0, True)
    assert rebuilt.pending() == 8 and [t.params for t in adopted] == running  # 6 adopted, 2 new
    adopted[0].report(5.0, 0)
    rebuilt.tell(adopted[0], 4.0)
    done = rebuilt.study.trials[adopted[0].number]
    assert done.state.name == "COMPLETE" and done.value == 4.0 and done.intermediate_values == {0: 5.0}
    assert rebuilt.add_pending({"x1": 99.0, "x2": 1.0, "x3": 1.0}) is None  # outside the ranges
    assert rebuilt.pending() == 7


SLOW = """
import argparse, time
p = argparse.ArgumentParser()
p.add_argument("-x", type=float)
p.add_argument("--sleep", type=float, default=0)
a = p.parse_args()
for epoch in range(3):
    time.sleep(a.sleep)
    print(f"epoch {epoch} score: {-(a.x - 3) ** 2}", flush=True)
"""


def test_resumed_bayesian_job_adopts_running_trials_as_pending(script) -> None:
    est = Estimator(str(script(SLOW, "slow.py")), hyperparameters={"sleep": 1.5},
                    metric_definitions=[{"Name": "score", "Regex": r"score: ([-0-9.e]+)"}])
    tuner = HyperparameterTuner(est, "score", {"x": ContinuousParameter(0, 10)}, strategy="Bayesian",
                                max_jobs=4, max_parallel_jobs=2, random_seed=1)
    tuner.fit(wait=False)
    job = tuner.latest_tuning_job

    def running() -> list[str]:
        return [c for c in describe_job(job.name).children if describe_job(c).status == "InProgress"]

    wait_until(lambda: len(running()) == 2, what="two running trials")
    os.kill(records.get_row(get_store(), job.name)["runner_pid"], signal.SIGKILL)
    wait_until(lambda: describe_job(job.name).status == "Failed", what="the tuning job to be marked Failed")
    still = running()
    assert still, "the trials ended before the runner was found dead: make them longer"
    resumed = HyperparameterTuner.attach(job.name)
    resumed.resume(logs=False)
    log = [line.message for line in resumed.latest_tuning_job.read_log().lines]
    assert any(f"{len(still)} still running adopted ({len(still)} pending in the search)" in m for m in log), log
    frame = resumed.analytics().dataframe()
    assert len(frame) == 4 and frame["FinalObjectiveValue"].notna().all(), frame
    assert set(still) <= set(frame["TrainingJobName"])
