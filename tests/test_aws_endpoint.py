"""The local AWS endpoint's training jobs over real clients: SageMaker's SDK v2 in its own
environment, boto3 here and inside a training script.

SDK v2 sleeps 5 s before it first looks at a job it waits for (fit, attach), and looks
again only 30 s later if the job still runs; so the module's SDK scripts run side by side
(`sdk_runs`), the jobs kept quick, and each test reads its script's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import boto3
import pytest

from conftest import wait_until
from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed

from jupyter_ext import Estimator
from jupyter_ext.jobs import Job, list_jobs
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"

TRAIN = textwrap.dedent("""\
    import argparse, os
    import boto3
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--bucket")
    args = parser.parse_args()
    print("data:", sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])), "optimizer:", args.optimizer)
    if args.bucket:  # boto3 in the job reaches the endpoint (test_aws_sdk3 runs this script without it)
        listed = boto3.client("s3").list_objects_v2(Bucket=args.bucket, Prefix="sklearn-data/")
        print("bucket has:", [item["Key"] for item in listed.get("Contents", [])])
        me = boto3.client("sagemaker").describe_training_job(TrainingJobName=os.environ["TRAINING_JOB_NAME"])
        print("I am:", me["TrainingJobName"], me["TrainingJobStatus"], "epochs", me["HyperParameters"]["epochs"])
    for epoch in range(args.epochs):
        print(f"epoch {epoch} loss: {1 / (epoch + 1):.3f}")
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.txt"), "w") as out:
        out.write("trained")
""")

SKLEARN_CLIENT = textwrap.dedent(f"""\
    import sagemaker
    from sagemaker.analytics import TrainingJobAnalytics
    from sagemaker.sklearn import SKLearn
    session = sagemaker.Session()
    uri = session.upload_data("train.csv", key_prefix="sklearn-data")
    estimator = SKLearn(entry_point="train.py", source_dir="src", framework_version="1.2-1",
                        instance_type="ml.m5.large", role="{ROLE}",
                        hyperparameters={{"epochs": 3, "optimizer": "adam", "bucket": session.default_bucket()}},
                        metric_definitions=[{{"Name": "loss", "Regex": "loss: ([0-9.]+)"}}])
    estimator.fit({{"train": uri}}, logs="All")
    name = estimator.latest_training_job.name
    print("JOB", name)
    print("MODEL", estimator.model_data)
    attached = SKLearn.attach(name)
    print("ATTACHED", attached.model_data, attached.entry_point, attached.framework_version,
          attached.hyperparameters()["optimizer"], attached.instance_type)
    frame = TrainingJobAnalytics(name, metric_names=["loss"]).dataframe()
    print("METRICS", frame["metric_name"].tolist(), frame["value"].round(3).tolist())
""")

# SageMaker's classic PyTorch example: each host finds its rank in SM_HOSTS and meets
# the others through MASTER_ADDR/MASTER_PORT (the container's), training one DDP model.
TORCH_TRAIN = textwrap.dedent("""\
    import json, os
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    torch.set_num_threads(1)
    torch.manual_seed(0)
    hosts = json.loads(os.environ["SM_HOSTS"])
    rank = hosts.index(os.environ["SM_CURRENT_HOST"])
    dist.init_process_group("gloo", rank=rank, world_size=len(hosts))
    x = torch.linspace(-1, 1, 32).unsqueeze(1)[rank::len(hosts)]
    model, y = DistributedDataParallel(torch.nn.Linear(1, 1)), 3 * x + 1
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for step in range(80):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    weight, bias = model.module.weight.item(), model.module.bias.item()
    print(f"torch {torch.__version__} rank {rank} of {len(hosts)} weight {weight:.2f} bias {bias:.2f}")
    if rank == 0:
        torch.save(model.module.state_dict(), os.path.join(os.environ["SM_MODEL_DIR"], "model.pth"))
""")

TORCH_CLIENT = textwrap.dedent(f"""\
    from sagemaker.estimator import Estimator
    from sagemaker.pytorch import PyTorch
    estimator = PyTorch(entry_point="train_torch.py", framework_version="2.1", py_version="py310",
                        instance_type="ml.m5.large", instance_count=2, role="{ROLE}")
    estimator.fit(logs=True)
    print("JOB", estimator.latest_training_job.name)
    print("MODEL", estimator.model_data)
    attached = Estimator.attach(estimator.latest_training_job.name)
    print("ATTACHED", attached.model_data, attached.image_uri, attached.role, attached.instance_count)
