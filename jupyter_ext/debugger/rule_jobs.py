"""Debugging a training job: its hook config, the rule jobs started beside it, and the
rule evaluation statuses DescribeJob shows (SageMaker's DebugRuleEvaluationStatuses).

Each rule runs as its own job (type "Rule") reading the training job's tensors as they
land; it ends with a status file: NoIssuesFound, IssuesFound (with the step) or Error.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, ValidationError
from ..jobs import (
    JobExtension, JobKind, JobSpec, Submission, Upload, describe_job, job_dir_for, submit, unique_job_name,
)
from ..jobs.contract import CONTAINER_ROOT, base_environment, python_command
from ..models import JobDescription, RuleEvaluationStatus, timestamp
from ..store import artifact_store_for, default_output_path, join_uri
from .hook_config import (
    CONFIG_FILE_NAME, CONFIG_FILE_VARIABLE, TENSORBOARD_CONFIG_FILE_NAME, TENSORBOARD_CONFIG_VARIABLE, CollectionConfig,
    DebuggerHookConfig, TensorBoardOutputConfig,
)
from .rules import MAX_RULES, RuleConfig

__all__ = ["DEBUGGER_EXTENSION", "SMDEBUG_SHIM", "DebuggerSetup", "RuleJob", "prepare_debugger", "rule_evaluations",
           "wait_for_rule_evaluations", "STATUS_FILE", "RULE_CONFIG_FILE", "TENSORS_FOLDER"]

# smdebug's names over our debugger, for training jobs whose Python has no smdebug.
SMDEBUG_SHIM = Path(__file__).parent / "smdebug_shim"
STATUS_FILE = "rule_evaluation.json"
RULE_CONFIG_FILE = "config/ruleconfig.json"
TENSORS_FOLDER = "output/tensors"


@dataclass
class DebuggerSetup:
    """What a training job with a debugger needs: the hook config, its rules and their job
    names, and where TensorBoard files go (each part optional)."""

    hook_config: DebuggerHookConfig | None
    rules: list[RuleConfig] = field(default_factory=list)
    rule_job_names: dict[str, str] = field(default_factory=dict)
    tensorboard: TensorBoardOutputConfig | None = None

    def environment(self, job_dir: Path) -> dict[str, str]:
        """Tells `Hook.create_from_json_file()` in the job where its configs are."""
        config = job_dir / "input" / "config"
        found = {CONFIG_FILE_VARIABLE: str(config / CONFIG_FILE_NAME)} if self.hook_config is not None else {}
        if self.tensorboard is not None:
            found[TENSORBOARD_CONFIG_VARIABLE] = str(config / TENSORBOARD_CONFIG_FILE_NAME)
        return found

    def s3_output_path(self, output_path: str) -> str:
        """The hook config's S3OutputPath: its own, else the Estimator's output_path."""
        return (self.hook_config.s3_output_path if self.hook_config else None) or output_path

    def output_uri(self, output_path: str, job_name: str) -> str:
        """Where the tensors are kept after the job: `<s3_output_path>/<job>/debug-output`."""
        return join_uri(self.s3_output_path(output_path), job_name, "debug-output")

    def uploads(self, output_path: str, job_name: str) -> list[Upload]:
        """The tensors and TensorBoard folders, copied to S3 when the job ends (whatever the end)."""
        found = [Upload(TENSORS_FOLDER, self.output_uri(output_path, job_name), when="always")] \
            if self.hook_config is not None else []
        if self.tensorboard is not None:
            found.append(Upload(self.tensorboard.local_folder(), self.tensorboard.output_uri(job_name), when="always"))
        return found

    def details(self, output_path: str, job_name: str) -> dict[str, Any]:
        """What DescribeJob shows of the debugger setup (SageMaker's members, its paths as
        the container sees them)."""
        found: dict[str, Any] = {"DebugRuleConfigurations": [r.to_json() for r in self.rules],
                                 "RuleEvaluationJobs": dict(self.rule_job_names)}
        if self.hook_config is not None:
            found["DebugHookConfig"] = self.hook_config.to_json(CONTAINER_ROOT + TENSORS_FOLDER,
                                                                self.s3_output_path(output_path))
        if self.tensorboard is not None:
            found["TensorBoardOutputConfig"] = {"LocalPath": CONTAINER_ROOT + self.tensorboard.local_folder(),
                                                "S3OutputPath": self.tensorboard.s3_output_path}
        return found

    def write_config(self, job_dir: Path, output_path: str, job_name: str) -> None:
        """input/config/debughookconfig.json and tensorboardoutputconfig.json, as SageMaker
        gives them to the container."""
        config = job_dir / "input" / "config"
        if self.hook_config is not None:
            hook = self.hook_config.to_json(str(job_dir / TENSORS_FOLDER), self.output_uri(output_path, job_name))
            (config / CONFIG_FILE_NAME).write_text(json.dumps(hook, indent=1))
        if self.tensorboard is not None:
            local = job_dir / self.tensorboard.local_folder()
            local.mkdir(parents=True, exist_ok=True)
            board = self.tensorboard.to_json(str(local), job_name)
            (config / TENSORBOARD_CONFIG_FILE_NAME).write_text(json.dumps(board, indent=1))

    def start_rule_jobs(self, training_job_name: str, max_run: int, executor: str) -> None:
        """One rule job per rule, reading the training job's tensors as they land."""
        for rule in self.rules:
            submit(RuleJob(rule, training_job_name, max_run, executor), self.rule_job_names[rule.name])


