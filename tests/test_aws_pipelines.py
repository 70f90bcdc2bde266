"""SageMaker Pipelines through the local AWS endpoint with the real SDK v2, unmodified: a
ProcessingStep whose output feeds a TrainingStep, upserted twice (create, then update) and
started with a parameter; the steps' jobs are ordinary jobs here, and boto3's view of the
execution agrees."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from aws_fixtures import Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

PREPROCESS = textwrap.dedent("""\
    import argparse, os
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int)
    rows = parser.parse_args().rows
    os.makedirs("/opt/ml/processing/train", exist_ok=True)
    with open("/opt/ml/processing/train/train.csv", "w") as out:
        out.write("\\n".join(f"{i},{2 * i}" for i in range(rows)) + "\\n")
    print("wrote", rows, "rows")
""")

TRAIN = textwrap.dedent("""\
    import os
    rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "train.csv")).read().split()
    print("trained on", len(rows), "rows")
    open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w").write(str(len(rows)))
""")

CLIENT = textwrap.dedent("""\
    import json
    import boto3, sagemaker

    def dumps(value):
        return json.dumps(value, separators=(",", ":"))
    from sagemaker.processing import ProcessingOutput
    from sagemaker.sklearn import SKLearn
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.inputs import TrainingInput
    from sagemaker.workflow.parameters import ParameterInteger
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import ProcessingStep, TrainingStep

    role = "arn:aws:iam::000000000000:role/local"
    rows = ParameterInteger("Rows", default_value=4)
    prep = ProcessingStep("Prep", processor=SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.large",
                                                     instance_count=1),
                          outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],
                          job_arguments=["--rows", rows.to_string()], code="preprocess.py")
    train = TrainingStep("Train", estimator=SKLearn("train.py", framework_version="1.2-1", instance_type="ml.m5.large",
                                                     role=role),
                         inputs={"train": TrainingInput(
                             prep.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri)})
    pipeline = Pipeline("sdk-pipeline", parameters=[rows], steps=[prep, train])
    print("CREATED", pipeline.upsert(role_arn=role)["PipelineArn"])
    print("UPDATED", pipeline.upsert(role_arn=role, description="again")["PipelineArn"])
    execution = pipeline.start(parameters={"Rows": 6})
    execution.wait(delay=1, max_attempts=180)
    print("STATUS", execution.describe()["PipelineExecutionStatus"])
    steps = execution.list_steps()
    print("STEPS", dumps([[s["StepName"], s["StepStatus"], list(s["Metadata"])] for s in steps]))
    job = steps[0]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[-1]
    print("MODEL", boto3.client("sagemaker").describe_training_job(TrainingJobName=job)["ModelArtifacts"]["S3ModelArtifacts"])
    sm = boto3.client("sagemaker")
    print("LISTED", dumps([p["PipelineName"] for p in sm.list_pipelines()["PipelineSummaries"]]))
    print("DESCRIPTION", sm.describe_pipeline(PipelineName="sdk-pipeline")["PipelineDescription"])
    print("PARAMETERS", dumps(sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=execution.arn)["PipelineParameters"]))
    try:
        sm.stop_pipeline_execution(PipelineExecutionArn=execution.arn)
    except sm.exceptions.ClientError as error:
        print("STOP", error.response["Error"]["Code"], error.response["Error"]["Message"])
""")


@needs_sdk2
def test_the_sdks_pipeline_upserts_starts_and_its_steps_run_as_jobs(aws: Endpoint, tmp_path: Path) -> None:
    (tmp_path / "preprocess.py").write_text(PREPROCESS)
    (tmp_path / "train.py").write_text(TRAIN)
    out = aws.run(SAGEMAKER2_PYTHON, CLIENT, tmp_path, timeout=300).stdout
    assert printed(out, "CREATED").endswith(":pipeline/sdk-pipeline") and printed(out, "UPDATED")
    assert printed(out, "STATUS") == "Succeeded", out
    assert json.loads(printed(out, "STEPS")) == [["Train", "Succeeded", ["TrainingJob"]],
                                                 ["Prep", "Succeeded", ["ProcessingJob"]]]
    model = printed(out, "MODEL")
    assert model.startswith("s3://") and model.endswith("/output/model.tar.gz")
    assert json.loads(printed(out, "LISTED")) == ["sdk-pipeline"] and printed(out, "DESCRIPTION") == "again"
    assert json.loads(printed(out, "PARAMETERS")) == [{"Name": "Rows", "Value": "6"}]
    assert printed(out, "STOP").startswith("ValidationException")


def test_a_definition_that_is_not_a_pipeline_is_refused_saying_why(aws: Endpoint) -> None:
    import boto3

    sm = boto3.client("sagemaker", endpoint_url=aws.url)
    with pytest.raises(sm.exceptions.ClientError, match="not JSON"):
        sm.create_pipeline(PipelineName="broken", PipelineDefinition="{nope", RoleArn="arn:aws:iam::000000000000:role/x",
                           ClientRequestToken="t" * 32)
    with pytest.raises(sm.exceptions.ClientError, match="No pipeline nothing-here"):
        sm.start_pipeline_execution(PipelineName="nothing-here", ClientRequestToken="u" * 32)
