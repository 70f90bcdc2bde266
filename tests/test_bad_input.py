"""Bad input: a clear error naming the problem, and nothing half-created."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ext import Estimator, ProcessingInput, ScriptProcessor, list_jobs
from jupyter_ext.errors import ConflictError, NotFoundError, ValidationError
from jupyter_ext.jobs import describe_job


def _nothing_created(home: Path) -> None:
    assert list_jobs() == []
    assert not (home / "jobs").exists() or not any((home / "jobs").iterdir())


def test_missing_entry_point(home: Path) -> None:
    with pytest.raises(ValidationError, match="entry_point nope.py not found"):
        Estimator("nope.py")
    _nothing_created(home)


def test_missing_input_path(script, home: Path) -> None:
    script("print(1)\n")
    with pytest.raises(ValidationError, match=r"Input 'train': missing-data/ does not exist \(looked for .*missing-data\)"):
        Estimator("train.py").fit({"train": "missing-data/"})
    with pytest.raises(ValidationError, match="relative paths start from the notebook's folder"):
        Estimator("train.py").fit({"train": "missing-data/"})
    with pytest.raises(ValidationError, match=r"s3://no-bucket/data/ does not exist.*Check the URI \(aws s3 ls"):
        Estimator("train.py").fit({"train": "s3://no-bucket/data/"})  # no hint of a notebook's folder
    _nothing_created(home)


def test_missing_processing_input(script, home: Path) -> None:
    script("print(1)\n", "prep.py")
    with pytest.raises(ValidationError, match="raw does not exist"):
        ScriptProcessor().run("prep.py", inputs=[ProcessingInput("raw", "/opt/ml/processing/input")])
    _nothing_created(home)


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"Name": "loss", "Regex": "loss: ([0-9.]+"}, "not valid: missing \\)"),
        ({"Name": "loss", "Regex": "loss: [0-9.]+"}, "no capture group"),
        ({"Name": "loss"}, "exactly the keys 'Name' and 'Regex'"),
    ],
)
def test_bad_metric_regex(script, home: Path, definition: dict, message: str) -> None:
    script("print(1)\n")
    with pytest.raises(ValidationError, match=message):
        Estimator("train.py", metric_definitions=[definition])
    _nothing_created(home)


def test_too_many_metric_definitions(script) -> None:
    script("print(1)\n")
    definitions = [{"Name": f"m{i}", "Regex": f"m{i}=(\\d+)"} for i in range(41)]
    with pytest.raises(ValidationError, match="at most 40"):
        Estimator("train.py", metric_definitions=definitions)


def test_duplicate_job_name_keeps_the_first_job(script, home: Path) -> None:
    script("print('first')\n")
    Estimator("train.py").fit(job_name="only-once")
    first = describe_job("only-once")
    with pytest.raises(ConflictError, match="A job named 'only-once' exists already"):
        Estimator("train.py").fit(job_name="only-once")
    assert describe_job("only-once") == first
    assert Path(first.job_dir, "model").is_dir()
    assert [j.name for j in list_jobs()] == ["only-once"]


def test_non_serializable_hyperparameter(script, home: Path) -> None:
    script("print(1)\n")
    with pytest.raises(ValidationError, match=r"Hyperparameter 'fn' = .*cannot be passed"):
        Estimator("train.py", hyperparameters={"fn": object()})
    est = Estimator("train.py")
    est.set_hyperparameters(ok=1)
    with pytest.raises(ValidationError, match="'nan'"):
        est.set_hyperparameters(nan=float("nan"))
    _nothing_created(home)


def test_bad_job_name_and_unknown_job(script) -> None:
    script("print(1)\n")
    with pytest.raises(ValidationError, match="Job name 'bad_name!' is not valid"):
        Estimator("train.py").fit(job_name="bad_name!")
    with pytest.raises(NotFoundError, match="No job named 'ghost'"):
        describe_job("ghost")


def test_unknown_executor_lists_the_valid_ones(script) -> None:
    script("print(1)\n")
    with pytest.raises(ValidationError, match="Unknown executor 'gpu-farm'; choose one of: local"):
        Estimator("train.py", instance_type="gpu-farm").fit()


def test_unknown_list_filters() -> None:
    with pytest.raises(ValidationError, match="Unknown job status 'Done'; choose one of: Pending"):
        list_jobs(status="Done")
    with pytest.raises(ValidationError, match="Unknown job type 'Ensemble'"):
        list_jobs(type="Ensemble")
    with pytest.raises(ValidationError, match="limit must be"):
        list_jobs(limit=0)
