"""Rules as jobs beside a real torch training job: statuses on DescribeJob, StopTraining
stops the job, a failing rule does not kill training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import wait_until
from jupyter_ext import Estimator, Job, describe_job, list_jobs
from jupyter_ext.debugger import (
    ActionList, CollectionConfig, DebuggerHookConfig, Rule, RuleConfig, StopTraining, TensorBoardOutputConfig,
    create_trial,
)
from jupyter_ext.debugger.rule_jobs import rule_evaluations
from jupyter_ext.cli import main
from jupyter_ext.errors import ValidationError
from jupyter_ext.widgets.tensor_viewer import TensorViewer

TRAIN = """
import argparse, time, torch
from jupyter_ext.debugger import Hook, modes
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--steps", type=int)
parser.add_argument("--pause", type=float, default=0.0)
args = parser.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
loss_fn = torch.nn.CrossEntropyLoss()
hook = Hook.create_from_json_file()
hook.register_module(model)
hook.register_loss(loss_fn)
hook.set_mode(modes.TRAIN)
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
x = torch.randn(64, 4)
y = (x[:, 0] > 0).long()
for step in range(args.steps):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    time.sleep(args.pause)
print("trained", args.steps, "steps")
"""

BROKEN_RULE = """
from jupyter_ext.debugger import Rule

class BrokenRule(Rule):
    def __init__(self, base_trial, action_str="", other_trials=None):
        super().__init__(base_trial, action_str, other_trials)

    def invoke_at_step(self, step):
        raise RuntimeError("this rule has a bug")
