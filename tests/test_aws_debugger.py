"""SageMaker Debugger through the local AWS endpoint: SDK v2's `rules=[Rule.sagemaker(...)]`,
`Rule.custom`, `DebuggerHookConfig` and `TensorBoardOutputConfig` on a PyTorch estimator run
our rule jobs beside the training job; DescribeTrainingJob answers their statuses.

The SDK polls every 30 s while it tails a job's log, so the client starts the job with
`fit(wait=False)` and polls DescribeTrainingJob itself.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from aws_fixtures import ClientRun, Endpoint, SAGEMAKER2_PYTHON, needs_sdk2, printed
from conftest import wait_until

from jupyter_ext import Estimator
from jupyter_ext.debugger import (
    CollectionConfig, DebuggerHookConfig, Rule, create_trial, read_scalars, wait_for_rule_evaluations,
)
from jupyter_ext.store import local_s3_root

ROLE = "arn:aws:iam::000000000000:role/local"
RULES_IMAGE = "503895931360.dkr.ecr.us-east-1.amazonaws.com/sagemaker-debugger-rules:latest"

# Written for SageMaker's PyTorch containers (smdebug is there); lr 0 keeps the loss flat.
TRAIN = textwrap.dedent("""\
    import argparse, torch
    import smdebug.pytorch as smd
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--lr", type=float, default=0.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    loss_fn = torch.nn.CrossEntropyLoss()
    hook = smd.Hook.create_from_json_file()
    hook.register_module(model)
    hook.register_loss(loss_fn)
    hook.set_mode(smd.modes.TRAIN)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()
    for step in range(args.steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    print("trained", args.steps, "steps")
""")

# SageMaker's documented custom rule form: (base_trial, own parameters), smdebug's Rule.
CUSTOM_RULE = textwrap.dedent("""\
    from smdebug.rules.rule import Rule

    class CustomGradientRule(Rule):
        def __init__(self, base_trial, threshold=10.0):
            super().__init__(base_trial)
            self.threshold = float(threshold)

        def invoke_at_step(self, step):
            for name in self.base_trial.tensor_names(collection="gradients"):
                if self.base_trial.tensor(name).reduction_value(step, "mean", abs=True) > self.threshold:
                    return True
            return False
""")

CLIENT = textwrap.dedent(f"""\
    import json, time
    import boto3
    import sagemaker
    from sagemaker.debugger import (CollectionConfig, DebuggerHookConfig, ProfilerRule, Rule, TensorBoardOutputConfig,
                                    rule_configs)
    from sagemaker.pytorch import PyTorch
    bucket = sagemaker.Session().default_bucket()
    estimator = PyTorch(
        entry_point="train.py", framework_version="2.1", py_version="py310", instance_type="ml.m5.xlarge", instance_count=1,
        role="{ROLE}", hyperparameters={{"steps": 12, "lr": 0.0}},
        rules=[Rule.sagemaker(rule_configs.loss_not_decreasing(), rule_parameters={{"num_steps": "5"}}),
               Rule.sagemaker(rule_configs.vanishing_gradient()),
               Rule.custom(name="CustomGradientRule", image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/my-rules:1",
                           instance_type="ml.t3.medium", volume_size_in_gb=1, source="custom_rule.py",
                           rule_to_invoke="CustomGradientRule", rule_parameters={{"threshold": "0.0"}}),
               ProfilerRule.sagemaker(rule_configs.ProfilerReport())],
        debugger_hook_config=DebuggerHookConfig(s3_output_path=f"s3://{{bucket}}/debug",
                                                collection_configs=[CollectionConfig("losses", {{"save_interval": "1"}})]),
        tensorboard_output_config=TensorBoardOutputConfig(s3_output_path=f"s3://{{bucket}}/tensorboard"))
    estimator.fit(wait=False)
    job = estimator.latest_training_job
    client = boto3.client("sagemaker")
    deadline = time.monotonic() + 180
    while True:
        found = client.describe_training_job(TrainingJobName=job.name)
        statuses = found.get("DebugRuleEvaluationStatuses") or []
        if found["TrainingJobStatus"] != "InProgress" and statuses and all(
                s["RuleEvaluationStatus"] != "InProgress" for s in statuses):
            break
        assert time.monotonic() < deadline, f"the job or its rules never ended: {{found}}"
        time.sleep(0.5)
    print("JOB", job.name, found["TrainingJobStatus"])
    print("SUMMARY", json.dumps(job.rule_job_summary(), default=str))
    print("DEBUG_PATH", estimator.latest_job_debugger_artifacts_path())
    print("TENSORBOARD_PATH", estimator.latest_job_tensorboard_artifacts_path())
    print("HOOK", json.dumps(found["DebugHookConfig"]))
    print("TENSORBOARD", json.dumps(found["TensorBoardOutputConfig"]))
    print("PROFILING", found["ProfilingStatus"])
    rule_job = statuses[0]["RuleEvaluationJobArn"].split("/")[-1]
    print("RULE_JOB", client.describe_processing_job(ProcessingJobName=rule_job)["ProcessingJobStatus"])
""")


@pytest.fixture(scope="module")
def debugger_run(aws_endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> ClientRun:
    """The SDK client's run (started once for the module)."""
    if not Path(SAGEMAKER2_PYTHON).is_file():
        pytest.skip("set SAGEMAKER2_PYTHON to a Python with sagemaker<3 and awscli")
    folder = tmp_path_factory.mktemp("debugger")
    (folder / "train.py").write_text(TRAIN)
    (folder / "custom_rule.py").write_text(CUSTOM_RULE)
    return aws_endpoint.start(SAGEMAKER2_PYTHON, CLIENT, folder)


def _s3_path(uri: str) -> Path:
    assert uri.startswith("s3://"), uri
    return local_s3_root() / uri[len("s3://"):]


@needs_sdk2
def test_sdk_rules_run_as_rule_jobs_and_rule_job_summary_shows_their_statuses(
        aws: Endpoint, debugger_run: ClientRun) -> None:
    out = debugger_run.result().stdout
    assert out.split("JOB ", 1)[1].split()[1] == "Completed"
    summary = {s["RuleConfigurationName"]: s for s in json.loads(out.split("SUMMARY ", 1)[1].splitlines()[0])}
    assert summary["LossNotDecreasing"]["RuleEvaluationStatus"] == "IssuesFound"  # lr 0: a flat loss
    assert "step 5" in summary["LossNotDecreasing"]["StatusDetails"]
    assert summary["VanishingGradient"]["RuleEvaluationStatus"] == "NoIssuesFound"
    assert summary["CustomGradientRule"]["RuleEvaluationStatus"] == "IssuesFound"  # threshold 0: any gradient
    assert summary["LossNotDecreasing"]["RuleEvaluationJobArn"].startswith(
        "arn:aws:sagemaker:us-east-1:000000000000:processing-job/")
    [profiler] = [s for name, s in summary.items() if name.startswith("ProfilerReport")]
    assert profiler["RuleEvaluationStatus"] == "Error" and "no system or framework profiler" in profiler["StatusDetails"]
    assert printed(out, "RULE_JOB") == "Completed" and printed(out, "PROFILING") == "Disabled"


@needs_sdk2
def test_tensors_and_tensorboard_files_land_under_the_configs_s3_paths(aws: Endpoint, debugger_run: ClientRun) -> None:
    out = debugger_run.result().stdout
    job = printed(out, "JOB")
    hook = json.loads(out.split("HOOK ", 1)[1].splitlines()[0])
    assert hook["S3OutputPath"] == "s3://sagemaker-us-east-1-000000000000/debug"
    collections = {c["CollectionName"]: c.get("CollectionParameters") for c in hook["CollectionConfigurations"]}
    assert {"losses", "gradients"} <= set(collections)
    tensors = _s3_path(printed(out, "DEBUG_PATH"))
    assert tensors == local_s3_root() / "sagemaker-us-east-1-000000000000" / "debug" / job / "debug-output"
    trial = create_trial(tensors, timeout=5)
    assert trial.steps() == list(range(12)) and trial.loaded_all_steps  # losses saved every step, as asked
    assert trial.tensor_names(collection="losses") == ["CrossEntropyLoss_output_0"]
    assert trial.tensor_names(collection="gradients")  # the rules' own collections were saved too
    board = json.loads(out.split("TENSORBOARD ", 1)[1].splitlines()[0])
    assert board["S3OutputPath"] == "s3://sagemaker-us-east-1-000000000000/tensorboard"
    scalars = read_scalars(_s3_path(printed(out, "TENSORBOARD_PATH")))
    losses = scalars["TRAIN/CrossEntropyLoss_output_0"]
    assert [step for step, _ in losses] == list(range(12))
    assert len({round(value, 5) for _, value in losses}) == 1  # lr 0


def _request(name: str, rules: list[dict], bucket: str = "sagemaker-us-east-1-000000000000") -> dict:
    return {
        "TrainingJobName": name, "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
                                   "pytorch-training:2.1-cpu-py310", "TrainingInputMode": "File"},
        "HyperParameters": {"sagemaker_program": '"train.py"',
                            "sagemaker_submit_directory": f'"s3://{bucket}/nowhere/sourcedir.tar.gz"'},
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        "DebugHookConfig": {"S3OutputPath": f"s3://{bucket}/"}, "DebugRuleConfigurations": rules,
    }


