"""The runs-compare page's REST routes through a real jupyter_server over real runs:
GET /jupyter-ext/api/run-comparison (an experiment's runs, or those outside any) and
GET /jupyter-ext/api/runs/{name}/charts (the ROC curves and confusion matrices a run logged)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_ext import Estimator
from jupyter_ext.experiments import Run

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_ext": True}, "tornado_settings": {"jupyter_ext_aws": False}}}


async def _get(jp_fetch, *parts: str, **params) -> dict:
    return json.loads((await jp_fetch("jupyter-ext", "api", *parts, params=params)).body)


def compared_runs(experiment: str, script: Callable[[str, str], Path] | None = None) -> None:
    """Three runs of `experiment` logging a loss over 3 steps (the third lacks parameter C and
    logs an ROC curve, a precision-recall curve and a confusion matrix); with `script`, a training job `<experiment>-alone`
    outside any experiment too (an unassigned run)."""
    for name, c, loss in (("small", 0.1, 0.5), ("large", 10.0, 0.2), ("plain", None, 0.3)):
        with Run(experiment_name=experiment, run_name=name) as run:
            if c is not None:
                run.log_parameter("C", c)
            run.log_parameter("kernel", "rbf")
            for step in range(3):
                run.log_metric("loss", loss + 0.1 * (2 - step), step=step)
            run.log_metric("accuracy", 1 - loss)
            if c is None:
                run.log_roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
                run.log_precision_recall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
                run.log_confusion_matrix(["cat", "dog", "dog", "cat"], ["cat", "dog", "cat", "cat"])
    if script is not None:
        path = script("print('loss: 0.9')\n", "alone.py")
        Estimator(str(path), metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}]).fit(
            job_name=f"{experiment}-alone", logs=False)


async def test_an_experiments_runs_compared_and_a_runs_charts(jp_fetch) -> None:
    compared_runs("compare-rest")
    comparison = await _get(jp_fetch, "run-comparison", experiment="compare-rest")
    assert comparison["experiment"] == "compare-rest" and comparison["total"] == 3
    assert [r["name"] for r in comparison["runs"]] == [f"compare-rest-{n}" for n in ("plain", "large", "small")]
    assert comparison["metrics"] == [{"name": "accuracy", "lower_is_better": False},
                                     {"name": "loss", "lower_is_better": True}]
    assert comparison["parameters"] == ["kernel", "C"]
    plain, large = comparison["runs"][0], comparison["runs"][1]
    assert "C" not in plain["parameters"] and large["parameters"] == {"C": 10.0, "kernel": "rbf"}
    assert large["metrics"] == {"loss": pytest.approx(0.2), "accuracy": pytest.approx(0.8)}
    assert plain["charts"] == ["roc-curve", "precision-recall", "confusion-matrix"] and large["charts"] == []

    charts = await _get(jp_fetch, "runs", "compare-rest-plain", "charts")
    [roc] = charts["roc_curves"]
    assert roc["false_positive_rate"][0] == 0 and roc["true_positive_rate"][-1] == 1
    assert roc["area_under_curve"] == pytest.approx(0.75)
    [curve] = charts["precision_recall_curves"]
    assert curve["name"] == "precision-recall" and len(curve["precision"]) == len(curve["recall"]) > 2
    assert curve["average_precision"] == pytest.approx(0.8333, abs=1e-3)
    [matrix] = charts["confusion_matrices"]
    assert matrix["labels"] == ["cat", "dog"] and matrix["matrix"] == [[2, 0], [1, 1]]


async def test_unassigned_runs_are_compared_and_counted(jp_fetch, script) -> None:
    compared_runs("compare-side", script)
    unassigned = await _get(jp_fetch, "run-comparison")
    assert unassigned["experiment"] is None
    assert [r["name"] for r in unassigned["runs"]] == ["compare-side-alone"] and unassigned["total"] == 1
    [alone] = unassigned["runs"]
    assert alone["job_name"] == "compare-side-alone" and alone["status"] == "Completed"
    assert alone["metrics"] == {"loss": 0.9}
    listing = await _get(jp_fetch, "experiments")
    assert listing["unassigned_runs"] == 1


async def test_the_leaderboard_puts_the_lowest_loss_first(jp_fetch) -> None:
    compared_runs("compare-order")
    board = await _get(jp_fetch, "experiments", "compare-order", "leaderboard", metric="loss")
    assert board["ascending"] is True and board["rows"][0]["run"] == "compare-order-large"
    board = await _get(jp_fetch, "experiments", "compare-order", "leaderboard", metric="accuracy")
    assert board["ascending"] is False and board["rows"][0]["run"] == "compare-order-large"


async def test_unknown_experiment_or_run_is_404(jp_fetch) -> None:
    for parts, params in ((("run-comparison",), {"experiment": "nope"}), (("runs", "nope", "charts"), {})):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("jupyter-ext", "api", *parts, params=params)
        assert caught.value.code == 404
