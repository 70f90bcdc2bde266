"""Rules: smdebug's `Rule` base (subclass it, implement `invoke_at_step`), `invoke_rule`,
the registry of built-in rules, and `Rule.builtin(...)` / `Rule.custom(...)` — the rule
configurations an Estimator starts as rule jobs beside its training job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sagemaker_arguments import ignore_sagemaker_arguments
from ..errors import ValidationError
from ..plugins import Registry
from ..store import artifact_store_for
from .actions import ActionList, Actions
from .config import ModeKeys
from .exceptions import (
    RuleEvaluationConditionMet, StepUnavailable, TensorUnavailable, TensorUnavailableForStep,
)
from .trial import Trial, no_refresh

__all__ = ["Rule", "RuleConfig", "invoke_rule", "register_rule", "rule_names", "get_rule_class",
           "MAX_RULES", "ENTRY_POINT_GROUP", "RULES"]

MAX_RULES = 20
ENTRY_POINT_GROUP = "jupyter_ext.debugger_rules"
_BUILTIN_RULES = {
    "builtin_rules": ("VanishingGradient", "ExplodingTensor", "LossNotDecreasing", "Overfit", "Overtraining",
                      "DeadRelu", "SaturatedActivation"),
    "builtin_tensor_rules": ("PoorWeightInitialization", "WeightUpdateRatio", "AllZero", "ClassImbalance",
                             "UnchangedTensor", "TensorVariance", "StalledTrainingRule"),
}
# "module:Class" strings: the built-ins subclass Rule, so this module names them without importing them.
RULES: Registry[type[Rule]] = Registry(
    "rule", ENTRY_POINT_GROUP,
    {name: f"{__package__}.{module}:{name}" for module, names in _BUILTIN_RULES.items() for name in names},
    unknown="Unknown {what} {name!r}; built-in rules: {names}.")
"""The debugger rules by name: SageMaker's built-ins, then the entry points of ENTRY_POINT_GROUP."""


@dataclass
class RuleConfig:
    """A rule to run beside a training job: a built-in `name` or a custom class from
    `source`, its string parameters, actions, and the collections it needs saved."""

    name: str
    rule_to_invoke: str
    rule_parameters: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    actions: ActionList | None = None
    collections_to_save: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.actions is not None and not isinstance(self.actions, ActionList):
            self.actions = ActionList(self.actions)  # one action, or a wrong value named by ActionList

    def to_json(self) -> dict[str, Any]:
        """SageMaker's DebugRuleConfiguration form (and what the rule job reads)."""
        parameters = {"rule_to_invoke": self.rule_to_invoke, **self.rule_parameters}
        if self.actions is not None:
            parameters["action_json"] = self.actions.serialize()
        return {"RuleConfigurationName": self.name, "RuleEvaluatorImage": "local",
                "RuleParameters": parameters, "Source": self.source}

    @classmethod
    def from_json(cls, configuration: Mapping[str, Any]) -> RuleConfig:
        """The rule SageMaker's DebugRuleConfiguration describes (a CreateTrainingJob member, or
        what `to_json` wrote): `rule_to_invoke` a built-in rule, or, with `source_s3_uri` (or
        `Source`), your Rule subclass in that file. ValidationError naming the rule for an
        unknown name or parameter. The image is not looked at: rules run in this Python."""
        name = configuration.get("RuleConfigurationName") or ""
        parameters = {k: str(v) for k, v in (configuration.get("RuleParameters") or {}).items()}
        rule_to_invoke = parameters.pop("rule_to_invoke", "")
        source = parameters.pop("source_s3_uri", None) or configuration.get("Source")
        if not rule_to_invoke:
            raise ValidationError(f"Rule {name}: RuleParameters needs rule_to_invoke (the rule's class name).")
        if source:
            return Rule.custom(name, source, rule_to_invoke, parameters)
        try:
            rule_class = get_rule_class(rule_to_invoke)
            _check_parameters(rule_class, parameters)
        except ValidationError as error:
            raise ValidationError(f"Rule {name}: {error}") from None
        return cls(name, rule_to_invoke, parameters, collections_to_save=dict(rule_class.default_collections))


