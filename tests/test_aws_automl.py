"""AutoML (Autopilot) on the local AWS endpoint over SDK v2, unmodified: AutoML.fit on a
CSV in S3, the job's description with its two notebooks in (local) S3, the candidates,
then deploy() of the best one answering Autopilot's `predicted_label,probability`; and
boto3's DescribeAutoMLJobV2, ListAutoMLJobs, candidate paging and StopAutoMLJob.

SDK v2 waits for an AutoML job with DescribeAutoMLJob every 5 s, and for an endpoint
every 30 s: the script deploys with wait=False and waits with `wait_for_endpoint(poll=1)`.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy
import pandas

from aws_fixtures import Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.serving import list_endpoints
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"

CLIENT = textwrap.dedent(f"""\
    import json, time
    import boto3, botocore.exceptions
    import sagemaker
    from sagemaker.automl.automl import AutoML
    from sagemaker.predictor import Predictor

    started = time.monotonic()
    session = sagemaker.Session()
    sm = session.sagemaker_client
    uri = session.upload_data("train.csv", key_prefix="automl-data")
    automl = AutoML(role="{ROLE}", target_attribute_name="label", max_candidates=2, base_job_name="sdk-automl",
                    sagemaker_session=session)
    automl.fit(inputs=uri, wait=True, logs=False)
    name = automl.current_job_name
    print("FITTED", round(time.monotonic() - started, 1))
    print("NAME", name)
    described = automl.describe_auto_ml_job()
    print("STATUS", described["AutoMLJobStatus"], described["AutoMLJobSecondaryStatus"])
    print("ARTIFACTS", json.dumps(described["AutoMLJobArtifacts"]))
    print("RESOLVED", json.dumps(described["ResolvedAttributes"]))
    best = automl.best_candidate()
    print("BEST", json.dumps(best, default=str))
    print("CANDIDATES", json.dumps([c["CandidateName"] for c in automl.list_candidates()]))
    worst = automl.list_candidates(sort_by="FinalObjectiveMetricValue", sort_order="Ascending", max_results=1)
    print("WORST", worst[0]["CandidateName"])

    v2 = sm.describe_auto_ml_job_v2(AutoMLJobName=name)
    print("V2", v2["AutoMLProblemTypeConfigName"], v2["AutoMLProblemTypeConfig"]["TabularJobConfig"]["TargetAttributeName"],
          v2["ResolvedAttributes"]["AutoMLProblemTypeResolvedAttributes"]["TabularResolvedAttributes"]["ProblemType"])
    listed = sm.list_auto_ml_jobs(NameContains="sdk-auto")["AutoMLJobSummaries"]
    print("LISTED", json.dumps([(j["AutoMLJobName"], j["AutoMLJobStatus"]) for j in listed]))
    page = sm.list_candidates_for_auto_ml_job(AutoMLJobName=name, MaxResults=1)
    rest = sm.list_candidates_for_auto_ml_job(AutoMLJobName=name, MaxResults=1, NextToken=page["NextToken"])
    print("PAGES", page["Candidates"][0]["CandidateName"], rest["Candidates"][0]["CandidateName"])
    print("FAILED", len(sm.list_candidates_for_auto_ml_job(AutoMLJobName=name, StatusEquals="Failed")["Candidates"]))
    try:
        sm.stop_auto_ml_job(AutoMLJobName=name)
    except botocore.exceptions.ClientError as error:
        print("STOP", error.response["Error"]["Code"])

    started = time.monotonic()
    predictor = automl.deploy(initial_instance_count=1, instance_type="ml.m5.large", name="sdk-automl-model",
                              endpoint_name="sdk-automl-endpoint", predictor_cls=Predictor, wait=False,
                              inference_response_keys=["predicted_label", "probability"])
    print("ENDPOINT", session.wait_for_endpoint("sdk-automl-endpoint", poll=1)["EndpointStatus"])
    print("ANSWER", predictor.predict("7.5,0.5,red").decode().strip())
    print("ANSWER", predictor.predict("0.5,7.5,blue").decode().strip())
    print("DEPLOYED", round(time.monotonic() - started, 1))
    predictor.delete_endpoint()
