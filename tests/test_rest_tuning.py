"""The tuning job page's REST route through a real jupyter_server over a real tuning job:
GET /jupyter-ext/api/tuning-jobs/{name} → TuningJobDescription."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext import Estimator

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# score = 10 - (rate - 3)^2 (+ depth when the algorithm tunes it): a trivial objective to maximize.
OBJECTIVE = ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--rate', type=float)\n"
             "p.add_argument('--depth', type=int, default=0)\na = p.parse_args()\n"
             "print('score:', 10 - (a.rate - 3) ** 2 + a.depth, flush=True)\n")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


def two_algorithm_tuning_job(script: Callable[[str, str], Path], name: str) -> None:
    """A Random tuning job of 4 trials over two algorithms: `wide` tunes rate and depth,
    `narrow` only rate (so its trials lack depth)."""
    from jupyter_ext import ContinuousParameter, HyperparameterTuner, IntegerParameter

    path = str(script(OBJECTIVE, "objective.py"))
    metrics = [{"Name": "score", "Regex": "score: ([-0-9.e]+)"}]
    tuner = HyperparameterTuner.create(
        {"wide": Estimator(path, metric_definitions=metrics), "narrow": Estimator(path, metric_definitions=metrics)},
        {"wide": "score", "narrow": "score"},
        {"wide": {"rate": ContinuousParameter(0, 6), "depth": IntegerParameter(0, 2)},
         "narrow": {"rate": ContinuousParameter(0, 6)}},
        strategy="Random", max_jobs=4, max_parallel_jobs=1, random_seed=7)
    tuner.fit(job_name=name, logs=False)


async def test_a_tuning_job_with_its_trials_and_the_best_marked(jp_fetch, script) -> None:
    two_algorithm_tuning_job(script, "rest-tune")
    response = await jp_fetch("jupyter-ext", "api", "tuning-jobs", "rest-tune")
    job = json.loads(response.body)
    assert (job["status"], job["strategy"], job["objective_metric_name"], job["objective_type"]) == (
        "Completed", "Random", "score", "Maximize")
    assert (job["max_jobs"], job["max_parallel_jobs"]) == (4, 1)
    assert {(r["definition"], r["name"], r["kind"]) for r in job["ranges"]} == {
        ("wide", "rate", "Continuous"), ("wide", "depth", "Integer"), ("narrow", "rate", "Continuous")}
    trials = job["trials"]
    assert len(trials) == 4 and all(t["status"] == "Completed" for t in trials)
    assert {t["definition"] for t in trials} == {"wide", "narrow"}
    assert all(isinstance(t["hyperparameters"]["rate"], float) and t["elapsed_seconds"] > 0 for t in trials)
    assert all(("depth" in t["hyperparameters"]) == (t["definition"] == "wide") for t in trials)
    top = json.loads((await jp_fetch("jupyter-ext", "api", "jobs", params={"top_level": "true"})).body)["jobs"]
    assert [(j["name"], j["child_count"]) for j in top] == [("rest-tune", 4)]  # the Jobs list nests the trials
    children = json.loads((await jp_fetch("jupyter-ext", "api", "jobs", params={"parent": "rest-tune"})).body)["jobs"]
    assert sorted(j["name"] for j in children) == sorted(t["name"] for t in trials)
    best = max(trials, key=lambda t: t["objective"])
    assert job["best_trial"] == best["name"] and [t["name"] for t in trials if t["is_best"]] == [best["name"]]


async def test_a_training_job_is_not_a_tuning_job_and_an_unknown_one_is_missing(jp_fetch, script) -> None:
    Estimator(str(script("print('hi')\n"))).fit(job_name="rest-plain", logs=False)
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", "tuning-jobs", "rest-plain")
    assert caught.value.code == 400 and b"not a tuning job" in caught.value.response.body
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("jupyter-ext", "api", "tuning-jobs", "no-such-tuning")
    assert caught.value.code == 404