def prepare_debugger(rules: list[RuleConfig] | None, hook_config: DebuggerHookConfig | None,
                     training_job_name: str | None = None,
                     tensorboard_output_config: TensorBoardOutputConfig | None = None) -> DebuggerSetup | None:
    """Check the Estimator's rules, hook config and TensorBoard config; rules without a hook
    config get the default one, and every rule's collections are added to it. None when not
    debugging. Rule job names (lowercase, as SageMaker names its rule jobs) are chosen only
    when `training_job_name` is given."""
    rules = list(rules or [])
    if tensorboard_output_config is not None:
        if not isinstance(tensorboard_output_config, TensorBoardOutputConfig):
            raise ValidationError("tensorboard_output_config must be a TensorBoardOutputConfig; got "
                                  f"{type(tensorboard_output_config).__name__}.")
        tensorboard_output_config.local_folder()
    if hook_config is None and not rules:
        return DebuggerSetup(None, tensorboard=tensorboard_output_config) if tensorboard_output_config else None
    if hook_config is not None and not isinstance(hook_config, DebuggerHookConfig):
        raise ValidationError(f"debugger_hook_config must be a DebuggerHookConfig; got {type(hook_config).__name__}.")
    if len(rules) > MAX_RULES:
        raise ValidationError(f"{len(rules)} rules given; a training job takes at most {MAX_RULES}.")
    for rule in rules:
        if not isinstance(rule, RuleConfig):
            raise ValidationError(f"rules must come from Rule.builtin(...) or Rule.custom(...); got {rule!r}.")
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise ValidationError(f"Rule names must be unique; got {names}. Pass rule_configuration_name to tell them apart.")
    config = copy.deepcopy(hook_config) if hook_config is not None else DebuggerHookConfig()
    present = {c.name for c in config.collection_configs}
    for rule in rules:
        for name, parameters in rule.collections_to_save.items():
            if name not in present:
                config.collection_configs.append(CollectionConfig(name, dict(parameters)))
                present.add(name)
        if rule.actions is not None and training_job_name:
            rule.actions = copy.deepcopy(rule.actions)
            rule.actions.update_training_job_prefix_if_not_specified(training_job_name)
    base = re.sub(r"-\d{4}(-\d{2}){5}-\d{3}$", "", training_job_name or "")
    jobs = {r.name: unique_job_name(f"{base[:18]}-{r.name[:20]}".lower()) for r in rules} if training_job_name else {}
    return DebuggerSetup(config, rules, jobs, tensorboard_output_config)


class RuleJob(JobKind):
    """A rule job: one rule reading a training job's tensors as they land."""

    def __init__(self, rule: RuleConfig, training_job_name: str, max_run: int, executor: str) -> None:
        self.rule, self.training_job_name = rule, training_job_name
        self.max_run, self.executor = max_run, executor
        self.tensors = job_dir_for(training_job_name) / TENSORS_FOLDER

    def job_spec(self, name: str, job_dir: Path) -> JobSpec:
        spec = JobSpec(name=name, job_type="Rule", program=python_command(["python", "-m", "jupyter_ext.debugger.run_rule"]),
                       environment=base_environment(name, job_dir, None), max_run=self.max_run, executor=self.executor,
                       record={"details": {"RuleConfigurationName": self.rule.name,
                                           "TrainingJobName": self.training_job_name},
                               "inputs": {"tensors": str(self.tensors)}})
        _offer_smdebug(spec)  # a custom rule's `from smdebug.rules.rule import Rule`
        return spec

    def fill_folder(self, job_dir: Path, spec: JobSpec) -> None:
        (job_dir / "config").mkdir()
        if self.rule.source:  # a local file, or an s3:// object (the SDK uploads a custom rule's source)
            artifact_store_for(self.rule.source).download(self.rule.source, job_dir / "code")
        config = {"RuleConfiguration": self.rule.to_json(), "TrainingJobName": self.training_job_name,
                  "TensorsPath": str(self.tensors)}
        (job_dir / RULE_CONFIG_FILE).write_text(json.dumps(config, indent=1))