def test_a_rule_that_does_not_run_here_is_a_clear_validation_error(aws: Endpoint) -> None:
    client = boto3.client("sagemaker")
    cases = [
        ({"RuleConfigurationName": "CheckInputImages", "RuleEvaluatorImage": RULES_IMAGE,
          "RuleParameters": {"rule_to_invoke": "CheckInputImages"}},
         ["Unknown rule 'CheckInputImages'", "LossNotDecreasing", "VanishingGradient", "custom rule"]),
        ({"RuleConfigurationName": "LossNotDecreasing", "RuleEvaluatorImage": RULES_IMAGE,
          "RuleParameters": {"rule_to_invoke": "LossNotDecreasing", "patience": "3"}},
         ["no parameter patience", "num_steps"]),
        ({"RuleConfigurationName": "Mine", "RuleEvaluatorImage": "111122223333.dkr.ecr.us-east-1.amazonaws.com/mine:1",
          "RuleParameters": {"rule_to_invoke": "LossNotDecreasing"}},
         ["RuleEvaluatorImage", "cannot run here", "Rule.custom"]),
    ]
    for index, (rule, words) in enumerate(cases):
        with pytest.raises(ClientError) as raised:
            client.create_training_job(**_request(f"debugger-refused-{index}", [rule]))
        assert raised.value.response["Error"]["Code"] == "ValidationException"
        message = raised.value.response["Error"]["Message"]
        assert all(word in message for word in words), message
        with pytest.raises(ClientError):  # refused before any job was made
            client.describe_training_job(TrainingJobName=f"debugger-refused-{index}")