class Rule:
    """A check over a trial's tensors. Subclass it and implement `invoke_at_step(step)`
    returning True when the issue is found; constructor arguments arrive as strings when the
    rule runs as a rule job. `self.details` may say what was found (shown in the status).

    `Rule.builtin(name, **params)` and `Rule.custom(...)` configure rules for an Estimator.
    """

    default_collections: dict[str, dict[str, str]] = {}

    def __init__(self, base_trial: Trial, action_str: str = "", other_trials: list[Trial] | None = None) -> None:
        self.base_trial = base_trial
        self.other_trials = list(other_trials or [])
        self.actions = Actions(action_str, type(self).__name__)
        self.logger = logging.getLogger(f"jupyter_ext.debugger.rules.{type(self).__name__}")
        self.details = ""
        self.triggered_step: int | None = None

    def invoke_at_step(self, step: int) -> bool:
        """True if the issue is present at global step `step`."""
        raise NotImplementedError

    def on_idle(self, now: float) -> bool:
        """Called while no new step comes; True fires the rule (for time-based rules)."""
        return False

    def invoke(self, step: int) -> None:
        """Evaluate one step; on an issue run the actions and raise RuleEvaluationConditionMet."""
        self.base_trial.wait_for_steps([step])
        with no_refresh([self.base_trial, *self.other_trials]):
            found = self.invoke_at_step(step)
        if found:
            self.fire(step)

    def fire(self, step: int) -> None:
        """Record the trigger, run the actions, raise RuleEvaluationConditionMet."""
        self.triggered_step = step
        self.actions.invoke(step, self.details)
        raise RuleEvaluationConditionMet(type(self).__name__, step)

    # --- configurations for Estimator(rules=[...]) ---------------------------------

    @staticmethod
    def builtin(name: str, actions: ActionList | None = None, rule_configuration_name: str | None = None,
                **rule_parameters: Any) -> RuleConfig:
        """A built-in rule by name (VanishingGradient, LossNotDecreasing, ...) with its parameters;
        ValidationError for an unknown name or parameter."""
        cls = get_rule_class(name)
        _check_parameters(cls, rule_parameters)
        return RuleConfig(rule_configuration_name or name, name, _strings(rule_parameters),
                          actions=actions, collections_to_save=dict(cls.default_collections))

    @staticmethod
    def custom(name: str, source: str, rule_to_invoke: str, rule_parameters: Mapping[str, Any] | None = None,
               actions: ActionList | None = None, collections_to_save: Mapping[str, Mapping[str, Any]] | None = None,
               **_sagemaker_only: Any) -> RuleConfig:
        """Your own Rule subclass `rule_to_invoke` defined in the file `source` (a path, or an
        `s3://` URI of the file)."""
        ignore_sagemaker_arguments("Rule.custom", _sagemaker_only)
        if "://" in source:
            if not artifact_store_for(source).exists(source):
                raise ValidationError(f"Custom rule source {source} not found.")
        else:
            path = Path(source).resolve()
            if not path.is_file():
                raise ValidationError(f"Custom rule source {source} not found (looked for {path}).")
            source = str(path)
        return RuleConfig(name, rule_to_invoke, _strings(rule_parameters or {}), source, actions,
                          {k: _strings(v) for k, v in (collections_to_save or {}).items()})


def _strings(parameters: Mapping[str, Any]) -> dict[str, str]:
    return {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v) for k, v in parameters.items()}


def _check_parameters(cls: type[Rule], parameters: Mapping[str, Any]) -> None:
    import inspect

    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "base_trial", "action_str", "other_trials"}
    # SageMaker's own: the actions (action_json) and other runs' paths (other_trial_N)
    unknown = sorted(k for k in set(parameters) - accepted if k != "action_json" and not k.startswith("other_trial"))
    if unknown:
        raise ValidationError(f"Rule {cls.__name__} has no parameter {', '.join(unknown)}; "
                              f"its parameters: {', '.join(sorted(accepted)) or 'none'}.")


def register_rule(name: str, cls: type[Rule]) -> None:
    """Add a rule class to the registry under `name` (replacing any rule of that name)."""
    RULES.register(name, cls)


def rule_names() -> list[str]:
    """Every registered rule name."""
    return RULES.names()


def get_rule_class(name: str) -> type[Rule]:
    """The rule class registered as `name`; ValidationError listing the valid names."""
    return RULES.get(name)


def invoke_rule(rule: Rule, start_step: int = 0, end_step: int | None = None, raise_eval_cond: bool = False,
                stop_waiting: Callable[[], bool] | None = None, poll: float = 0.2) -> int | None:
    """Evaluate `rule` over the trial's saved global steps as they appear, until the run ends
    (its end marker, or `stop_waiting()` returns True) or `end_step`.

    Returns the step that triggered (None if none); with `raise_eval_cond`, raises instead.
    """
    trial, step = rule.base_trial, start_step
    while end_step is None or step < end_step:
        trial.refresh()
        pending = [s for s in trial.steps() if s >= step and (end_step is None or s < end_step)]
        if not pending:
            ended = trial.loaded_all_steps or (stop_waiting is not None and stop_waiting())
            if ended:
                trial.refresh()
                if not [s for s in trial.steps() if s >= step]:
                    return None
                continue
            try:
                if rule.on_idle(time.time()):
                    rule.fire(max(step - 1, 0))
            except RuleEvaluationConditionMet:
                if raise_eval_cond:
                    raise
                return rule.triggered_step
            time.sleep(poll)
            continue
        for step in pending:
            try:
                rule.invoke(step)
            except (TensorUnavailableForStep, StepUnavailable, TensorUnavailable):
                continue
            except RuleEvaluationConditionMet:
                if raise_eval_cond:
                    raise
                return step
        step += 1
    return None


def mode_of(trial: Trial, step: int) -> ModeKeys:
    """The mode of a saved global step (GLOBAL if unknown)."""
    try:
        return trial.mode(step)
    except StepUnavailable:
        return ModeKeys.GLOBAL


def matching_tensors(trial: Trial, step: int, collection_names: Iterable[str] | None,
                     tensor_regex: Iterable[str] | None) -> list[str]:
    """Tensors saved at `step` in the collections or matching the regexes (union)."""
    names: set[str] = set()
    mode = ModeKeys.GLOBAL
    for collection in collection_names or []:
        if collection in trial.collections():
            names.update(trial.tensor_names(step=step, mode=mode, collection=collection))
    if tensor_regex:
        names.update(trial.tensor_names(step=step, mode=mode, regex=list(tensor_regex)))
    return sorted(names)
