"""The model registry over real jobs, a real store and real endpoints: versions of a group,
approval, deploy by ARN, lineage from an endpoint back to its training data and run."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from jupyter_ext.errors import ConflictError, NotFoundError, ValidationError
from jupyter_ext.registry import (
    MetricsSource, ModelMetrics, ModelPackage, ModelPackageGroup, delete_model_package, describe_model_package,
    lineage, list_model_package_groups, list_model_packages, register_model, update_approval,
)
from jupyter_ext.serving import CSVSerializer, Model, list_endpoints
from jupyter_ext.training import Estimator
from serving_models import sklearn_model

TRAIN = """\
import os, joblib, numpy
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":  # the script serves too (the built-in handlers load model.joblib)
    data = numpy.loadtxt(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv"), delimiter=",")
    model = LogisticRegression().fit(data[:, 1:], data[:, 0])
    joblib.dump(model, os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
"""


def _register_in_child(archive: str, home: str, queue: "multiprocessing.Queue[list[int]]") -> None:
    os.environ["JUPYTER_EXT_HOME"] = home
    queue.put([register_model(Model(archive), "raced").version for _ in range(10)])


def test_versions_approval_filters_and_bad_input(tmp_path: Path, home: Path) -> None:
    archive, _ = sklearn_model(tmp_path / "sk")
    metrics = ModelMetrics(model_statistics=MetricsSource("application/json", str(tmp_path / "evaluation.json")))
    first = Model(str(archive)).register(model_package_group_name="churn", content_types=["text/csv"],
                                         response_types=["text/csv"], model_metrics=metrics,
                                         customer_metadata_properties={"owner": "ana"}, description="baseline")
    second = register_model(Model(str(archive)), "churn", "Approved", model_metrics=str(tmp_path / "e2.json"))
    assert (first.version, second.version) == (1, 2)
    assert first.arn == "arn:aws:sagemaker:us-east-1:000000000000:model-package/churn/1"
    assert (first.approval_status, second.approval_status, first.name) == ("PendingManualApproval", "Approved", "churn")
    d = describe_model_package("churn/1")
    assert d.inference_specification["SupportedContentTypes"] == ["text/csv"] and d.status == "Completed"
    assert d.model_metrics["ModelQuality"]["Statistics"]["S3Uri"].endswith("evaluation.json")
    assert (d.customer_metadata_properties, d.description, d.model_data) == ({"owner": "ana"}, "baseline", str(archive))
    assert (d["ModelApprovalStatus"], d["ModelPackageVersion"]) == ("PendingManualApproval", 1)  # SageMaker's keys

    update_approval(first.arn, "Rejected", "AUC too low")
    assert [p.version for p in list_model_packages("churn")] == [2, 1]
    assert [p.version for p in list_model_packages("churn", approval_status="Rejected")] == [1]
    assert describe_model_package(first).approval_description == "AUC too low"
    group = list_model_package_groups()[0]
    assert (group.name, group.package_count, group.latest_version) == ("churn", 2, 2)

    with pytest.raises(ValidationError, match="'Accepted' is not valid; use one of: PendingManualApproval, "
                                              "Approved, Rejected"):
        update_approval(first.arn, "Accepted")
    with pytest.raises(NotFoundError, match="group 'fraud' not found. Groups: churn"):
        list_model_packages("fraud")
    with pytest.raises(NotFoundError, match="churn has no version 7; it has: 1, 2"):
        ModelPackage("churn/7")
    with pytest.raises(ValidationError, match="is Rejected; only an Approved version is deployed"):
        first.deploy()
    with pytest.raises(ConflictError, match="holds 2 version"):
        ModelPackageGroup("churn").delete()
    delete_model_package(first.arn)
    assert register_model(Model(str(archive)), "churn").version == 3  # a number is never given twice

    # Two processes registering at once never get the same version.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    children = [context.Process(target=_register_in_child, args=(str(archive), str(home), queue)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert sorted(v for _ in children for v in queue.get(timeout=5)) == list(range(1, 21))


def test_deploy_an_approved_version_by_arn_and_follow_its_lineage(script, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    rows = [f"{int(a > b)},{a},{b}" for a, b in [(9, 1), (1, 9), (8, 3), (2, 7), (7, 1), (1, 6)]]
    (tmp_path / "data" / "train.csv").write_text("\n".join(rows) + "\n")
    script(TRAIN)
    estimator = Estimator("train.py")
    estimator.fit({"train": str(tmp_path / "data")}, job_name="churn-train",
                  experiment_config={"ExperimentName": "churn", "RunName": "baseline"})
    package = estimator.register(model_package_group_name="churn-models", approval_status="Approved")
    assert describe_model_package(package.arn).source_job == "churn-train"

    predictor = ModelPackage(package.arn, role="ignored").deploy(1, "ml.m5.large", serializer=CSVSerializer())
    try:
        assert predictor.predict([[9, 1], [1, 9]]) == [1.0, 0.0]
        found = lineage(predictor.endpoint_name)
        assert (found.model_package_arn, found.model_package_version) == (package.arn, 1)
        assert (found.training_job, found.inputs) == ("churn-train", {"train": str(tmp_path / "data")})
        assert (found.experiment, found.run) == ("churn", "churn-baseline")
        variant = next(e for e in list_endpoints() if e.name == predictor.endpoint_name).variants[0]
        assert variant.model_package_arn == package.arn
    finally:
        predictor.delete_endpoint()