def test_a_python_made_job_with_rules_answers_describe_training_job(aws: Endpoint, tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    estimator = Estimator(str(tmp_path / "train.py"), hyperparameters={"steps": 8}, output_path=str(tmp_path / "out"),
                          rules=[Rule.builtin("LossNotDecreasing", num_steps=3)],
                          debugger_hook_config=DebuggerHookConfig(
                              collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]))
    estimator.fit(logs=False, job_name="debugged-in-python")
    wait_for_rule_evaluations("debugged-in-python", timeout=60)
    client = boto3.client("sagemaker")
    found = client.describe_training_job(TrainingJobName="debugged-in-python")
    [status] = found["DebugRuleEvaluationStatuses"]
    assert status["RuleConfigurationName"] == "LossNotDecreasing" and status["RuleEvaluationStatus"] == "IssuesFound"
    assert found["DebugHookConfig"]["S3OutputPath"] == str(tmp_path / "out")
    assert found["DebugHookConfig"]["LocalPath"] == "/opt/ml/output/tensors"
    assert found["DebugRuleConfigurations"][0]["RuleParameters"] == {"rule_to_invoke": "LossNotDecreasing",
                                                                     "num_steps": "3"}
    rule_job = status["RuleEvaluationJobArn"].split("/")[-1]
    wait_until(lambda: client.describe_processing_job(ProcessingJobName=rule_job)["ProcessingJobStatus"] == "Completed",
               30, "the rule job to end")
    assert create_trial(tmp_path / "out" / "debugged-in-python" / "debug-output").steps() == list(range(8))