""")


def _table(rows: int = 160) -> pandas.DataFrame:
    """Two numeric columns and a colour; the label is whether x beats y."""
    generator = numpy.random.default_rng(0)
    x, y = generator.uniform(0, 8, rows), generator.uniform(0, 8, rows)
    colour = generator.choice(["red", "blue", "green"], rows)
    return pandas.DataFrame({"x": x.round(3), "y": y.round(3), "colour": colour, "label": (x > y).astype(int)})


@needs_sdk2
def test_sdk2_automl_fit_candidates_notebooks_and_deploy(aws: Endpoint, tmp_path: Path) -> None:
    _table().to_csv(tmp_path / "train.csv", index=False)
    output = aws.run(SAGEMAKER2_PYTHON, CLIENT, tmp_path, timeout=400).stdout
    (tmp_path / "client-output.txt").write_text(output)
    assert printed(output, "STATUS") == "Completed"
    artifacts = json.loads(output.split("ARTIFACTS ", 1)[1].splitlines()[0])
    for key in ("CandidateDefinitionNotebookLocation", "DataExplorationNotebookLocation"):
        bucket, _, key_path = artifacts[key].removeprefix("s3://").partition("/")
        notebook = local_s3_root() / bucket / key_path
        assert notebook.is_file() and json.loads(notebook.read_text())["cells"], key
    assert json.loads(output.split("RESOLVED ", 1)[1].splitlines()[0])["ProblemType"] == "BinaryClassification"

    best = json.loads(output.split("BEST ", 1)[1].splitlines()[0])
    container = best["InferenceContainers"][0]
    assert "sagemaker-scikit-learn" in container["Image"] and container["ModelDataUrl"].startswith("s3://")
    assert container["Environment"]["SAGEMAKER_PROGRAM"] == "inference.py"
    assert best["CandidateStatus"] == "Completed" and best["FinalAutoMLJobObjectiveMetric"]["MetricName"] == "F1"
    candidates = json.loads(output.split("CANDIDATES ", 1)[1].splitlines()[0])
    assert candidates[0] == best["CandidateName"] and len(candidates) >= 2
    assert printed(output, "WORST") == candidates[-1]

    assert output.split("V2 ", 1)[1].splitlines()[0] == "Tabular label BinaryClassification"
    name = printed(output, "NAME")
    assert json.loads(output.split("LISTED ", 1)[1].splitlines()[0]) == [[name, "Completed"]]
    assert output.split("PAGES ", 1)[1].splitlines()[0].split() == candidates[:2]
    assert printed(output, "FAILED") == "0" and printed(output, "STOP") == "ValidationException"

    assert printed(output, "ENDPOINT") == "InService"
    answers = [line.split("ANSWER ", 1)[1] for line in output.splitlines() if line.startswith("ANSWER ")]
    (first_label, first_probability), (second_label, _) = (answer.split(",") for answer in answers)
    assert (first_label, second_label) == ("1", "0") and 0.5 < float(first_probability) <= 1
    assert "sdk-automl-endpoint" not in [e.endpoint_name for e in list_endpoints()]
    print(f"\nAutoML fit {printed(output, 'FITTED')} s, deploy {printed(output, 'DEPLOYED')} s")


def test_boto3_v2_job_stops_with_its_search(aws: Endpoint, tmp_path: Path) -> None:
    import boto3

    from conftest import wait_until
    from jupyter_ext.jobs import describe_job, list_jobs

    bucket = local_s3_root() / "automl-v2"
    bucket.mkdir(parents=True, exist_ok=True)
    _table(400).to_csv(bucket / "train.csv", index=False)
    sm = boto3.client("sagemaker")
    sm.create_auto_ml_job_v2(
        AutoMLJobName="boto3-automl-v2", RoleArn=ROLE,
        AutoMLJobInputDataConfig=[{"ChannelType": "training", "ContentType": "text/csv;header=present",
                                   "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                                   "S3Uri": "s3://automl-v2/train.csv"}}}],
        OutputDataConfig={"S3OutputPath": "s3://automl-v2/output"},
        AutoMLProblemTypeConfig={"TabularJobConfig": {
            "TargetAttributeName": "label", "ProblemType": "BinaryClassification", "Mode": "HYPERPARAMETER_TUNING",
            "CompletionCriteria": {"MaxCandidates": 50},
            "CandidateGenerationConfig": {"AlgorithmsConfig": [{"AutoMLAlgorithms": ["linear-learner"]}]}}})
    described = sm.describe_auto_ml_job(AutoMLJobName="boto3-automl-v2")  # V1 of a V2 job
    assert described["InputDataConfig"][0]["TargetAttributeName"] == "label"
    assert described["AutoMLJobObjective"] == {"MetricName": "F1"}
    wait_until(lambda: sm.describe_auto_ml_job_v2(AutoMLJobName="boto3-automl-v2")["AutoMLJobSecondaryStatus"]
               == "ModelTuning", 120, "the first candidate")
    sm.stop_auto_ml_job(AutoMLJobName="boto3-automl-v2")
    wait_until(lambda: sm.describe_auto_ml_job_v2(AutoMLJobName="boto3-automl-v2")["AutoMLJobStatus"] == "Stopped",
               60, "the AutoML job to stop")
    tuning = [job.name for job in list_jobs(type="Tuning", limit=None) if job.name.startswith("boto3-automl-v2")]
    wait_until(lambda: describe_job(tuning[0]).status in ("Stopped", "Completed"), 60, "its tuning job to stop")
    page = sm.list_candidates_for_auto_ml_job(AutoMLJobName="boto3-automl-v2", SortBy="CreationTime",
                                              SortOrder="Ascending", MaxResults=100)["Candidates"]
    assert 1 <= len(page) < 50 and page == sorted(page, key=lambda c: c["CreationTime"])
