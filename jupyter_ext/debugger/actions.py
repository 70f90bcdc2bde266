"""What a rule does when it finds an issue: StopTraining stops the training job; Email, SMS
and Notify are notifications (logged, and a callable you name is called). SageMaker's
`action_json` form is kept: `[{"name": "stoptraining", "training_job_prefix": "..."}, ...]`.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from typing import Any

from ..errors import ValidationError

__all__ = ["StopTraining", "Email", "SMS", "Notify", "ActionList", "Actions"]

_log = logging.getLogger("jupyter_ext.debugger.actions")


class _Action:
    name = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{k: v for k, v in vars(self).items() if v is not None}}


class StopTraining(_Action):
    """Stop the training job (the one InProgress job whose name starts with the prefix;
    default: the rule's own training job)."""

    name = "stoptraining"

    def __init__(self, training_job_prefix: str | None = None) -> None:
        self.training_job_prefix = training_job_prefix


class Email(_Action):
    """A notification to an address (logged in the rule job; no mail is sent locally)."""

    name = "email"

    def __init__(self, email_address: str) -> None:
        self.endpoint = email_address


class SMS(_Action):
    """A notification to a phone number (logged in the rule job; no SMS is sent locally)."""

    name = "sms"

    def __init__(self, phone_number: str) -> None:
        self.endpoint = phone_number


class Notify(_Action):
    """Call `callback(rule_name, step, details)` in the rule job: a module-level function,
    or its "module:function" name (the module must be importable in the job)."""

    name = "notify"

    def __init__(self, callback: Callable[..., Any] | str) -> None:
        if callable(callback):
            module, qualname = callback.__module__, callback.__qualname__
            if module == "__main__" or "<" in qualname:
                raise ValidationError("Notify needs a function defined in an importable module, not in the "
                                      "notebook; put it in a .py file next to the notebook.")
            callback = f"{module}:{qualname}"
        self.callback = callback


class ActionList:
    """Several actions: `ActionList(StopTraining(), Email("a@b.c"))`."""

    def __init__(self, *actions: _Action) -> None:
        for action in actions:
            if not isinstance(action, _Action):
                raise ValidationError(f"Actions must be StopTraining, Email, SMS or Notify; got {action!r}.")
        self.actions = list(actions)

    def update_training_job_prefix_if_not_specified(self, training_job_name: str) -> None:
        """StopTraining() without a prefix stops this training job."""
        for action in self.actions:
            if isinstance(action, StopTraining) and not action.training_job_prefix:
                action.training_job_prefix = training_job_name

    def serialize(self) -> str:
        """SageMaker's `action_json` string."""
        return json.dumps([a.to_dict() for a in self.actions])


class Actions:
    """The actions a running rule carries out, from its `action_str` (action_json)."""

    def __init__(self, action_str: str, rule_name: str) -> None:
        self.rule_name = rule_name
        try:
            parsed = json.loads(action_str) if action_str else []
        except ValueError:
            raise ValidationError(f"action_json {action_str!r} is not valid JSON.") from None
        self.items = [{k.lower(): v for k, v in a.items()} for a in (parsed if isinstance(parsed, list) else [parsed])]

    def invoke(self, step: int, details: str) -> None:
        """Carry out every action for an issue found at `step`."""
        for action in self.items:
            name = str(action.get("name", "")).lower()
            if name == "stoptraining":
                self._stop(str(action.get("training_job_prefix") or ""))
            elif name in ("email", "sms"):
                print(f"Notification ({name} to {action.get('endpoint')}): rule {self.rule_name} "
                      f"found an issue at step {step}. {details}", flush=True)
            elif name == "notify":
                module, _, function = str(action["callback"]).partition(":")
                target: Any = importlib.import_module(module)
                for part in function.split("."):
                    target = getattr(target, part)
                target(self.rule_name, step, details)

    def _stop(self, prefix: str) -> None:
        from ..jobs import list_jobs, stop_job

        running = [j.name for j in list_jobs(type="Training", status="InProgress", limit=None)
                   if j.name.startswith(prefix)]
        if len(running) != 1:
            print(f"StopTraining: {len(running)} InProgress training jobs start with {prefix!r}; "
                  "stopping only when exactly one does.", flush=True)
            return
        print(f"StopTraining: rule {self.rule_name} stops training job {running[0]}.", flush=True)
        stop_job(running[0], reason=f"Stopped by rule {self.rule_name}: it found an issue.")