"""


def _statuses(job_name: str) -> dict[str, str]:
    return {r.rule_configuration_name: r.rule_evaluation_status for r in rule_evaluations(job_name)}


def train_with_a_loss_rule(script_path: str) -> str:
    """A finished training job of TRAIN (at `script_path`) whose flat loss the
    LossNotDecreasing rule flags at step 5; returns its name once the rule has settled."""
    estimator = Estimator(script_path, hyperparameters={"lr": 0.0, "steps": 12},
                          rules=[Rule.builtin("LossNotDecreasing", num_steps=5)],
                          debugger_hook_config=DebuggerHookConfig(
                              collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]))
    estimator.fit(logs=False)
    name = estimator.latest_training_job.name
    wait_until(lambda: rule_evaluations(name)[0].rule_evaluation_status != "InProgress", 60, "the rule")
    return name


def _settled(job_name: str) -> dict[str, str] | None:
    statuses = _statuses(job_name)
    return statuses if "InProgress" not in statuses.values() else None


def test_rules_run_beside_training_and_report_on_describe(script, tmp_path: Path, capsys) -> None:
    script(TRAIN)
    script(BROKEN_RULE, "my_rules.py")
    estimator = Estimator(
        "train.py", hyperparameters={"lr": 0.0, "steps": 25}, output_path=str(tmp_path / "out"),
        rules=[Rule.builtin("LossNotDecreasing", num_steps=5), Rule.builtin("VanishingGradient"),
               Rule.custom("BrokenRule", source="my_rules.py", rule_to_invoke="BrokenRule"),
               Rule.builtin("AllZero", tensor_regex="nomatch_.*")],
        debugger_hook_config=DebuggerHookConfig(collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]),
    )
    estimator.fit(logs=False)
    capsys.readouterr()
    job = estimator.latest_training_job
    statuses = wait_until(lambda: _settled(job.name), 60, "rule statuses")
    assert statuses == {"LossNotDecreasing": "IssuesFound", "VanishingGradient": "NoIssuesFound", "BrokenRule": "Error",
                        "AllZero": "NoIssuesFound"}
    assert job.status == "Completed"  # the broken rule did not stop training
    description = describe_job(job.name)
    by_rule = {s["rule_configuration_name"]: s for s in description.details["DebugRuleEvaluationStatuses"]}
    assert by_rule["LossNotDecreasing"]["triggered_step"] == 5
    assert "this rule has a bug" in by_rule["BrokenRule"]["status_details"]
    assert "no saved tensor matched" in by_rule["AllZero"]["status_details"]  # a regex matching nothing: warned
    assert {j.name for j in list_jobs(type="Rule")} == set(description.details["RuleEvaluationJobs"].values())
    config = json.loads(Path(description.job_dir, "input/config/debughookconfig.json").read_text())
    assert {c["CollectionName"] for c in config["CollectionConfigurations"]} == {"losses", "gradients"}
    assert main(["debugger", "rules", job.name]) == 0
    printed = {r["rule_configuration_name"]: r["rule_evaluation_status"] for r in json.loads(capsys.readouterr().out)}
    assert printed == statuses
    viewer = TensorViewer(job.name, tensor="CrossEntropyLoss_output_0", statistic="mean")
    assert len(viewer.series()[job.name]) == 25
    assert f"rule LossNotDecreasing on {job.name}: IssuesFound at step 5" in repr(viewer)
    assert "<td>IssuesFound</td><td>5</td>" in viewer.results.value
    kept = tmp_path / "out" / job.name / "debug-output"
    assert create_trial(kept, timeout=5).tensor("CrossEntropyLoss_output_0").steps() == list(range(25))
    assert create_trial(job.name, timeout=5).tensor("CrossEntropyLoss_output_0").steps() == list(range(25))


def test_stop_training_action_stops_the_job(script, tmp_path: Path) -> None:
    script(TRAIN)
    estimator = Estimator(
        "train.py", hyperparameters={"lr": 0.0, "steps": 100000, "pause": 0.01},
        rules=[Rule.builtin("LossNotDecreasing", num_steps=5, actions=ActionList(StopTraining()))],
        debugger_hook_config=DebuggerHookConfig(collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]),
    )
    estimator.fit(wait=False)
    job = estimator.latest_training_job
    wait_until(lambda: job.status == "Stopped", 60, "the rule to stop training")
    assert describe_job(job.name).failure_reason == "Stopped by rule LossNotDecreasing: it found an issue."
    assert wait_until(lambda: _settled(job.name), 30, "rule status") == {"LossNotDecreasing": "IssuesFound"}
    rule_job = describe_job(job.name).details["RuleEvaluationJobs"]["LossNotDecreasing"]
    assert any(f"StopTraining: rule LossNotDecreasing stops training job {job.name}" in line.message
               for line in Job(rule_job).tail(20))


def test_bad_rules_are_refused_before_anything_starts(script, capsys) -> None:
    script(TRAIN)
    with pytest.raises(ValidationError, match="rules must come from Rule.builtin"):
        Estimator("train.py", rules=["VanishingGradient"])
    with pytest.raises(ValidationError, match="at most 20"):
        Estimator("train.py", rules=[Rule.builtin("AllZero", rule_configuration_name=f"z{i}", tensor_regex="x")
                                     for i in range(21)])
    with pytest.raises(ValidationError, match="Rule names must be unique"):
        Estimator("train.py", rules=[Rule.builtin("AllZero", tensor_regex="x")] * 2)
    with pytest.raises(ValidationError, match="Custom rule source nope.py not found"):
        Rule.custom("Mine", source="nope.py", rule_to_invoke="Mine")
    with pytest.raises(ValidationError, match="give a folder under /opt/ml/"):
        Estimator("train.py", tensorboard_output_config=TensorBoardOutputConfig("s3://bucket/tb", "/tmp/board"))
    with pytest.raises(ValidationError, match="Rule LossNotDecreasing: Unknown rule 'CheckInputImages'"):
        RuleConfig.from_json({"RuleConfigurationName": "LossNotDecreasing",
                              "RuleParameters": {"rule_to_invoke": "CheckInputImages"}})
    assert list_jobs() == []
    assert main(["debugger", "rules", "no-such-job"]) == 1
    assert "No job named 'no-such-job'" in capsys.readouterr().err
