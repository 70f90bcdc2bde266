"""SageMaker Debugger for torch: an smdebug-style `Hook` writing smdebug's on-disk format,
`create_trial` to read tensors back, rules run beside training, and their actions.

    from jupyter_ext.debugger import Hook
    hook = Hook.create_from_json_file()     # in a job started with debugger_hook_config
    hook.register_module(model)

Torch is imported only when a hook registers a module.
"""

from __future__ import annotations

from .actions import SMS, ActionList, Email, Notify, StopTraining
from .config import Collection, CollectionKeys, ModeKeys, ReductionConfig, SaveConfig, SaveConfigMode, modes
from .exceptions import (
    MissingCollectionFiles, NoMoreData, RuleEvaluationConditionMet, StepNotYetAvailable, StepUnavailable,
    TensorUnavailable, TensorUnavailableForStep,
)
from .hook import Hook, del_hook, get_hook, set_hook
from .hook_config import CollectionConfig, DebuggerHookConfig, TensorBoardOutputConfig
from .rule_jobs import rule_evaluations, wait_for_rule_evaluations
from .rules import Rule, RuleConfig, get_rule_class, invoke_rule, register_rule, rule_names
from .tensorboard import read_scalars
from .trial import StepState, Tensor, Trial, create_trial, no_refresh, refresh

__all__ = [
    "SMS", "ActionList", "Collection", "CollectionConfig", "CollectionKeys", "DebuggerHookConfig", "Email", "Hook",
    "MissingCollectionFiles", "ModeKeys", "NoMoreData", "Notify", "ReductionConfig", "Rule", "RuleConfig",
    "RuleEvaluationConditionMet", "SaveConfig", "SaveConfigMode", "StepNotYetAvailable", "StepState",
    "StepUnavailable", "StopTraining", "Tensor", "TensorBoardOutputConfig", "TensorUnavailable",
    "TensorUnavailableForStep", "Trial", "create_trial", "del_hook", "get_hook", "get_rule_class", "invoke_rule",
    "modes", "no_refresh", "read_scalars", "refresh", "register_rule", "rule_evaluations", "rule_names", "set_hook",
    "wait_for_rule_evaluations",
]
