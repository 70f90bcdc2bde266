"""SageMaker Debugger's members of CreateTrainingJob and DescribeTrainingJob over our debugger.

`DebugHookConfig`, `DebugRuleConfigurations` and `TensorBoardOutputConfig` become the
Estimator's `debugger_hook_config=`, `rules=` and `tensorboard_output_config=` (so the job
gets the same `debughookconfig.json` a Python-made one does, and its rules run as our rule
jobs); DescribeTrainingJob answers `DebugRuleEvaluationStatuses` from those rule jobs, each
a processing job in SageMaker's words (DescribeProcessingJob answers its ARN's name).

A built-in rule this studio lacks is refused at CreateTrainingJob, naming the ones it has:
a ValidationException before training is clearer than an hour of training and then a rule
in Error. Profiler rules are accepted with a warning in the job's log and answered as Error
(there is no profiler here), since SageMaker's example notebooks add `ProfilerReport` as
a matter of course.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..debugger import DebuggerHookConfig, RuleConfig, TensorBoardOutputConfig, rule_evaluations, rule_names
from ..errors import ValidationError
from .operations import Call, arn
from .protocol import AwsError

__all__ = ["debugger_options", "debugger_answer", "RULE_IMAGE_REPOSITORIES"]

# SageMaker's rule images: the built-in rules', and the evaluator that runs custom rules' sources.
RULE_IMAGE_REPOSITORIES = ("sagemaker-debugger-rules", "sagemaker-debugger-rule-evaluator")
_REPOSITORY = re.compile(r"^(?:[^/]+/)?(?:.*/)?(?P<repository>[a-z0-9._-]+?)(?::[A-Za-z0-9._-]+)?(?:@.+)?$")
_NO_PROFILER = ("Profiler rules do not run here: jupyter_ext has no system or framework profiler. Remove "
                "ProfilerRule entries from rules= (Debugger rules run).")


def _repository(image: str) -> str:
    match = _REPOSITORY.match(image or "")
    return match.group("repository") if match else ""


def _rule(configuration: Mapping[str, Any], notices: list[str]) -> RuleConfig:
    """Our rule configuration for one DebugRuleConfiguration."""
    name, image = configuration["RuleConfigurationName"], configuration.get("RuleEvaluatorImage", "")
    custom = "source_s3_uri" in (configuration.get("RuleParameters") or {})
    if not custom and _repository(image) not in RULE_IMAGE_REPOSITORIES:
        raise AwsError("ValidationException", f"Rule {name}: RuleEvaluatorImage {image!r} cannot run here. Built-in "
                       "rules need SageMaker's Debugger rules image (Rule.sagemaker(rule_configs...) names it); a custom "
                       "rule needs its source (Rule.custom(..., source='my_rule.py', rule_to_invoke='MyRule')).")
    if custom and _repository(image) not in RULE_IMAGE_REPOSITORIES:
        notices.append(f"Note: rule {name}'s image {image} is not run; its source runs in this Python, where "
                       "`from smdebug.rules.rule import Rule` is jupyter_ext's Rule.")
    try:
        return RuleConfig.from_json(configuration)
    except ValidationError as error:
        invoked = (configuration.get("RuleParameters") or {}).get("rule_to_invoke")
        unknown = not custom and invoked not in rule_names()
        raise AwsError("ValidationException", str(error) + (" SageMaker's other built-in rules do not run here yet: "
                       "remove it from rules=, or write the check as a custom rule." if unknown else "")) from None


def debugger_options(request: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The Estimator options a CreateTrainingJob request's debugger members mean, and the
    notices for the top of the job's log; ValidationException for a rule that cannot run."""
    options: dict[str, Any] = {}
    notices: list[str] = []
    if request.get("DebugHookConfig"):
        options["debugger_hook_config"] = DebuggerHookConfig.from_json(request["DebugHookConfig"])
    rules = [_rule(configuration, notices) for configuration in request.get("DebugRuleConfigurations") or []]
    if rules:
        options["rules"] = rules
    if request.get("TensorBoardOutputConfig"):
        options["tensorboard_output_config"] = TensorBoardOutputConfig.from_json(request["TensorBoardOutputConfig"])
    if request.get("ProfilerRuleConfigurations"):
        names = ", ".join(r["RuleConfigurationName"] for r in request["ProfilerRuleConfigurations"])
        notices.append(f"Warning: profiler rules {names} do not run here (no profiler); "
                       "DescribeTrainingJob shows them as Error.")
    return options, notices


def debugger_answer(call: Call, name: str, request: Mapping[str, Any], created: datetime) -> dict[str, Any]:
    """DescribeTrainingJob's rule statuses (from the job's rule jobs) and ProfilingStatus."""
    answer: dict[str, Any] = {"ProfilingStatus": "Disabled"}
    statuses = [{"RuleConfigurationName": r.rule_configuration_name,
                 "RuleEvaluationJobArn": arn(call, f"processing-job/{r.rule_evaluation_job_name.lower()}"),
                 "RuleEvaluationStatus": r.rule_evaluation_status, "StatusDetails": r.status_details,
                 "LastModifiedTime": r.last_modified_time or created} for r in rule_evaluations(name)]
    if statuses:
        answer["DebugRuleEvaluationStatuses"] = statuses
    profiler = request.get("ProfilerRuleConfigurations") or []
    if profiler:
        answer["ProfilerRuleEvaluationStatuses"] = [
            {"RuleConfigurationName": r["RuleConfigurationName"], "RuleEvaluationStatus": "Error",
             "StatusDetails": _NO_PROFILER, "LastModifiedTime": created} for r in profiler]
    return answer