""")

FAILURES_CLIENT = textwrap.dedent(f"""\
    import time
    import boto3
    from sagemaker.exceptions import UnexpectedStatusException
    from sagemaker.sklearn import SKLearn

    def sklearn(script):
        return SKLearn(entry_point=script, framework_version="1.2-1", instance_type="ml.m5.large", role="{ROLE}")

    slow = sklearn("slow.py")
    slow.fit(wait=False)
    try:
        sklearn("fail.py").fit(logs=True)
    except UnexpectedStatusException as error:
        print("RAISED", str(error).replace("\\n", " | "))
    client, name = boto3.client("sagemaker"), slow.latest_training_job.name
    deadline = time.monotonic() + 60
    while client.describe_training_job(TrainingJobName=name)["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline, "the slow job never trained"
        time.sleep(0.1)
    slow.latest_training_job.stop()
    slow.latest_training_job.wait(logs="None")
    found = client.describe_training_job(TrainingJobName=name)
    print("STOPPED", found["TrainingJobStatus"], found["SecondaryStatus"])
    from sagemaker.estimator import Estimator
    notebook = Estimator.attach("notebook-job")
    print("NOTEBOOK", notebook.instance_type, notebook.hyperparameters()["lr"], notebook.model_data)
""")


@pytest.fixture(scope="module")
def sdk_runs(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClientRun]:
    """The module's SDK v2 scripts, started at once."""
    if not Path(SAGEMAKER2_PYTHON).is_file():
        pytest.skip("set SAGEMAKER2_PYTHON to a Python with sagemaker<3 and awscli")
    sklearn, torch, failures = (tmp_path_factory.mktemp(name) for name in ("sklearn", "torch", "failures"))
    (sklearn / "src").mkdir()
    (sklearn / "src" / "train.py").write_text(TRAIN)
    (sklearn / "train.csv").write_text("x,y\n1,2\n")
    (torch / "train_torch.py").write_text(TORCH_TRAIN)
    (failures / "fail.py").write_text("print('reading the data')\nraise ValueError(\"column 'label' is missing\")\n")
    (failures / "slow.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(120)\n")
    runs = {"torch": aws_endpoint.start(SAGEMAKER2_PYTHON, TORCH_CLIENT, torch)}
    # The torch job (importing torch is its slow part) trains before the other clients load the CPU.
    wait_until(lambda: any((aws_endpoint.home / "s3").glob("*/pytorch-training-*/output/model.tar.gz"))
               or runs["torch"].process.poll() is not None, 120, "the PyTorch job to end")
    notebook = tmp_path_factory.mktemp("notebook")
    (notebook / "train.py").write_text("print('loss: 0.5')\n")
    subprocess.run([sys.executable, "-c", "from jupyter_ext import Estimator; Estimator('train.py', hyperparameters="
                    "{'lr': 0.1}).fit(job_name='notebook-job', logs=False)"], cwd=notebook, check=True, timeout=120,
                   env={**os.environ, "JUPYTER_EXT_HOME": str(aws_endpoint.home)})
    runs["sklearn"] = aws_endpoint.start(SAGEMAKER2_PYTHON, SKLEARN_CLIENT, sklearn)
    runs["failures"] = aws_endpoint.start(SAGEMAKER2_PYTHON, FAILURES_CLIENT, failures)
    return runs


def _model_names(model_uri: str) -> list[str]:
    assert model_uri.startswith("s3://sagemaker-us-east-1-000000000000/") and model_uri.endswith("/output/model.tar.gz")
    bucket, key = model_uri[len("s3://"):].split("/", 1)
    with tarfile.open(local_s3_root() / bucket / key) as archive:
        return archive.getnames()


@needs_sdk2
def test_sklearn_estimator_fits_with_logs_and_model_in_s3(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["sklearn"].result().stdout
    assert "epoch 2 loss: 0.333" in out and "optimizer: adam" in out and "data: ['train.csv']" in out
    name = printed(out, "JOB")
    assert "model.txt" in _model_names(printed(out, "MODEL"))
    assert Job(name).describe().status == "Completed"


@needs_sdk2
def test_boto3_inside_a_training_script_reaches_the_endpoint(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["sklearn"].result().stdout
    assert "bucket has: ['sklearn-data/train.csv']" in out
    assert f"I am: {printed(out, 'JOB')} InProgress epochs 3" in out


@needs_sdk2
def test_sklearn_attach_rebuilds_the_estimator_from_describe(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["sklearn"].result().stdout
    model, entry_point, version, optimizer, instance = out.split("ATTACHED ", 1)[1].split()[:5]
    assert (model, entry_point, version, optimizer, instance) == (
        printed(out, "MODEL"), "train.py", "1.2-1", '"adam"', "ml.m5.large")


@needs_sdk2
def test_training_job_analytics_reads_the_metric_from_cloudwatch(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["sklearn"].result().stdout
    # One 60-second period (the SDK's default) averages the three epochs' losses, as CloudWatch does.
    assert "METRICS ['loss'] [0.611]" in out
    client = boto3.Session().client("cloudwatch")
    listed = client.list_metrics(Dimensions=[{"Name": "TrainingJobName", "Value": printed(out, "JOB")}])["Metrics"]
    assert [metric["MetricName"] for metric in listed] == ["loss"]


@needs_sdk2
def test_pytorch_estimator_fits_and_estimator_attach_matches(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["torch"].result().stdout
    # Two hosts, one model: DDP kept their weights equal.
    assert "rank 0 of 2 weight 3.00 bias 1.00" in out and "rank 1 of 2 weight 3.00 bias 1.00" in out
    assert "pytorch-training:2.1-cpu-py310 asks for pytorch 2.1" in out
    assert "model.pth" in _model_names(printed(out, "MODEL"))
    model, image, role, count = out.split("ATTACHED ", 1)[1].split()[:4]
    assert model == printed(out, "MODEL") and role == ROLE and count == "2"
    assert image == "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-cpu-py310"


@needs_sdk2
def test_failing_script_raises_the_sdks_exception_with_its_error(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    out = sdk_runs["failures"].result().stdout
    raised = out.split("RAISED ", 1)[1].splitlines()[0]
    assert raised.startswith("Error for Training job ") and ": Failed. Reason: " in raised
    assert "ValueError: column 'label' is missing" in raised
    assert "Traceback" in out and "reading the data" in out  # the log came before the exception


@needs_sdk2
def test_stop_training_job_ends_it_stopped(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    assert "STOPPED Stopped Stopped" in sdk_runs["failures"].result().stdout


@needs_sdk2
def test_estimator_attach_of_a_job_made_in_python(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    instance_type, lr, model = sdk_runs["failures"].result().stdout.split("NOTEBOOK ", 1)[1].split()[:3]
    assert (instance_type, lr) == ("ml.m5.large", "0.1")  # our `local` is no instance type to the SDK
    assert model == Job("notebook-job").describe().model_data


def _quick_job(folder: Path, name: str, fail: bool = False) -> Job:
    script = folder / f"{name}.py"
    script.write_text("import sys\nprint('loss: 0.5')\nsys.exit(3 if %r else 0)\n" % fail)
    estimator = Estimator(str(script), hyperparameters={"lr": 0.1},
                          metric_definitions=[{"Name": "loss", "Regex": "loss: ([0-9.]+)"}])
    return estimator.start(job_name=name)


def test_a_job_made_in_python_answers_boto3(aws: Endpoint, tmp_path: Path) -> None:
    job = _quick_job(tmp_path, "python-made-job")
    job.wait()
    client = boto3.Session().client("sagemaker")
    found = client.describe_training_job(TrainingJobName="python-made-job")
    assert found["TrainingJobStatus"] == "Completed" and found["HyperParameters"] == {"lr": "0.1"}
    assert found["TrainingJobArn"] == "arn:aws:sagemaker:us-east-1:000000000000:training-job/python-made-job"
    assert found["FinalMetricDataList"][0]["MetricName"] == "loss" and found["TrainingTimeInSeconds"] >= 1
    names = [s["TrainingJobName"] for s in client.list_training_jobs(NameContains="python-made-job")["TrainingJobSummaries"]]
    assert names == ["python-made-job"]


@needs_sdk2
def test_a_job_made_through_the_api_is_one_of_our_jobs(aws: Endpoint, sdk_runs: dict[str, ClientRun]) -> None:
    name = printed(sdk_runs["sklearn"].result().stdout, "JOB")
    assert name in [job.name for job in list_jobs(type="Training", limit=None)]
    listed = subprocess.run([sys.executable, "-m", "jupyter_ext.cli", "jobs", "list"], text=True, capture_output=True,
                            check=True).stdout
    assert name in listed


def test_list_training_jobs_pages_filters_and_sorts(aws: Endpoint, tmp_path: Path) -> None:
    jobs = [_quick_job(tmp_path, name, fail=name.endswith("b")) for name in ("paged-c", "paged-a", "paged-b")]
    for job in jobs:
        wait_until(lambda: job.describe().status in ("Completed", "Failed"), 60, f"{job.name} to end")
    client = boto3.Session().client("sagemaker")
    first = client.list_training_jobs(NameContains="paged-", MaxResults=2, SortBy="Name", SortOrder="Ascending")
    second = client.list_training_jobs(NameContains="paged-", MaxResults=2, SortBy="Name", SortOrder="Ascending",
                                       NextToken=first["NextToken"])
    assert [s["TrainingJobName"] for s in first["TrainingJobSummaries"]] == ["paged-a", "paged-b"]
    assert [s["TrainingJobName"] for s in second["TrainingJobSummaries"]] == ["paged-c"] and "NextToken" not in second
    failed = client.list_training_jobs(NameContains="paged-", StatusEquals="Failed")["TrainingJobSummaries"]
    assert [(s["TrainingJobName"], s["TrainingJobStatus"]) for s in failed] == [("paged-b", "Failed")]
    newest_first = client.list_training_jobs(NameContains="paged-")["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in newest_first] == ["paged-b", "paged-a", "paged-c"]
    pages = client.get_paginator("list_training_jobs").paginate(NameContains="paged-", PaginationConfig={"PageSize": 1})
    assert sum(len(page["TrainingJobSummaries"]) for page in pages) == 3