def _evaluation(rule_name: str, job_name: str) -> RuleEvaluationStatus:
    try:
        job = describe_job(job_name)
    except NotFoundError:
        return RuleEvaluationStatus(rule_name, job_name, "Error", "The rule job was deleted.", None, None)
    status_file = Path(job.job_dir) / STATUS_FILE
    if status_file.is_file():
        result = json.loads(status_file.read_text())
        return RuleEvaluationStatus(rule_name, job_name, result["RuleEvaluationStatus"], result.get("StatusDetails", ""),
                                    result.get("TriggeredStep"), timestamp(result.get("LastModifiedTime")))
    if job.status in ("Failed", "Stopped"):
        status = "Error" if job.status == "Failed" else "Stopped"
        return RuleEvaluationStatus(rule_name, job_name, status, job.failure_reason or "", None, job.last_modified)
    return RuleEvaluationStatus(rule_name, job_name, "InProgress", "", None, job.last_modified)


def rule_evaluations(training_job_name: str) -> list[RuleEvaluationStatus]:
    """How each debugger rule of a training job stands (empty without rules)."""
    from ..jobs import records
    from ..store import get_store

    record = json.loads(records.get_row(get_store(), training_job_name)["spec"]).get("record", {})
    jobs = record.get("details", {}).get("RuleEvaluationJobs", {})
    return [_evaluation(rule, job) for rule, job in jobs.items()]


def wait_for_rule_evaluations(training_job_name: str, timeout: float = 300.0) -> list[RuleEvaluationStatus]:
    """Block until every rule of the job has a final status (or `timeout` seconds pass,
    then ValidationError naming the rules still running); returns the statuses."""
    deadline = time.monotonic() + timeout
    while True:
        evaluations = rule_evaluations(training_job_name)
        running = [r.rule_configuration_name for r in evaluations if r.rule_evaluation_status == "InProgress"]
        if not running:
            return evaluations
        if time.monotonic() > deadline:
            raise ValidationError(f"Rules still running after {timeout:g} s: {', '.join(running)}.")
        time.sleep(0.2)


def _add_rule_statuses(description: JobDescription) -> None:
    jobs = description.details.get("RuleEvaluationJobs")
    if jobs:
        description.details["DebugRuleEvaluationStatuses"] = [
            _evaluation(rule, job).to_dict() for rule, job in jobs.items()]


def _check(options: Mapping[str, Any]) -> None:
    prepare_debugger(options.get("rules"), options.get("debugger_hook_config"),
                     tensorboard_output_config=options.get("tensorboard_output_config"))


def _offer_smdebug(spec: JobSpec) -> None:
    """`import smdebug.pytorch` in the job gets our hook, unless a real smdebug is there:
    the shim goes last on PYTHONPATH, only when the launching Python has no smdebug."""
    found = importlib.util.find_spec("smdebug")
    if found is not None and SMDEBUG_SHIM not in Path(found.origin or "").parents:
        return
    paths = spec.environment.get("PYTHONPATH", os.environ.get("PYTHONPATH", "")).split(os.pathsep)
    if str(SMDEBUG_SHIM) not in paths:
        spec.environment["PYTHONPATH"] = os.pathsep.join(filter(None, [*paths, str(SMDEBUG_SHIM)]))


def _on_spec(job: Submission) -> None:
    _offer_smdebug(job.spec)
    setup = prepare_debugger(job.options.get("rules"), job.options.get("debugger_hook_config"), job.name,
                             job.options.get("tensorboard_output_config"))
    if setup is None:
        return
    job.state["debugger"] = setup
    output_path = job.kind.output_path or default_output_path()
    job.spec.environment.update(setup.environment(job.job_dir))
    job.spec.uploads.extend(setup.uploads(output_path, job.name))
    job.spec.record["details"] = setup.details(output_path, job.name)


def _on_folder(job: Submission) -> None:
    if "debugger" in job.state:
        job.state["debugger"].write_config(job.job_dir, job.kind.output_path or default_output_path(), job.name)


def _on_created(job: Submission) -> None:
    if "debugger" in job.state:
        job.state["debugger"].start_rule_jobs(job.name, job.spec.max_run, job.spec.executor)


# Training jobs take `rules=`, `debugger_hook_config=` and `tensorboard_output_config=`
# (SageMaker's names) without knowing of the debugger: this extension runs their rule jobs
# and reports on them, and lets their scripts `import smdebug.pytorch` where no real smdebug
# is installed.
DEBUGGER_EXTENSION = JobExtension(
    options=("rules", "debugger_hook_config", "tensorboard_output_config"), job_types=("Training",), check=_check,
    on_spec=_on_spec, on_folder=_on_folder, on_created=_on_created, on_describe=_add_rule_statuses,
)
