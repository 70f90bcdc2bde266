"""The program of a rule job: `python -m jupyter_ext.debugger.run_rule` in the job folder.

Follows the training job's tensors until it ends, evaluating the rule on each saved step;
writes `rule_evaluation.json` (NoIssuesFound / IssuesFound / Error) and exits. A rule's
failure fails only its own job, never the training job.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..jobs import describe_job
from ..models import TERMINAL_STATUSES
from .actions import Actions
from .exceptions import MissingCollectionFiles
from .rule_jobs import RULE_CONFIG_FILE, STATUS_FILE
from .rules import Rule, get_rule_class, invoke_rule
from .trial import Trial, create_trial

__all__ = ["main"]


def _training_ended(name: str) -> bool:
    return describe_job(name).status in TERMINAL_STATUSES


def _open_trial(path: Path, training_job: str) -> Trial | None:
    """The training job's trial once it saved its first step; None if it ended saving nothing."""
    while True:
        ended = _training_ended(training_job)
        try:
            return create_trial(path, timeout=0.0)
        except MissingCollectionFiles:
            if ended:
                return None
        time.sleep(0.2)


def _rule_class(configuration: dict[str, Any], job_dir: Path) -> type[Rule]:
    name = configuration["RuleParameters"]["rule_to_invoke"]
    source = configuration.get("Source")
    if not source:
        return get_rule_class(name)
    path = job_dir / "code" / Path(source).name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise ValidationError(f"{source} defines no Rule subclass named {name}.")
    return cls


def _build_rule(configuration: dict[str, Any], job_dir: Path, trial: Trial) -> Rule:
    parameters = dict(configuration["RuleParameters"])
    parameters.pop("rule_to_invoke")
    parameters.pop("source_s3_uri", None)
    action_str = parameters.pop("action_json", "")
    parameters = {k: v for k, v in parameters.items() if not k.startswith("other_trial")}
    cls = _rule_class(configuration, job_dir)
    accepted = inspect.signature(cls.__init__).parameters
    if "action_str" in accepted or any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        return cls(trial, action_str=action_str, **parameters)
    rule = cls(trial, **parameters)  # SageMaker's custom rule examples take (base_trial, their parameters)
    rule.actions = Actions(action_str, cls.__name__)
    return rule


def _write_status(job_dir: Path, status: str, details: str, step: int | None = None) -> None:
    result = {"RuleEvaluationStatus": status, "StatusDetails": details, "TriggeredStep": step,
              "LastModifiedTime": time.time()}
    temporary = job_dir / (STATUS_FILE + ".tmp")
    temporary.write_text(json.dumps(result))
    temporary.replace(job_dir / STATUS_FILE)  # readers never see half a file
    print(f"Rule evaluation status: {status}. {details}", flush=True)


def main() -> int:
    """Run the rule of this job folder; the exit code is 0 unless the rule itself failed."""
    job_dir = Path(os.environ["JUPYTER_EXT_JOB_DIR"])
    config = json.loads((job_dir / RULE_CONFIG_FILE).read_text())
    configuration, training_job = config["RuleConfiguration"], config["TrainingJobName"]
    name = configuration["RuleConfigurationName"]
    try:
        trial = _open_trial(Path(config["TensorsPath"]), training_job)
        if trial is None:
            _write_status(job_dir, "Error", f"Training job {training_job} ended without saving tensors; "
                          "check its hook (Hook.create_from_json_file() and register_module).")
            return 1
        rule = _build_rule(configuration, job_dir, trial)
        print(f"Rule {name} follows {trial.path}", flush=True)
        step = invoke_rule(rule, stop_waiting=lambda: _training_ended(training_job))
    except Exception as error:  # the rule's own failure: reported as Error, training goes on
        traceback.print_exc()
        _write_status(job_dir, "Error", f"{type(error).__name__}: {error}")
        return 1
    if step is None:
        count = len(trial.steps())
        warning = getattr(rule, "nothing_matched", None)
        if warning:
            print(f"Warning: {warning}", flush=True)
        _write_status(job_dir, "NoIssuesFound", f"{count} saved step{'' if count == 1 else 's'} evaluated"
                      + (f"; but {warning}" if warning else "."))
    else:
        _write_status(job_dir, "IssuesFound", f"Rule {name} found an issue at step {step}. {rule.details}".strip(), step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
