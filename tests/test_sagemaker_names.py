"""SageMaker notebooks ported to our Python API: the names, keys and calls they use work.

Job handles answer `job_name`, descriptions read as SageMaker's dicts, an Estimator and a
tuner deploy, a job inside `with Run(...)` joins its experiment, and SageMaker arguments we
cannot honour are named in a warning rather than dropped without a word.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from jupyter_ext import Estimator, HyperparameterTuner, IntegerParameter
from jupyter_ext.errors import UnexpectedStatusError
from jupyter_ext.experiments import Experiment, Run, load_run
from jupyter_ext.sagemaker_arguments import SageMakerArgumentWarning
from jupyter_ext.serving import CSVSerializer, JSONSerializer, Model, list_endpoints

# A training script that serves too, as SageMaker's framework estimators deploy it: the
# training part runs as __main__, the model_fn/predict_fn when the endpoint loads it.
TRAIN_AND_SERVE = '''
import argparse, json, os

def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        return json.load(f)

def predict_fn(data, model):
    return [model["scale"] * sum(row) for row in data]

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    print(f"loss: {1 / args.scale}")
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w") as f:
        json.dump({"scale": args.scale}, f)
'''

LOSS = [{"Name": "loss", "Regex": "loss: ([0-9.]+)"}]


@pytest.fixture(autouse=True)
def _no_endpoint_left():
    yield
    for endpoint in list_endpoints():
        from jupyter_ext.serving import delete_endpoint

        delete_endpoint(endpoint.name)


def test_a_training_job_reads_as_sagemakers_description(script, tmp_path: Path) -> None:
    script(TRAIN_AND_SERVE)
    estimator = Estimator("train.py", hyperparameters={"scale": 2}, metric_definitions=LOSS, output_path="models")
    estimator.fit(logs=False)
    job = estimator.latest_training_job
    assert job.job_name == job.name
    described = job.describe()
    assert described["TrainingJobStatus"] == described.status == "Completed"
    assert described["TrainingJobName"] == job.name
    assert described["ModelArtifacts"]["S3ModelArtifacts"] == estimator.model_data
    # A relative output_path starts from the notebook's folder, and the model is there.
    assert estimator.model_data == str(tmp_path / "models" / job.name / "output" / "model.tar.gz")
    assert Path(estimator.model_data).is_file()
    assert described["HyperParameters"] == {"scale": "2"}
    assert [(m["MetricName"], m["Value"]) for m in described["FinalMetricDataList"]] == [("loss", 0.5)]
    assert described["TrainingEndTime"] >= described["TrainingStartTime"] >= described["CreationTime"]
    assert "FailureReason" not in described and described.get("FailureReason") is None
    with pytest.raises(KeyError, match="FailureReason"):
        described["FailureReason"]
    assert set(described.keys()) >= {"TrainingJobName", "TrainingJobStatus", "SecondaryStatus", "ModelArtifacts"}


def test_a_failed_job_says_why_under_sagemakers_key(script) -> None:
    script("raise SystemExit('no data')\n")
    estimator = Estimator("train.py")
    with pytest.raises(UnexpectedStatusError):
        estimator.fit(logs=False)
    described = estimator.latest_training_job.describe()
    assert described["TrainingJobStatus"] == "Failed"
    assert "no data" in described["FailureReason"]
    assert "ModelArtifacts" not in described


def test_an_estimator_deploys_with_its_training_script_as_inference_code(script, tmp_path: Path) -> None:
    script(TRAIN_AND_SERVE)
    estimator = Estimator("train.py", hyperparameters={"scale": 3})
    estimator.fit(logs=False)
    predictor = estimator.deploy(initial_instance_count=1, instance_type="ml.m5.large", serializer=JSONSerializer())
    assert predictor.predict([[1, 2], [3, 4]]) == [9, 21]
    assert predictor.endpoint == predictor.endpoint_name
    described = predictor.describe()
    assert described["EndpointStatus"] == "InService" and described["EndpointName"] == predictor.endpoint_name
    assert described["ProductionVariants"][0]["VariantName"] == "AllTraffic"
    predictor.delete_endpoint()
    assert list_endpoints() == []

    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "rows.csv").write_text("1,1\n2,5\n")
    transformer = estimator.transformer(instance_count=1, instance_type="ml.m5.large", output_path="scored")
    transformer.transform(str(tmp_path / "batch"), content_type="text/csv", logs=False)
    assert (tmp_path / "scored" / "rows.csv.out").read_text().split() == ["6.0", "21.0"]
    assert transformer.latest_transform_job.describe()["TransformJobStatus"] == "Completed"


def test_a_tuner_deploys_its_best_training_job_and_deletes_the_endpoint(script) -> None:
    script(TRAIN_AND_SERVE)
    tuner = HyperparameterTuner(Estimator("train.py"), "loss", {"scale": IntegerParameter(1, 4)},
                                metric_definitions=LOSS, objective_type="Minimize", strategy="Grid",
                                max_jobs=4, max_parallel_jobs=2)
    tuner.fit(logs=False)
    assert tuner.latest_tuning_job.job_name == tuner.latest_tuning_job.name
    described = tuner.describe()
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    best = described["BestTrainingJob"]["TrainingJobName"]
    assert Estimator.attach(best).latest_training_job.describe()["HyperParameters"] == {"scale": "4"}
    predictor = tuner.deploy(1, "ml.m5.large", serializer=CSVSerializer())
    assert predictor.endpoint_name == best
    assert predictor.predict([[1, 1]]) == [8]
    tuner.delete_endpoint()
    assert list_endpoints() == []


def test_a_job_inside_a_run_joins_its_experiment_and_load_run_finds_a_run(script) -> None:
    script(TRAIN_AND_SERVE)
    with Run(experiment_name="churn", run_name="notebook") as run:
        run.log_parameter("stage", "baseline")
        with load_run() as same:  # inside the with: the same run
            assert same is run
            same.log_metric("auc", 0.9)
        Estimator("train.py").fit(logs=False)
    runs = Experiment("churn").runs()
    assert len(runs) == 2 and "churn-notebook" in runs  # the notebook's run and the job's
    with load_run(experiment_name="churn", run_name="notebook") as again:
        again.log_metric("auc", 0.95)
    frame = Experiment("churn").analytics().dataframe()
    assert set(frame["TrialComponentName"]) == set(runs)
    with pytest.raises(Exception, match="both experiment_name"):
        load_run(run_name="notebook")


def test_sagemaker_arguments_we_do_not_honour_are_named_once(script) -> None:
    script(TRAIN_AND_SERVE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Estimator("train.py", role="arn:aws:iam::1:role/x", sagemaker_session=object(),
                  image_uri="pytorch", instance_type="ml.m5.large", volume_size=30)
    assert [w for w in caught if issubclass(w.category, SageMakerArgumentWarning)] == []
    with pytest.warns(SageMakerArgumentWarning, match=r"Estimator: checkpoint_s3_uri= .* ignored"):
        Estimator("train.py", checkpoint_s3_uri="s3://bucket/checkpoints")
    with warnings.catch_warnings(record=True) as caught:  # once per argument name
        warnings.simplefilter("always")
        Estimator("train.py", checkpoint_s3_uri="s3://bucket/checkpoints")
    assert [w for w in caught if issubclass(w.category, SageMakerArgumentWarning)] == []
    with pytest.warns(SageMakerArgumentWarning, match="enable_cloudwatch_metrics"):
        Model(str(Path("train.py")), enable_cloudwatch_metrics=True)


def test_autopilot_candidates_sort_and_describe_as_sagemakers(tmp_path: Path) -> None:
    import numpy
    import pandas

    from jupyter_ext import AutoML

    rng = numpy.random.RandomState(0)
    frame = pandas.DataFrame({"a": rng.rand(120), "b": rng.rand(120)})
    frame["y"] = (frame.a > frame.b).astype(int)
    automl = AutoML("y", max_candidates=2, algorithms=["linear"], total_job_runtime_in_seconds=300,
                    mode="HYPERPARAMETER_TUNING")
    automl.fit(frame, logs=False)
    described = automl.describe_auto_ml_job()
    assert described["AutoMLJobStatus"] == "Completed" and described["AutoMLJobName"] == automl.latest_auto_ml_job.name
    assert described["BestCandidate"]["CandidateName"] == automl.best_candidate()["CandidateName"]
    values = [c["FinalAutoMLJobObjectiveMetric"]["Value"] for c in automl.list_candidates(sort_order="Ascending")]
    assert values == sorted(values)
    descending = automl.list_candidates(sort_by="FinalObjectiveMetricValue", sort_order="Descending", max_results=1)
    assert descending[0]["FinalAutoMLJobObjectiveMetric"]["Value"] == max(values)
    model = automl.create_model(name="churn-model", inference_response_keys=["predicted_label", "probabilities"])
    assert isinstance(model, Model) and model.name == "churn-model"
    assert json.loads(model.env["JUPYTER_EXT_AUTOML_INPUT_COLUMNS"]) == ["a", "b"]
