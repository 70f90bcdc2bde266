"""SageMaker SDK v3's ModelTrainer against the local AWS endpoint, unchanged, in its own environment."""

from __future__ import annotations

import importlib.util
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER3_PYTHON, needs_sdk3
from test_aws_endpoint import TRAIN

from jupyter_ext.jobs import Job
from jupyter_ext.store import local_s3_root

# The SDK logs the job's log lines at INFO through `logging`, as it does against AWS.
MODEL_TRAINER = textwrap.dedent("""\
    import json, logging, os, sys
    import boto3
    from sagemaker.core import image_uris
    from sagemaker.core.helper.session_helper import Session
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import Compute, InputData, SourceCode
    from sagemaker.train.distributed import Torchrun

    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    framework = os.environ.get("CLIENT_FRAMEWORK", "sklearn")
    session = Session()
    bucket = session.default_bucket()
    boto3.client("s3").upload_file("train.csv", bucket, "v3-data/train.csv")
    if framework == "sklearn":
        image = image_uris.retrieve("sklearn", region="us-east-1", version="1.2-1", instance_type="ml.m5.large")
    else:
        image = image_uris.retrieve("pytorch", region="us-east-1", version="2.2", py_version="py310",
                                    instance_type="ml.m5.large", image_scope="training")
    trainer = ModelTrainer(
        training_image=image, source_code=SourceCode(source_dir="src", entry_script="train.py",
                                                      requirements=os.environ.get("REQUIREMENTS")),
        compute=Compute(instance_type="ml.m5.large", instance_count=1), base_job_name="v3-" + os.environ.get("CLIENT_NAME", framework),
        hyperparameters={"epochs": 3, "optimizer": "adam"},
        environment=json.loads(os.environ.get("JOB_ENVIRONMENT", "{}")),
        distributed=Torchrun() if os.environ.get("TORCHRUN") else None)
    try:
        trainer.train(input_data_config=[InputData(channel_name="train", data_source=f"s3://{bucket}/v3-data")],
                      wait=True, logs=True)
    finally:
        job = trainer._latest_training_job
        if job is not None:
            print("JOB", job.training_job_name)
            job.refresh()
            print("STATUS", job.training_job_status)
            print("MODEL", job.model_artifacts.s3_model_artifacts if job.model_artifacts else None)
            print("FAILURE", job.failure_reason)
""")
FAILING = textwrap.dedent("""\
    print("checking the learning rate")
    raise ValueError("learning rate must be positive")
""")


def _client_files(folder: Path, script: str) -> None:
    (folder / "src").mkdir()
    (folder / "src" / "train.py").write_text(script)
    (folder / "train.csv").write_text("x,y\n1,2\n")


def _printed(output: str, key: str) -> str:
    """What the client script printed after `key` at the start of a line (FAILURE: all the rest)."""
    rest = output.rsplit(f"\n{key} ", 1)[1]
    return rest if key == "FAILURE" else rest.split("\n")[0]


@needs_sdk3
@pytest.mark.parametrize("framework", ["sklearn", "pytorch"])
def test_model_trainer_trains_with_logs_and_model_in_s3(aws: Endpoint, v3_runs: dict, framework: str) -> None:
    done = v3_runs[framework].result()
    output = done.stdout
    assert "epoch 2 loss: 0.333" in output and "optimizer: adam" in output, output
    assert "data: ['train.csv']" in output
    # The driver's python3 is this machine's Python (the job's), first on the PATH.
    assert f"Executing command: {sys.executable} train.py --epochs 3 --optimizer adam" in output, output
    name, model = _printed(done.stdout, "JOB"), _printed(done.stdout, "MODEL")
    assert _printed(done.stdout, "STATUS") == "Completed"
    assert model.startswith("s3://sagemaker-us-east-1-000000000000/") and model.endswith("/output/model.tar.gz")
    bucket, key = model[len("s3://"):].split("/", 1)
    with tarfile.open(local_s3_root() / bucket / key) as archive:
        assert "model.txt" in archive.getnames()
    assert Job(name).describe().status == "Completed"


