"""AutoML jobs on data sets that ship with scikit-learn and on a mixed-type table."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import numpy as np
import pandas
import pytest

from jupyter_ext import AutoML, describe_job, list_jobs
from jupyter_ext.errors import ValidationError


def _frame(loader) -> pandas.DataFrame:
    data = loader(as_frame=True)
    return data.frame.rename(columns={data.frame.columns[-1]: "label"})


def _held_out_score(model_data: str, frame: pandas.DataFrame, tmp_path: Path) -> float:
    import joblib

    with tarfile.open(model_data) as tar:
        tar.extractall(tmp_path / "model")
    pipeline = joblib.load(tmp_path / "model" / "model.joblib")
    return float(pipeline.score(frame.drop(columns="label"), frame["label"]))


@pytest.mark.parametrize(("loader", "kind", "objective"), [
    ("load_breast_cancer", "BinaryClassification", "F1"),
    ("load_iris", "MulticlassClassification", "Accuracy"),
    ("load_diabetes", "Regression", "MSE"),
])
def test_problem_inferred_and_candidates_ranked(loader: str, kind: str, objective: str, tmp_path: Path) -> None:
    import sklearn.datasets

    frame = _frame(getattr(sklearn.datasets, loader)).sample(frac=1.0, random_state=0)
    train, held_out = frame.iloc[: int(len(frame) * 0.8)], frame.iloc[int(len(frame) * 0.8):]
    automl = AutoML("label", max_candidates=4, algorithms=["linear", "hgb"], total_job_runtime_in_seconds=300,
                    mode="HYPERPARAMETER_TUNING")
    automl.fit(train, logs=False)
    details = describe_job(automl.latest_auto_ml_job.name).details
    assert details["problem_type"] == kind and details["objective"] == objective
    board = automl.leaderboard()
    values = list(board[objective])
    assert len(board) == 4 and values == sorted(values, reverse=objective != "MSE")
    best = automl.best_candidate()
    assert best["CandidateName"] == board["CandidateName"][0]
    assert automl.model_data().endswith("best-model.tar.gz")  # refitted on every row
    assert automl.create_model(candidate=best).model_data.endswith(f"{best['CandidateName']}/output/model.tar.gz")
    score = _held_out_score(automl.model_data(), held_out, tmp_path)
    assert score > (0.85 if kind != "Regression" else 0.2)
    assert [j.job_type for j in list_jobs()].count("Tuning") == 1


def test_mixed_types_with_missing_values_and_dates(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 300
    frame = pandas.DataFrame({
        "customer_id": [f"c{i:05d}" for i in range(n)],
        "plan": rng.choice(["basic", "pro", "team", None], n),
        "monthly": rng.normal(50, 10, n).round(2),
        "signup": pandas.date_range("2024-01-01", periods=n, freq="D").astype(str),
        "active": rng.choice([True, False], n),
    })
    frame.loc[rng.choice(n, 30), "monthly"] = None
    frame["churn"] = np.where((frame["plan"] == "basic") | (frame["monthly"].fillna(50) > 60), "yes", "no")
    frame.to_csv(tmp_path / "churn.csv", index=False)
    automl = AutoML("churn", max_candidates=2, algorithms=["hgb"], total_job_runtime_in_seconds=300)
    automl.fit(str(tmp_path / "churn.csv"), logs=False)
    profile = (Path(describe_job(automl.latest_auto_ml_job.name).job_dir) / "data_profile.json").read_text()
    assert '"customer_id": "an identifier' in profile and '"signup": "datetime"' in profile
    assert automl.best_candidate()["FinalAutoMLJobObjectiveMetric"]["Value"] > 0.8


def test_bad_input_is_refused_before_any_job(tmp_path: Path) -> None:
    frame = pandas.DataFrame({"x": range(40), "y": [1] * 40, "empty": [None] * 40,
                              "id": [f"row-{i}" for i in range(40)]})
    with pytest.raises(ValidationError, match="Target column 'label' is not in the data"):
        AutoML("label").fit(frame)
    with pytest.raises(ValidationError, match="Did you mean 'empty'"):
        AutoML("emtpy").fit(frame)
    with pytest.raises(ValidationError, match="Target column 'empty' is empty"):
        AutoML("empty").fit(frame)
    with pytest.raises(ValidationError, match="has a single value"):
        AutoML("y").fit(frame)
    with pytest.raises(ValidationError, match="looks like an identifier"):
        AutoML("id").fit(frame)
    with pytest.raises(ValidationError, match="does not exist"):
        AutoML("y").fit(str(tmp_path / "missing.csv"))
    with pytest.raises(ValidationError, match="together, or neither"):
        AutoML("y", problem_type="Regression")
    assert list_jobs() == []


def test_budget_is_honoured_and_the_magic(tmp_path: Path, ip) -> None:
    from sklearn.datasets import load_breast_cancer

    frame = _frame(load_breast_cancer)
    automl = AutoML("label", max_candidates=200, total_job_runtime_in_seconds=30)
    automl.fit(frame, logs=False)
    job = describe_job(automl.latest_auto_ml_job.name)
    assert (job.ended_at - job.created_at).total_seconds() < 30 + 3  # what the program does not control: exit
    assert len(automl.leaderboard()) >= 2
    ip.user_ns["cancer"] = frame
    board = ip.run_line_magic("automl", "cancer --target label --max-candidates 2 --mode HYPERPARAMETER_TUNING "
                                                "--name magic-automl")
    assert len(board) == 2 and describe_job("magic-automl").job_type == "AutoML"


def test_notebooks_are_written_and_a_candidate_reproduces_its_score(tmp_path: Path) -> None:
    import nbformat
    import papermill
    from sklearn.datasets import load_digits

    frame = _frame(load_digits).iloc[:1100]  # over 1,000 rows: scored on a holdout split
    automl = AutoML("label", max_candidates=3, algorithms=["linear", "random-forest"])
    automl.fit(frame, logs=False)
    folder = Path(describe_job(automl.latest_auto_ml_job.name).job_dir) / "notebooks"
    report = nbformat.read(folder / "SageMakerAutopilotDataExplorationNotebook.ipynb", as_version=4)
    assert {c.cell_type for c in report.cells} == {"markdown"}
    assert "## Target Analysis" in report.cells[1].source and "data:image/png;base64" in report.cells[1].source
    headings = [c.source.split("\n", 1)[0] for c in report.cells[1:]]
    assert headings == ["## Target Analysis", "## Data Sample", "## Feature Summary", "## Duplicate Rows",
                        "## Cross Column Statistics", "## Anomalous Rows", "## Missing Values", "## Cardinality",
                        "## Descriptive Stats", "## Definitions"]
    profile = json.loads((folder.parent / "data_profile.json").read_text())
    powers = profile["prediction_power"]
    assert set(powers) == set(profile["column_types"]) and all(0 <= p <= 1 for p in powers.values())
    assert max(powers, key=powers.get).startswith("pixel_") and not json.loads(
        (folder.parent / "data" / "problem.json").read_text())["cross_validation_folds"]
    log = "\n".join(line.message for line in automl.latest_auto_ml_job.read_log().lines)
    assert "Notebooks:" in log and "over TCP" not in log  # the executed notebook's kernel adds no warning
    definition = folder / "SageMakerAutopilotCandidateDefinitionNotebook.ipynb"
    last = automl.list_candidates()[-1]
    papermill.execute_notebook(definition, tmp_path / "out.ipynb", parameters={"candidate": last["CandidateName"]},
                               kernel_name="python3", progress_bar=False)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    expected = last["FinalAutoMLJobObjectiveMetric"]["Value"]
    assert f"{last['CandidateName']}: Accuracy = {expected:.6f}" in printed


def test_torch_mlp_candidates(tmp_path: Path) -> None:
    from sklearn.datasets import load_breast_cancer

    frame = _frame(load_breast_cancer).sample(frac=1.0, random_state=1)
    train, held_out = frame.iloc[:450], frame.iloc[450:]
    automl = AutoML("label", max_candidates=2, algorithms=["mlp"])
    automl.fit(train, logs=False)
    assert set(automl.leaderboard()["Algorithm"]) <= {"mlp", "ensemble"}  # AUTO: an ensemble of MLPs may win
    assert _held_out_score(automl.model_data(), held_out, tmp_path) > 0.9


def test_ensembling_ranks_a_weighted_ensemble_that_the_notebook_reproduces(tmp_path: Path) -> None:
    import nbformat

    # A linear part (linear models get it) and a step (trees get it): together they do better.
    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 6))
    labels = features[:, :5] @ np.array([3, -2, 1.5, 1, 2]) + 4 * (features[:, 5] > 0.3) + rng.normal(0, 0.5, 600)
    frame = pandas.DataFrame(features, columns=[f"f{i}" for i in range(6)]).assign(label=labels)
    train, held_out = frame.iloc[:500], frame.iloc[500:]
    automl = AutoML("label", max_candidates=4, algorithms=["linear", "extra-trees"], mode="ENSEMBLING",
                    max_parallel_jobs=1)
    automl.fit(train, logs=False)
    board = automl.leaderboard()
    best = automl.best_candidate()
    assert best["Algorithm"] == "ensemble" and len(board) == 5
    members = best["HyperParameters"]["members"]
    assert len(members) >= 2 and set(members) <= set(board["CandidateName"])
    assert best["FinalAutoMLJobObjectiveMetric"]["Value"] < min(board["MSE"][1:])
    assert _held_out_score(automl.model_data(), held_out, tmp_path) > 0.8  # R², members refitted on every row
    importance = automl.feature_importance()
    assert importance.index[0] in ("f0", "f1", "f5") and importance.iloc[0] > 0.1
    assert best["CandidateProperties"]["CandidateArtifactLocations"]["Explainability"].endswith("feature_importance.json")
    # The job executed its Candidate Definition notebook for the winner: the ensemble's score, reproduced.
    folder = Path(describe_job(automl.latest_auto_ml_job.name).job_dir) / "notebooks"
    executed = nbformat.read(folder / "SageMakerAutopilotCandidateDefinitionNotebook.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert f"{best['CandidateName']}: MSE = {best['FinalAutoMLJobObjectiveMetric']['Value']:.6f}" in printed
