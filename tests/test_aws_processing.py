"""The local AWS endpoint's processing jobs over SageMaker's SDK v2: SKLearnProcessor and
ScriptProcessor run a script with logs, and the outputs land in local S3 where the SDK says.

SDK v2 waits 10 s before it first looks at a processing job, so both scripts run side by side.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import boto3
import pytest

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext.jobs import Job
from jupyter_ext.store import local_s3_root

PREPROCESS = textwrap.dedent("""\
    import argparse, os
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", type=float)
    args = parser.parse_args()
    rows = open("/opt/ml/processing/input/raw.csv").read().splitlines()
    cut = int(len(rows) * args.split)
    os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
    with open("/opt/ml/processing/output/train/train.csv", "w") as out:
        out.write("\\n".join(rows[:cut]) + "\\n")
    print(f"wrote {cut} of {len(rows)} rows")
""")

COMMON = textwrap.dedent("""\
    import sagemaker
    from sagemaker import image_uris
    from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
    from sagemaker.sklearn.processing import SKLearnProcessor
    session = sagemaker.Session()
    role = "arn:aws:iam::000000000000:role/local"
    raw = session.upload_data("raw.csv", key_prefix="processing-raw/" + PREFIX)
    print("RAW", raw)

    def run(processor, split):
        processor.run(code="preprocess.py", inputs=[ProcessingInput(source=raw, destination="/opt/ml/processing/input")],
                      outputs=[ProcessingOutput(source="/opt/ml/processing/output/train")],
                      arguments=["--split", split])
        described = processor.latest_job.describe()
        print("JOB", described["ProcessingJobName"], described["ProcessingJobStatus"])
        print("OUTPUT", described["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"])
""")

SKLEARN_CLIENT = 'PREFIX = "sklearn"\n' + COMMON + textwrap.dedent("""\
    run(SKLearnProcessor(framework_version="1.2-1", role=role, instance_type="ml.m5.large", instance_count=1), "0.5")
""")

SCRIPT_CLIENT = 'PREFIX = "script"\n' + COMMON + textwrap.dedent("""\
    image = image_uris.retrieve("sklearn", session.boto_region_name, version="1.2-1", instance_type="ml.m5.large")
    print("IMAGE", image)
    run(ScriptProcessor(image_uri=image, command=["python3"], role=role, instance_type="ml.m5.large",
                        instance_count=1), "0.75")
""")


@pytest.fixture(scope="module")
def processing_runs(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClientRun]:
    """Both processors' scripts, started at once."""
    if not Path(SAGEMAKER2_PYTHON).is_file():
        pytest.skip("set SAGEMAKER2_PYTHON to a Python with sagemaker<3 and awscli")
    runs = {}
    for name, script in (("sklearn", SKLEARN_CLIENT), ("script", SCRIPT_CLIENT)):
        folder = tmp_path_factory.mktemp(f"processing-{name}")
        (folder / "preprocess.py").write_text(PREPROCESS)
        (folder / "raw.csv").write_text("a\nb\nc\nd\n")
        runs[name] = aws_endpoint.start(SAGEMAKER2_PYTHON, script, folder)
    return runs


def _local_object(uri: str) -> Path:
    bucket, key = uri[len("s3://"):].split("/", 1)
    return local_s3_root() / bucket / key


@needs_sdk2
def test_sklearn_processor_runs_with_logs_and_uploads_its_output(aws: Endpoint,
                                                                 processing_runs: dict[str, ClientRun]) -> None:
    out = processing_runs["sklearn"].result().stdout
    assert "wrote 2 of 4 rows" in out  # the job's log, streamed by processor.run(logs=True)
    name = out.split("JOB ", 1)[1].split()[0]
    assert f"JOB {name} Completed" in out and Job(name).describe().status == "Completed"
    output = printed(out, "OUTPUT")
    assert output.startswith(f"s3://sagemaker-us-east-1-000000000000/{name}/output/")
    assert (_local_object(output) / "train.csv").read_text() == "a\nb\n"
    found = boto3.Session().client("sagemaker").describe_processing_job(ProcessingJobName=name)
    assert found["AppSpecification"]["ImageUri"].endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    assert found["ProcessingInputs"][0]["S3Input"]["S3Uri"] == printed(out, "RAW")


@needs_sdk2
def test_script_processor_with_a_framework_image_runs_its_command(aws: Endpoint,
                                                                  processing_runs: dict[str, ClientRun]) -> None:
    out = processing_runs["script"].result().stdout
    assert printed(out, "IMAGE") == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    assert "wrote 3 of 4 rows" in out
    assert (_local_object(printed(out, "OUTPUT")) / "train.csv").read_text() == "a\nb\nc\n"
    names = [s["ProcessingJobName"] for s in boto3.Session().client("sagemaker").list_processing_jobs(
        StatusEquals="Completed", MaxResults=100)["ProcessingJobSummaries"]]
    assert printed(out, "JOB") in names