@needs_sdk3
def test_failing_script_error_reaches_the_client(aws: Endpoint, v3_runs: dict) -> None:
    done = v3_runs["failing"].result(check=False)
    assert done.returncode != 0 and "FailedStatusError" in done.stderr, done.stderr
    # The script's error reaches the client in the job's log; the FailureReason is what v3's
    # driver writes to /opt/ml/output/failure (its own traceback, as on SageMaker).
    log = done.stdout.split("\nJOB ")[0]
    assert "checking the learning rate" in log and "ValueError: learning rate must be positive" in log, log
    assert _printed(done.stdout, "STATUS") == "Failed"
    assert "train.py" in _printed(done.stdout, "FAILURE") and "non-zero exit status 1" in done.stderr


@needs_sdk3
def test_drivers_without_opt_ml_fail_with_the_reason(aws: Endpoint, v3_runs: dict) -> None:
    done = v3_runs["no-opt-ml"].result(check=False)
    assert done.returncode != 0 and _printed(done.stdout, "STATUS") == "Failed"
    assert "/opt/ml is not this job's folder here" in _printed(done.stdout, "FAILURE"), done.stdout


CLIENTS = {  # name: (training script, the client's environment)
    "sklearn": (TRAIN, {"CLIENT_FRAMEWORK": "sklearn"}),
    "pytorch": (TRAIN, {"CLIENT_FRAMEWORK": "pytorch"}),
    "failing": (FAILING, {}),
    "no-opt-ml": (TRAIN, {"JOB_ENVIRONMENT": '{"JUPYTER_EXT_OPT_ML": "off"}'}),
    "requirements": ("import v3mini\nprint(v3mini.GREETING)\n", {"REQUIREMENTS": "requirements.txt"}),
    "torchrun": (TRAIN + "import sys\nprint('python:', sys.executable)\n", {"CLIENT_FRAMEWORK": "pytorch", "TORCHRUN": "1"}),
}


@pytest.fixture(scope="module")
def v3_runs(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClientRun]:
    """Every v3 client of this module, started at once (v3 looks at its job every 5 s)."""
    if not Path(SAGEMAKER3_PYTHON).is_file():
        pytest.skip("set SAGEMAKER3_PYTHON to a Python with sagemaker>=3 (make test does)")
    runs = {}
    for name, (script, env) in CLIENTS.items():
        folder = tmp_path_factory.mktemp(f"v3-{name}")
        _client_files(folder, script)
        if name == "requirements":
            (folder / "src" / "requirements.txt").write_text(f"--no-index\n{_wheel(folder)}\n")
        # Job names are the base name and the second: each client its own base name.
        runs[name] = aws_endpoint.start(SAGEMAKER3_PYTHON, MODEL_TRAINER, folder, env={**env, "CLIENT_NAME": name})
    return runs


def _wheel(folder: Path) -> Path:
    """A one-module wheel (`v3mini`), so pip installs without an index."""
    path = folder / "v3mini-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("v3mini.py", "GREETING = 'hello from v3mini'\n")
        wheel.writestr("v3mini-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: v3mini\nVersion: 0.1\n")
        wheel.writestr("v3mini-0.1.dist-info/WHEEL",
                       "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr("v3mini-0.1.dist-info/RECORD", "")
    return path


@needs_sdk3
def test_requirements_install_into_the_job_not_this_environment(aws: Endpoint, v3_runs: dict) -> None:
    done = v3_runs["requirements"].result()
    assert "hello from v3mini" in done.stdout and _printed(done.stdout, "STATUS") == "Completed", done.stdout
    job_dir = Job(_printed(done.stdout, "JOB")).job_dir
    assert (job_dir / "code" / "container-packages" / "v3mini.py").is_file()
    assert importlib.util.find_spec("v3mini") is None  # this environment is untouched


@needs_sdk3
def test_torchrun_runs_the_script_with_this_python(aws: Endpoint, v3_runs: dict) -> None:
    done = v3_runs["torchrun"].result()
    assert "Executing command: torchrun --nnodes=1 --nproc_per_node=1 train.py" in done.stdout, done.stdout
    assert f"python: {sys.executable}" in done.stdout and "epoch 2 loss: 0.333" in done.stdout
    assert _printed(done.stdout, "STATUS") == "Completed"
